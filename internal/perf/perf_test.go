package perf

import (
	"testing"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/extension"
	"github.com/godot-webrtc-go/godot-webrtc-go/internal/loopback"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stacks are both stacks, kept on loopback.
var stacks = map[string]Stack{
	"ext":  Ext{Options: []extension.Option{extension.WithSettingEngine(loopback.Only)}},
	"pion": Pion{Settings: loopback.Only},
}

// TestEveryWorkloadMeasuresBothStacks runs each workload briefly on each
// stack: every figure must come out, and data must arrive intact in count.
func TestEveryWorkloadMeasuresBothStacks(t *testing.T) {
	for name, s := range stacks {
		t.Run(name, func(t *testing.T) {
			p, setup, err := s.Connect(ChannelOptions{})
			require.NoError(t, err)
			assert.Positive(t, setup)
			tp, err := Transfer(p, 16<<10, Times(200))
			require.NoError(t, err)
			assert.EqualValues(t, 200, tp.Sent)
			assert.Positive(t, tp.MBPerSecond())
			assert.Positive(t, tp.CPUPerGB())
			assert.Equal(t, tp.Bytes, tp.Received*16<<10, "whole messages only")

			times, err := RoundTrips(p, 20)
			require.NoError(t, err)
			assert.Len(t, times, 20)
			assert.Positive(t, Percentile(times, 50))
			assert.LessOrEqual(t, Percentile(times, 50), Percentile(times, 99))
			p.Close()

			lossy, _, err := s.Connect(LossyOptions())
			require.NoError(t, err)
			d, err := Lossy(lossy, Times(500))
			lossy.Close()
			require.NoError(t, err)
			assert.EqualValues(t, 500, d.Sent)
			assert.Positive(t, d.Received)
			assert.LessOrEqual(t, d.Received, d.Sent)
			assert.Positive(t, d.PerSecond())

			setups, err := Setups(s, 2)
			require.NoError(t, err)
			assert.Len(t, setups, 2)

			fp, pairs, err := Cost(s, 4)
			defer ClosePairs(pairs)
			require.NoError(t, err)
			assert.Len(t, pairs, 2)
			assert.Positive(t, fp.Goroutines)
			assert.Positive(t, fp.GoKiB)
			if poller, ok := s.(IdlePoller); ok {
				per, allocs := poller.PollIdle(pairs, 10)
				assert.Positive(t, per)
				assert.GreaterOrEqual(t, allocs, 0.0)
			}
		})
	}
}

func TestPushStopsWhenTheSendBufferStaysFull(t *testing.T) {
	defer func(d time.Duration) { stuckAfter = d }(stuckAfter)
	stuckAfter = 100 * time.Millisecond
	p := &fullPair{}
	start := time.Now()
	sent, err := Push(p, 1, Times(10))
	assert.ErrorContains(t, err, "stayed full")
	assert.Zero(t, sent)
	assert.GreaterOrEqual(t, time.Since(start), stuckAfter)
	assert.Positive(t, p.serviced)
}

// fullPair's send buffer never drains.
type fullPair struct{ serviced int }

func (*fullPair) Send([]byte) error        { return nil }
func (*fullPair) Buffered() int            { return BufferLimit }
func (p *fullPair) Service()               { p.serviced++; time.Sleep(time.Millisecond) }
func (*fullPair) Received() (int64, int64) { return 0, 0 }
func (*fullPair) Ping([]byte) error        { return nil }
func (*fullPair) Close()                   {}

func TestBudgets(t *testing.T) {
	more := Times(3)
	assert.True(t, more())
	assert.True(t, more())
	assert.True(t, more())
	assert.False(t, more())
	until := For(50 * time.Millisecond)
	assert.True(t, until())
	time.Sleep(60 * time.Millisecond)
	assert.False(t, until())
}
