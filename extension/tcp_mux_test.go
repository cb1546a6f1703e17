package extension

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loopbackAnyTransport keeps pion on 127.0.0.1 like loopbackOnly, but leaves
// the transports to the configuration (iceNetworkTypes), with udpMuxPort and
// tcpMuxPort on 127.0.0.1.
func loopbackAnyTransport() []Option {
	return []Option{WithTCPMuxHost("127.0.0.1"), WithUDPMuxOptions(ice.UDPMuxFromPortWithLoopback(),
		ice.UDPMuxFromPortWithInterfaceFilter(func(name string) bool { return name == "lo" }),
		ice.UDPMuxFromPortWithNetworks(ice.NetworkTypeUDP4)), WithSettingEngine(func(se *webrtc.SettingEngine) {
		se.SetIncludeLoopbackCandidate(true)
		se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
		se.SetIPFilter(func(ip net.IP) bool { return ip.To4() != nil && ip.IsLoopback() })
		se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	})}
}

// freeTCPPort returns a TCP port nothing listens on now.
func freeTCPPort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

// transportPeers is a server (a) and a client (b) initialised with the given
// configurations, kept on loopback.
func transportPeers(t testing.TB, server, client map[string]any) *peers {
	t.Helper()
	p := &peers{t: t, a: NewPeerConnection(loopbackAnyTransport()...), b: NewPeerConnection(loopbackAnyTransport()...),
		received: map[*PeerConnection][]*DataChannel{}, cands: map[*PeerConnection][]ICECandidate{}}
	t.Cleanup(func() { p.a.Free(); p.b.Free() })
	_, err := p.a.Initialize(server)
	require.NoError(t, err)
	_, err = p.b.Initialize(client)
	require.NoError(t, err)
	return p
}

func selectedPair(pc *PeerConnection) (local, remote map[string]any) {
	pair, _ := pc.Stats()["selected_pair"].(map[string]any)
	local, _ = pair["local"].(map[string]any)
	remote, _ = pair["remote"].(map[string]any)
	return local, remote
}

// echoBothWays sends a small and a maximum-size message each way on a pair of
// open channel ends.
func echoBothWays(t *testing.T, p *peers, a, b *DataChannel) {
	t.Helper()
	for _, size := range []int{5, MaxMessageSize} {
		msg := []byte(strings.Repeat("x", size))
		require.NoError(t, a.Send(msg))
		got, _ := p.recv(b)
		assert.Equal(t, msg, got, "%d bytes server to client", size)
		require.NoError(t, b.Send(msg))
		got, _ = p.recv(a)
		assert.Equal(t, msg, got, "%d bytes client to server", size)
	}
}

func TestICETCPConnectsThroughTheMux(t *testing.T) {
	port := freeTCPPort(t)
	// The server offers TCP only; the client gathers UDP and TCP, as a
	// browser does, and reaches the server by dialling its passive candidate.
	p := transportPeers(t, map[string]any{"tcpMuxPort": int64(port), "iceNetworkTypes": []any{"tcp"}}, map[string]any{})
	a, b := p.openChannel("game", nil)
	require.NotEmpty(t, p.cands[p.a])
	for _, c := range p.cands[p.a] {
		assert.Regexp(t, fmt.Sprintf(` tcp \d+ 127\.0\.0\.1 %d typ host tcptype passive`, port), c.Candidate,
			"the server's only candidates are passive TCP on the shared port")
	}
	local, remote := selectedPair(p.a)
	assert.Equal(t, "tcp", local["protocol"])
	assert.Equal(t, int64(port), local["port"])
	assert.Equal(t, "tcp", remote["protocol"])
	clientLocal, _ := selectedPair(p.b)
	assert.Equal(t, "tcp", clientLocal["protocol"])
	echoBothWays(t, p, a, b)
}

func TestICETCPThirtyTwoClientsShareOnePort(t *testing.T) {
	port := freeTCPPort(t)
	server := map[string]any{"tcpMuxPort": int64(port), "iceNetworkTypes": []any{"tcp4"}}
	type pair struct {
		p      *peers
		ch, cc *DataChannel
	}
	all := make([]pair, 32)
	for i := range all {
		p := transportPeers(t, server, map[string]any{"iceNetworkTypes": []any{"tcp4"}})
		all[i] = pair{p: p, ch: p.channel(p.a, "c", nil)}
		require.NoError(t, p.a.CreateOffer())
	}
	deadline := time.Now().Add(60 * time.Second)
	for done := false; !done; time.Sleep(5 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "32 clients did not all connect")
		done = true
		for i := range all {
			x := &all[i]
			x.p.pump()
			if len(x.p.received[x.p.b]) == 0 || x.ch.ReadyState() != ChannelOpen {
				done = false
			} else {
				x.cc = x.p.received[x.p.b][0]
			}
		}
	}
	remotes := map[int64]bool{}
	for i, x := range all {
		local, remote := selectedPair(x.p.a)
		assert.Equal(t, "tcp", local["protocol"], "client %d", i)
		assert.Equal(t, int64(port), local["port"], "client %d reaches the server on the shared port", i)
		remotes[remote["port"].(int64)] = true
		require.NoError(t, x.cc.Send([]byte(fmt.Sprintf("hello from %d", i))))
		require.NoError(t, x.ch.Send([]byte(fmt.Sprintf("hello to %d", i))))
	}
	assert.Len(t, remotes, 32, "one TCP connection per client")
	for i, x := range all {
		got, _ := x.p.recv(x.ch)
		assert.Equal(t, fmt.Sprintf("hello from %d", i), string(got))
		got, _ = x.p.recv(x.cc)
		assert.Equal(t, fmt.Sprintf("hello to %d", i), string(got))
	}
}

// A server offering both transports: a player whose network passes UDP
// uses it, one whose network blocks UDP (here: a client limited to TCP)
// comes in over TCP.
func TestICETCPIsTheFallbackNextToUDP(t *testing.T) {
	tcpPort := freeTCPPort(t)
	server := map[string]any{"tcpMuxPort": int64(tcpPort)}
	for _, c := range []struct {
		client map[string]any
		want   string
	}{
		{map[string]any{}, "udp"},
		{map[string]any{"iceNetworkTypes": []any{"tcp"}}, "tcp"},
	} {
		p := transportPeers(t, server, c.client)
		a, b := p.openChannel("game", nil)
		local, _ := selectedPair(p.a)
		assert.Equal(t, c.want, local["protocol"], "client %v", c.client)
		echoBothWays(t, p, a, b)
	}
}

func TestTCPMuxPortTakenIsAClearError(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port
	pc := NewPeerConnection(loopbackAnyTransport()...)
	defer pc.Free()
	ch, _, err := pc.CreateDataChannel("kept", nil)
	require.NoError(t, err)
	_, err = pc.Initialize(map[string]any{"tcpMuxPort": int64(port)})
	assert.Equal(t, ErrAlreadyInUse, Code(err))
	assert.ErrorContains(t, err, fmt.Sprintf("tcpMuxPort %d: cannot listen", port))
	assert.Equal(t, ChannelConnecting, ch.ReadyState(), "the previous connection is untouched")
}

func TestTCPMuxConfiguration(t *testing.T) {
	cfg, _, err := ParseConfig(map[string]any{"tcpMuxPort": float64(443), "iceNetworkTypes": []any{"udp4", "tcp", "tcp4"}})
	require.NoError(t, err)
	assert.Equal(t, 443, cfg.TCPMuxPort)
	assert.Equal(t, []webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeTCP4, webrtc.NetworkTypeTCP6}, cfg.NetworkTypes)
	cfg, _, err = ParseConfig(map[string]any{"udpMuxPort": int64(9000), "tcpMuxPort": int64(9000)})
	require.NoError(t, err, "the same number for both transports")
	assert.Nil(t, cfg.NetworkTypes, "every type unless the key says otherwise")
	for _, c := range []struct {
		cfg  map[string]any
		want string
	}{
		{map[string]any{"tcpMuxPort": int64(0)}, "tcpMuxPort is 0, outside 1..65535"},
		{map[string]any{"tcpMuxPort": int64(65536)}, "tcpMuxPort is 65536, outside 1..65535"},
		{map[string]any{"tcpMuxPort": 1.5}, "tcpMuxPort must be an integer, not float"},
		{map[string]any{"tcpMuxPort": "443"}, "tcpMuxPort must be an int, not String"},
		{map[string]any{"iceNetworkTypes": "tcp"}, "iceNetworkTypes must be an Array of Strings, not String"},
		{map[string]any{"iceNetworkTypes": []any{}}, "iceNetworkTypes is empty"},
		{map[string]any{"iceNetworkTypes": []any{"tcp", int64(4)}}, "iceNetworkTypes[1] must be a String, not int"},
		{map[string]any{"iceNetworkTypes": []any{"TCP"}}, `iceNetworkTypes[0] is "TCP", want one of "udp", "tcp"`},
		{map[string]any{"iceNetworkTypes": []any{"sctp"}}, `iceNetworkTypes[0] is "sctp"`},
		{map[string]any{"tcpMuxPort": int64(443), "iceNetworkTypes": []any{"udp"}}, "tcpMuxPort is set but iceNetworkTypes has no TCP type"},
		{map[string]any{"udpMuxPort": int64(443), "iceNetworkTypes": []any{"tcp"}}, "udpMuxPort is set but iceNetworkTypes has no UDP type"},
		{map[string]any{"udpPortRange": []any{int64(1), int64(2)}, "iceNetworkTypes": []any{"tcp6"}}, "udpPortRange is set but iceNetworkTypes has no UDP type"},
	} {
		_, _, err := ParseConfig(c.cfg)
		assert.Equal(t, ErrInvalidParameter, Code(err), "%v", c.cfg)
		assert.ErrorContains(t, err, c.want, "%v", c.cfg)
	}
}

// What a port scanner or a stray HTTP client sends is closed at once, and the
// port keeps serving players; Shutdown frees the port.
func TestTCPMuxSurvivesGarbageAndClosesAtShutdown(t *testing.T) {
	port := freeTCPPort(t)
	server := map[string]any{"tcpMuxPort": int64(port), "iceNetworkTypes": []any{"tcp"}}
	p := transportPeers(t, server, map[string]any{})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for _, garbage := range []string{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "\x00\x04ping", "\x00"} {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		_, err = c.Write([]byte(garbage))
		require.NoError(t, err)
		if garbage == "\x00" {
			require.NoError(t, c.(*net.TCPConn).CloseWrite()) // half a header, then nothing
		}
		require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
		_, err = c.Read(make([]byte, 1))
		// EOF, or a reset when the mux closed with bytes unread; not the
		// deadline.
		var timeout net.Error
		assert.False(t, err == nil || errors.As(err, &timeout) && timeout.Timeout(), "%q: the mux closes the connection: %v", garbage, err)
		c.Close()
	}
	a, b := p.openChannel("game", nil)
	echoBothWays(t, p, a, b)

	Shutdown()
	assert.Equal(t, StateClosed, p.a.ConnectionState())
	l, err := net.Listen("tcp", addr)
	require.NoError(t, err, "Shutdown closed the tcpMuxPort")
	l.Close()
}
