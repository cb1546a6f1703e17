//go:build unix

// The benchmarks measure CPU time with getrusage (internal/perf), which
// Windows lacks.

package extension_test

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/extension"
	"github.com/godot-webrtc-go/godot-webrtc-go/internal/gcpace"
	"github.com/godot-webrtc-go/godot-webrtc-go/internal/loopback"
	"github.com/godot-webrtc-go/godot-webrtc-go/internal/perf"
	"github.com/pion/logging"
	"github.com/pion/webrtc/v4"
)

// Benchmarks for profiling the data path: the workloads of internal/perf,
// which ./build.sh bench reports as the Go columns of its table, run by
// testing.B. Each BenchmarkPerfX measures the extension's Go layer and has a
// raw pion/webrtc v4 reference, BenchmarkPerfPionX, with default settings
// (only kept on loopback), measured in the same run. b.N counts messages,
// round trips, setups, cost rounds or poll sweeps. Run:
//
//	go test -run '^$' -bench Perf -benchtime 3000x -cpuprofile cpu.out ./extension

// perfGCPercent mirrors the library's garbage-collection target with a few
// connections (internal/gcpace) for our layer; PERF_GOGC overrides it. Raw
// pion runs with Go's default.
var perfGCPercent = func() int {
	if v, err := strconv.Atoi(os.Getenv("PERF_GOGC")); err == nil {
		return v
	}
	return gcpace.MaxPercent
}()

var pionStack = perf.Pion{Settings: loopback.Only}

// extStack is our layer on loopback, at the library's GC target for the rest
// of the benchmark; the counter counts pion's log lines about dropped
// packets.
func extStack(b *testing.B) (perf.Ext, *atomic.Int64) {
	old := debug.SetGCPercent(perfGCPercent)
	b.Cleanup(func() { debug.SetGCPercent(old) })
	drops := &atomic.Int64{}
	return perf.Ext{Options: []extension.Option{extension.WithSettingEngine(func(se *webrtc.SettingEngine) {
		loopback.Only(se)
		se.LoggerFactory = dropCounter{drops}
	})}}, drops
}

func connect(b *testing.B, s perf.Stack, o perf.ChannelOptions) perf.Pair {
	b.Helper()
	p, _, err := s.Connect(o)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(p.Close)
	return p
}

// benchBulk sends b.N size-byte messages and waits until all arrived.
func benchBulk(b *testing.B, s perf.Stack, size int) {
	p := connect(b, s, perf.ChannelOptions{})
	b.SetBytes(int64(size))
	runtime.GC()
	c0 := perf.CPUSeconds()
	b.ResetTimer()
	sent, err := perf.Push(p, size, perf.Times(b.N))
	if err == nil {
		err = perf.Await(p, sent, 10*time.Second)
	}
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric((perf.CPUSeconds()-c0)/(float64(sent)*float64(size)/1e9), "cpu-s/GB")
}

func BenchmarkPerfBulk16KiB(b *testing.B) {
	s, drops := extStack(b)
	benchBulk(b, s, 16<<10)
	b.ReportMetric(float64(drops.Load()), "droplogs")
}

func BenchmarkPerfPionBulk16KiB(b *testing.B) { benchBulk(b, pionStack, 16<<10) }

func BenchmarkPerfBulk256KiB(b *testing.B) {
	s, drops := extStack(b)
	benchBulk(b, s, perf.MaxMessage)
	b.ReportMetric(float64(drops.Load()), "droplogs")
}

func BenchmarkPerfPionBulk256KiB(b *testing.B) { benchBulk(b, pionStack, perf.MaxMessage) }

// benchUnordered sends b.N 1 KiB messages, unordered without retransmissions.
func benchUnordered(b *testing.B, s perf.Stack) {
	p := connect(b, s, perf.LossyOptions())
	b.ResetTimer()
	d, err := perf.Lossy(p, perf.Times(b.N))
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(d.PerSecond(), "recv-msgs/s")
	b.ReportMetric(d.LossPercent(), "loss-%")
}

func BenchmarkPerfUnordered1KiB(b *testing.B) {
	s, drops := extStack(b)
	benchUnordered(b, s)
	b.ReportMetric(float64(drops.Load()), "droplogs")
}

func BenchmarkPerfPionUnordered1KiB(b *testing.B) { benchUnordered(b, pionStack) }

// benchRoundTrip times b.N round trips of 64 bytes after a warm-up.
func benchRoundTrip(b *testing.B, s perf.Stack) {
	p := connect(b, s, perf.ChannelOptions{})
	if _, err := perf.RoundTrips(p, perf.PingWarmUp); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	times, err := perf.RoundTrips(p, b.N)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(micros(perf.Percentile(times, 50)), "p50-us")
	b.ReportMetric(micros(perf.Percentile(times, 99)), "p99-us")
}

// BenchmarkPerfRoundTrip64B: our layer, one goroutine busy-polling both ends
// (as one Godot process polling two connections would).
func BenchmarkPerfRoundTrip64B(b *testing.B) {
	s, _ := extStack(b)
	benchRoundTrip(b, s)
}

// BenchmarkPerfPionRoundTrip64B: raw pion, echoed in its OnMessage callback.
func BenchmarkPerfPionRoundTrip64B(b *testing.B) { benchRoundTrip(b, pionStack) }

// benchSetup makes b.N pairs: create_offer to both channel ends open.
func benchSetup(b *testing.B, s perf.Stack) {
	times, err := perf.Setups(s, b.N)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(micros(perf.Percentile(times, 50))/1e3, "p50-ms/setup")
}

func BenchmarkPerfSetup(b *testing.B) {
	s, _ := extStack(b)
	benchSetup(b, s)
}

func BenchmarkPerfPionSetup(b *testing.B) { benchSetup(b, pionStack) }

// benchCost reports, per established connection (25 pairs), goroutines, Go
// heap and stacks, and process RSS (which a benchmark process that ran other
// work keeps low: ./build.sh bench measures it in a fresh process).
func benchCost(b *testing.B, s perf.Stack) {
	for range b.N {
		fp, pairs, err := perf.Cost(s, perf.CostConns)
		perf.ClosePairs(pairs)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(fp.Goroutines, "goroutines/conn")
		b.ReportMetric(fp.GoKiB, "go-KiB/conn")
		b.ReportMetric(fp.RSSKiB, "rss-KiB/conn")
	}
}

func BenchmarkPerfCost(b *testing.B) {
	s, _ := extStack(b)
	benchCost(b, s)
}

func BenchmarkPerfPionCost(b *testing.B) { benchCost(b, pionStack) }

// BenchmarkPerfPollIdle100 polls 100 idle connections b.N times each: it
// must not allocate.
func BenchmarkPerfPollIdle100(b *testing.B) {
	s, _ := extStack(b)
	pairs, err := perf.AddPairs(s, nil, perf.PollConns)
	b.Cleanup(func() { perf.ClosePairs(pairs) })
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	per, allocs := s.PollIdle(pairs, b.N)
	b.StopTimer()
	b.ReportMetric(float64(per.Nanoseconds()), "ns/poll")
	b.ReportMetric(allocs, "allocs/poll")
}

func micros(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

// dropCounter is a pion logger factory that counts pion's reports of packets
// it dropped: its ICE and mux buffers full, SCTP's receive buffer full.
// (Trace lines are not formatted: pion writes several per packet.)
type dropCounter struct{ n *atomic.Int64 }

func (f dropCounter) NewLogger(string) logging.LeveledLogger { return f }

func (f dropCounter) note(s string) {
	if strings.Contains(s, "full") || strings.Contains(s, "drop") {
		f.n.Add(1)
	}
}
func (f dropCounter) Trace(s string)            { f.note(s) }
func (f dropCounter) Tracef(s string, a ...any) { f.note(fmt.Sprintf(s, a...)) }
func (f dropCounter) Debug(s string)            { f.note(s) }
func (f dropCounter) Debugf(s string, a ...any) { f.note(fmt.Sprintf(s, a...)) }
func (f dropCounter) Info(s string)             { f.note(s) }
func (f dropCounter) Infof(s string, a ...any)  { f.note(fmt.Sprintf(s, a...)) }
func (f dropCounter) Warn(s string)             { f.note(s) }
func (f dropCounter) Warnf(s string, a ...any)  { f.note(fmt.Sprintf(s, a...)) }
func (f dropCounter) Error(s string)            { f.note(s) }
func (f dropCounter) Errorf(s string, a ...any) { f.note(fmt.Sprintf(s, a...)) }
