package gcpace

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPercentShrinksAsTheLiveHeapGrows(t *testing.T) {
	assert.Equal(t, MaxPercent, Percent(0))
	assert.Equal(t, MaxPercent, Percent(4<<20), "a few connections: the bulk-transfer target")
	assert.Equal(t, MaxPercent, Percent(16<<20), "16 MiB live: 64 MiB of garbage is 400 %")
	assert.Equal(t, 200, Percent(32<<20))
	assert.Equal(t, MinPercent, Percent(64<<20))
	assert.Equal(t, MinPercent, Percent(1<<30), "never below Go's default")
}
