// Command peers is the benchmark runner for two Go stacks: the extension's Go
// layer alone (-stack ext, column b of the bench table) and raw pion/webrtc v4
// with its default settings (-stack pion, a reference engine, column c),
// running the workloads of internal/perf. Both ends of every connection live
// in this process; the orchestrator (go run ./bench) runs it inside a private
// network namespace. Each figure is printed as one line:
// BENCH {"k":"<figure>","v":<value>}.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/internal/perf"
)

// phaseTimeout bounds one group of figures (the orchestrator also kills the
// whole process on its own deadline).
const phaseTimeout = 60 * time.Second

func emit(key string, v float64) {
	b, _ := json.Marshal(map[string]any{"k": key, "v": v})
	fmt.Printf("BENCH %s\n", b)
}

func main() {
	name := flag.String("stack", "ext", "ext (the extension's Go layer) or pion (raw pion/webrtc v4, defaults)")
	dur := flag.Duration("dur", 2*time.Second, "measured time of each throughput figure")
	only := flag.String("only", "", "comma-separated figures: bulk,unordered,rtt,setup,cost (default all)")
	tick := flag.Duration("tick", 0, "ext: sleep this long after each loop iteration (a frame), 0 for 50 us only when nothing was read")
	flag.Parse()
	var s perf.Stack
	switch *name {
	case "ext":
		s = perf.Ext{Tick: *tick}
	case "pion":
		s = perf.Pion{}
	default:
		fmt.Fprintln(os.Stderr, "unknown -stack", *name)
		os.Exit(2)
	}
	want := func(f string) bool { return *only == "" || slices.Contains(strings.Split(*only, ","), f) }
	var err error
	for _, f := range []struct {
		name string
		run  func(perf.Stack, time.Duration) error
	}{{"bulk", bulk}, {"unordered", unordered}, {"rtt", rtt}, {"setup", setup}, {"cost", cost}} {
		if !want(f.name) {
			continue
		}
		if e := runBounded(f.name, func() error { return f.run(s, *dur) }); e != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", f.name, e)
			err = errors.Join(err, e)
		}
	}
	if err != nil {
		os.Exit(1)
	}
}

// runBounded runs a phase, giving up after phaseTimeout.
func runBounded(name string, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(phaseTimeout):
		fmt.Fprintf(os.Stderr, "%s: timed out after %v\n", name, phaseTimeout)
		os.Exit(3)
		return nil
	}
}

func bulk(s perf.Stack, d time.Duration) error {
	for _, f := range []struct {
		key  string
		size int
	}{{"bulk16k", 16 << 10}, {"bulkmax", perf.MaxMessage}} {
		t, err := perf.Bulk(s, f.size, d)
		if err != nil {
			return fmt.Errorf("%s: %w", f.key, err)
		}
		emit(f.key+"_mbps", t.MBPerSecond())
		if f.key == "bulk16k" {
			emit("cpu_s_per_gb", t.CPUPerGB())
		}
	}
	return nil
}

func unordered(s perf.Stack, d time.Duration) error {
	p, _, err := s.Connect(perf.LossyOptions())
	if err != nil {
		return err
	}
	defer p.Close()
	got, err := perf.Lossy(p, perf.For(d))
	if err != nil {
		return err
	}
	emit("unord_msgs", got.PerSecond())
	emit("unord_loss", got.LossPercent())
	return nil
}

func rtt(s perf.Stack, _ time.Duration) error {
	p, _, err := s.Connect(perf.ChannelOptions{})
	if err != nil {
		return err
	}
	defer p.Close()
	if _, err := perf.RoundTrips(p, perf.PingWarmUp); err != nil {
		return err
	}
	times, err := perf.RoundTrips(p, perf.Pings)
	if err != nil {
		return err
	}
	emit("rtt_p50_us", micros(perf.Percentile(times, 50)))
	emit("rtt_p99_us", micros(perf.Percentile(times, 99)))
	return nil
}

func setup(s perf.Stack, _ time.Duration) error {
	times, err := perf.Setups(s, perf.SetupPairs)
	if err != nil {
		return err
	}
	emit("setup_ms", micros(perf.Percentile(times, 50))/1e3)
	return nil
}

// cost measures RSS and goroutines per established connection, then times
// Poll with perf.PollConns idle connections open.
func cost(s perf.Stack, _ time.Duration) error {
	fp, pairs, err := perf.Cost(s, perf.CostConns)
	defer func() { perf.ClosePairs(pairs) }()
	if err != nil {
		return err
	}
	emit("rss_kib_per_conn", fp.RSSKiB)
	emit("goroutines_per_conn", fp.Goroutines)
	poller, ok := s.(perf.IdlePoller)
	if !ok {
		return nil
	}
	if pairs, err = perf.AddPairs(s, pairs, perf.PollConns); err != nil {
		return err
	}
	per, allocs := poller.PollIdle(pairs, perf.PollRounds)
	emit("poll_us", micros(per))
	emit("poll_sweep_us", micros(per)*float64(2*len(pairs)))
	emit("poll_allocs", allocs)
	return nil
}

func micros(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
