package extension

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUnusableServersAreReported configures a STUN server whose name cannot
// resolve (.invalid never does), a STUN server on a loopback port where
// nothing listens (refused at once), one where a socket receives but never
// answers (silent until the check gives up), a TURN server whose name cannot
// resolve, and a STUN server that answers. Each unusable one is reported
// once, as ERR_CANT_CONNECT with its URL and no credential, within the check's
// timeout; the working one is not; and the pair connects over host
// candidates without waiting for the checks.
func TestUnusableServersAreReported(t *testing.T) {
	closed, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	closedPort := closed.LocalAddr().(*net.UDPAddr).Port
	require.NoError(t, closed.Close())
	silent, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer silent.Close()
	working := startRelay(t) // a TURN server answers binding requests too

	unresolvable := "stun:stun.invalid:19302"
	refused := fmt.Sprintf("stun:127.0.0.1:%d", closedPort)
	quiet := "stun:" + silent.LocalAddr().String()
	turn := "turn:turn.invalid:3478?transport=udp"
	good := "stun:" + working.Addr().String()
	p := newPeers(t)
	_, err = p.a.Initialize(map[string]any{"iceServers": []any{
		map[string]any{"urls": []any{unresolvable, refused, quiet, good}},
		map[string]any{"urls": turn, "username": "player", "credential": "turn-secret"},
	}})
	require.NoError(t, err)

	ch := p.channel(p.a, "c", nil)
	start := time.Now()
	require.NoError(t, p.a.CreateOffer())
	reported := map[string]time.Duration{}
	var connectedAt time.Duration
	p.until("every unusable server is reported", serverCheckTimeout+10*time.Second, func() bool {
		for _, pr := range p.problems {
			for _, url := range []string{unresolvable, refused, quiet, turn, good} {
				if strings.Contains(pr.Message, url+" ") {
					_, seen := reported[url]
					assert.False(t, seen, "%s reported twice", url)
					reported[url] = time.Since(start)
					assert.Equal(t, ErrCantConnect, pr.Code, "%s", pr.Message)
					assert.Equal(t, "ice", pr.Scope)
					assert.NotContains(t, pr.Message, "turn-secret")
					t.Logf("after %v: %s", reported[url].Round(time.Millisecond), pr.Message)
				}
			}
		}
		p.problems = nil
		if connectedAt == 0 && p.a.ConnectionState() == StateConnected && ch.ReadyState() == ChannelOpen {
			connectedAt = time.Since(start)
		}
		return len(reported) == 4 && connectedAt != 0
	})
	assert.NotContains(t, reported, good, "the working server is not reported")
	assert.Contains(t, reported, unresolvable)
	assert.Contains(t, reported, turn)
	assert.Contains(t, reported, refused)
	assert.Contains(t, reported, quiet)
	t.Logf("connected after %v", connectedAt.Round(time.Millisecond))
	assert.Less(t, connectedAt, reported[quiet], "host candidates connect without waiting for the checks")
	assert.GreaterOrEqual(t, reported[quiet], serverCheckTimeout, "the silent server had the whole timeout to answer")
	// The working server's check had as long as the silent one's, which is
	// over: a report of it would be queued by now, or a moment later.
	settled := time.Now().Add(time.Second)
	p.until("a moment", 2*time.Second, func() bool { return time.Now().After(settled) })
	for _, pr := range p.problems {
		assert.NotContains(t, pr.Message, good+" ", "the working server is not reported")
	}
}
