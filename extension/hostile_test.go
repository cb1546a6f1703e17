package extension

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var fingerprintLine = regexp.MustCompile(`a=fingerprint:sha-256 ([0-9A-F:]+)`)

// TestTamperedFingerprintNeverConnects: the DTLS fingerprint in the remote
// description is enforced, so a man in the middle cannot take the session.
func TestTamperedFingerprintNeverConnects(t *testing.T) {
	p := newPeers(t)
	p.rewrite = func(_ *PeerConnection, d SessionDescription) string {
		if d.Type != "answer" {
			return d.SDP
		}
		m := fingerprintLine.FindStringSubmatch(d.SDP)
		require.NotNil(t, m)
		fp := []byte(m[1]) // flip the first digit of the answerer's certificate fingerprint
		if fp[0] == '0' {
			fp[0] = '1'
		} else {
			fp[0] = '0'
		}
		return fingerprintLine.ReplaceAllString(d.SDP, "a=fingerprint:sha-256 "+string(fp))
	}
	ach := p.channel(p.a, "c", nil)
	require.NoError(t, p.a.CreateOffer())
	ended := func() bool { s := p.a.ConnectionState(); return s == StateFailed || s == StateClosed }
	p.until("the offerer rejects the tampered certificate", 15*time.Second, func() bool {
		assert.NotEqual(t, StateConnected, p.a.ConnectionState())
		assert.NotEqual(t, ChannelOpen, ach.ReadyState())
		return ended()
	})
	assert.Empty(t, p.received[p.a], "no channel delivered over the wrong fingerprint")
	assert.Empty(t, p.received[p.b], "no channel delivered over the wrong fingerprint")
	assert.NotEqual(t, ChannelOpen, ach.ReadyState())
}

// TestOversizedRemoteMessageClosesTheConnection: a peer that ignores our
// advertised max-message-size (here: it was told a larger one) cannot make us
// buffer more than SCTP's window; the connection is closed and reported.
func TestOversizedRemoteMessageClosesTheConnection(t *testing.T) {
	p := newPeers(t)
	p.rewrite = func(from *PeerConnection, d SessionDescription) string {
		if from != p.a {
			return d.SDP
		}
		// b (the hostile side) believes we accept 4 MiB.
		return strings.Replace(d.SDP, fmt.Sprintf("a=max-message-size:%d", MaxMessageSize), "a=max-message-size:4194304", 1)
	}
	ach, bch := p.openChannel("victim", nil)
	require.Greater(t, bch.MaxPacketSize(), 512<<10, "the hostile side was told a larger limit")
	// Over our maximum, within SCTP's receive window (a message larger than
	// the window can never be reassembled: it stalls, memory stays bounded).
	require.NoError(t, bch.Send(make([]byte, 512<<10)))
	p.until("the connection to the hostile peer is closed and reported", 10*time.Second, func() bool {
		return p.a.ConnectionState() == StateClosed && len(p.problems) > 0
	})
	assert.Equal(t, ChannelClosed, ach.ReadyState())
	assert.Zero(t, ach.AvailablePacketCount(), "the oversized message was never queued")
	assert.Equal(t, ErrInvalidData, p.problems[0].Code)
	assert.Contains(t, p.problems[0].Message, "over the advertised maximum")
	_, err := p.a.Initialize(map[string]any{})
	assert.NoError(t, err, "the peer connection object can be used again")
}

// TestRemoteOpeningTooManyChannelsIsBounded: channels beyond MaxChannels that
// the remote opens are closed and reported; the connection stays usable.
func TestRemoteOpeningTooManyChannelsIsBounded(t *testing.T) {
	p := newPeers(t)
	ach, bch := p.openChannel("first", nil)
	for i := 0; i < MaxChannels+50; i++ {
		_, _, err := p.b.CreateDataChannel(fmt.Sprintf("flood-%d", i), nil)
		require.NoError(t, err)
	}
	var problems []Problem
	deadline := time.Now().Add(60 * time.Second)
	for len(problems) == 0 && time.Now().Before(deadline) {
		p.a.Poll(func(ev Event) {
			switch ev := ev.(type) {
			case Problem:
				problems = append(problems, ev)
			case DataChannelReceived:
				p.received[p.a] = append(p.received[p.a], ev.Channel)
			}
		})
		time.Sleep(5 * time.Millisecond)
	}
	require.Len(t, problems, 1, "reported once")
	assert.Contains(t, problems[0].Message, fmt.Sprintf("more than %d data channels", MaxChannels))
	p.a.mu.Lock()
	kept := len(p.a.channels)
	p.a.mu.Unlock()
	assert.LessOrEqual(t, kept, MaxChannels)
	require.NoError(t, bch.Send([]byte("still usable")))
	data, _ := p.recv(ach)
	assert.Equal(t, "still usable", string(data))
}
