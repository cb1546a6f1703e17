package extension

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The mirrors must say what the getters say, in every state the Godot glue
// answers from them: pending events, connection and channel states, the count
// of unread messages.

func TestConnectionMirrorFollowsPollAndState(t *testing.T) {
	p := newPeers(t)
	var pending, connected atomic.Int64
	p.a.Mirror(ConnectionMirror{Pending: &pending, Connected: &connected})
	assert.Zero(t, pending.Load(), "nothing to poll yet")
	p.channel(p.a, "game", nil)
	require.NoError(t, p.a.CreateOffer())
	assert.EqualValues(t, 1, pending.Load(), "the offer waits for Poll")
	p.until("both connected", 15*time.Second, func() bool {
		return p.a.ConnectionState() == StateConnected && p.b.ConnectionState() == StateConnected
	})
	p.until("the mirror sees the connection", 10*time.Second, func() bool { return connected.Load() != 0 })
	assert.EqualValues(t, StateConnected, connected.Load())
	assert.Equal(t, StateConnected, p.a.ConnectionState())
	p.until("nothing left to poll", 10*time.Second, func() bool { return pending.Load() == 0 })
	var delivered int
	p.a.Poll(func(Event) { delivered++ })
	assert.Zero(t, delivered, "a Poll the mirror says to skip has nothing to deliver")

	p.a.Close()
	assert.Zero(t, connected.Load(), "closed")
	assert.Zero(t, pending.Load(), "a closed connection drops its events")
}

func TestChannelMirrorFollowsMessagesAndState(t *testing.T) {
	p := newPeers(t)
	var available, open atomic.Int64
	a := p.channel(p.a, "game", nil)
	a.Mirror(ChannelMirror{Available: &available, Open: &open})
	assert.Zero(t, open.Load(), "connecting")
	p.connect()
	p.until("b receives the channel", 10*time.Second, func() bool { return len(p.received[p.b]) == 1 })
	b := p.received[p.b][0]
	p.open(a, b)
	p.until("the mirror sees the channel open", 10*time.Second, func() bool { return open.Load() != 0 })
	assert.EqualValues(t, ChannelOpen, open.Load())

	for i := range 3 {
		require.NoError(t, b.Send([]byte{byte(i)}))
	}
	p.until("three messages", 10*time.Second, func() bool { return a.AvailablePacketCount() == 3 })
	assert.EqualValues(t, 3, available.Load())
	_, _, ok := a.Pop()
	require.True(t, ok)
	assert.EqualValues(t, 2, available.Load(), "after a Pop")

	a.Close()
	assert.Zero(t, available.Load(), "unread messages go with Close")
	assert.Zero(t, open.Load(), "closed")
	assert.Equal(t, ChannelClosed, a.ReadyState())

	var nilChannel *DataChannel
	available.Store(5)
	nilChannel.Mirror(ChannelMirror{Available: &available, Open: &open})
	assert.Zero(t, available.Load(), "a nil channel has nothing to read")
}

func TestChannelMirrorClosesWhenTheRemoteCloses(t *testing.T) {
	p := newPeers(t)
	a, b := p.openChannel("game", nil)
	var open atomic.Int64
	a.Mirror(ChannelMirror{Open: &open})
	assert.EqualValues(t, ChannelOpen, open.Load())
	b.Close()
	p.until("a sees the channel closed", 10*time.Second, func() bool { return a.ReadyState() == ChannelClosed })
	assert.Zero(t, open.Load())
}
