// Command bench is the benchmark suite: it runs four runners in a network
// namespace of its own, each figure measured the same way by each, and prints
// one markdown table of medians with ratios (docs/performance.md describes
// the method and keeps the latest table).
//
//	(a) godot  bench/project/bench.gd in headless Godot with the built addon
//	(b) ext    the extension's Go layer alone (bench/peers -stack ext)
//	(c) pion   raw pion/webrtc v4, default settings (bench/peers -stack pion)
//	(c) wrtc   Google's libwebrtc through npm @roamhq/wrtc in Node (bench/wrtc.js)
//
// The voice figures (bench/voice.go) are measured by the orchestrator: the
// mouth-to-ear latency between two Godot processes, and the Go layer's CPU
// per stereo stream.
//
// Run from the repository root as root (./build.sh bench does the building and
// provisioning): go run ./bench [-runs 3] [-dur 2s] [-out dist/bench.md]
// [-doc docs/performance.md].
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/internal/godottest"
	"github.com/godot-webrtc-go/godot-webrtc-go/internal/netns"
)

// runner is one column: how to start it, given the namespace.
type runner struct {
	name  string
	title string
	cmd   func(ctx context.Context) *exec.Cmd
}

// figure is one row of the table.
type figure struct {
	key, label string
}

var figures = []figure{
	{"bulk16k_mbps", "Bulk, reliable ordered, 16 KiB messages, MB/s"},
	{"bulkmax_mbps", "Bulk, reliable ordered, 256 KiB messages, MB/s"},
	{"bulk16k_uncapped_mbps", "Bulk 16 KiB, Godot frames uncapped (main loop spinning), MB/s"},
	{"cpu_s_per_gb", "CPU seconds per GB (16 KiB bulk), both ends in one process"},
	{"unord_msgs", "Unordered, maxRetransmits 0, 1 KiB: messages/s received"},
	{"unord_loss", "Unordered, maxRetransmits 0, 1 KiB: loss %"},
	{"rtt_p50_us", "Round trip 64 B, busy polling, p50 µs"},
	{"rtt_p99_us", "Round trip 64 B, busy polling, p99 µs"},
	{"rtt_frame_p50_us", "Round trip 64 B, polled once per frame, p50 µs"},
	{"setup_ms", "Setup, create_offer to both channels open, median of 20, ms (Godot: frame-bound)"},
	{"setup_frames", "Setup, frames"},
	{"setup_60fps_frames", "Setup, frames at 60 frames/s"},
	{"setup_uncapped_ms", "Setup, Godot frames uncapped, ms"},
	{"rss_kib_per_conn", "RSS per established connection (50), KiB"},
	{"goroutines_per_conn", "Goroutines per established connection (50)"},
	{"poll_us", "One poll() call, 100 idle connections open, µs"},
	{"poll_sweep_us", "poll() on each of 100 idle connections, µs in all"},
	{"poll_allocs", "Allocations per poll() (process-wide Mallocs)"},
}

const (
	beginMarker = "<!-- bench:begin -->"
	endMarker   = "<!-- bench:end -->"
)

// config is what one bench run measures and where it writes.
type config struct {
	runs    int
	dur     time.Duration
	only    string // runners, comma-separated; empty for all
	figures string // figure groups, comma-separated; empty for all
	addon   string
	npm     string
	timeout time.Duration
}

// results holds, per runner and figure, one value per run.
type results struct {
	runners  []runner
	values   map[string]map[string][]float64
	problems []string
	machine  string
	took     time.Duration
}

func main() {
	var c config
	flag.IntVar(&c.runs, "runs", 3, "runs of every runner (the table shows medians)")
	flag.DurationVar(&c.dur, "dur", 2*time.Second, "measured time of each throughput figure")
	flag.StringVar(&c.only, "only", "", "comma-separated runners: godot,ext,pion,wrtc (default all)")
	flag.StringVar(&c.figures, "figures", "", "comma-separated figure groups: bulk,unordered,rtt,setup,cost,voice (default all)")
	flag.StringVar(&c.addon, "addon", "dist/addons/webrtc_go", "the built addon folder")
	flag.StringVar(&c.npm, "npm", "/var/cache/godot-webrtc-go/npm", "npm cache holding @roamhq/wrtc")
	flag.DurationVar(&c.timeout, "timeout", 2*time.Minute, "limit for one runner's run")
	out := flag.String("out", "dist/bench.md", "also write the table here (-server: dist/bench-server.md)")
	doc := flag.String("doc", "", "also rewrite the table between the bench markers of this file (docs/performance.md)")
	server := flag.Bool("server", false, "run the server benchmark instead: players per game server process (bench/server.go)")
	sf := registerServerFlags()
	flag.Parse()
	if *server {
		if err := serverBenchAndReport(sf, c, *out); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := benchAndReport(c, *out, *doc); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func benchAndReport(c config, out, doc string) error {
	res, err := measure(context.Background(), c)
	if err != nil {
		return err
	}
	table := res.render(c.runs)
	if err := writeReport(table, out); err != nil {
		return err
	}
	if doc != "" {
		return replaceBetweenMarkers(doc, table)
	}
	return nil
}

// measure runs every selected runner c.runs times, interleaved, inside a
// network namespace made for the purpose; it must run at the repository root.
func measure(ctx context.Context, c config) (*results, error) {
	root, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("/tmp", "webrtc-go-bench-") // /tmp: shared with the Godot chroot
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	ns := fmt.Sprintf("webrtc-go-bench-%d", os.Getpid())
	if err := netns.Create(ns); err != nil {
		return nil, fmt.Errorf("making network namespace %s (needs root): %w", ns, err)
	}
	defer netns.Delete(ns)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()

	peers := filepath.Join(tmp, "peers")
	if out, err := exec.Command("go", "build", "-o", peers, "./bench/peers").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building the Go runner: %v\n%s", err, out)
	}
	signaling := filepath.Join(tmp, "signaling")
	if out, err := exec.Command("go", "build", "-o", signaling, "./examples/signaling").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building the signaling server: %v\n%s", err, out)
	}
	project := filepath.Join(tmp, "project")
	err = godottest.NewProject(project, c.addon, filepath.Join(root, "bench", "project"),
		filepath.Join(root, "examples", "demo", "signaling_client.gd"))
	if err != nil && (c.only == "" || strings.Contains(c.only, "godot")) {
		return nil, err
	}
	godot := godottest.Godot{Script: filepath.Join(root, "scripts", "godot"), Namespace: ns}
	secs := fmt.Sprint(c.dur.Seconds())
	// The cost figures (RSS and goroutines per connection) run in a fresh
	// process of their own: after the throughput figures a process holds
	// garbage and freed memory that the connections would then reuse.
	passes, voice := costPasses(c.figures)
	groups := "" // the figure groups of the current pass, read by the runners
	inNS := func(ctx context.Context, args ...string) *exec.Cmd {
		return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns}, args...)...)
	}
	all := []runner{
		{"godot", "(a) Godot", func(ctx context.Context) *exec.Cmd {
			args := []string{"--headless", "--path", project, "-s", "res://bench.gd", "--", "dur=" + secs}
			if groups != "" {
				args = append(args, "only="+groups)
			}
			return godot.Command(ctx, args...)
		}},
		{"ext", "(b) Go layer", func(ctx context.Context) *exec.Cmd {
			return inNS(ctx, peers, "-stack", "ext", "-dur", c.dur.String(), "-only", groups)
		}},
		{"pion", "(c) pion", func(ctx context.Context) *exec.Cmd {
			return inNS(ctx, peers, "-stack", "pion", "-dur", c.dur.String(), "-only", groups)
		}},
		{"wrtc", "(c) libwebrtc", func(ctx context.Context) *exec.Cmd {
			cmd := inNS(ctx, "node", "--expose-gc", filepath.Join(root, "bench", "wrtc.js"), secs, groups)
			cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(c.npm, "node_modules"))
			return cmd
		}},
	}
	res := &results{values: map[string]map[string][]float64{}}
	for _, r := range all {
		if c.only == "" || slices.Contains(strings.Split(c.only, ","), r.name) {
			res.runners = append(res.runners, r)
		}
	}
	res.machine = describeMachine(root, c.npm)
	fmt.Fprintln(os.Stderr, res.machine)
	voice = voice && slices.ContainsFunc(res.runners, func(r runner) bool { return r.name == "godot" })
	rig := voiceRig{godot: godot, project: project, signaling: signaling, inNS: inNS, timeout: c.timeout}
	start := time.Now()
	for i := 1; i <= c.runs; i++ {
		for _, r := range res.runners { // interleaved, so noise spreads over every column
			for _, groups = range passes {
				t := time.Now()
				got, err := runOnce(ctx, r, c.timeout)
				fmt.Fprintf(os.Stderr, "run %d/%d %-5s %5.1fs %d figures\n", i, c.runs, r.name, time.Since(t).Seconds(), len(got))
				if err != nil {
					res.problems = append(res.problems, fmt.Sprintf("run %d, %s: %v", i, r.name, err))
					fmt.Fprintf(os.Stderr, "  %v\n", err)
				}
				res.add(r.name, got)
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
		}
		if voice {
			t := time.Now()
			godotFigures, extFigures, err := measureVoice(ctx, rig)
			fmt.Fprintf(os.Stderr, "run %d/%d voice %5.1fs %d figures\n", i, c.runs, time.Since(t).Seconds(), len(godotFigures)+len(extFigures))
			if err != nil {
				res.problems = append(res.problems, fmt.Sprintf("run %d, voice: %v", i, err))
				fmt.Fprintf(os.Stderr, "  %v\n", err)
			}
			res.add("godot", godotFigures)
			res.add("ext", extFigures)
		}
	}
	res.took = time.Since(start)
	return res, nil
}

// add records one run's figures of runner.
func (res *results) add(runner string, got map[string]float64) {
	if res.values[runner] == nil {
		res.values[runner] = map[string][]float64{}
	}
	for k, v := range got {
		res.values[runner][k] = append(res.values[runner][k], v)
	}
}

// runOnce runs one runner and returns its figures; a failed or timed-out run
// still returns what it printed before.
func runOnce(ctx context.Context, r runner, timeout time.Duration) (map[string]float64, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := r.cmd(ctx)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", r.name, err)
	}
	got, done := parse(stdout)
	err = cmd.Wait()
	if ctx.Err() != nil {
		err = fmt.Errorf("timed out after %v", timeout)
	}
	if err == nil && r.name == "godot" && !done {
		err = errors.New("no BENCH_DONE line")
	}
	if err == nil && strings.Contains(stderr.String(), "SCRIPT ERROR") {
		err = errors.New("script error")
	}
	if err != nil {
		return got, fmt.Errorf("%w: %s", err, lastLines(stderr.String(), 5))
	}
	return got, nil
}

// parse reads BENCH {"k":...,"v":...} lines; done reports a BENCH_DONE line.
func parse(r io.Reader) (got map[string]float64, done bool) {
	got = map[string]float64{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if line == "BENCH_DONE" {
			done = true
			continue
		}
		rest, ok := strings.CutPrefix(line, "BENCH ")
		if !ok {
			continue
		}
		var f struct {
			K string
			V float64
		}
		if json.Unmarshal([]byte(rest), &f) == nil && f.K != "" {
			got[f.K] = f.V
		}
	}
	return got, done
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " | ")
}

// describeMachine names the CPU, core count, load and component versions.
func describeMachine(root, npm string) string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	load := "?"
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	output := func(name string, args ...string) string {
		b, err := exec.Command(name, args...).Output()
		if err != nil {
			return "?"
		}
		return strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
	}
	pion := output("go", "list", "-m", "-f", "{{.Version}}", "github.com/pion/webrtc/v4")
	godot := output(filepath.Join(root, "scripts", "godot"), "--headless", "--version")
	var pkg struct{ Version string }
	if b, err := os.ReadFile(filepath.Join(npm, "node_modules", "@roamhq", "wrtc", "package.json")); err == nil {
		_ = json.Unmarshal(b, &pkg)
	}
	return fmt.Sprintf("%s, %d cores (load average %s at start); %s; pion/webrtc %s; Godot %s; Node %s with @roamhq/wrtc %s",
		cpu, runtime.NumCPU(), load, runtime.Version(), pion, godot, output("node", "--version"), pkg.Version)
}

// costPasses splits the figure groups asked for (empty: all) into runner
// invocations: everything but "cost" and "voice" in one, "cost" alone in
// another; voice says whether "voice" was asked for (the orchestrator
// measures it).
func costPasses(figures string) (passes []string, voice bool) {
	all := []string{"bulk", "unordered", "rtt", "setup", "cost", "voice"}
	asked := all
	if figures != "" {
		asked = strings.Split(figures, ",")
	}
	var rest []string
	cost := false
	for _, g := range asked {
		switch g {
		case "cost":
			cost = true
		case "voice":
			voice = true
		default:
			rest = append(rest, g)
		}
	}
	if len(rest) > 0 {
		passes = append(passes, strings.Join(rest, ","))
	}
	if cost {
		passes = append(passes, "cost")
	}
	return passes, voice
}
