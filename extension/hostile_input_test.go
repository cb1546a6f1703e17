package extension

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// offerOf returns the offer pc creates (with one channel), without applying it.
func offerOf(t *testing.T, pc *PeerConnection) string {
	t.Helper()
	_, _, err := pc.CreateDataChannel("c", nil)
	require.NoError(t, err)
	require.NoError(t, pc.CreateOffer())
	var sdp string
	pc.Poll(func(ev Event) {
		if d, ok := ev.(SessionDescription); ok {
			sdp = d.SDP
		}
	})
	require.NotEmpty(t, sdp)
	return sdp
}

// offeredConnection returns a fresh connection and a real offer from another
// one, not yet applied; both are freed when the test ends.
func offeredConnection(t *testing.T) (*PeerConnection, string) {
	t.Helper()
	other := NewPeerConnection(loopbackOnly())
	t.Cleanup(other.Free)
	offer := offerOf(t, other)
	pc := NewPeerConnection(loopbackOnly())
	t.Cleanup(pc.Free)
	return pc, offer
}

var regexpUfrag = regexp.MustCompile(`a=ice-ufrag:(\S+)`)

// replaceLine replaces the first line starting with prefix (CRLF-terminated).
func replaceLine(sdp, prefix, with string) string {
	i := strings.Index(sdp, prefix)
	if i < 0 {
		return sdp
	}
	end := strings.Index(sdp[i:], "\r\n") + i + 2
	return sdp[:i] + with + sdp[end:]
}

// TestRefusedRemoteDescriptionChangesNothing: pion checks mids, ICE
// credentials, candidates and the fingerprint only after moving to the new
// signaling state; such descriptions are refused first, so the game's
// connection is left as it was and can still take a valid offer.
func TestRefusedRemoteDescriptionChangesNothing(t *testing.T) {
	pc, offer := offeredConnection(t)
	cases := map[string]string{
		"empty":                   "",
		"only v=":                 "v=0\r\n",
		"no ICE credentials":      replaceLine(offer, "a=ice-ufrag:", ""),
		"no ICE password":         replaceLine(offer, "a=ice-pwd:", ""),
		"no fingerprint":          replaceLine(offer, "a=fingerprint:", ""),
		"truncated fingerprint":   replaceLine(offer, "a=fingerprint:", "a=fingerprint:sha-256 AB:CD\r\n"),
		"unknown fingerprint":     replaceLine(offer, "a=fingerprint:", "a=fingerprint:sha-999 AB:CD\r\n"),
		"fingerprint not hex":     replaceLine(offer, "a=fingerprint:", "a=fingerprint:sha-1 ZZ:ZZ:ZZ:ZZ:ZZ:ZZ:ZZ:ZZ:ZZ:ZZ:ZZ:ZZ:ZZ:ZZ:ZZ:ZZ:ZZ:ZZ:ZZ:ZZ\r\n"),
		"fingerprint three parts": replaceLine(offer, "a=fingerprint:", "a=fingerprint:sha-256 AB CD\r\n"),
		"no mid":                  replaceLine(offer, "a=mid:", ""),
		"only garbage candidates": replaceLine(offer, "a=sctp-port:", "a=candidate:1 1 udp x y z typ host\r\na=sctp-port:5000\r\n"),
	}
	for name, sdp := range cases {
		err := pc.SetRemoteDescription("offer", sdp)
		assert.Equal(t, ErrInvalidData, Code(err), "%s: %v", name, err)
		assert.Equal(t, SignalingStable, pc.SignalingState(), "%s changed the signaling state", name)
	}
	require.NoError(t, pc.SetRemoteDescription("offer", offer), "a valid offer still applies")
	assert.Equal(t, SignalingHaveRemoteOffer, pc.SignalingState())
}

func TestCreateOfferWithARemoteOfferPendingIsRefused(t *testing.T) {
	other := NewPeerConnection(loopbackOnly())
	defer other.Free()
	pc := NewPeerConnection(loopbackOnly())
	defer pc.Free()
	require.NoError(t, pc.SetRemoteDescription("offer", offerOf(t, other)))
	pc.Poll(func(Event) {})
	err := pc.CreateOffer()
	assert.Equal(t, ErrUnavailable, Code(err), "%v", err)
	var events int
	pc.Poll(func(Event) { events++ })
	assert.Zero(t, events, "no offer emitted")
}

func TestDuplicateChannelIDIsRefused(t *testing.T) {
	p := newPeers(t)
	_, b := p.openChannel("in-band", nil)
	_, _, err := p.a.CreateDataChannel("n", map[string]any{"negotiated": true, "id": int64(700)})
	require.NoError(t, err)
	_, _, err = p.a.CreateDataChannel("n2", map[string]any{"negotiated": true, "id": int64(700)})
	assert.Equal(t, ErrInvalidParameter, Code(err), "%v", err)
	// The id the remote's in-band channel got is taken too.
	_, _, err = p.b.CreateDataChannel("n3", map[string]any{"negotiated": true, "id": int64(b.ID())})
	assert.Equal(t, ErrInvalidParameter, Code(err), "%v", err)
}

// TestCandidatesPionWouldDropAreRefused: pion returns success for a candidate
// it discards (unknown type or transport, another session's ufrag); the game
// gets an error instead, as from the browsers.
func TestCandidatesPionWouldDropAreRefused(t *testing.T) {
	pc, offer := offeredConnection(t)
	require.NoError(t, pc.SetRemoteDescription("offer", offer))
	const line = "candidate:1 1 udp 2130706431 127.0.0.1 9 typ host"
	for _, bad := range []string{"candidate:", "candidate:1 1 udp 1 127.0.0.1 9 typ bogus", "candidate:1 1 sctp 1 127.0.0.1 9 typ host"} {
		assert.Equal(t, ErrInvalidData, Code(pc.AddICECandidate("0", 0, bad)), bad)
	}
	assert.Equal(t, ErrInvalidParameter, Code(pc.AddICECandidate("0", 0, line+" ufrag notours")))
	ufrag := regexpUfrag.FindStringSubmatch(offer)
	require.NotNil(t, ufrag)
	assert.NoError(t, pc.AddICECandidate("0", 0, line+" ufrag "+ufrag[1]), "the remote's own ufrag")
	assert.NoError(t, pc.AddICECandidate("0", 0, line))
}

// TestEmptyMessagesArrive: a remote may send empty messages (SCTP carries them
// as one byte with an "empty" PPID); they arrive as empty packets, flag kept.
func TestEmptyMessagesArrive(t *testing.T) {
	p := newPeers(t)
	a, b := p.openChannel("empty", nil)
	require.NoError(t, a.Send(nil))
	a.SetWriteMode(WriteText)
	require.NoError(t, a.Send([]byte{}))
	data, isString := p.recv(b)
	assert.Empty(t, data)
	assert.False(t, isString)
	data, isString = p.recv(b)
	assert.Empty(t, data)
	assert.True(t, isString)
	assert.Zero(t, b.QueuedBytes())
}

// TestRemoteCandidatesAreCapped: a remote cannot make us probe thousands of
// addresses, neither through add_ice_candidate nor through a=candidate lines
// in its description; a new remote description starts a new count.
func TestRemoteCandidatesAreCapped(t *testing.T) {
	pc, offer := offeredConnection(t)
	require.NoError(t, pc.SetRemoteDescription("offer", offer))
	candidate := func(i int) string {
		return fmt.Sprintf("candidate:%d 1 udp 2130706431 127.0.%d.%d 9 typ host", i, i/250, i%250+1)
	}
	for i := 0; i < MaxRemoteCandidates; i++ {
		require.NoError(t, pc.AddICECandidate("0", 0, candidate(i)), "candidate %d", i)
	}
	err := pc.AddICECandidate("0", 0, candidate(MaxRemoteCandidates))
	assert.Equal(t, ErrInvalidData, Code(err), "%v", err)
	assert.Contains(t, err.Error(), fmt.Sprintf("more than %d candidates", MaxRemoteCandidates))
	assert.NoError(t, pc.AddICECandidate("0", 0, ""), "the end of candidates is still accepted")

	var lines strings.Builder
	for i := 0; i <= MaxRemoteCandidates; i++ {
		lines.WriteString("a=" + candidate(i) + "\r\n")
	}
	flooded := strings.Replace(offer, "a=mid:", lines.String()+"a=mid:", 1)
	fresh := NewPeerConnection(loopbackOnly())
	defer fresh.Free()
	err = fresh.SetRemoteDescription("offer", flooded)
	assert.Equal(t, ErrInvalidData, Code(err), "%v", err)
	assert.Contains(t, err.Error(), "a=candidate lines, more than")
	assert.Equal(t, SignalingStable, fresh.SignalingState(), "a refused description changes nothing")
}
