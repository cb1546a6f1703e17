package extension

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBufferPoolClasses(t *testing.T) {
	require.Equal(t, MaxMessageSize, 1<<maxClass, "the largest class holds the largest message")
	for _, n := range []int{0, 1, 63, 64, 65, 1000, 16 << 10, 16<<10 + 1, MaxMessageSize} {
		data, box := getBuffer(n)
		require.Len(t, data, n)
		require.NotNil(t, box, "%d bytes are pooled", n)
		c := cap(*box)
		assert.GreaterOrEqual(t, c, max(n, minPooled))
		assert.Zero(t, c&(c-1), "capacity %d is a power of two", c)
		putBuffer(box)
	}
	data, box := getBuffer(MaxMessageSize + 1)
	assert.Len(t, data, MaxMessageSize+1)
	assert.Nil(t, box, "over the largest class: not pooled")
	putBuffer(box) // no-op
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
