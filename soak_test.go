//go:build integration

package main

// Long runs and peers that die: integration tests in headless Godot.

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/internal/godottest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tolerances of the soak: what may grow between the measurement after the
// warm-up and the one after the 1,000 cycles.
const (
	soakRSSGrowthKiB    = 16 << 10 // 16 MiB: a leak of 16 KiB per cycle would exceed it
	soakGoHeapGrowthKiB = 8 << 10  // Go heap found live by the last collection
	soakExtraGoroutines = 2
	soakExtraFDs        = 2
)

var soakLine = regexp.MustCompile(`(?m)^SOAK: cycles=(\d+) parallel=(\d+) seconds=([0-9.]+) rss_kib=(\d+)->(\d+) fds=(\d+)->(\d+) goroutines=(\d+)->(\d+) live=(\d+)->(\d+) go_heap_live_kib=(\d+)->(\d+) gc=(\d+)->(\d+)$`)

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
	t.Logf("1,000 cycles, %s at a time, in %s s: RSS %d -> %d KiB, FDs %d -> %d, goroutines %d -> %d, live connections %d -> %d, Go live heap %d -> %d KiB, garbage collections %d -> %d",
		m[2], m[3], n[4], n[5], n[6], n[7], n[8], n[9], n[10], n[11], n[12], n[13], n[14], n[15])
	assert.Equal(t, 1000, n[1], "cycles")
	assert.Less(t, n[5]-n[4], soakRSSGrowthKiB, "RSS growth (KiB)")
	assert.LessOrEqual(t, n[7], n[6]+soakExtraFDs, "open file descriptors")
	assert.LessOrEqual(t, n[9], n[8]+soakExtraGoroutines, "goroutines")
	assert.Equal(t, n[10], n[11], "live connections (the probe only)")
	// The live heap is what the last collection found: it says something
	// about the end of the run only if a collection ran during it.
	assert.Greater(t, n[15], n[14], "no garbage collection ran during the soak")
	assert.Less(t, n[13]-n[12], soakGoHeapGrowthKiB, "Go live heap growth (KiB)")
}

// groupAlive reports whether any process of process group pgid remains.
func groupAlive(pgid int) bool {
	return syscall.Kill(-pgid, 0) == nil
}

var survivorLine = regexp.MustCompile(`(?m)^SURVIVOR: disconnected_ms=(-?\d+) failed_ms=(-?\d+) close_ms=(\d+) busy=(\d+) ok=(\d+) max_buffered=(\d+) bystander_echoes=(\d+) max_gap_ms=(\d+) newcomer_echoes=(\d+)$`)

// TestSurvivorOfAPeerKilledWithSIGKILL: a Godot process connected to three
// others (default ICE timeouts); one of them is killed with SIGKILL. The
// survivor must see that connection DISCONNECTED within 10 s and FAILED
// within 40 s, its writes to it must stop at the send budget, the other
// connection must keep flowing, and a new connection must work afterwards
// (checked in tests/projects/interop/survivor_test.gd).
func TestSurvivorOfAPeerKilledWithSIGKILL(t *testing.T) {
	sig := startSignaling(t)
	url := sig.url + "/sigkill"
	dir := projectFrom(t, "survivor", "tests/projects/common", "tests/projects/interop", signalingClient)
	ready, killed := filepath.Join(dir, "ready"), filepath.Join(dir, "killed")

	survivor := make(chan godottest.Result, 1)
	go func() {
		survivor <- runGodot(t, dir, 3*time.Minute, []string{"SIGNALING_URL=" + url, "READY_FILE=" + ready, "KILLED_FILE=" + killed},
			"-s", "res://survivor_test.gd")
	}()
	over := func() bool { return len(survivor) > 0 }
	// joined waits until the signaling server saw peer id join; if it never
	// does, the survivor's output says why.
	joined := func(id int) {
		if !sig.printed("peer "+strconv.Itoa(id)+" joined", time.Minute, over) {
			r := <-survivor
			t.Fatalf("peer %d never joined signaling; the survivor printed:\n%s", id, r.Output)
		}
	}
	joined(1)
	var peers []*process
	for id := 2; id <= 4; id++ {
		peers = append(peers, start(t, "echo peer "+strconv.Itoa(id), echoPeerCommand(t, url, "answer")))
		joined(id)
	}
	victim := peers[0]
	defer func() {
		if t.Failed() {
			for i, p := range peers {
				t.Logf("echo peer %d:\n%s", i+2, p.out.String())
			}
		}
	}()

	deadline := time.Now().Add(90 * time.Second)
	for !over() && time.Now().Before(deadline) {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, err := os.Stat(ready)
	require.NoError(t, err, "the survivor never got ready")
	pgid := victim.cmd.Process.Pid
	require.NoError(t, syscall.Kill(-pgid, syscall.SIGKILL))
	require.NoError(t, os.WriteFile(killed, []byte("killed\n"), 0o644))
	werr := victim.wait(10 * time.Second)
	var exitErr *exec.ExitError
	require.ErrorAs(t, werr, &exitErr, "the victim: %v", werr)
	ws := exitErr.Sys().(syscall.WaitStatus)
	assert.True(t, ws.Signaled() && ws.Signal() == syscall.SIGKILL, "the victim died of SIGKILL (%v)", ws)
	gone := time.Now().Add(5 * time.Second)
	for groupAlive(pgid) && time.Now().Before(gone) {
		time.Sleep(20 * time.Millisecond)
	}
	assert.False(t, groupAlive(pgid), "a process of the victim's group survived SIGKILL")

	r := <-survivor
	defer func() {
		if t.Failed() {
			t.Logf("the survivor:\n%s", r.Output)
		}
	}()
	requirePassed(t, r, "survivor_test.gd", 1)
	m := survivorLine.FindStringSubmatch(r.Output)
	require.NotNil(t, m, "no SURVIVOR line")
	t.Logf("after SIGKILL: DISCONNECTED in %s ms, FAILED in %s ms, close() %s ms; put_packet: %s OK then %s ERR_BUSY, buffered at most %s bytes; "+
		"other connection: %s echoes meanwhile, longest gap %s ms; new connection: %s echoes",
		m[1], m[2], m[3], m[5], m[4], m[6], m[7], m[8], m[9])
	for i, p := range peers[1:] {
		assert.NoError(t, p.wait(30*time.Second), "echo peer %d", i+3)
		assertNoCrash(t, p.out.String())
	}
}
