package extension

import (
	"io"
	"net"
	"sync"

	"github.com/pion/ice/v4"
	"github.com/pion/logging"
)

// Server mode: every connection initialised with the same udpMuxPort shares
// one UDP socket per local address (pion's ICE UDP mux), so a dedicated server
// behind a firewall opens one port for all its players. Muxes live until
// Shutdown.
var (
	muxMu sync.Mutex
	muxes = map[int]*ice.MultiUDPMuxDefault{}
)

func sharedMux(port int, opts []ice.UDPMuxFromPortOption) (ice.UDPMux, error) {
	muxMu.Lock()
	defer muxMu.Unlock()
	if m, ok := muxes[port]; ok {
		return m, nil
	}
	// Link-local addresses are skipped: useless to remote players, and one
	// that cannot be bound (an IPv6 address still in duplicate address
	// detection) would fail the whole mux.
	m, err := ice.NewMultiUDPMuxFromPort(port, append([]ice.UDPMuxFromPortOption{
		ice.UDPMuxFromPortWithNetworks(ice.NetworkTypeUDP4, ice.NetworkTypeUDP6),
		ice.UDPMuxFromPortWithIPFilter(func(ip net.IP) bool { return !ip.IsLinkLocalUnicast() }),
		// One socket carries every player's traffic: the default kernel
		// buffers would drop datagrams first (see SocketBufferSize).
		ice.UDPMuxFromPortWithReadBufferSize(SocketBufferSize),
		ice.UDPMuxFromPortWithWriteBufferSize(SocketBufferSize),
		// Shared by every connection: its write errors after a connection
		// closes are noise, and the connections report their own problems.
		ice.UDPMuxFromPortWithLogger(logging.NewDefaultLeveledLoggerForScope("mux", logging.LogLevelDisabled, io.Discard)),
	}, opts...)...)
	if err != nil {
		return nil, errorf(ErrAlreadyInUse, "udpMuxPort %d: cannot listen: %v", port, err)
	}
	muxes[port] = m
	return m, nil
}

func closeMuxes() {
	muxMu.Lock()
	defer muxMu.Unlock()
	for port, m := range muxes {
		_ = m.Close() // shutting down: nothing to report to
		delete(muxes, port)
	}
}
