package extension

import (
	"testing"

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
