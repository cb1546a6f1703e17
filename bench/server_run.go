package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/internal/godottest"
	"github.com/godot-webrtc-go/godot-webrtc-go/internal/netns"
	"github.com/godot-webrtc-go/godot-webrtc-go/internal/procstat"
)

// serverResults is what a server benchmark measured.
type serverResults struct {
	stacks   []serverStack
	counts   []int                                   // players, in the order run
	values   map[string]map[int]map[string][]float64 // stack -> players -> figure -> one per run
	churn    []churnSample
	churnN   int
	churnPct float64
	churnFig map[string]float64
	problems []string
	machine  string
	took     time.Duration
}

func (r *serverResults) add(stack string, n int, got map[string]float64) {
	if r.values[stack] == nil {
		r.values[stack] = map[int]map[string][]float64{}
	}
	if r.values[stack][n] == nil {
		r.values[stack][n] = map[string][]float64{}
	}
	for k, v := range got {
		r.values[stack][n][k] = append(r.values[stack][n][k], v)
	}
}

// median returns the median of a figure over the runs; ok is false if no run
// measured it.
func (r *serverResults) median(stack string, n int, key string) (float64, bool) {
	v := r.values[stack][n][key]
	if len(v) == 0 {
		return 0, false
	}
	return median(v), true
}

// heldBy reports whether most runs of stack with n players held them.
func (r *serverResults) heldBy(stack string, n int) bool {
	f := map[string]float64{}
	for k := range r.values[stack][n] {
		f[k], _ = r.median(stack, n, k)
	}
	return len(f) > 0 && held(f, n)
}

var listeningOn = regexp.MustCompile(`(?m)^listening on (\S+)$`)

// measureServers runs the server benchmark inside a namespace made for it; it
// must run at the repository root.
func measureServers(ctx context.Context, c serverConfig, addon, npm string) (*serverResults, error) {
	root, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	// Hundreds of connections: libwebrtc opens about 55 sockets for each
	// (measured with 16 players). The servers inherit the limit; as root it
	// may go past the hard limit.
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
		want := syscall.Rlimit{Cur: 1 << 20, Max: max(lim.Max, 1<<20)}
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want) != nil {
			lim.Cur = lim.Max
			_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
		}
	}
	tmp, err := os.MkdirTemp("/tmp", "webrtc-go-serverbench-") // /tmp: shared with the Godot chroot
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	ns := fmt.Sprintf("webrtc-go-serverbench-%d", os.Getpid())
	if err := netns.Create(ns); err != nil {
		return nil, fmt.Errorf("making network namespace %s (needs root): %w", ns, err)
	}
	defer netns.Delete(ns)
	bins := map[string]string{}
	for _, pkg := range []string{"bench/loadgen", "bench/extserver", "bench/pionserver", "examples/signaling"} {
		bins[pkg] = filepath.Join(tmp, filepath.Base(pkg))
		if out, err := exec.Command("go", "build", "-o", bins[pkg], "./"+pkg).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("building %s: %v\n%s", pkg, err, out)
		}
	}
	projects := map[string]string{}
	for name, dir := range map[string]string{"": addon, "before": c.addonBefore} {
		if dir == "" {
			continue
		}
		projects[name] = filepath.Join(tmp, "project"+name)
		if err := godottest.NewProject(projects[name], dir, filepath.Join(root, "bench", "server"),
			filepath.Join(root, "examples", "demo", "signaling_client.gd")); err != nil {
			return nil, err
		}
	}
	e := &serverEnv{ns: ns, loadgen: bins["bench/loadgen"]}
	var sigAddr string
	sig, err := startProc("signaling", exec.CommandContext(ctx, "ip", "netns", "exec", ns, bins["examples/signaling"], "-addr", "127.0.0.1:0"),
		func(l string) {
			if m := listeningOn.FindStringSubmatch(l); m != nil {
				sigAddr = m[1]
			}
		})
	if err != nil {
		return nil, err
	}
	defer sig.kill()
	for deadline := time.Now().Add(30 * time.Second); sigAddr == ""; time.Sleep(20 * time.Millisecond) {
		if sig.exited() || time.Now().After(deadline) {
			return nil, fmt.Errorf("signaling server not listening: %s", sig.stderr.last(5))
		}
	}
	e.signaling = "ws://" + sigAddr

	res := &serverResults{values: map[string]map[int]map[string][]float64{}, churnN: c.churnClients, churnPct: c.churn}
	for _, st := range serverStacks(root, ns, projects, bins, npm) {
		if slices.Contains(c.stacks, st.name) {
			res.stacks = append(res.stacks, st)
		}
	}
	res.machine = describeMachine(root, npm)
	fmt.Fprintln(os.Stderr, res.machine)
	start := time.Now()
	counts := slices.Clone(c.clients)
	for i := 0; i < len(counts); i++ {
		n := counts[i]
		res.counts = append(res.counts, n)
		for run := 1; run <= c.runs; run++ {
			for _, st := range res.stacks { // interleaved, so noise spreads over every column
				t := time.Now()
				got, err := e.capacityRun(ctx, c, st, n)
				fmt.Fprintf(os.Stderr, "%4d players, run %d/%d, %-5s %5.1fs: cpu %.0f%% frame p99 %.1f ms, joined %.0f in %.1f s, load %s\n",
					n, run, c.runs, st.name, time.Since(t).Seconds(), got["cpu_pct"], got["frame_p99_ms"], got["joined"], got["join_s"], loadAverage())
				if err != nil {
					res.problems = append(res.problems, fmt.Sprintf("%d players, run %d, %s: %v", n, run, st.name, err))
					fmt.Fprintf(os.Stderr, "  %v\n", err)
				}
				res.add(st.name, n, got)
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
			}
		}
		if i == len(counts)-1 && c.more && n+128 <= c.maxClients &&
			slices.ContainsFunc(res.stacks, func(st serverStack) bool { return res.heldBy(st.name, n) }) {
			counts = append(counts, n+128)
		}
	}
	if c.churn > 0 && c.churnFor > 0 && slices.Contains(c.stacks, "godot") {
		res.churn, res.churnFig, err = e.churnRun(ctx, c, res.stacks[slices.IndexFunc(res.stacks, func(s serverStack) bool { return s.name == "godot" })])
		if err != nil {
			res.problems = append(res.problems, fmt.Sprintf("churn: %v", err))
		}
	}
	res.took = time.Since(start)
	return res, nil
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

// churnSample is one point of the churn curve.
type churnSample struct {
	at                        time.Duration
	players, live, goroutines int
	rssKiB                    int64
	fds                       int
	heapMiB, heapLiveMiB      float64
	frameP99ms                float64
}

// churnRun runs stack's server through a churn run and samples it every
// c.churnEvery.
func (e *serverEnv) churnRun(ctx context.Context, c serverConfig, st serverStack) ([]churnSample, map[string]float64, error) {
	srv, url, err := e.startServer(ctx, st)
	if err != nil {
		return nil, nil, err
	}
	defer srv.kill()
	got := map[string]float64{}
	lg, err := startProc("loadgen", exec.CommandContext(ctx, "ip", "netns", "exec", e.ns, e.loadgen, "-url", url,
		"-clients", strconv.Itoa(c.churnClients), "-churn", fmt.Sprint(c.churn), "-duration", c.churnFor.String(),
		"-every", c.churnEvery.String(), "-join-timeout", c.joinTimeout.String()), func(l string) {
		if strings.HasPrefix(l, "CHURN ") {
			fmt.Fprintln(os.Stderr, l)
		}
		for k, v := range parseLine(l) {
			got[k] = v
		}
	})
	if err != nil {
		return nil, nil, err
	}
	var samples []churnSample
	start := time.Now()
	prev := start
	for limit := c.joinTimeout + c.churnFor + time.Minute; !lg.exited() && time.Since(start) < limit; {
		select {
		case <-lg.done:
		case <-time.After(c.churnEvery):
		}
		if lg.exited() {
			break // the players have left: not a point of the curve
		}
		now := time.Now()
		ps, err := procstat.Read(srv.pid)
		st, ok := srv.statAt(now.Add(-time.Second))
		if err != nil || !ok {
			break
		}
		s := churnSample{at: now.Sub(start).Round(time.Second), players: st.Players, live: st.Live, goroutines: st.Goroutines,
			rssKiB: ps.RSSKiB, fds: ps.FDs, heapMiB: float64(st.Heap) / (1 << 20), heapLiveMiB: float64(st.HeapLive) / (1 << 20)}
		if ft := srv.frameTimes(prev.UnixMilli(), now.UnixMilli()-1000); len(ft) > 0 {
			slices.Sort(ft)
			s.frameP99ms = ft[len(ft)*99/100] / 1e3
		}
		prev = now
		samples = append(samples, s)
	}
	err = lg.wait(time.Minute)
	return samples, got, err
}
