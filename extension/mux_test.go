package extension

import (
	"fmt"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// freeUDPPort returns a loopback UDP port nobody uses now: a fixed one could
// be taken by another test process on the same machine.
func freeUDPPort(t testing.TB) int {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

func TestServerModeThirtyTwoClientsOnOnePort(t *testing.T) {
	port := freeUDPPort(t)
	server := []Option{loopbackOnly(), WithUDPMuxOptions(ice.UDPMuxFromPortWithLoopback(),
		ice.UDPMuxFromPortWithInterfaceFilter(func(name string) bool { return name == "lo" }),
		ice.UDPMuxFromPortWithNetworks(ice.NetworkTypeUDP4))}
	type pairT struct {
		p      *peers
		ch, cc *DataChannel
	}
	var all []pairT
	for i := 0; i < 32; i++ {
		p := &peers{t: t, a: NewPeerConnection(server...), b: NewPeerConnection(loopbackOnly()),
			received: map[*PeerConnection][]*DataChannel{}, cands: map[*PeerConnection][]ICECandidate{}}
		t.Cleanup(func() { p.a.Free(); p.b.Free() })
		_, err := p.a.Initialize(map[string]any{"udpMuxPort": int64(port)})
		require.NoError(t, err)
		ch := p.channel(p.a, "c", nil)
		require.NoError(t, p.a.CreateOffer())
		all = append(all, pairT{p: p, ch: ch})
	}
	deadline := time.Now().Add(60 * time.Second)
	for done := false; !done; {
		require.True(t, time.Now().Before(deadline), "32 clients did not all connect")
		done = true
		for i := range all {
			all[i].p.pump()
			if len(all[i].p.received[all[i].p.b]) == 0 || all[i].ch.ReadyState() != ChannelOpen {
				done = false
			} else {
				all[i].cc = all[i].p.received[all[i].p.b][0]
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	for i, x := range all {
		for _, c := range x.p.cands[x.p.a] {
			assert.Contains(t, c.Candidate, fmt.Sprintf(" %d typ host", port), "server candidates use the shared port")
		}
		local := x.p.a.Stats()["selected_pair"].(map[string]any)["local"].(map[string]any)
		assert.Equal(t, int64(port), local["port"], "client %d reaches the server on the shared port", i)
		require.NoError(t, x.cc.Send([]byte(fmt.Sprintf("hello from %d", i))))
	}
	for i, x := range all {
		data, _ := x.p.recv(x.ch)
		assert.Equal(t, fmt.Sprintf("hello from %d", i), string(data))
	}
}

func TestServerModeConfiguration(t *testing.T) {
	cfg, _, err := ParseConfig(map[string]any{"udpPortRange": []any{int64(40000), float64(40100)}})
	require.NoError(t, err)
	assert.Equal(t, uint16(40000), cfg.UDPPortMin)
	assert.Equal(t, uint16(40100), cfg.UDPPortMax)
	for _, bad := range []map[string]any{
		{"udpMuxPort": int64(0)}, {"udpMuxPort": "9"}, {"udpPortRange": []any{int64(5)}},
		{"udpPortRange": []any{int64(9), int64(5)}}, {"udpMuxPort": int64(9), "udpPortRange": []any{int64(1), int64(2)}},
	} {
		_, _, err := ParseConfig(bad)
		assert.Equal(t, ErrInvalidParameter, Code(err), "%v", bad)
	}
	p := newPeers(t)
	_, err = p.a.Initialize(map[string]any{"udpPortRange": []any{int64(41000), int64(41010)}})
	require.NoError(t, err)
	p.openChannel("ranged", nil)
	for _, c := range p.cands[p.a] {
		var port int
		_, err := fmt.Sscanf(c.Candidate[strings.Index(c.Candidate, "127.0.0.1"):], "127.0.0.1 %d", &port)
		require.NoError(t, err)
		assert.True(t, port >= 41000 && port <= 41010, "candidate port %d in range", port)
	}
}

// TestServerModeConnectsToPlayersWithMDNSCandidates: a server-mode connection
// does not resolve .local candidates (no mDNS per connection); a player whose
// candidates all are .local names (as browsers send them) still connects,
// through the address its checks come from.
func TestServerModeConnectsToPlayersWithMDNSCandidates(t *testing.T) {
	const port = 38998
	server := NewPeerConnection(loopbackOnly(), WithUDPMuxOptions(ice.UDPMuxFromPortWithLoopback(),
		ice.UDPMuxFromPortWithInterfaceFilter(func(name string) bool { return name == "lo" }),
		ice.UDPMuxFromPortWithNetworks(ice.NetworkTypeUDP4)))
	player := NewPeerConnection(loopbackOnly())
	t.Cleanup(func() { server.Free(); player.Free() })
	_, err := server.Initialize(map[string]any{"udpMuxPort": int64(port)})
	require.NoError(t, err)
	ch, _, err := server.CreateDataChannel("c", nil)
	require.NoError(t, err)
	require.NoError(t, server.CreateOffer())
	hidden := 0
	pump := func(from, to *PeerConnection) {
		from.Poll(func(ev Event) {
			switch ev := ev.(type) {
			case SessionDescription:
				require.NoError(t, from.SetLocalDescription(ev.Type, ev.SDP))
				require.NoError(t, to.SetRemoteDescription(ev.Type, ev.SDP))
			case ICECandidate:
				c := ev.Candidate
				if from == player {
					c = strings.Replace(c, "127.0.0.1", "0d6c2b5e-5a4e-4c39-9c3f-7a1e2f9b8c01.local", 1)
					hidden++
				}
				require.NoError(t, to.AddICECandidate(ev.Mid, int64(ev.MLineIndex), c))
			}
		})
	}
	deadline := time.Now().Add(15 * time.Second)
	for ch.ReadyState() != ChannelOpen {
		require.True(t, time.Now().Before(deadline), "the player did not connect")
		pump(server, player)
		pump(player, server)
		time.Sleep(2 * time.Millisecond)
	}
	assert.Positive(t, hidden, "the player's candidates were all .local names")
	remote := server.Stats()["selected_pair"].(map[string]any)["remote"].(map[string]any)
	assert.Equal(t, "prflx", remote["type"], "the server learnt the player's address from its checks")
}

// TestServerModeRunsNoMDNS: a plain connection runs pion's mDNS resolver
// (sockets and goroutines of its own); a server-mode one does not.
func TestServerModeRunsNoMDNS(t *testing.T) {
	onLoopback := WithSettingEngine(func(se *webrtc.SettingEngine) { // mDNS left as configured
		se.SetIncludeLoopbackCandidate(true)
		se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	})
	muxOnLoopback := WithUDPMuxOptions(ice.UDPMuxFromPortWithLoopback(),
		ice.UDPMuxFromPortWithInterfaceFilter(func(name string) bool { return name == "lo" }),
		ice.UDPMuxFromPortWithNetworks(ice.NetworkTypeUDP4))
	goroutines := func(cfg map[string]any) int {
		p := NewPeerConnection(onLoopback, muxOnLoopback)
		before := settledGoroutines()
		_, err := p.Initialize(cfg)
		require.NoError(t, err)
		n := settledGoroutines() - before
		p.Free()
		teardowns.Wait() // so that the next count does not include this teardown
		return n
	}
	goroutines(map[string]any{"udpMuxPort": int64(38997)}) // the shared mux's own goroutines
	plain, server := goroutines(map[string]any{}), goroutines(map[string]any{"udpMuxPort": int64(38997)})
	t.Logf("goroutines started by initialize(): %d plain, %d in server mode", plain, server)
	assert.LessOrEqual(t, server, plain-4, "server mode starts no mDNS resolver")
}

// settledGoroutines returns the number of goroutines once it has not changed
// for 50 ms (at most 2 s): goroutines of connections closed earlier take a
// moment to end.
func settledGoroutines() int {
	n, same := runtime.NumGoroutine(), 0
	for deadline := time.Now().Add(2 * time.Second); same < 5 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		if m := runtime.NumGoroutine(); m == n {
			same++
		} else {
			n, same = m, 0
		}
	}
	return n
}
