package main

import (
	"os"
	"path/filepath"
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
