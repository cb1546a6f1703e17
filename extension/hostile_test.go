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
	ach := p.channel(p.a, "c", nil)
	require.NoError(t, p.a.CreateOffer())
	deadline := time.Now().Add(15 * time.Second)
	ended := func() bool { s := p.a.ConnectionState(); return s == StateFailed || s == StateClosed }
	for time.Now().Before(deadline) && !ended() {
		for _, pc := range []*PeerConnection{p.a, p.b} {
			pc.Poll(func(ev Event) {
				switch ev := ev.(type) {
				case SessionDescription:
					require.NoError(t, pc.SetLocalDescription(ev.Type, ev.SDP))
					sdp := ev.SDP
					if ev.Type == "answer" { // flip one byte of the answerer's certificate fingerprint
						m := fingerprintLine.FindStringSubmatch(sdp)
						require.NotNil(t, m)
						fp := []byte(m[1])
						if fp[0] == '0' {
							fp[0] = '1'
						} else {
							fp[0] = '0'
						}
						sdp = fingerprintLine.ReplaceAllString(sdp, "a=fingerprint:sha-256 "+string(fp))
					}
					require.NoError(t, p.other(pc).SetRemoteDescription(ev.Type, sdp))
				case ICECandidate:
					require.NoError(t, p.other(pc).AddICECandidate(ev.Mid, int64(ev.MLineIndex), ev.Candidate))
				case DataChannelReceived:
					t.Fatal("a channel was delivered over a connection with the wrong fingerprint")
				}
			})
		}
		assert.NotEqual(t, StateConnected, p.a.ConnectionState())
		assert.NotEqual(t, ChannelOpen, ach.ReadyState())
		time.Sleep(10 * time.Millisecond)
	}
	assert.True(t, ended(), "the offerer rejects the tampered certificate (state %d)", p.a.ConnectionState())
	assert.NotEqual(t, ChannelOpen, ach.ReadyState())
}

// TestOversizedRemoteMessageClosesTheConnection: a peer that ignores our
// advertised max-message-size (here: it was told a larger one) cannot make us
// buffer more than SCTP's window; the connection is closed and reported.
func TestOversizedRemoteMessageClosesTheConnection(t *testing.T) {
	p := newPeers(t)
	ach := p.channel(p.a, "victim", nil)
	require.NoError(t, p.a.CreateOffer())
	var problems []Problem
	p.until("connected", 15*time.Second, func() bool {
		for _, pc := range []*PeerConnection{p.a, p.b} {
			pc.Poll(func(ev Event) {
				switch ev := ev.(type) {
				case SessionDescription:
					require.NoError(t, pc.SetLocalDescription(ev.Type, ev.SDP))
					sdp := ev.SDP
					if pc == p.a { // b (the hostile side) believes we accept 4 MiB
						sdp = strings.Replace(sdp, fmt.Sprintf("a=max-message-size:%d", MaxMessageSize), "a=max-message-size:4194304", 1)
					}
					require.NoError(t, p.other(pc).SetRemoteDescription(ev.Type, sdp))
				case ICECandidate:
					require.NoError(t, p.other(pc).AddICECandidate(ev.Mid, int64(ev.MLineIndex), ev.Candidate))
				case DataChannelReceived:
					p.received[pc] = append(p.received[pc], ev.Channel)
				}
			})
		}
		return len(p.received[p.b]) == 1 && ach.ReadyState() == ChannelOpen && p.received[p.b][0].ReadyState() == ChannelOpen
	})
	bch := p.received[p.b][0]
	require.Greater(t, bch.MaxPacketSize(), 1<<20, "the hostile side was told a larger limit")
	require.NoError(t, bch.Send(make([]byte, 1<<20)))
	deadline := time.Now().Add(10 * time.Second)
	for (p.a.ConnectionState() != StateClosed || len(problems) == 0) && time.Now().Before(deadline) {
		p.a.Poll(func(ev Event) {
			if pr, ok := ev.(Problem); ok {
				problems = append(problems, pr)
			}
		})
		time.Sleep(5 * time.Millisecond)
	}
	assert.Equal(t, StateClosed, p.a.ConnectionState(), "the connection to the hostile peer is closed")
	assert.Equal(t, ChannelClosed, ach.ReadyState())
	assert.Zero(t, ach.AvailablePacketCount(), "the oversized message was never queued")
	require.NotEmpty(t, problems)
	assert.Equal(t, ErrInvalidData, problems[0].Code)
	assert.Contains(t, problems[0].Message, "over the advertised maximum")
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
