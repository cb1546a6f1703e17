package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestServerReportTableRatiosAndLargestHeld(t *testing.T) {
	ok := map[string][]float64{"joined": {16}, "frame_p99_ms": {3}, "cpu_pct": {20}, "rss_kib_per_player": {400},
		"events_c2s_lost": {0}, "events_s2c_lost": {0}}
	slow := map[string][]float64{"joined": {64}, "frame_p99_ms": {30}, "cpu_pct": {60}, "rss_kib_per_player": {300},
		"events_c2s_lost": {0}, "events_s2c_lost": {0}}
	res := &serverResults{
		stacks: []serverStack{{name: "godot", title: "Godot"}, {name: "pion", title: "pion"}},
		counts: []int{16, 64},
		values: map[string]map[int]map[string][]float64{
			"godot": {16: ok, 64: slow},
			"pion":  {16: {"joined": {16}, "frame_p99_ms": {1}, "cpu_pct": {10}, "rss_kib_per_player": {200}, "events_c2s_lost": {1}, "events_s2c_lost": {0}}},
		},
	}
	assert.True(t, res.heldBy("godot", 16))
	assert.False(t, res.heldBy("godot", 64), "frame p99 over 16.7 ms")
	assert.False(t, res.heldBy("pion", 16), "a reliable event lost")
	assert.False(t, res.heldBy("pion", 64), "not measured")
	out := res.render(serverConfig{runs: 1})
	assert.Contains(t, out, "| 16 | Godot | 20.0 | – | 3.00 |")
	assert.Contains(t, out, "| 16 | 2.00 | 2.00 |", "CPU and RSS ratios to pion")
	assert.Contains(t, out, "Godot 16, pion 0.")
}
