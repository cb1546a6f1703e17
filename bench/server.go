package main

// The server benchmark (go run ./bench -server): how many players one game
// server process holds. For each number of players, each server (Godot with
// this extension, raw pion, libwebrtc in Node) runs in the bench's namespace
// and the load generator (bench/loadgen) joins that many players through a
// room of examples/signaling, plays, and counts losses; this file samples the
// server's /proc and reads the frame times and goroutines it prints.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/internal/gameload"
	"github.com/godot-webrtc-go/godot-webrtc-go/internal/godottest"
	"github.com/godot-webrtc-go/godot-webrtc-go/internal/procstat"
)

// serverConfig is what a server benchmark measures.
type serverConfig struct {
	clients      []int // players per run, in order
	more         bool  // after the list, add 128 players while a server held
	maxClients   int
	stacks       []string
	runs         int
	warmup       time.Duration
	measure      time.Duration
	joinTimeout  time.Duration
	churn        float64 // percent replaced per minute; 0: no churn run
	churnFor     time.Duration
	churnClients int
	churnEvery   time.Duration
	addonBefore  string // another build of the addon, measured as the "before" server
}

// serverStack is one server implementation.
type serverStack struct {
	name, title string
	cmd         func(ctx context.Context, url string) *exec.Cmd
	goroutines  bool // its STAT lines count goroutines
	// mainThreadFrames says that its frames run on the process's main
	// thread (Godot, Node), whose CPU time per frame and time spent waiting
	// for a CPU are then measured.
	mainThreadFrames bool
}

// serverUDPPort is the port the servers that can share one (Godot, pion) use.
const serverUDPPort = 40000

// frameBudget is the frame time at 60 frames a second.
const frameBudget = time.Second / 60

// serverProc is a running game server and what it printed.
type serverProc struct {
	*proc
	mu    sync.Mutex
	pid   int
	ready bool
	stats []gameload.Stat
}

func (s *serverProc) line(l string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case strings.HasPrefix(l, "PID "):
		s.pid, _ = strconv.Atoi(strings.TrimSpace(l[4:]))
	case l == "READY":
		s.ready = true
	default:
		if st, ok := gameload.ParseStat(l); ok {
			s.stats = append(s.stats, st)
		}
	}
}

// statAt returns the first STAT line printed at or after t, waiting up to 3 s
// for one; failing that, the latest.
func (s *serverProc) statAt(t time.Time) (gameload.Stat, bool) {
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		s.mu.Lock()
		i := slices.IndexFunc(s.stats, func(st gameload.Stat) bool { return st.T >= t.UnixMilli() })
		var st gameload.Stat
		ok := len(s.stats) > 0
		switch {
		case i >= 0:
			st = s.stats[i]
		case ok:
			st = s.stats[len(s.stats)-1]
		}
		s.mu.Unlock()
		if i >= 0 || time.Now().After(deadline) {
			return st, ok
		}
	}
}

// frameTimes returns the frame times of the STAT lines printed in [from, to].
func (s *serverProc) frameTimes(from, to int64) []float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ft []float64
	for _, st := range s.stats {
		if st.T > from && st.T <= to+1000 { // a line covers the second before it
			ft = append(ft, st.FrameTimes...)
		}
	}
	return ft
}

// serverEnv is what every server run shares: the namespace, the built
// programs, the signaling server.
type serverEnv struct {
	ns        string
	loadgen   string
	signaling string // ws://host:port
	rooms     int
}

func (e *serverEnv) room() string {
	e.rooms++
	return fmt.Sprintf("%s/bench-%d", e.signaling, e.rooms)
}

// startServer starts stack's server in a new room and waits until it is in
// the room.
func (e *serverEnv) startServer(ctx context.Context, st serverStack) (*serverProc, string, error) {
	url := e.room()
	s := &serverProc{}
	p, err := startProc(st.name+" server", st.cmd(ctx, url), s.line)
	if err != nil {
		return nil, "", err
	}
	s.proc = p
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		s.mu.Lock()
		ready, pid := s.ready, s.pid
		s.mu.Unlock()
		if ready && pid > 0 {
			return s, url, nil
		}
		if p.exited() || time.Now().After(deadline) {
			p.kill()
			return nil, "", fmt.Errorf("%s server not ready: %s", st.name, p.stderr.last(5))
		}
	}
}

// capacityRun joins n players to stack's server, measures, and returns the
// figures: those the load generator printed and the server's.
func (e *serverEnv) capacityRun(ctx context.Context, c serverConfig, st serverStack, n int) (map[string]float64, error) {
	srv, url, err := e.startServer(ctx, st)
	if err != nil {
		return nil, err
	}
	defer srv.kill()
	time.Sleep(time.Second)
	base, err := procstat.Read(srv.pid)
	if err != nil {
		return nil, err
	}
	baseStat, _ := srv.statAt(time.Now())
	got := map[string]float64{}
	var mu sync.Mutex
	var begin, end procstat.Sample
	var mainBegin, mainEnd procstat.Thread // the main thread, where Godot's and Node's frames run
	var beginMs, endMs int64
	lg, err := startProc("loadgen", exec.CommandContext(ctx, "ip", "netns", "exec", e.ns, e.loadgen, "-url", url,
		"-clients", strconv.Itoa(n), "-warmup", c.warmup.String(), "-measure", c.measure.String(),
		"-join-timeout", c.joinTimeout.String()), func(l string) {
		mu.Lock()
		defer mu.Unlock()
		if rest, ok := strings.CutPrefix(l, "MEASURE begin "); ok {
			begin, _ = procstat.Read(srv.pid)
			mainBegin, _ = procstat.ReadThread(srv.pid, srv.pid)
			beginMs, _ = strconv.ParseInt(rest, 10, 64)
		} else if rest, ok := strings.CutPrefix(l, "MEASURE end "); ok {
			end, _ = procstat.Read(srv.pid)
			mainEnd, _ = procstat.ReadThread(srv.pid, srv.pid)
			endMs, _ = strconv.ParseInt(rest, 10, 64)
		} else {
			for k, v := range parseLine(l) {
				got[k] = v
			}
		}
	})
	if err != nil {
		return nil, err
	}
	err = lg.wait(c.joinTimeout + c.warmup + c.measure + time.Minute)
	endStat, _ := srv.statAt(time.UnixMilli(endMs))
	mu.Lock()
	defer mu.Unlock()
	if srv.exited() {
		err = errors.Join(err, fmt.Errorf("%s server exited: %s", st.name, srv.stderr.last(5)))
	}
	if beginMs == 0 || endMs == 0 || end.At.IsZero() {
		return got, errors.Join(err, errors.New("no measurement window"))
	}
	got["cpu_pct"] = procstat.CPUPercent(begin, end)
	got["rss_kib_per_player"] = float64(end.RSSKiB-base.RSSKiB) / float64(n)
	got["fds_per_player"] = float64(end.FDs-base.FDs) / float64(n)
	if st.goroutines {
		got["goroutines_per_player"] = float64(endStat.Goroutines-baseStat.Goroutines) / float64(n)
	}
	if ft := srv.frameTimes(beginMs, endMs); len(ft) > 0 {
		if st.mainThreadFrames && !mainEnd.At.IsZero() {
			got["main_cpu_ms_per_frame"] = float64((mainEnd.Running - mainBegin.Running).Microseconds()) / 1e3 / float64(len(ft))
			got["main_queued_pct"] = 100 * float64(mainEnd.Queued-mainBegin.Queued) / float64(mainEnd.At.Sub(mainBegin.At))
		}
		slices.Sort(ft)
		got["frame_p50_ms"] = ft[len(ft)/2] / 1e3
		got["frame_p99_ms"] = ft[len(ft)*99/100] / 1e3
		got["frame_max_ms"] = ft[len(ft)-1] / 1e3
		got["frames_per_s"] = float64(len(ft)) / (float64(endMs-beginMs) / 1e3)
	}
	return got, err
}

// parseLine reads one BENCH line, if l is one.
func parseLine(l string) map[string]float64 {
	got, _ := parse(strings.NewReader(l))
	return got
}

// held reports whether a run held its players: all joined, frame p99 within
// a 60 Hz frame, no reliable event lost.
func held(f map[string]float64, n int) bool {
	p99, ok := f["frame_p99_ms"]
	return ok && int(f["joined"]) == n && p99 < frameBudget.Seconds()*1e3 &&
		f["events_c2s_lost"] == 0 && f["events_s2c_lost"] == 0
}

// serverStacks are the servers, given the bench's namespace and programs.
func serverStacks(root, ns string, projects, bins map[string]string, npm string) []serverStack {
	godot := godottest.Godot{Script: filepath.Join(root, "scripts", "godot"), Namespace: ns}
	port := strconv.Itoa(serverUDPPort)
	inNS := func(ctx context.Context, args ...string) *exec.Cmd {
		return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns}, args...)...)
	}
	return []serverStack{
		{"godot", "Godot + this extension", func(ctx context.Context, url string) *exec.Cmd {
			return godot.Command(ctx, "--headless", "--path", projects[""], "-s", "res://server.gd", "--", "url="+url, "port="+port)
		}, true, true},
		{"before", "Godot + the extension before (-addon-before)", func(ctx context.Context, url string) *exec.Cmd {
			return godot.Command(ctx, "--headless", "--path", projects["before"], "-s", "res://server.gd", "--", "url="+url, "port="+port)
		}, true, true},
		{"godotch", "Godot, reading each player's channels", func(ctx context.Context, url string) *exec.Cmd {
			return godot.Command(ctx, "--headless", "--path", projects[""], "-s", "res://server.gd", "--", "url="+url, "port="+port, "read=channels")
		}, true, true},
		{"ext", "Go layer, no Godot", func(ctx context.Context, url string) *exec.Cmd {
			return inNS(ctx, bins["bench/extserver"], "-url", url, "-port", port)
		}, true, false},
		{"pion", "raw pion", func(ctx context.Context, url string) *exec.Cmd {
			return inNS(ctx, bins["bench/pionserver"], "-url", url, "-port", port)
		}, true, false},
		{"wrtc", "libwebrtc (Node)", func(ctx context.Context, url string) *exec.Cmd {
			cmd := inNS(ctx, "node", filepath.Join(root, "bench", "wrtc_server.js"), url)
			cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(npm, "node_modules"))
			return cmd
		}, false, true},
	}
}
