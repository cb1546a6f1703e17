// Package relay runs a TURN server (pion/turn) for the tests: it counts what it
// relays, so a test can prove that data went through it; it checks long-term
// credentials, so a test can log in with the wrong ones; and it can cut the
// link or impair it (loss, delay, jitter, duplication, reordering), so a test
// can see how a connection fares on a bad network.
package relay

import (
	"fmt"
	"net"
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
}

// Start starts a TURN server as described by cfg.
func Start(cfg Config) (*Relay, error) {
	conn, err := net.ListenPacket("udp4", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("relay: listen %s: %w", cfg.Listen, err)
	}
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
	g.relay.allocations.Add(1)
	return newCountingConn(conn, g.relay), addr, nil
}

func (g *countingGenerator) AllocateConn(network string, port int) (net.Conn, net.Addr, error) {
	return g.inner.AllocateConn(network, port)
}

// countingConn is an allocation's relay socket, counting what passes and
// impairing what it sends.
type countingConn struct {
	net.PacketConn
	relay *Relay
	sched *scheduler
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
		return nil // the link went down while it waited: dropped
	}
	n, err := c.PacketConn.WriteTo(p, addr)
	if n > 0 {
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
