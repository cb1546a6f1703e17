package extension

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOnePollCarriesTheWholeExchange: with signaling as fast as a function
// call, one round of Poll on each side (one frame of a game) carries the
// offer, the answer and both sides' candidates, so the connection starts in
// that frame, not the next. Gathering host candidates takes under a
// millisecond; the test lets Poll wait as long as it takes, so that a stalled
// machine does not make it fail.
func TestOnePollCarriesTheWholeExchange(t *testing.T) {
	p := newPeers(t, withGatherWait(time.Minute))
	p.channel(p.a, "c", nil)
	require.NoError(t, p.a.CreateOffer())
	p.pump() // a: offer, then its candidates; b: answer, then its candidates
	assert.NotEmpty(t, p.cands[p.a], "a's candidates reached b in the first poll")
	assert.NotEmpty(t, p.cands[p.b], "b's candidates reached a in the first poll")
	assert.Equal(t, SignalingStable, p.a.SignalingState())
	p.until("connected", 10*time.Second, func() bool {
		return p.a.ConnectionState() == StateConnected && p.b.ConnectionState() == StateConnected
	})
}

// TestPollBoundsHandlerCausedRounds: a handler that causes a new event every
// time (here, a new offer for every offer) cannot keep one Poll running.
func TestPollBoundsHandlerCausedRounds(t *testing.T) {
	pc := NewPeerConnection(loopbackOnly())
	t.Cleanup(pc.Free)
	require.NoError(t, pc.CreateOffer())
	offers := 0
	pc.Poll(func(ev Event) {
		if _, ok := ev.(SessionDescription); ok {
			offers++
			require.NoError(t, pc.CreateOffer())
		}
	})
	assert.Equal(t, maxPollPasses, offers)
	offers = 0
	pc.Poll(func(ev Event) {
		if _, ok := ev.(SessionDescription); ok {
			offers++
		}
	})
	assert.Equal(t, 1, offers, "the last one waits for the next poll")
}

// TestPollDoesNotWaitForAClosedConnectionsCandidates: set_local_description
// then close() (or a handler that closes); the next poll must not wait for
// candidates that will never come. The wait is made a minute long, so that
// waiting shows however slow the machine is.
func TestPollDoesNotWaitForAClosedConnectionsCandidates(t *testing.T) {
	const wait = time.Minute
	pc := NewPeerConnection(loopbackOnly(), withGatherWait(wait))
	t.Cleanup(pc.Free)
	require.NoError(t, pc.SetLocalDescription("offer", offerOf(t, pc)))
	pc.Close()
	start := time.Now()
	pc.Poll(func(Event) {})
	assert.Less(t, time.Since(start), wait/2, "poll returned without waiting")
}

// withGatherWait sets how long Poll waits for host candidates (gatherWait by
// default).
func withGatherWait(d time.Duration) Option {
	return func(o *options) { o.gatherWait = d }
}
