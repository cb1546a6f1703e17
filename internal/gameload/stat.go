package gameload

import (
	"encoding/json"
	"runtime"
	"runtime/metrics"
	"strings"
	"time"
)

// Stat is the line every benchmark server prints each second, as
// STAT {json}: what the load generator cannot see from outside.
type Stat struct {
	T          int64     `json:"t"`  // Unix ms
	FrameTimes []float64 `json:"ft"` // µs of each frame's work in the second before T
	Players    int       `json:"players"`
	Peers      int       `json:"peers"` // joined, connected or not
	Goroutines int       `json:"goroutines"`
	Live       int       `json:"live"`      // connections not yet freed
	Heap       int64     `json:"heap"`      // bytes of heap objects, garbage included
	HeapLive   int64     `json:"heap_live"` // bytes the last collection found live
	GCs        int64     `json:"gc"`        // collections so far
	Allocated  int64     `json:"allocated"` // Go heap bytes allocated so far (Go servers)
}

// ParseStat reads a STAT line; ok is false if line is not one.
func ParseStat(line string) (s Stat, ok bool) {
	rest, ok := strings.CutPrefix(line, "STAT ")
	if !ok || json.Unmarshal([]byte(rest), &s) != nil {
		return Stat{}, false
	}
	return s, true
}

// StatLine is the JSON of a Go server's Stat, the runtime's figures read now.
func StatLine(frameTimes []int64, players, peers, live int) string {
	m := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"},
		{Name: "/gc/cycles/total:gc-cycles"}, {Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(m)
	ft := make([]float64, len(frameTimes))
	for i, t := range frameTimes {
		ft[i] = float64(t)
	}
	b, _ := json.Marshal(Stat{T: time.Now().UnixMilli(), FrameTimes: ft, Players: players, Peers: peers,
		Goroutines: runtime.NumGoroutine(), Live: live, Heap: int64(m[0].Value.Uint64()),
		HeapLive: int64(m[1].Value.Uint64()), GCs: int64(m[2].Value.Uint64()), Allocated: int64(m[3].Value.Uint64())})
	return string(b)
}
