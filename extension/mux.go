package extension

import (
	"io"
	"net"
	"strconv"
	"sync"

	"github.com/pion/ice/v4"
	"github.com/pion/logging"
)

// Server mode: every connection initialised with the same udpMuxPort shares
// one UDP socket per local address (pion's ICE UDP mux), and every one with
// the same tcpMuxPort one TCP listener (pion's ICE TCP mux), so a dedicated
// server behind a firewall opens one port of each for all its players. Muxes
// live until Shutdown.
var (
	muxMu    sync.Mutex
	muxes    = map[int]*ice.MultiUDPMuxDefault{}
	tcpMuxes = map[int]*ice.TCPMuxDefault{}
)

// muxLogger is the logger of the shared muxes: they serve every connection,
// their complaints about one connection's closed sockets are noise, and the
// connections report their own problems.
func muxLogger() logging.LeveledLogger {
	return logging.NewDefaultLeveledLoggerForScope("mux", logging.LogLevelDisabled, io.Discard)
}

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
		ice.UDPMuxFromPortWithLogger(muxLogger()),
	}, opts...)...)
	if err != nil {
		return nil, errorf(ErrAlreadyInUse, "udpMuxPort %d: cannot listen: %v", port, err)
	}
	muxes[port] = m
	return m, nil
}

// sharedTCPMux returns the ICE-TCP mux listening on port, opening it on host
// ("" for every address of the machine) if no connection has yet.
func sharedTCPMux(port int, host string) (ice.TCPMux, error) {
	muxMu.Lock()
	defer muxMu.Unlock()
	if m, ok := tcpMuxes[port]; ok {
		return m, nil
	}
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return nil, errorf(ErrAlreadyInUse, "tcpMuxPort %d: cannot listen: %v", port, err)
	}
	m := ice.NewTCPMuxDefault(ice.TCPMuxParams{
		Listener:                     newBoundedListener(l, tcpMuxConnections),
		Logger:                       muxLogger(),
		ReadBufferSize:               tcpMuxReadPackets,
		WriteBufferSize:              tcpMuxWriteBuffer,
		FirstStunBindTimeout:         tcpMuxFirstSTUN,
		AliveDurationForConnFromStun: tcpMuxUnknownUfrag,
	})
	tcpMuxes[port] = m
	return m, nil
}

func closeMuxes() {
	muxMu.Lock()
	defer muxMu.Unlock()
	for port, m := range muxes {
		_ = m.Close() // shutting down: nothing to report to
		delete(muxes, port)
	}
	for port, m := range tcpMuxes {
		_ = m.Close()
		delete(tcpMuxes, port)
	}
}
