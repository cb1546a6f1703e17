// Command peers is the benchmark runner for two Go stacks: the extension's Go
// layer alone (-stack ext, column b of the bench table) and raw pion/webrtc v4
// with its default settings (-stack pion, a reference engine, column c). Both
// ends of every connection live in this process; the orchestrator
// (go run ./bench) runs it inside a private network namespace. Each figure is printed as one
// line: BENCH {"k":"<figure>","v":<value>}.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Workload constants shared with the Godot and Node runners.
const (
	bufferLimit  = 1 << 20   // the sender keeps its buffered amount under this
	maxMessage   = 256 << 10 // our max-message-size; used for every stack
	pings        = 10000
	setupPairs   = 20
	costConns    = 50  // connections for RSS and goroutines
	pollConns    = 100 // idle connections while timing poll()
	pollRounds   = 200 // poll() sweeps over pollConns connections
	phaseTimeout = 60 * time.Second
)

// pair is two connected peers with one data channel, a (sender) to b.
type pair interface {
	send(msg []byte) error
	buffered() int
	// service lets the stack make progress once: poll and drain (ext) or
	// wait a little for room in the send buffer (pion).
	service()
	received() (msgs, bytes int64)
	// ping sends msg from a, which b echoes; it returns when a has the echo.
	ping(msg []byte) error
	close()
}

// stack creates connected pairs; setup is the time from create_offer to both
// channels open.
type stack interface {
	connect(opts channelOpts) (p pair, setup time.Duration, err error)
	// pollIdle times one poll() call averaged over rounds sweeps of every
	// connection of pairs, and counts allocations per call (ext only).
	pollIdle(pairs []pair, rounds int) (perCall time.Duration, allocs float64, ok bool)
}

type channelOpts struct {
	unordered   bool
	retransmits *uint16
}

func emit(key string, v float64) {
	b, _ := json.Marshal(map[string]any{"k": key, "v": v})
	fmt.Printf("BENCH %s\n", b)
}

func main() {
	name := flag.String("stack", "ext", "ext (the extension's Go layer) or pion (raw pion/webrtc v4, defaults)")
	dur := flag.Duration("dur", 2*time.Second, "measured time of each throughput figure")
	only := flag.String("only", "", "comma-separated figures: bulk,unordered,rtt,setup,cost (default all)")
	flag.DurationVar(&tick, "tick", 0, "ext: sleep this long after each loop iteration (a frame), 0 for 50 us only when nothing was read")
	flag.Parse()
	var s stack
	switch *name {
	case "ext":
		s = extStack{}
	case "pion":
		s = pionStack{}
	default:
		fmt.Fprintln(os.Stderr, "unknown -stack", *name)
		os.Exit(2)
	}
	want := func(f string) bool { return *only == "" || slices.Contains(strings.Split(*only, ","), f) }
	var err error
	for _, f := range []struct {
		name string
		run  func(stack, time.Duration) error
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

// runBounded runs a phase, giving up after phaseTimeout (the orchestrator also
// kills the whole process on its own deadline).
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

// pushFor sends size-byte messages for d, keeping the buffered amount under
// bufferLimit; it returns the messages sent and, measured from warm to d,
// the bytes received, the seconds elapsed and the CPU seconds used.
func pushFor(p pair, size int, warm, d time.Duration) (sent int64, bytes int64, secs, cpu float64, err error) {
	msg := make([]byte, size)
	start := time.Now()
	var b0 int64
	var t0 time.Time
	var c0 float64
	for warmed := false; time.Since(start) < d+warm; {
		if !warmed && time.Since(start) >= warm {
			warmed, t0, c0 = true, time.Now(), cpuSeconds()
			_, b0 = p.received()
		}
		for p.buffered() < bufferLimit {
			if err := p.send(msg); err != nil {
				return 0, 0, 0, 0, err
			}
			sent++
		}
		p.service()
	}
	_, b1 := p.received()
	return sent, b1 - b0, time.Since(t0).Seconds(), cpuSeconds() - c0, nil
}

func bulk(s stack, d time.Duration) error {
	for _, f := range []struct {
		key  string
		size int
	}{{"bulk16k", 16 << 10}, {"bulkmax", maxMessage}} {
		p, _, err := s.connect(channelOpts{})
		if err != nil {
			return err
		}
		_, bytes, secs, cpu, err := pushFor(p, f.size, 300*time.Millisecond, d)
		p.close()
		if err != nil {
			return fmt.Errorf("%s: %w", f.key, err)
		}
		if bytes == 0 {
			return fmt.Errorf("%s: nothing received", f.key)
		}
		emit(f.key+"_mbps", float64(bytes)/secs/1e6)
		if f.key == "bulk16k" {
			emit("cpu_s_per_gb", cpu/(float64(bytes)/1e9))
		}
	}
	return nil
}

func unordered(s stack, d time.Duration) error {
	zero := uint16(0)
	p, _, err := s.connect(channelOpts{unordered: true, retransmits: &zero})
	if err != nil {
		return err
	}
	defer p.close()
	start := time.Now()
	sent, _, _, _, err := pushFor(p, 1<<10, 0, d)
	if err != nil {
		return err
	}
	elapsed := time.Since(start).Seconds()
	// Stragglers: give the receiver a moment after the last send.
	for end := time.Now().Add(500 * time.Millisecond); time.Now().Before(end); {
		p.service()
	}
	got, _ := p.received()
	emit("unord_msgs", float64(got)/elapsed)
	emit("unord_loss", 100*(1-float64(got)/float64(sent)))
	return nil
}

func rtt(s stack, _ time.Duration) error {
	p, _, err := s.connect(channelOpts{})
	if err != nil {
		return err
	}
	defer p.close()
	msg := make([]byte, 64)
	for range 200 { // warm up
		if err := p.ping(msg); err != nil {
			return err
		}
	}
	times := make([]float64, pings)
	for i := range times {
		t := time.Now()
		if err := p.ping(msg); err != nil {
			return err
		}
		times[i] = float64(time.Since(t).Nanoseconds()) / 1e3
	}
	slices.Sort(times)
	emit("rtt_p50_us", times[len(times)/2])
	emit("rtt_p99_us", times[len(times)*99/100])
	return nil
}

func setup(s stack, _ time.Duration) error {
	times := make([]float64, setupPairs)
	for i := range times {
		p, d, err := s.connect(channelOpts{})
		if err != nil {
			return err
		}
		p.close()
		times[i] = float64(d.Microseconds()) / 1e3
	}
	slices.Sort(times)
	emit("setup_ms", times[len(times)/2])
	return nil
}

// cost measures RSS and goroutines per established connection, then times
// poll() with pollConns idle connections open.
func cost(s stack, _ time.Duration) error {
	var pairs []pair
	defer func() {
		for _, p := range pairs {
			p.close()
		}
	}()
	settle()
	rss0, g0 := rssKiB(), runtime.NumGoroutine()
	for len(pairs)*2 < costConns {
		p, _, err := s.connect(channelOpts{})
		if err != nil {
			return err
		}
		pairs = append(pairs, p)
	}
	settle()
	n := float64(len(pairs) * 2)
	emit("rss_kib_per_conn", float64(rssKiB()-rss0)/n)
	emit("goroutines_per_conn", float64(runtime.NumGoroutine()-g0)/n)
	for len(pairs)*2 < pollConns {
		p, _, err := s.connect(channelOpts{})
		if err != nil {
			return err
		}
		pairs = append(pairs, p)
	}
	if per, allocs, ok := s.pollIdle(pairs, pollRounds); ok {
		emit("poll_us", float64(per.Nanoseconds())/1e3)
		emit("poll_sweep_us", float64(per.Nanoseconds())/1e3*float64(2*len(pairs)))
		emit("poll_allocs", allocs)
	}
	return nil
}

// settle lets connections finish their handshakes' work and returns freed
// memory to the OS, so that RSS differences measure what stays.
func settle() {
	time.Sleep(500 * time.Millisecond)
	runtime.GC()
	debug.FreeOSMemory()
}

func rssKiB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}
