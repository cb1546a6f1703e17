// Package relay runs a TURN server (pion/turn) for the tests: it counts what it
// relays, so a test can prove that data went through it; it checks long-term
// credentials, so a test can log in with the wrong ones; and it can cut the
// link or impair it (loss, delay, jitter, duplication, reordering), so a test
// can see how a connection fares on a bad network.
package relay

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"

	"github.com/pion/turn/v4"
)

// Config describes a relay.
type Config struct {
	Listen   string // UDP address of the TURN server, e.g. 127.0.0.1:0
	RelayIP  string // address of relayed allocations (an address of this host)
	Realm    string
	Username string
	Password string
}

// Relay is a running TURN server.
type Relay struct {
	server *turn.Server
	addr   net.Addr

	allocations  atomic.Int64
	packetsRelay atomic.Int64
	bytesRelayed atomic.Int64
	cut          atomic.Bool
	imp          *impairer

	connsMu sync.Mutex
	conns   []*countingConn // every allocation's relay socket, for Flows
}

// Start starts a TURN server as described by cfg.
func Start(cfg Config) (*Relay, error) {
	conn, err := net.ListenPacket("udp4", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("relay: listen %s: %w", cfg.Listen, err)
	}
	enlargeBuffers(conn)
	r := &Relay{addr: conn.LocalAddr(), imp: newImpairer()}
	key := turn.GenerateAuthKey(cfg.Username, cfg.Realm, cfg.Password)
	r.server, err = turn.NewServer(turn.ServerConfig{
		Realm: cfg.Realm,
		AuthHandler: func(username, _ string, _ net.Addr) ([]byte, bool) {
			return key, username == cfg.Username
		},
		PacketConnConfigs: []turn.PacketConnConfig{{
			PacketConn: conn,
			RelayAddressGenerator: &countingGenerator{relay: r, inner: &turn.RelayAddressGeneratorStatic{
				RelayAddress: net.ParseIP(cfg.RelayIP),
				Address:      cfg.RelayIP,
			}},
		}},
	})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("relay: %w", err)
	}
	return r, nil
}

// Addr is the TURN server's address.
func (r *Relay) Addr() net.Addr { return r.addr }

// Allocations is how many relay allocations were made.
func (r *Relay) Allocations() int64 { return r.allocations.Load() }

// Relayed is how many packets and bytes were relayed, both directions.
func (r *Relay) Relayed() (packets, bytes int64) { return r.packetsRelay.Load(), r.bytesRelayed.Load() }

// Flow counts what one allocation relayed from its client to the peers.
type Flow struct {
	Relayed   net.Addr // the allocation's relayed address: its client's relay candidate
	Forwarded int64    // datagrams written to a peer (a duplicate counts twice)
	Dropped   int64    // datagrams the impairment lost or its queue overflowed, or the cut link dropped
}

// Flows returns what each allocation relayed so far, one Flow per allocation
// (closed ones included). With two relayed peers, the Flow of one's relay
// candidate is everything it sent to the other.
func (r *Relay) Flows() []Flow {
	r.connsMu.Lock()
	defer r.connsMu.Unlock()
	flows := make([]Flow, 0, len(r.conns))
	for _, c := range r.conns {
		flows = append(flows, Flow{Relayed: c.LocalAddr(), Forwarded: c.forwarded.Load(), Dropped: c.sched.dropped.Load() + c.cutDrops.Load()})
	}
	return flows
}

// Cut drops (true) or passes again (false) everything the relay would relay,
// as if the link went down.
func (r *Relay) Cut(down bool) { r.cut.Store(down) }

// Impair makes the relay mistreat what it relays from now on, as m describes
// (the zero Impairment stops it). Safe to call at any time, from any goroutine;
// it reseeds the random draws with m.Seed. Datagrams already delayed keep their
// time.
func (r *Relay) Impair(m Impairment) { r.imp.set(m) }

// ImpairStats returns what the impairments did so far.
func (r *Relay) ImpairStats() ImpairStats { return r.imp.stats() }

// Close stops the server.
func (r *Relay) Close() error { return r.server.Close() }

type countingGenerator struct {
	relay *Relay
	inner turn.RelayAddressGenerator
}

func (g *countingGenerator) Validate() error { return g.inner.Validate() }

func (g *countingGenerator) AllocatePacketConn(network string, port int) (net.PacketConn, net.Addr, error) {
	conn, addr, err := g.inner.AllocatePacketConn(network, port)
	if err != nil {
		return nil, nil, err
	}
	enlargeBuffers(conn)
	g.relay.allocations.Add(1)
	c := newCountingConn(conn, g.relay)
	g.relay.connsMu.Lock()
	g.relay.conns = append(g.relay.conns, c)
	g.relay.connsMu.Unlock()
	return c, addr, nil
}

func (g *countingGenerator) AllocateConn(network string, port int) (net.Conn, net.Addr, error) {
	return g.inner.AllocateConn(network, port)
}

// countingConn is an allocation's relay socket, counting what passes and
// impairing what it sends.
type countingConn struct {
	net.PacketConn
	relay     *Relay
	sched     *scheduler
	forwarded atomic.Int64 // datagrams written to a peer
	cutDrops  atomic.Int64 // datagrams to a peer dropped by Cut
}

func newCountingConn(conn net.PacketConn, r *Relay) *countingConn {
	c := &countingConn{PacketConn: conn, relay: r}
	c.sched = newScheduler(r.imp, c.send)
	return c
}

func (c *countingConn) ReadFrom(p []byte) (int, net.Addr, error) {
	n, addr, err := c.PacketConn.ReadFrom(p)
	for err == nil && c.relay.cut.Load() { // the link is down: drop it
		n, addr, err = c.PacketConn.ReadFrom(p)
	}
	if n > 0 {
		c.relay.packetsRelay.Add(1)
		c.relay.bytesRelayed.Add(int64(n))
	}
	return n, addr, err
}

// WriteTo sends p to the peer at addr, through the impairment: p may be
// dropped, duplicated or sent later (a copy), so it returns len(p) unless p
// was sent at once and that failed.
func (c *countingConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	if c.relay.cut.Load() {
		c.cutDrops.Add(1)
		return len(p), nil // the link is down: dropped
	}
	if err := c.sched.write(p, addr); err != nil {
		return 0, err
	}
	return len(p), nil
}

// send writes one datagram now, unless the link is down.
func (c *countingConn) send(p []byte, addr net.Addr) error {
	if c.relay.cut.Load() {
		c.cutDrops.Add(1)
		return nil // the link went down while it waited: dropped
	}
	n, err := c.PacketConn.WriteTo(p, addr)
	if n > 0 {
		c.forwarded.Add(1)
		c.relay.packetsRelay.Add(1)
		c.relay.bytesRelayed.Add(int64(n))
	}
	return err
}

// Close stops the scheduler (dropping what waits) and closes the socket.
func (c *countingConn) Close() error {
	c.sched.stop()
	return c.PacketConn.Close()
}

// socketBuffer is the kernel buffer size asked for on the relay's sockets.
// With Linux's default (208 KiB) a burst from a fast sender overflows the
// socket before the relay's goroutine reads it, on a busy machine, and the
// relay would lose datagrams that its Impairment never counted. The kernel
// caps it at net.core.rmem_max/wmem_max.
const socketBuffer = 4 << 20

// enlargeBuffers sizes a UDP socket's buffers; refusal keeps the defaults.
func enlargeBuffers(c net.PacketConn) {
	if u, ok := c.(interface {
		SetReadBuffer(int) error
		SetWriteBuffer(int) error
	}); ok {
		_ = u.SetReadBuffer(socketBuffer)
		_ = u.SetWriteBuffer(socketBuffer)
	}
}
