package procstat

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadsThisProcess(t *testing.T) {
	f, err := os.Open(os.DevNull)
	require.NoError(t, err)
	defer f.Close()
	a, err := Read(os.Getpid())
	require.NoError(t, err)
	assert.Positive(t, a.RSSKiB)
	assert.GreaterOrEqual(t, a.FDs, 4, "stdin, stdout, stderr and the file opened here")
	for x := 0; x < 20_000_000; x++ { // some CPU time
		_ = x * x
	}
	b, err := Read(os.Getpid())
	require.NoError(t, err)
	assert.GreaterOrEqual(t, b.CPU, a.CPU)
	assert.GreaterOrEqual(t, CPUPercent(a, b), 0.0)
	_, err = Read(-1)
	assert.Error(t, err)
	th, err := ReadThread(os.Getpid(), os.Getpid())
	require.NoError(t, err)
	assert.Positive(t, th.Running, "the main thread has run")
}
