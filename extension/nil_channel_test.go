package extension

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNilChannelBehavesAsClosed(t *testing.T) {
	var c *DataChannel
	_, _, ok := c.Pop()
	assert.False(t, ok)
	assert.Equal(t, ErrUnconfigured, Code(c.Send([]byte("x"))))
	assert.Equal(t, ChannelClosed, c.ReadyState())
	assert.Equal(t, 65535, c.ID())
	assert.Equal(t, 65535, c.MaxPacketLifeTime())
	assert.Equal(t, 65535, c.MaxRetransmits())
	assert.Equal(t, WriteBinary, c.WriteMode())
	assert.Equal(t, 0, c.AvailablePacketCount())
	assert.Equal(t, "", c.Label())
	c.SetWriteMode(WriteText)
	c.Close()
}
