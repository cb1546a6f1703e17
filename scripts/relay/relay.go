// Package relay runs a TURN server (pion/turn) for the tests: it counts what it
// relays, so a test can prove that data went through it, and it checks
// long-term credentials, so a test can log in with the wrong ones.
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
}

// Start starts a TURN server as described by cfg.
func Start(cfg Config) (*Relay, error) {
	conn, err := net.ListenPacket("udp4", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("relay: listen %s: %w", cfg.Listen, err)
	}
	r := &Relay{addr: conn.LocalAddr()}
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
	return &countingConn{PacketConn: conn, relay: g.relay}, addr, nil
}

func (g *countingGenerator) AllocateConn(network string, port int) (net.Conn, net.Addr, error) {
	return g.inner.AllocateConn(network, port)
}

// countingConn is an allocation's relay socket, counting what passes.
type countingConn struct {
	net.PacketConn
	relay *Relay
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

func (c *countingConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	if c.relay.cut.Load() {
		return len(p), nil // the link is down: dropped
	}
	n, err := c.PacketConn.WriteTo(p, addr)
	if n > 0 {
		c.relay.packetsRelay.Add(1)
		c.relay.bytesRelayed.Add(int64(n))
	}
	return n, err
}
