package extension

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInBandChannelConnectsAndCarriesTextAndBinary(t *testing.T) {
	p := newPeers(t)
	assert.Equal(t, StateNew, p.a.ConnectionState())
	assert.Equal(t, SignalingStable, p.a.SignalingState())
	assert.Equal(t, GatheringNew, p.a.GatheringState())

	ach := p.channel(p.a, "chat", map[string]any{"protocol": "game-v1"})
	assert.Equal(t, ChannelConnecting, ach.ReadyState())
	assert.Equal(t, 65535, ach.ID(), "id is unset before negotiation")
	p.connect()
	p.until("b receives the channel", 10*time.Second, func() bool { return len(p.received[p.b]) == 1 })
	bch := p.received[p.b][0]
	p.open(ach, bch)

	assert.Equal(t, "chat", bch.Label())
	assert.Equal(t, "game-v1", bch.Protocol())
	assert.True(t, bch.Ordered())
	assert.False(t, bch.Negotiated())
	assert.Equal(t, ach.ID(), bch.ID())
	assert.NotEqual(t, 65535, ach.ID())
	assert.Equal(t, 65535, bch.MaxRetransmits())
	assert.Equal(t, 65535, bch.MaxPacketLifeTime())
	assert.Equal(t, MaxMessageSize, ach.MaxPacketSize(), "the remote's advertised max-message-size")
	assert.Equal(t, GatheringComplete, p.a.GatheringState())
	assert.Equal(t, SignalingStable, p.a.SignalingState())

	// Candidates carry the real media identification.
	require.NotEmpty(t, p.cands[p.a])
	for _, c := range p.cands[p.a] {
		assert.Equal(t, "0", c.Mid)
		assert.Equal(t, 0, c.MLineIndex)
		assert.Contains(t, c.Candidate, "candidate:")
	}

	assert.Equal(t, WriteBinary, ach.WriteMode())
	require.NoError(t, ach.Send([]byte{0, 1, 2, 255}))
	data, isString := p.recv(bch)
	assert.Equal(t, []byte{0, 1, 2, 255}, data)
	assert.False(t, isString)
	assert.False(t, bch.WasStringPacket())

	ach.SetWriteMode(WriteText)
	require.NoError(t, ach.Send([]byte("héllo")))
	data, isString = p.recv(bch)
	assert.Equal(t, "héllo", string(data))
	assert.True(t, isString)
	assert.True(t, bch.WasStringPacket())

	require.NoError(t, bch.Send(nil), "empty messages are allowed")
	data, _ = p.recv(ach)
	assert.Empty(t, data)
}

func TestNegotiatedChannelsHonourGodotsOptionSpellings(t *testing.T) {
	p := newPeers(t)
	opts := func(id int64, extra map[string]any) map[string]any {
		m := map[string]any{"negotiated": true, "id": id}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	// What WebRTCMultiplayerPeer sends: note the spelling maxPacketLifetime.
	a1 := p.channel(p.a, "reliable", opts(1, map[string]any{"ordered": true}))
	a2 := p.channel(p.a, "ordered", opts(2, map[string]any{"maxPacketLifetime": int64(1)}))
	a3 := p.channel(p.a, "unreliable", opts(3, map[string]any{"ordered": false, "maxRetransmits": float64(0)}))
	b1 := p.channel(p.b, "reliable", opts(1, map[string]any{"ordered": true}))
	b2 := p.channel(p.b, "ordered", opts(2, map[string]any{"maxPacketLifeTime": int64(1)}))
	b3 := p.channel(p.b, "unreliable", opts(3, map[string]any{"ordered": false, "maxRetransmits": int64(0)}))
	assert.Equal(t, 1, a2.MaxPacketLifeTime(), "maxPacketLifetime must not be ignored")
	assert.Equal(t, 65535, a2.MaxRetransmits())
	assert.Equal(t, 0, a3.MaxRetransmits())
	assert.False(t, a3.Ordered())
	assert.True(t, a1.Negotiated())
	assert.Equal(t, 2, a2.ID())

	p.connect()
	p.open(a1, a2, a3, b1, b2, b3)
	assert.Empty(t, p.received[p.a])
	assert.Empty(t, p.received[p.b])
	for i, pair := range [][2]*DataChannel{{a1, b1}, {a2, b2}, {a3, b3}} {
		msg := []byte(fmt.Sprintf("on channel %d", i+1))
		require.NoError(t, pair[0].Send(msg))
		got, _ := p.recv(pair[1])
		assert.Equal(t, msg, got)
	}
}

func TestChannelCreatedAfterConnectingIsAnnouncedInBand(t *testing.T) {
	p := newPeers(t)
	p.channel(p.a, "first", nil)
	p.connect()
	p.until("first channel", 10*time.Second, func() bool { return len(p.received[p.b]) == 1 })

	late := p.channel(p.b, "late", map[string]any{"ordered": false})
	p.until("late channel reaches a", 10*time.Second, func() bool { return len(p.received[p.a]) == 1 })
	got := p.received[p.a][0]
	assert.Equal(t, "late", got.Label())
	assert.False(t, got.Ordered())
	p.open(late, got)
	require.NoError(t, got.Send([]byte("back")))
	data, _ := p.recv(late)
	assert.Equal(t, "back", string(data))
	assert.Equal(t, SignalingStable, p.a.SignalingState(), "no renegotiation")
}

func TestSlowReaderPushesBackWithoutLosingData(t *testing.T) {
	const budget = 64 << 10
	p := newPeers(t, WithReceiveBudget(budget))
	ach, bch := p.openChannel("bulk", nil)

	const count, size = 256, 16 << 10 // 4 MiB, far over the budget
	sent := sha256.New()
	for i := 0; i < count; i++ {
		msg := bytes.Repeat([]byte{byte(i)}, size)
		msg[0], msg[1] = byte(i>>8), byte(i)
		sent.Write(msg)
		require.NoError(t, ach.Send(msg))
	}
	// The reader does not read for a while: the queue stays within budget.
	deadline := time.Now().Add(700 * time.Millisecond)
	for time.Now().Before(deadline) {
		p.pump()
		require.LessOrEqual(t, bch.QueuedBytes(), budget)
		time.Sleep(10 * time.Millisecond)
	}
	assert.Greater(t, ach.BufferedAmount(), 0, "the sender sees its data held back")

	got := sha256.New()
	for i := 0; i < count; i++ {
		data, _ := p.recv(bch)
		require.Len(t, data, size)
		require.Equal(t, i, int(data[0])<<8|int(data[1]), "in order, none lost")
		got.Write(data)
		require.LessOrEqual(t, bch.QueuedBytes(), budget)
	}
	assert.Equal(t, sent.Sum(nil), got.Sum(nil))
}

func TestOversizedPacketIsRefusedNotTruncated(t *testing.T) {
	p := newPeers(t)
	ach, bch := p.openChannel("c", nil)

	max := ach.MaxPacketSize()
	err := ach.Send(make([]byte, max+1))
	require.Error(t, err)
	assert.Equal(t, ErrInvalidParameter, Code(err))
	require.NoError(t, ach.Send(make([]byte, max)))
	data, _ := p.recv(bch)
	assert.Len(t, data, max)
	assert.Equal(t, 0, bch.AvailablePacketCount(), "the refused packet never arrives")
}

func TestUnreadUnreliableChannelDropsOldestAndDoesNotStallOthers(t *testing.T) {
	const budget = 64 << 10
	p := newPeers(t, WithReceiveBudget(budget))
	lossyA, lossyB := p.openChannel("lossy", map[string]any{"maxRetransmits": int64(0), "ordered": false})
	relA := p.channel(p.a, "reliable", nil)
	p.until("reliable channel", 10*time.Second, func() bool { return len(p.received[p.b]) == 2 })
	relB := p.received[p.b][1]
	p.open(relA, relB)

	msg := make([]byte, 16<<10)
	for i := 0; i < 200; i++ { // 3.2 MiB nobody reads
		msg[0] = byte(i)
		require.NoError(t, lossyA.Send(msg))
		if i%20 == 19 {
			time.Sleep(5 * time.Millisecond)
		}
	}
	p.until("drops on the unread lossy channel", 10*time.Second, func() bool { return lossyB.Dropped() > 0 })
	assert.LessOrEqual(t, lossyB.QueuedBytes(), budget)

	require.NoError(t, relA.Send([]byte("still flowing")))
	data, _ := p.recv(relB)
	assert.Equal(t, "still flowing", string(data), "the connection is not stalled")
	newest, _, ok := lossyB.Pop()
	require.True(t, ok)
	assert.Greater(t, int(newest[0]), 0, "the oldest messages were the ones dropped")
}

// TestFramePacedBulkStaysUnderTheBudget moves 16 MiB the way a game does:
// once per frame (7 ms) it polls, tops the sender up to 1 MiB buffered and
// reads everything. The receive queue must never reach its budget: if it did,
// the channel would stop reading SCTP, the window would close, and pion would
// leave the sender idle for 200 ms after the game read again (a 1 MiB budget
// does, which caps this at about 17 MB/s through Godot).
func TestFramePacedBulkStaysUnderTheBudget(t *testing.T) {
	p := newPeers(t)
	a, b := p.openChannel("bulk", nil)
	const total, size = 16 << 20, 16 << 10
	msg := make([]byte, size)
	buf := make([]byte, MaxMessageSize)
	sent, got, maxQueued, frames := 0, 0, 0, 0
	start := time.Now()
	for got < total/size {
		require.Less(t, time.Since(start), 2*time.Minute, "%d of %d messages in time", got, total/size)
		p.pump()
		for ; sent < total/size && a.BufferedAmount() < 1<<20; sent++ {
			binary.BigEndian.PutUint32(msg, uint32(sent))
			require.NoError(t, a.Send(msg))
		}
		maxQueued = max(maxQueued, b.QueuedBytes())
		for {
			n, _, ok := b.PopInto(buf)
			if !ok {
				break
			}
			require.Equal(t, size, n)
			require.Equal(t, uint32(got), binary.BigEndian.Uint32(buf), "in order, none lost")
			got++
		}
		frames++
		time.Sleep(7 * time.Millisecond)
	}
	took := time.Since(start)
	t.Logf("16 MiB in %v (%.1f MB/s), %d frames, at most %d bytes queued", took.Round(time.Millisecond), total/took.Seconds()/1e6, frames, maxQueued)
	assert.Less(t, maxQueued, DefaultReceiveBudget, "a game reading every frame never fills the budget")
}

// TestPopIntoCopiesAndKeepsWhatDoesNotFit: PopInto takes a message only into
// a buffer large enough, keeps order and the text flag, and leaves nothing
// behind for the next reader.
func TestPopIntoCopiesAndKeepsWhatDoesNotFit(t *testing.T) {
	p := newPeers(t)
	a, b := p.openChannel("popinto", nil)
	sizes := []int{0, 1, 64, 1000, 70000, MaxMessageSize}
	for i, n := range sizes {
		msg := bytes.Repeat([]byte{byte('a' + i)}, n)
		if i == 2 {
			a.SetWriteMode(WriteText)
		} else {
			a.SetWriteMode(WriteBinary)
		}
		require.NoError(t, a.Send(msg))
	}
	p.until("all messages arrive", 10*time.Second, func() bool { return b.AvailablePacketCount() == len(sizes) })
	small := make([]byte, 100)
	big := make([]byte, MaxMessageSize)
	for i, n := range sizes {
		want := bytes.Repeat([]byte{byte('a' + i)}, n)
		got, isString, ok := b.PopInto(small)
		require.True(t, ok)
		if n > len(small) {
			require.Equal(t, n, got, "the length needed")
			require.Equal(t, len(sizes)-i, b.AvailablePacketCount(), "a message that does not fit stays queued")
			got, isString, ok = b.PopInto(big)
			require.True(t, ok)
			require.Equal(t, want, big[:got])
		} else {
			require.Equal(t, want, small[:got])
		}
		assert.Equal(t, i == 2, isString, "message %d text flag", i)
		assert.Equal(t, i == 2, b.WasStringPacket())
	}
	_, _, ok := b.PopInto(big)
	assert.False(t, ok)
	assert.Zero(t, b.QueuedBytes())
	var closed *DataChannel
	_, _, ok = closed.PopInto(big)
	assert.False(t, ok, "a nil channel has nothing")
}

// TestChannelOpenedOnALiveConnectionKnowsTheRemoteMaximum: a channel created
// on a connected pair is OPEN as soon as pion has sent its open request,
// before pion's open handler runs on another goroutine; a channel the remote
// opened is OPEN when it is delivered. Whenever a channel says OPEN, its
// maximum must be the remote's (both sides advertise MaxMessageSize), and a
// message of that size must be accepted and arrive whole, in both directions,
// including the answer sent in the very poll that delivered the channel.
func TestChannelOpenedOnALiveConnectionKnowsTheRemoteMaximum(t *testing.T) {
	p := newPeers(t)
	p.openChannel("first", nil)
	const channels = 20
	big := make([]byte, MaxMessageSize)
	openAtOnce := 0
	for i := range channels {
		ch := p.channel(p.a, fmt.Sprintf("late-%d", i), nil)
		if ch.ReadyState() == ChannelOpen {
			openAtOnce++
			assert.Equal(t, MaxMessageSize, ch.MaxPacketSize(), "channel %d: the remote's maximum as soon as it is OPEN", i)
			assert.NoError(t, ch.Send(big), "channel %d: a message of the remote's maximum as soon as it is OPEN", i)
		}
		var remote *DataChannel
		p.until("the remote receives the channel", 10*time.Second, func() bool {
			if len(p.received[p.b]) < 2+i {
				return false
			}
			remote = p.received[p.b][1+i]
			return true
		})
		// Checked in the poll that delivered it.
		require.Equal(t, ChannelOpen, remote.ReadyState(), "received channel %d is OPEN when delivered", i)
		assert.Equal(t, MaxMessageSize, remote.MaxPacketSize(), "received channel %d", i)
		assert.NoError(t, remote.Send(big), "received channel %d", i)
		if data, _ := p.recv(remote); assert.Len(t, data, MaxMessageSize, "channel %d: the message arrives whole", i) {
			data, _ = p.recv(ch)
			assert.Len(t, data, MaxMessageSize, "channel %d: the answer arrives whole", i)
		}
	}
	t.Logf("%d of %d channels OPEN when created", openAtOnce, channels)
	assert.Positive(t, openAtOnce, "channels created on a live connection are OPEN at once (else this test checks nothing)")
}
