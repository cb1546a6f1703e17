package main

// Long runs and peers that die: integration tests in headless Godot.

import (
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tolerances of the soak: what may grow between the measurement after the
// warm-up and the one after the 1,000 cycles.
const (
	soakRSSGrowthKiB    = 16 << 10 // 16 MiB: a leak of 16 KiB per cycle would exceed it
	soakGoHeapGrowthKiB = 8 << 10  // Go heap objects, garbage not yet collected included
	soakExtraGoroutines = 2
	soakExtraFDs        = 2
)

var soakLine = regexp.MustCompile(`(?m)^SOAK: cycles=(\d+) parallel=(\d+) seconds=([0-9.]+) rss_kib=(\d+)->(\d+) fds=(\d+)->(\d+) goroutines=(\d+)->(\d+) live=(\d+)->(\d+) go_heap_kib=(\d+)->(\d+)$`)

// TestSoakThousandConnectionCycles runs 1,000 connect / exchange / close
// cycles (4 at a time) in one Godot process and requires that its RSS, open
// file descriptors, goroutines and live connections stay flat.
func TestSoakThousandConnectionCycles(t *testing.T) {
	out := runScript(t, project(t, "core"), "soak_test.gd", 5*time.Minute, "SOAK_CYCLES=1000", "SOAK_PARALLEL=4", "SOAK_WARMUP=20")
	m := soakLine.FindStringSubmatch(out)
	require.NotNil(t, m, "no SOAK line")
	n := make([]int, len(m))
	for i := 1; i < len(m); i++ {
		if i != 3 {
			n[i], _ = strconv.Atoi(m[i])
		}
	}
	t.Logf("1,000 cycles, %s at a time, in %s s: RSS %d -> %d KiB, FDs %d -> %d, goroutines %d -> %d, live connections %d -> %d, Go heap %d -> %d KiB",
		m[2], m[3], n[4], n[5], n[6], n[7], n[8], n[9], n[10], n[11], n[12], n[13])
	assert.Equal(t, 1000, n[1], "cycles")
	assert.Less(t, n[5]-n[4], soakRSSGrowthKiB, "RSS growth (KiB)")
	assert.LessOrEqual(t, n[7], n[6]+soakExtraFDs, "open file descriptors")
	assert.LessOrEqual(t, n[9], n[8]+soakExtraGoroutines, "goroutines")
	assert.Equal(t, n[10], n[11], "live connections (the probe only)")
	assert.Less(t, n[13]-n[12], soakGoHeapGrowthKiB, "Go heap growth (KiB)")
}
