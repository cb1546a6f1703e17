package extension

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestManyLargeMessagesAtOnceAllArrive sends one maximum-size message on each
// of n channels at once, in both directions, for n from 1 to 20: every
// message arrives whole. Between two pion peers SCTP interleaves the
// messages' fragments (RFC 8260, which pion negotiates): unchecked, four or
// more fill the receive window with partial messages and the connection
// stalls for good.
func TestManyLargeMessagesAtOnceAllArrive(t *testing.T) {
	p := newPeers(t)
	p.openChannel("first", nil)
	var mine, theirs []*DataChannel
	msg := make([]byte, MaxMessageSize)
	for n := 1; n <= 20; n++ {
		for len(mine) < n {
			mine = append(mine, p.channel(p.a, fmt.Sprintf("bulk-%d", len(mine)), nil))
		}
		p.until("the remote receives the channels", 10*time.Second, func() bool { return len(p.received[p.b]) == 1+n })
		theirs = p.received[p.b][1:]
		p.open(append(mine, theirs...)...)
		for i := range n {
			msg[0], msg[1] = byte(n), byte(i)
			require.NoError(t, mine[i].Send(msg), "n=%d: channel %d", n, i)
			require.NoError(t, theirs[i].Send(msg), "n=%d: received channel %d", n, i)
		}
		for i := range n {
			for _, ch := range []*DataChannel{theirs[i], mine[i]} {
				var data []byte
				p.until(fmt.Sprintf("n=%d: the message on %q", n, ch.Label()), time.Minute, func() bool {
					var ok bool
					data, _, ok = ch.Pop()
					return ok
				})
				require.Equal(t, MaxMessageSize, len(data), "n=%d: channel %d", n, i)
				require.Equal(t, []byte{byte(n), byte(i)}, data[:2], "n=%d: channel %d", n, i)
			}
		}
	}
}

// gatedPair returns two open channels of a connection that interleaves
// messages, a's ends first, after a maximum-size message on the first took
// the gate's budget, so that the next maximum-size message on the second
// waits in its queue.
func gatedPair(t *testing.T) (p *peers, mine, theirs [2]*DataChannel) {
	p = newPeers(t)
	p.openChannel("first", nil)
	for i := range mine {
		mine[i] = p.channel(p.a, fmt.Sprintf("bulk-%d", i), nil)
	}
	p.until("the remote receives the channels", 10*time.Second, func() bool { return len(p.received[p.b]) == 3 })
	copy(theirs[:], p.received[p.b][1:])
	p.open(mine[0], mine[1], theirs[0], theirs[1])
	require.True(t, mine[0].gate.applies(), "two pion peers negotiate message interleaving")
	require.True(t, theirs[0].gate.applies(), "the remote's gate knows it too")
	require.NoError(t, mine[0].Send(bytes.Repeat([]byte{0}, MaxMessageSize)))
	return p, mine, theirs
}

// TestMessagesAfterAQueuedOneKeepTheirOrder sends a maximum-size message
// that has to wait for the gate, then small and split messages on the same
// channel: they wait behind it and arrive in the order sent.
func TestMessagesAfterAQueuedOneKeepTheirOrder(t *testing.T) {
	p, mine, theirs := gatedPair(t)
	sent := [][]byte{bytes.Repeat([]byte{1}, MaxMessageSize)}
	for i := range 20 {
		size := []int{1, 100, maxUnsplitMessage, 4 << 10}[i%4]
		sent = append(sent, bytes.Repeat([]byte{byte(2 + i)}, size))
	}
	queued := 0
	for _, m := range sent {
		require.NoError(t, mine[1].Send(m))
		queued += len(m)
	}
	require.EqualValues(t, queued, mine[1].out.queued.Load(), "everything waits behind the first message")
	require.GreaterOrEqual(t, mine[1].BufferedAmount(), queued, "the buffered amount counts what waits")
	small := []byte("after the first")
	require.NoError(t, mine[0].Send(small), "a small message on a channel with nothing queued goes at once")

	for i, want := range sent {
		got, _ := p.recv(theirs[1])
		require.Equal(t, describe(want), describe(got), "message %d", i)
		require.True(t, bytes.Equal(want, got), "message %d", i)
	}
	got, _ := p.recv(theirs[0])
	require.Equal(t, MaxMessageSize, len(got))
	got, _ = p.recv(theirs[0])
	require.Equal(t, small, got)
	p.until("the queue is empty", 10*time.Second, func() bool { return mine[1].out.queued.Load() == 0 })
}

// TestClosingDropsQueuedMessages closes a channel, then the connection,
// while messages wait in their queues: close returns at once, the queues are
// freed, and the other channel's messages still go.
func TestClosingDropsQueuedMessages(t *testing.T) {
	p, mine, theirs := gatedPair(t)
	third := p.channel(p.a, "third", nil)
	p.open(third)
	big := make([]byte, MaxMessageSize)
	for range 3 {
		require.NoError(t, mine[1].Send(big))
		require.NoError(t, third.Send(big))
	}
	require.EqualValues(t, 3*MaxMessageSize, mine[1].out.queued.Load())
	require.EqualValues(t, 3*MaxMessageSize, third.out.queued.Load())

	closes(t, mine[1].Close)
	require.Zero(t, mine[1].out.queued.Load())
	require.Nil(t, mine[1].out.queue)
	require.Less(t, mine[1].BufferedAmount(), MaxMessageSize, "the dropped messages no longer count")
	gate := mine[1].gate
	gate.mu.Lock()
	require.NotContains(t, gate.waiting, mine[1])
	gate.mu.Unlock()

	got, _ := p.recv(theirs[0])
	require.Equal(t, MaxMessageSize, len(got), "the first channel's message arrives")
	p.until("the third channel's messages start to go", time.Minute, func() bool {
		return third.out.queued.Load() < 3*MaxMessageSize
	})

	require.NoError(t, mine[0].Send(big))
	require.NoError(t, mine[0].Send(big))
	require.Positive(t, mine[0].out.queued.Load()+third.out.queued.Load(), "messages wait as the connection closes")
	closes(t, func() { p.a.Close() })
	for _, ch := range []*DataChannel{mine[0], third} {
		require.Zero(t, ch.out.queued.Load(), ch.Label())
		require.Nil(t, ch.out.queue, ch.Label())
	}
	gate.mu.Lock()
	require.Empty(t, gate.waiting)
	gate.mu.Unlock()
}

// describe names a message of the tests, whose bytes are all alike,
// without printing it.
func describe(m []byte) string {
	if len(m) == 0 {
		return "empty"
	}
	return fmt.Sprintf("%d bytes of %#x", len(m), m[0])
}

// closes runs close, failing the test if it does not return within a time
// that only a hang exceeds.
func closes(t *testing.T, closeFn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		closeFn()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("close did not return")
	}
}
