package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseReadsBenchLinesOnly(t *testing.T) {
	got, done := parse(strings.NewReader("Godot Engine v4\nBENCH {\"k\":\"rtt_p50_us\",\"v\":61.5}\nBENCH nonsense\nBENCH_DONE\n"))
	assert.Equal(t, map[string]float64{"rtt_p50_us": 61.5}, got)
	assert.True(t, done)
}

func TestRenderMediansAndRatios(t *testing.T) {
	res := &results{
		runners: []runner{{name: "godot", title: "(a)"}, {name: "ext", title: "(b)"}, {name: "pion", title: "(c) pion"}},
		values: map[string]map[string][]float64{
			"godot": {"bulk16k_mbps": {30, 10, 20}},
			"ext":   {"bulk16k_mbps": {40, 40, 40}},
			"pion":  {"bulk16k_mbps": {10, 10, 1}, "goroutines_per_conn": {26}},
		},
	}
	table := res.render(3)
	assert.Contains(t, table, "| Bulk, reliable ordered, 16 KiB messages, MB/s | 20.0 | 40.0 | 10.0 | 2.00 | 0.50 |")
	assert.Contains(t, table, "| Goroutines per established connection (50) | – | – | 26.0 | – | – |")
	assert.NotContains(t, table, "RSS", "rows nobody measured are left out")
}

func TestReplaceBetweenMarkers(t *testing.T) {
	f := filepath.Join(t.TempDir(), "performance.md")
	require.NoError(t, os.WriteFile(f, []byte("a\n"+beginMarker+"\nold\n"+endMarker+"\nb\n"), 0o644))
	require.NoError(t, replaceBetweenMarkers(f, "new\n"))
	b, err := os.ReadFile(f)
	require.NoError(t, err)
	assert.Equal(t, "a\n"+beginMarker+"\nnew\n"+endMarker+"\nb\n", string(b))
}

func TestCostPassesKeepVoiceForTheOrchestrator(t *testing.T) {
	passes, voice := costPasses("")
	assert.Equal(t, []string{"bulk,unordered,rtt,setup", "cost"}, passes)
	assert.True(t, voice)
	passes, voice = costPasses("voice")
	assert.Empty(t, passes)
	assert.True(t, voice)
	passes, voice = costPasses("rtt,cost")
	assert.Equal(t, []string{"rtt", "cost"}, passes)
	assert.False(t, voice)
}

func TestPairBurstsMatchesEachEarToItsMouth(t *testing.T) {
	var mouth, ear []int64
	for i := range int64(12) {
		mouth = append(mouth, 1_000_000+i*400_000)
		if i != 7 { // a burst not heard
			ear = append(ear, 1_000_000+i*400_000+90_000+i*1000)
		}
	}
	ear = append(ear, 500_000) // before any burst: ignored
	slices.Sort(ear)
	lat, err := pairBursts(mouth, ear)
	require.NoError(t, err)
	// The first 2 s (bursts 0-4) are the warm-up.
	assert.Equal(t, []float64{95, 96, 98, 99, 100, 101}, lat)
	_, err = pairBursts(mouth, nil)
	assert.ErrorContains(t, err, "12 bursts sent, 0 heard")
}
