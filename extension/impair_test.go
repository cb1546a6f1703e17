package extension

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"maps"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/internal/relay"
	"github.com/pion/ice/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// impairedPeers connects two relay-only peers through the test relay, opens a
// channel created with chOpts, and then impairs the relayed link as m says: the
// link degrades during the session. Returns both ends of the channel.
func impairedPeers(t *testing.T, m relay.Impairment, chOpts map[string]any, extra ...map[string]any) (*peers, *relay.Relay, *DataChannel, *DataChannel) {
	t.Helper()
	r := startRelay(t)
	p := newPeers(t)
	cfg := turnConfig(r, "s3cret-pass")
	delete(cfg, "iceFailedTimeout") // the defaults
	for _, e := range extra {
		maps.Copy(cfg, e)
	}
	for _, pc := range []*PeerConnection{p.a, p.b} {
		_, err := pc.Initialize(cfg)
		require.NoError(t, err)
	}
	a, b := p.openChannel("impaired", chOpts)
	r.Impair(m)
	return p, r, a, b
}

// TestImpairReliableTransfer sends 16 MiB over a reliable ordered channel
// through impaired links, as a game would: the sender keeps under 1 MiB
// buffered, the receiver drains with Pop in a poll loop. Every message carries
// its sequence number: each arrives exactly once, in order, and the stream's
// hash matches.
func TestImpairReliableTransfer(t *testing.T) {
	t.Parallel() // latency-bound: see TestMain
	// pion's SCTP pays for loss far more than its share once round trips are
	// long, so the combined case moves 1 MiB. At 20% loss (tuned by tuneSCTP)
	// 16 MiB takes about two minutes, 4 MiB about 30 s.
	cases := []struct {
		name string
		imp  relay.Impairment
		mib  int
	}{
		{"loss 5%", relay.Impairment{Loss: 0.05}, 16},
		{"loss 20%", relay.Impairment{Loss: 0.20}, 16},
		{"delay 100ms±20ms", relay.Impairment{Delay: 100 * time.Millisecond, Jitter: 20 * time.Millisecond}, 16},
		{"delay 300ms±50ms", relay.Impairment{Delay: 300 * time.Millisecond, Jitter: 50 * time.Millisecond}, 16},
		{"reorder 5% dup 5%", relay.Impairment{Reorder: 0.05, Duplicate: 0.05}, 16},
		{"loss 5% delay 100ms±20ms reorder 2% dup 1%", relay.Impairment{Loss: 0.05, Delay: 100 * time.Millisecond, Jitter: 20 * time.Millisecond, Reorder: 0.02, Duplicate: 0.01}, 16},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // latency-bound: see TestMain
			tc.imp.Seed = uint64(i + 1)
			p, r, a, b := impairedPeers(t, tc.imp, nil)
			took := transferReliable(t, p, a, b, tc.mib<<20, 16<<10)
			st := r.ImpairStats()
			packets, bytes := r.Relayed()
			t.Logf("%d MiB in %v (%.2f MB/s); relay: %d packets, %d bytes; %+v",
				tc.mib, took.Round(10*time.Millisecond), float64(tc.mib<<20)/1e6/took.Seconds(), packets, bytes, st)
			if tc.imp.Loss > 0 {
				assert.Positive(t, st.Lost, "datagrams were lost")
			}
			if tc.imp.Delay > 0 {
				assert.Positive(t, st.Delayed, "datagrams were delayed")
			}
			if tc.imp.Duplicate > 0 {
				assert.Positive(t, st.Duplicated, "datagrams were duplicated")
			}
			if tc.imp.Reorder > 0 {
				assert.Positive(t, st.Reordered, "datagrams were reordered")
			}
		})
	}
}

// stallLimit is how long a transfer through an impaired link may make no
// progress before its test fails. How long a transfer takes depends on the
// machine (minutes under -race on a busy one), so the tests here have no
// deadline; a live transfer never pauses this long, since SCTP's
// retransmission timer is pinned at sctpRTOMax.
const stallLimit = time.Minute

// progress fails a test when what it watches stops changing for stallLimit.
type progress struct {
	t     *testing.T
	seen  bool
	last  int64
	since time.Time
}

func newProgress(t *testing.T) *progress { return &progress{t: t} }

// stalled notes value v and reports whether it has not changed for
// stallLimit.
func (w *progress) stalled(v int64) bool {
	if !w.seen || v != w.last {
		w.seen, w.last, w.since = true, v, time.Now()
	}
	return time.Since(w.since) > stallLimit
}

// check fails the test, saying what stalled, when v has not changed for
// stallLimit.
func (w *progress) check(v int64, format string, args ...any) {
	w.t.Helper()
	if w.stalled(v) {
		w.t.Fatalf("stalled for %v: "+format, append([]any{stallLimit}, args...)...)
	}
}

// transferReliable sends total bytes from a to b in messages of size bytes and
// checks they arrive intact; it returns how long it took.
func transferReliable(t *testing.T, p *peers, a, b *DataChannel, total, size int) time.Duration {
	t.Helper()
	const highWater = 1 << 20
	n := total / size
	payload := make([]byte, total)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < total; i += 8 {
		binary.LittleEndian.PutUint64(payload[i:], rng.Uint64())
	}
	message := func(i int) []byte {
		m := payload[i*size : (i+1)*size]
		binary.BigEndian.PutUint64(m, uint64(i))
		return m
	}
	sentHash, gotHash := sha256.New(), sha256.New()
	next, got := 0, 0
	start := time.Now()
	arrivals := newProgress(t)
	for got < n {
		arrivals.check(int64(got), "after %v: %d of %d messages sent, %d received, %d bytes buffered",
			time.Since(start), next, n, got, a.BufferedAmount())
		p.pump()
		for next < n && a.BufferedAmount() < highWater {
			m := message(next)
			require.NoError(t, a.Send(m))
			sentHash.Write(m)
			next++
		}
		for {
			data, _, ok := b.Pop()
			if !ok {
				break
			}
			require.Len(t, data, size, "message %d", got)
			seq := binary.BigEndian.Uint64(data)
			require.Equal(t, uint64(got), seq, "messages arrive once each, in order")
			gotHash.Write(data)
			got++
		}
		time.Sleep(time.Millisecond)
	}
	took := time.Since(start)
	assert.Equal(t, sentHash.Sum(nil), gotHash.Sum(nil), "the stream arrived intact")
	_, _, extra := b.Pop()
	assert.False(t, extra, "nothing after the last message")
	return took
}

// TestImpairUnreliable checks an unordered channel without retransmissions
// (what WebRTCMultiplayerPeer uses for unreliable transfers) on a link that
// loses 20%: the loss shows, only the messages the link lost are missing,
// Poll never blocks, and a receiver that does not read keeps at most its
// receive budget.
//
// What arrives is compared with what the relay counted, not with the
// configured rate: on a busy machine the draws and the datagrams around the
// messages vary. Messages of 1 KiB travel one per datagram (two do not fit
// in pion's 1228-byte packets) and are never resent, so each datagram the
// relay dropped from the sender is at most one lost message.
func TestImpairUnreliable(t *testing.T) {
	t.Parallel() // latency-bound: see TestMain
	unreliable := map[string]any{"ordered": false, "maxRetransmits": int64(0)}
	const loss = 0.20
	const size = 1 << 10

	t.Run("loss shows, poll never blocks", func(t *testing.T) {
		t.Parallel() // latency-bound: see TestMain
		p, r, a, b := impairedPeers(t, relay.Impairment{Loss: loss, Seed: 11}, unreliable)
		const n = 1000
		seen := make([]bool, n)
		got := 0
		var slowest time.Duration
		polls, slowPolls := 0, 0
		var lastArrival time.Time
		poll := func() {
			start := time.Now()
			p.pump()
			for {
				data, _, ok := b.Pop()
				if !ok {
					break
				}
				seq := binary.BigEndian.Uint64(data)
				require.Less(t, seq, uint64(n))
				require.False(t, seen[seq], "message %d twice", seq)
				seen[seq] = true
				got++
				lastArrival = time.Now()
			}
			took := time.Since(start)
			slowest = max(slowest, took)
			polls++
			if took >= sctpRTOMax/2 {
				slowPolls++
			}
		}
		msg := make([]byte, size)
		for i := range n {
			binary.BigEndian.PutUint64(msg, uint64(i))
			require.NoError(t, a.Send(msg))
			// A game sends a few state updates per frame, not thousands:
			// about 100 messages a second.
			for range 10 {
				poll()
				time.Sleep(time.Millisecond)
			}
		}
		sentAll := time.Now()
		waitForStragglers(t, a, poll, func() int64 { return int64(got) }, func() int64 { return n - p.flowFrom(r, p.a).Dropped })
		t.Logf("%d of %d messages received (%.1f%%), the last at %v from the last send; slowest poll and drain %v, %d of %d over %v; relay %+v; from the sender %+v",
			got, n, 100*float64(got)/n, lastArrival.Sub(sentAll).Round(time.Millisecond), slowest, slowPolls, polls, sctpRTOMax/2,
			r.ImpairStats(), p.flowFrom(r, p.a))
		require.Zero(t, a.BufferedAmount(), "everything was sent")
		assert.Less(t, got, n, "the loss shows")
		assertLinkLosses(t, p.flowFrom(r, p.a), loss, n, int64(got))
		// A hang check, not a speed target. A call blocked on the lossy link
		// would wait on SCTP's retransmission timer (sctpRTOMax) for each of
		// the hundreds of messages lost; a descheduled game thread makes a
		// few polls slow (up to 650 ms seen under -race with two test
		// processes on a loaded 2-core machine). So at most 1 % of the polls
		// may take half the timer.
		assert.LessOrEqual(t, slowPolls, polls/100, "Poll and Pop do not block (slowest %v)", slowest)
	})

	t.Run("a receiver that does not read keeps its budget", func(t *testing.T) {
		t.Parallel()           // latency-bound: see TestMain
		const budget = 1 << 20 // set through initialize(), as a game would
		p, r, a, b := impairedPeers(t, relay.Impairment{Loss: loss, Seed: 12}, unreliable, map[string]any{"receiveBudget": int64(budget)})
		const n = 4096 // 4 MiB, four times the budget
		received := func() int64 {
			b.mu.Lock()
			defer b.mu.Unlock()
			return b.received.messages
		}
		maxQueued := 0
		poll := func() {
			p.pump() // the game polls, but never reads this channel
			q := b.QueuedBytes()
			require.LessOrEqual(t, q, budget, "unread messages stay within the budget")
			maxQueued = max(maxQueued, q)
			time.Sleep(time.Millisecond)
		}
		msg := bytes.Repeat([]byte{7}, size)
		sending := newProgress(t)
		for sent := 0; sent < n; poll() {
			sending.check(int64(sent), "sent %d of %d", sent, n)
			for ; sent < n && a.BufferedAmount() < 256<<10; sent++ {
				require.NoError(t, a.Send(msg))
			}
		}
		waitForStragglers(t, a, poll, received, func() int64 { return n - p.flowFrom(r, p.a).Dropped })
		got, dropped, waiting := received(), b.Dropped(), b.AvailablePacketCount()
		t.Logf("%d of %d messages arrived (%.1f%%), %d dropped unread, %d waiting (%d bytes, at most %d); relay %+v; from the sender %+v",
			got, n, 100*float64(got)/n, dropped, waiting, b.QueuedBytes(), maxQueued, r.ImpairStats(), p.flowFrom(r, p.a))
		require.Zero(t, a.BufferedAmount(), "everything was sent")
		assert.Less(t, got, int64(n), "the loss shows")
		assertLinkLosses(t, p.flowFrom(r, p.a), loss, n, got)
		assert.Equal(t, got, dropped+int64(waiting), "every arrival is either waiting or counted as dropped")
		assert.Positive(t, dropped, "the oldest were dropped")
		assert.Greater(t, maxQueued, budget-size, "the queue reached its budget")
	})
}

// flowFrom returns what the relay forwarded and dropped of pc's datagrams: the
// Flow of pc's relay candidate.
func (p *peers) flowFrom(r *relay.Relay, pc *PeerConnection) relay.Flow {
	p.t.Helper()
	for _, c := range p.cands[pc] {
		cand, err := ice.UnmarshalCandidate(strings.TrimPrefix(c.Candidate, "candidate:"))
		require.NoError(p.t, err)
		if cand.Type() != ice.CandidateTypeRelay {
			continue
		}
		addr := net.JoinHostPort(cand.Address(), strconv.Itoa(cand.Port()))
		for _, f := range r.Flows() {
			if f.Relayed.String() == addr {
				return f
			}
		}
	}
	p.t.Fatalf("no relay allocation for any of %v", p.cands[pc])
	return relay.Flow{}
}

// waitForStragglers polls until everything a sent has left (its buffered
// amount is 0), arrived() reaches expected() and nothing more arrived for half
// a second; or until neither arrivals nor the buffered amount changed for
// stallLimit, leaving the caller's assertions to say what is missing.
func waitForStragglers(t *testing.T, a *DataChannel, poll func(), arrived, expected func() int64) {
	t.Helper()
	last, lastGot := time.Now(), arrived()
	waiting := newProgress(t)
	for {
		if got := arrived(); got != lastGot {
			last, lastGot = time.Now(), got
		}
		buffered := a.BufferedAmount()
		if buffered == 0 && lastGot >= expected() && time.Since(last) >= 500*time.Millisecond {
			return
		}
		// Both only move forward: the difference changes whenever either does.
		if waiting.stalled(lastGot - int64(buffered)) {
			return
		}
		poll()
		time.Sleep(time.Millisecond)
	}
}

// assertLinkLosses checks n messages sent one per datagram against what the
// relay did to the sender's datagrams (flow): it lost about the configured
// share, and got, the messages that arrived, are exactly those it carried.
// The sender's other datagrams (consent checks, FORWARD-TSN) make the count
// of messages the relay carried a range: each dropped datagram was at most
// one message, and at most the datagrams beyond n were not messages.
func assertLinkLosses(t *testing.T, flow relay.Flow, loss float64, n, got int64) {
	t.Helper()
	datagrams := flow.Forwarded + flow.Dropped
	assert.InDelta(t, loss, float64(flow.Dropped)/float64(datagrams), 0.05, "the link lost about %.0f%% of %d datagrams", 100*loss, datagrams)
	others := max(datagrams-n, 0)
	assert.GreaterOrEqual(t, got, n-flow.Dropped, "every message the relay did not drop arrives")
	assert.LessOrEqual(t, got, n-flow.Dropped+others, "no more messages arrive than the relay carried")
}
