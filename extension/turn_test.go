package extension

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/internal/relay"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func startRelay(t *testing.T) *relay.Relay {
	t.Helper()
	r, err := relay.Start(relay.Config{Listen: "127.0.0.1:0", RelayIP: "127.0.0.1", Realm: "test", Username: "player", Password: "s3cret-pass"})
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	return r
}

func turnConfig(r *relay.Relay, password string) map[string]any {
	return map[string]any{
		"iceServers": []any{map[string]any{
			"urls": "turn:" + r.Addr().String() + "?transport=udp", "username": "player", "credential": password,
		}},
		"iceTransportPolicy": "relay",
		"iceFailedTimeout":   int64(3),
	}
}

func TestRelayOnlyConnectionGoesThroughTURN(t *testing.T) {
	r := startRelay(t)
	p := newPeers(t)
	_, err := p.a.Initialize(turnConfig(r, "s3cret-pass"))
	require.NoError(t, err)
	ach, bch := p.openChannel("via-turn", nil)
	for _, c := range p.cands[p.a] {
		assert.Contains(t, c.Candidate, "typ relay", "relay policy: only relay candidates")
	}
	_, before := r.Relayed()
	payload := bytes.Repeat([]byte("relayed"), 10000)
	require.NoError(t, ach.Send(payload))
	got, _ := p.recv(bch)
	assert.Equal(t, payload, got)
	_, after := r.Relayed()
	assert.GreaterOrEqual(t, after-before, int64(len(payload)), "the data went through the relay")
	assert.Equal(t, int64(1), r.Allocations())
	local := p.a.Stats()["selected_pair"].(map[string]any)["local"].(map[string]any)
	assert.Equal(t, "relay", local["type"])
	assert.Equal(t, "udp", local["relay_protocol"], "get_stats() names the transport to the TURN server")
}

func TestWrongTURNCredentialsFailAndAreReported(t *testing.T) {
	r := startRelay(t)
	p := newPeers(t)
	_, err := p.a.Initialize(turnConfig(r, "wrong-password"))
	require.NoError(t, err)
	p.channel(p.a, "c", nil)
	require.NoError(t, p.a.CreateOffer())
	deadline := time.Now().Add(30 * time.Second)
	for p.a.ConnectionState() != StateFailed && time.Now().Before(deadline) {
		p.pump()
		time.Sleep(10 * time.Millisecond)
	}
	assert.Equal(t, StateFailed, p.a.ConnectionState(), "no relay candidate: the connection fails")
	require.NotEmpty(t, p.problems, "the refusal is reported")
	all := fmt.Sprint(p.problems)
	assert.True(t, strings.Contains(all, "allocate") || strings.Contains(all, "401"), "problems: %s", all)
	assert.NotContains(t, all, "wrong-password")
	assert.Zero(t, r.Allocations())
}

// TestLinkCutDisconnectsRecoversAndFails cuts the relayed link: DISCONNECTED
// within 10 s; if the link returns first, CONNECTED again and data flows; if
// it does not, FAILED within 40 s (the default ICE timeouts: 5 s + 25 s).
func TestLinkCutDisconnectsRecoversAndFails(t *testing.T) {
	r := startRelay(t)
	p := newPeers(t)
	cfg := turnConfig(r, "s3cret-pass")
	delete(cfg, "iceFailedTimeout") // the defaults are under test
	_, err := p.a.Initialize(cfg)
	require.NoError(t, err)
	ach, bch := p.openChannel("link", nil)

	r.Cut(true)
	cut := time.Now()
	p.until("DISCONNECTED", 10*time.Second, func() bool { return p.a.ConnectionState() == StateDisconnected })
	t.Logf("DISCONNECTED %v after the cut", time.Since(cut).Round(100*time.Millisecond))
	r.Cut(false)
	back := time.Now()
	p.until("CONNECTED again", 10*time.Second, func() bool { return p.a.ConnectionState() == StateConnected })
	t.Logf("CONNECTED %v after the link returned", time.Since(back).Round(100*time.Millisecond))
	require.NoError(t, ach.Send([]byte("after the outage")))
	data, _ := p.recv(bch)
	assert.Equal(t, "after the outage", string(data))

	r.Cut(true)
	cut = time.Now()
	p.until("FAILED", 40*time.Second, func() bool { return p.a.ConnectionState() == StateFailed })
	t.Logf("FAILED %v after the cut", time.Since(cut).Round(100*time.Millisecond))
}
