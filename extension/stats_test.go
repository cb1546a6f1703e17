package extension

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStatsReportThePairAndTheChannels(t *testing.T) {
	p := newPeers(t)
	ach, bch := p.openChannel("stats", nil)
	for i := 0; i < 10; i++ {
		require.NoError(t, ach.Send(make([]byte, 1000)))
	}
	for i := 0; i < 10; i++ {
		p.recv(bch)
	}
	st := p.a.Stats()
	assert.Equal(t, int64(StateConnected), st["connection_state"])
	pair := st["selected_pair"].(map[string]any)
	require.NotEmpty(t, pair)
	local := pair["local"].(map[string]any)
	assert.Equal(t, "host", local["type"])
	assert.Equal(t, "127.0.0.1", local["address"])
	assert.Equal(t, "udp", local["protocol"])
	assert.Equal(t, "", local["relay_protocol"], "not a relay candidate")
	assert.Greater(t, pair["bytes_sent"], int64(10000), "payload plus headers went through the pair")
	assert.GreaterOrEqual(t, pair["current_round_trip_time"], 0.0)
	chans := st["channels"].([]any)
	require.Len(t, chans, 1)
	ch := chans[0].(map[string]any)
	assert.Equal(t, "stats", ch["label"])
	assert.Equal(t, int64(10), ch["messages_sent"])
	assert.Equal(t, int64(10000), ch["bytes_sent"])
	bst := p.b.Stats()["channels"].([]any)[0].(map[string]any)
	assert.Equal(t, int64(10), bst["messages_received"])
	assert.Equal(t, int64(10000), bst["bytes_received"])
}

// TestRuntimeStatsCountConnectionsAndGoroutines: get_stats().runtime, the
// figures the soak test watches, follows connections as they come and go.
func TestRuntimeStatsCountConnectionsAndGoroutines(t *testing.T) {
	before := Live()
	p := newPeers(t)
	p.openChannel("c", nil)
	runtime.GC()
	rt, ok := p.a.Stats()["runtime"].(map[string]any)
	require.True(t, ok, "get_stats() has a runtime Dictionary")
	assert.Equal(t, int64(before+2), rt["live_connections"])
	assert.Greater(t, rt["goroutines"], int64(4), "pion's goroutines are counted")
	assert.Greater(t, rt["go_heap_bytes"], int64(0))
	assert.GreaterOrEqual(t, rt["go_total_bytes"], rt["go_heap_bytes"])
	assert.Greater(t, rt["go_heap_live_bytes"], int64(0), "live after a collection")
	assert.Greater(t, rt["gc_cycles"], int64(0))
	p.a.Free()
	p.b.Free()
	assert.Equal(t, int64(before), RuntimeStats()["live_connections"])
}
