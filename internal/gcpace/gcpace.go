// Package gcpace paces the library's Go garbage collector. pion allocates
// several times the bytes it moves, so with few connections the collector
// runs with a high target (GOGC 400: the heap may grow to five times what is
// live between collections), which keeps it from taking a large share of a
// bulk transfer's CPU. With hundreds of connections the live heap is large,
// and five times it is memory a server pays per player for garbage; game
// traffic allocates slowly enough that collecting more often costs little.
// So the target shrinks as the live heap grows: the garbage allowed between
// collections is Headroom, within 100 % (Go's default) and 400 % of the live
// heap.
package gcpace

import (
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// The pacing: GOGC stays within [MinPercent, MaxPercent], aiming at Headroom
// bytes of garbage between collections.
const (
	MinPercent = 100
	MaxPercent = 400
	Headroom   = 64 << 20
)

// Percent returns the GOGC for a live heap of live bytes.
func Percent(live uint64) int {
	if live == 0 {
		return MaxPercent
	}
	return int(min(max(100*Headroom/live, MinPercent), MaxPercent))
}

// Start sets GOGC from the live heap now and every interval from then on.
func Start(interval time.Duration) {
	debug.SetGCPercent(MaxPercent)
	current := MaxPercent
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	go func() {
		for range time.Tick(interval) {
			metrics.Read(live)
			if live[0].Value.Kind() != metrics.KindUint64 {
				return
			}
			// Only changes of a tenth or more: each one makes the runtime
			// recompute its pacing.
			if p := Percent(live[0].Value.Uint64()); p*10 < current*9 || p*10 > current*11 {
				debug.SetGCPercent(p)
				current = p
			}
		}
	}()
}
