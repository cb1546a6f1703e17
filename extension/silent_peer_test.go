package extension

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// settle waits (bounded) until the goroutine count is at most want, and
// returns the count.
func settle(want int, timeout time.Duration) int {
	deadline := time.Now().Add(timeout)
	for runtime.NumGoroutine() > want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	return runtime.NumGoroutine()
}

func heapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// unansweredOffer runs one offer whose answer never comes back: b applies the
// offer and answers, but the answer (and b's candidates) are lost, so a stays
// NEW and b keeps checking a pair that never completes. Nothing may hang:
// both close promptly.
func unansweredOffer(t *testing.T) {
	a, b := NewPeerConnection(loopbackOnly()), NewPeerConnection(loopbackOnly())
	defer a.Free()
	defer b.Free()
	ach, _, err := a.CreateDataChannel("c", nil)
	require.NoError(t, err)
	require.NoError(t, a.CreateOffer())
	answered, gathered := false, false
	deadline := time.Now().Add(10 * time.Second)
	for !(answered && gathered) {
		require.True(t, time.Now().Before(deadline), "the offer was never answered locally and gathered")
		a.Poll(func(ev Event) {
			switch ev := ev.(type) {
			case SessionDescription:
				require.NoError(t, a.SetLocalDescription(ev.Type, ev.SDP))
				require.NoError(t, b.SetRemoteDescription(ev.Type, ev.SDP))
			case ICECandidate:
				require.NoError(t, b.AddICECandidate(ev.Mid, int64(ev.MLineIndex), ev.Candidate))
			}
		})
		b.Poll(func(ev Event) {
			if d, ok := ev.(SessionDescription); ok {
				require.NoError(t, b.SetLocalDescription(d.Type, d.SDP))
				answered = true // ...and lost: a never hears of it
			}
		})
		gathered = a.GatheringState() == GatheringComplete
		time.Sleep(2 * time.Millisecond)
	}
	// b is checking a's candidates; a never got an answer.
	time.Sleep(200 * time.Millisecond)
	assert.Equal(t, StateNew, a.ConnectionState(), "the offerer without an answer")
	assert.Contains(t, []ConnectionState{StateNew, StateConnecting}, b.ConnectionState(), "the answerer whose answer was lost")
	assert.Equal(t, ChannelConnecting, ach.ReadyState())
	assert.Equal(t, ErrUnconfigured, Code(ach.Send([]byte("x"))), "put_packet before open")
	start := time.Now()
	a.Close()
	b.Close()
	assert.Less(t, time.Since(start), 5*time.Second, "close() of never-answered connections hangs")
	assert.Equal(t, StateClosed, a.ConnectionState())
	assert.Equal(t, ChannelClosed, ach.ReadyState())
}

// TestOfferToAPeerThatNeverAnswers: connections whose answer never arrives
// stay NEW (offerer) or CONNECTING (answerer), close promptly, and leave no
// goroutine or memory behind, over 20 rounds.
func TestOfferToAPeerThatNeverAnswers(t *testing.T) {
	unansweredOffer(t) // warm-up: pion's package-level state
	baseGoroutines := settle(0, time.Second)
	baseHeap := heapAfterGC()
	const rounds = 20
	for i := 0; i < rounds; i++ {
		unansweredOffer(t)
	}
	goroutines := settle(baseGoroutines, 10*time.Second)
	heap := heapAfterGC()
	t.Logf("after %d unanswered offers: goroutines %d -> %d, Go heap %d -> %d KiB", rounds, baseGoroutines, goroutines, baseHeap>>10, heap>>10)
	assert.LessOrEqual(t, goroutines, baseGoroutines, "goroutines left behind")
	assert.Less(t, int64(heap)-int64(baseHeap), int64(2<<20), "Go heap grew by 2 MiB or more over %d rounds", rounds)
	assert.Equal(t, 0, Live(), "connections not freed")
}

// TestSendBudgetBoundsAPeerThatStopsReading: a connected peer stops reading a
// reliable channel while we keep sending. Without a limit pion would queue
// every message; put_packet refuses with ERR_BUSY at SendBudget, nothing
// accepted is lost, and sending works again once the remote reads.
func TestSendBudgetBoundsAPeerThatStopsReading(t *testing.T) {
	p := newPeers(t)
	ach, bch := p.openChannel("flood", nil)
	msg := make([]byte, 16<<10)
	accepted := 0
	var refusal error
	for attempt := 0; attempt < 4*SendBudget/len(msg); attempt++ {
		msg[0], msg[1] = byte(accepted), byte(accepted>>8)
		if refusal = ach.Send(msg); refusal != nil {
			break
		}
		accepted++
	}
	require.Error(t, refusal, "put_packet accepted %d MiB for a peer that reads nothing", accepted*len(msg)>>20)
	assert.Equal(t, ErrBusy, Code(refusal), "%v", refusal)
	assert.Contains(t, refusal.Error(), "send budget")
	buffered := ach.BufferedAmount()
	t.Logf("accepted %d messages (%d KiB) before ERR_BUSY; buffered %d KiB", accepted, accepted*len(msg)>>10, buffered>>10)
	assert.LessOrEqual(t, buffered, SendBudget)
	assert.Greater(t, buffered, SendBudget-2*len(msg), "refused only at the budget")
	assert.Equal(t, ChannelOpen, ach.ReadyState(), "refusing is not closing")

	// The reader comes back: everything accepted arrives, in order.
	got := 0
	deadline := time.Now().Add(60 * time.Second)
	for got < accepted && time.Now().Before(deadline) {
		p.pump()
		for {
			d, _, ok := bch.Pop()
			if !ok {
				break
			}
			require.Equal(t, len(msg), len(d))
			require.Equal(t, got, int(d[0])|int(d[1])<<8&0xff00, "message %d out of order", got)
			got++
		}
		time.Sleep(time.Millisecond)
	}
	assert.Equal(t, accepted, got, "every accepted message arrives")
	assert.NoError(t, ach.Send(msg), "put_packet works again once the remote has read")
}
