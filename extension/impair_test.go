package extension

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"maps"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/internal/relay"
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
	deadline := start.Add(180 * time.Second)
	for got < n {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %d of %d messages sent, %d received, %d bytes buffered",
				time.Since(start), next, n, got, a.BufferedAmount())
		}
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
// loses 20%: the loss shows, Poll never blocks, and a receiver that does not
// read keeps at most its receive budget.
func TestImpairUnreliable(t *testing.T) {
	unreliable := map[string]any{"ordered": false, "maxRetransmits": int64(0)}
	const loss = 0.20

	t.Run("loss shows, poll never blocks", func(t *testing.T) {
		t.Parallel() // latency-bound: see TestMain
		p, r, a, b := impairedPeers(t, relay.Impairment{Loss: loss, Seed: 11}, unreliable)
		const n, size = 1000, 200
		seen := make([]bool, n)
		got := 0
		var slowest time.Duration
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
			slowest = max(slowest, time.Since(start))
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
		// Wait until everything was sent, then for stragglers: until nothing
		// arrived for half a second.
		sentAll := time.Now()
		last, lastGot := time.Now(), got
		for deadline := time.Now().Add(60 * time.Second); (a.BufferedAmount() > 0 || time.Since(last) < 500*time.Millisecond) && time.Now().Before(deadline); {
			poll()
			if got != lastGot {
				last, lastGot = time.Now(), got
			}
			time.Sleep(time.Millisecond)
		}
		ratio := float64(got) / n
		t.Logf("%d of %d messages received (%.1f%%), the last at %v from the last send; slowest poll and drain %v; relay %+v",
			got, n, 100*ratio, lastArrival.Sub(sentAll).Round(time.Millisecond), slowest, r.ImpairStats())
		require.Zero(t, a.BufferedAmount(), "everything was sent within a minute")
		assert.Less(t, got, n, "the loss shows")
		assert.InDelta(t, 1-loss, ratio, 0.12, "about %.0f%% arrive", 100*(1-loss))
		// A hang check, not a speed target: under -race on a loaded 2-core
		// machine a poll took up to 45 ms; a call blocked on the lossy link
		// would wait on SCTP's timers (1 s at least).
		assert.Less(t, slowest, 250*time.Millisecond, "Poll and Pop do not block")
	})

	t.Run("a receiver that does not read keeps its budget", func(t *testing.T) {
		t.Parallel()           // latency-bound: see TestMain
		const budget = 1 << 20 // set through initialize(), as a game would
		p, r, a, b := impairedPeers(t, relay.Impairment{Loss: loss, Seed: 12}, unreliable, map[string]any{"receiveBudget": int64(budget)})
		const n, size = 4096, 1 << 10 // 4 MiB, four times the budget
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
		deadline := time.Now().Add(60 * time.Second)
		for sent := 0; sent < n; poll() {
			require.True(t, time.Now().Before(deadline), "sent %d of %d in time", sent, n)
			for ; sent < n && a.BufferedAmount() < 256<<10; sent++ {
				require.NoError(t, a.Send(msg))
			}
		}
		last, lastGot := time.Now(), received()
		for deadline := time.Now().Add(60 * time.Second); (a.BufferedAmount() > 0 || time.Since(last) < 500*time.Millisecond) && time.Now().Before(deadline); poll() {
			if got := received(); got != lastGot {
				last, lastGot = time.Now(), got
			}
		}
		got, dropped, waiting := received(), b.Dropped(), b.AvailablePacketCount()
		t.Logf("%d of %d messages arrived (%.1f%%), %d dropped unread, %d waiting (%d bytes, at most %d); relay %+v",
			got, n, 100*float64(got)/n, dropped, waiting, b.QueuedBytes(), maxQueued, r.ImpairStats())
		require.Zero(t, a.BufferedAmount(), "everything was sent within a minute")
		assert.Less(t, got, int64(n), "the loss shows")
		assert.InDelta(t, 1-loss, float64(got)/n, 0.12)
		assert.Equal(t, got, dropped+int64(waiting), "every arrival is either waiting or counted as dropped")
		assert.Positive(t, dropped, "the oldest were dropped")
		assert.Greater(t, maxQueued, budget-size, "the queue reached its budget")
	})
}
