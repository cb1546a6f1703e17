//go:build integration

package main

// A dedicated server under churn: the benchmark's Godot game server
// (bench/server/server.gd) with players of the benchmark's load generator
// (bench/loadgen) joining and leaving at random.

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/internal/gameload"
	"github.com/godot-webrtc-go/godot-webrtc-go/internal/godottest"
	"github.com/godot-webrtc-go/godot-webrtc-go/internal/procstat"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The churn run and its plateau bounds. Every bound compares the server with
// itself earlier in the same run, so that they hold on a busy machine.
const (
	churnPlayers  = 24
	churnPercent  = 100 // of the players replaced a minute: one every 2.5 s
	churnFor      = 60 * time.Second
	churnWarmUp   = 15 * time.Second // of churn, before the early window
	churnWindow   = 15 * time.Second // the early and the late windows
	churnSampling = time.Second
	churnPort     = 40100

	// What the late window may exceed the early one by: joins in flight
	// (live connections), a few connections' worth of goroutines, and the
	// garbage collector's headroom of memory.
	churnExtraLive       = 3
	churnExtraGoroutines = 3 * 20
	churnExtraFDs        = 4
	churnExtraRSSKiB     = 32 << 10
)

// serverSample is the server at one moment of the run.
type serverSample struct {
	at   time.Duration // since the churn started
	proc procstat.Sample
	stat gameload.Stat
}

var (
	pidLine        = regexp.MustCompile(`(?m)^PID (\d+)$`)
	churnStartLine = regexp.MustCompile(`(?m)^CHURN start (\d+)$`)
	benchLine      = regexp.MustCompile(`(?m)^BENCH \{"k":"([a-z_0-9]+)","v":([-0-9.e+]+)\}$`)
)

// TestServerChurnPlateaus: a Godot server with 24 players, a quarter of which
// leave or join at any moment for a minute (each leaving player replaced by
// a new one). The server's live connections, goroutines, file descriptors
// and RSS must level off (the last 15 s against 15 s after warming up), and
// once every player has left, live connections and goroutines must return to
// where they were before the first one came.
func TestServerChurnPlateaus(t *testing.T) {
	sig := startSignaling(t)
	url := sig.url + "/churn"
	dir := projectFrom(t, "server-churn", "bench/server", signalingClient)
	srv := start(t, "godot server", godot.Command(context.Background(), "--headless", "--path", dir, "-s", "res://server.gd",
		"--", "url="+url, "port="+strconv.Itoa(churnPort)))
	require.True(t, srv.printed("READY", time.Minute, func() bool { return false }), "server not ready: %s", srv.out.String())
	m := pidLine.FindStringSubmatch(srv.out.String())
	require.NotNil(t, m, "no PID line")
	pid, _ := strconv.Atoi(m[1])
	time.Sleep(2 * time.Second) // a STAT line before any player
	before := lastStat(t, srv)

	lg := start(t, "loadgen", inNamespace(program(t, "bench/loadgen"), "-url", url, "-clients", strconv.Itoa(churnPlayers),
		"-churn", strconv.Itoa(churnPercent), "-duration", churnFor.String(), "-every", "10s", "-join-timeout", "60s"))
	require.True(t, lg.printed("CHURN start", 90*time.Second, srv.exited), "players did not join: %s", lg.out.String())
	m = churnStartLine.FindStringSubmatch(lg.out.String())
	require.NotNil(t, m)
	startMs, _ := strconv.ParseInt(m[1], 10, 64)
	churnStart := time.UnixMilli(startMs)

	var samples []serverSample
	for !lg.exited() && time.Since(churnStart) < churnFor+time.Minute {
		time.Sleep(churnSampling)
		ps, err := procstat.Read(pid)
		require.NoError(t, err, "the server is gone: %s", srv.out.String())
		samples = append(samples, serverSample{at: time.Since(churnStart), proc: ps, stat: lastStat(t, srv)})
	}
	require.NoError(t, lg.wait(30*time.Second), "loadgen: %s", lg.out.String())
	figures := map[string]float64{}
	for _, m := range benchLine.FindAllStringSubmatch(lg.out.String(), -1) {
		figures[m[1]], _ = strconv.ParseFloat(m[2], 64)
	}
	t.Logf("players: %v joined at first, %v left, %v joined later (%v failed to), join p50 %v ms, max %v ms",
		figures["joined"], figures["churn_left"], figures["churn_joined"], figures["churn_failed"], figures["churn_join_p50_ms"], figures["churn_join_max_ms"])
	for _, s := range samples {
		if s.at%(5*time.Second) < churnSampling {
			t.Logf("%5.0fs players %2d live %2d goroutines %4d fds %3d RSS %6d KiB heap live %5.1f MiB",
				s.at.Seconds(), s.stat.Players, s.stat.Live, s.stat.Goroutines, s.proc.FDs, s.proc.RSSKiB, float64(s.stat.HeapLive)/(1<<20))
		}
	}
	assert.EqualValues(t, churnPlayers, figures["joined"], "players joined at first")
	assert.GreaterOrEqual(t, figures["churn_left"], float64(churnPlayers/2), "players left during the run")
	assert.GreaterOrEqual(t, figures["churn_joined"], float64(churnPlayers/2), "players joined during the run")
	assert.Zero(t, figures["churn_failed"], "players who could not join within 30 s")

	early, late := window(samples, churnWarmUp, churnWarmUp+churnWindow), window(samples, churnFor-churnWindow, churnFor)
	require.NotEmpty(t, early, "samples in the early window")
	require.NotEmpty(t, late, "samples in the late window")
	peak := func(ss []serverSample, f func(serverSample) int64) int64 {
		var m int64
		for _, s := range ss {
			m = max(m, f(s))
		}
		return m
	}
	for _, c := range []struct {
		what  string
		f     func(serverSample) int64
		extra int64
	}{
		{"live connections", func(s serverSample) int64 { return int64(s.stat.Live) }, churnExtraLive},
		{"goroutines", func(s serverSample) int64 { return int64(s.stat.Goroutines) }, churnExtraGoroutines},
		{"file descriptors", func(s serverSample) int64 { return int64(s.proc.FDs) }, churnExtraFDs},
		{"RSS (KiB)", func(s serverSample) int64 { return s.proc.RSSKiB }, churnExtraRSSKiB},
	} {
		e, l := peak(early, c.f), peak(late, c.f)
		assert.LessOrEqual(t, l, e+c.extra, "%s: the late window's peak %d against the early window's %d", c.what, l, e)
	}
	assert.LessOrEqual(t, peak(late, func(s serverSample) int64 { return int64(s.stat.Live) }), int64(churnPlayers+1+churnExtraLive),
		"live connections: the players and the server's probe, and joins in flight")

	// Every player has left: the server must be back where it started.
	var after gameload.Stat
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		if after = lastStat(t, srv); after.Live == before.Live && after.Goroutines <= before.Goroutines+churnExtraGoroutines/3 {
			break
		}
	}
	assert.Equal(t, before.Live, after.Live, "live connections once every player left")
	assert.Zero(t, after.Peers, "players the server still knows of")
	assert.LessOrEqual(t, after.Goroutines, before.Goroutines+churnExtraGoroutines/3,
		"goroutines once every player left (%d before the first came; the shared port's own stay)", before.Goroutines)
	assert.Empty(t, godottest.Crashes(srv.out.String()))
}

// lastStat returns the server's latest STAT line.
func lastStat(t *testing.T, srv *process) gameload.Stat {
	t.Helper()
	out := srv.out.String()
	i := strings.LastIndex(out, "\nSTAT ")
	require.GreaterOrEqual(t, i, 0, "no STAT line yet: %s", out)
	line, _, _ := strings.Cut(out[i+1:], "\n")
	s, ok := gameload.ParseStat(line)
	require.True(t, ok, "bad STAT line %q", line)
	return s
}

// window returns the samples taken between from and to after the churn
// started.
func window(samples []serverSample, from, to time.Duration) []serverSample {
	var out []serverSample
	for _, s := range samples {
		if s.at >= from && s.at <= to {
			out = append(out, s)
		}
	}
	return out
}
