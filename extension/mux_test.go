package extension

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/pion/ice/v4"
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
