package main

// Interop matrix: the Godot side (scripts/testprojects/interop) against
// independent WebRTC stacks running the echo peer of scripts/interop, every
// process inside the test's network namespace, signaling through
// scripts/signaling on the namespace's loopback.

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	interopOnce  sync.Once
	interopCache string
	interopErr   error
)

// interopPeers provisions Chromium, aiortc and the npm packages (cached).
func interopPeers(t *testing.T) string {
	interopOnce.Do(func() {
		out, err := exec.Command(filepath.Join(repoRoot, "scripts", "provision-interop.sh")).Output()
		interopCache, interopErr = strings.TrimSpace(string(out)), err
	})
	require.NoError(t, interopErr, "provisioning interop peers")
	return interopCache
}

// interopCase runs the Godot side against the remote command, which gets the
// signaling URL as its first argument.
func interopCase(t *testing.T, offerer string, remote func(url string) *exec.Cmd, env ...string) string {
	t.Helper()
	sig := startSignalingServer(t)
	url := sig.url + "/interop"
	dir := projectFrom(t, "interop", "scripts/testprojects/common", "scripts/testprojects/interop")
	copyFile(t, filepath.Join(repoRoot, "scripts", "demo", "signaling_client.gd"), filepath.Join(dir, "signaling_client.gd"))

	godot := make(chan run, 1)
	var godotDone atomic.Bool
	go func() {
		godot <- runGodot(t, dir, 3*time.Minute, append([]string{"SIGNALING_URL=" + url, "OFFERER=" + offerer}, env...),
			"-s", "res://interop_test.gd")
		godotDone.Store(true)
	}()
	sig.waitFor(t, "peer 1 joined", time.Minute, godotDone.Load)
	if godotDone.Load() {
		g := <-godot
		t.Fatalf("Godot exited before joining signaling:\n%s", g.out)
	}

	cmd := remote(url)
	var remoteOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &remoteOut, &remoteOut
	require.NoError(t, cmd.Start())
	remoteDone := make(chan error, 1)
	go func() { remoteDone <- cmd.Wait() }()

	g := <-godot
	var remoteErr error
	select {
	case remoteErr = <-remoteDone:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		remoteErr = <-remoteDone
	}
	logOutput(t, g.out)
	if t.Failed() || !strings.Contains(g.out, "SUMMARY: 6 passed, 0 failed") {
		t.Log("godot:\n" + g.out)
		t.Log("remote:\n" + remoteOut.String())
	}
	require.False(t, g.timedOut, "the Godot side timed out")
	assert.Contains(t, g.out, "SUMMARY: 6 passed, 0 failed")
	assert.Equal(t, 0, g.exitCode)
	assertNoCrash(t, g.out)
	assert.NoError(t, remoteErr, "the remote peer failed")
	return g.out
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(to, data, 0o644))
}

func nodeCommand(cache string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(context.Background(), "ip", append([]string{"netns", "exec", netns, "node"}, args...)...)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(cache, "node_modules"))
	return cmd
}

func TestInteropLibwebrtcNode(t *testing.T) {
	cache := interopPeers(t)
	script := filepath.Join(repoRoot, "scripts", "interop", "run_wrtc.js")
	for _, c := range []struct{ offerer, mode string }{
		{"godot", "trickle"}, {"remote", "trickle"}, {"godot", "complete"}, {"remote", "complete"},
	} {
		t.Run(c.offerer+"-offers-"+c.mode, func(t *testing.T) {
			role := "answer"
			if c.offerer == "remote" {
				role = "offer"
			}
			interopCase(t, c.offerer, func(url string) *exec.Cmd { return nodeCommand(cache, script, url, role, c.mode) })
		})
	}
}

func TestInteropChromium(t *testing.T) {
	cache := interopPeers(t)
	script := filepath.Join(repoRoot, "scripts", "interop", "run_chromium.js")
	for _, c := range []struct{ offerer, mode, hosts string }{
		{"godot", "trickle", "mdns"}, {"remote", "trickle", "mdns"},
		{"godot", "trickle", "plain"}, {"remote", "complete", "plain"},
	} {
		t.Run(c.offerer+"-offers-"+c.mode+"-"+c.hosts, func(t *testing.T) {
			role := "answer"
			if c.offerer == "remote" {
				role = "offer"
			}
			out := interopCase(t, c.offerer, func(url string) *exec.Cmd { return nodeCommand(cache, script, url, role, c.mode, c.hosts) })
			if c.hosts == "mdns" {
				assert.NotContains(t, out, "remote .local candidates: 0", "Chromium's default hides host addresses behind mDNS names")
			} else {
				assert.Contains(t, out, "remote .local candidates: 0")
			}
		})
	}
}
