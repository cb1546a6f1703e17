//go:build integration

package main

// Interop matrix: the Godot side (tests/projects/interop) against
// independent WebRTC stacks running the echo peer of tests/peers, every
// process inside the test's network namespace, signaling through
// examples/signaling on the namespace's loopback.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The interop table: which peer passed which feature, written by TestMain to
// $INTEROP_TABLE (./build.sh test: dist/interop.md) for the README.
var (
	interopMu      sync.Mutex
	interopResults = map[[2]string]bool{} // {peer, feature} -> all its cases passed
	interopPeerRow = []string{"Chromium 156 (headless, libwebrtc)", "libwebrtc in Node (@roamhq/wrtc)", "aiortc (Python)", "Godot + this extension (2nd process)", "Firefox 153 ESR (headless; nICEr, NSS, dcsctp)"}
	interopColumns = []string{"godot offers", "remote offers", "complete SDP (no trickle)", "mDNS host candidates", "plain host candidates", "TURN, relay only", iceTCPColumn, "voice (Opus, both ways)"}
)

// recordInterop records, when t ends, whether it passed, for each feature.
func recordInterop(t *testing.T, peer string, features ...string) {
	t.Cleanup(func() {
		interopMu.Lock()
		defer interopMu.Unlock()
		for _, f := range features {
			key := [2]string{peer, f}
			prev, seen := interopResults[key]
			interopResults[key] = (!seen || prev) && !t.Failed()
		}
	})
}

// writeInteropTable writes the Markdown table of the results recorded so far.
func writeInteropTable(path string) error {
	interopMu.Lock()
	defer interopMu.Unlock()
	if len(interopResults) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("| peer | " + strings.Replace(strings.Join(interopColumns, " | "), "godot", "Godot", 1) + " |\n|---|")
	b.WriteString(strings.Repeat("---|", len(interopColumns)) + "\n")
	for _, peer := range interopPeerRow {
		b.WriteString("| " + peer + " |")
		for _, f := range interopColumns {
			cell := " n/a |"
			if ok, seen := interopResults[[2]string{peer, f}]; seen {
				cell = map[bool]string{true: " pass |", false: " **FAIL** |"}[ok]
			}
			b.WriteString(cell)
		}
		b.WriteString("\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

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
	dir := projectFrom(t, "interop", "tests/projects/common", "tests/projects/interop", signalingClient)
	g, remoteErr := againstRemote(t, "interop", dir, "interop_test.gd", append([]string{"OFFERER=" + offerer}, env...), remote)
	requirePassed(t, g, "interop_test.gd", 6)
	assert.NoError(t, remoteErr, "the remote peer failed")
	return g.Output
}

func TestInteropLibwebrtcNode(t *testing.T) {
	cache := interopPeers(t)
	script := filepath.Join(repoRoot, "tests", "peers", "run_wrtc.js")
	for _, c := range []struct{ offerer, mode string }{
		{"godot", "trickle"}, {"remote", "trickle"}, {"godot", "complete"}, {"remote", "complete"},
	} {
		t.Run(c.offerer+"-offers-"+c.mode, func(t *testing.T) {
			features := []string{c.offerer + " offers"}
			if c.mode == "complete" {
				features = []string{"complete SDP (no trickle)"}
			}
			recordInterop(t, interopPeerRow[1], append(features, "plain host candidates")...)
			role := "answer"
			if c.offerer == "remote" {
				role = "offer"
			}
			interopCase(t, c.offerer, func(url string) *exec.Cmd { return nodeCommand(cache, script, url, role, c.mode) })
		})
	}
}

func TestInteropThroughTURNRelay(t *testing.T) {
	cache := interopPeers(t)
	for _, peer := range []string{"run_wrtc.js", "run_chromium.js"} {
		t.Run(strings.TrimSuffix(strings.TrimPrefix(peer, "run_"), ".js"), func(t *testing.T) {
			recordInterop(t, map[string]string{"run_wrtc.js": interopPeerRow[1], "run_chromium.js": interopPeerRow[0]}[peer], "TURN, relay only")
			turn := startTURN(t, "relay-secret")
			config := fmt.Sprintf(`{"iceServers": [{"urls": [%q], "username": "player", "credential": "relay-secret"}], "iceTransportPolicy": "relay"}`, turn.url)
			args := []string{filepath.Join(repoRoot, "tests", "peers", peer), "", "answer", "trickle"}
			if peer == "run_chromium.js" {
				args = append(args, "plain")
			}
			out := interopCase(t, "godot", func(url string) *exec.Cmd {
				args[1] = url
				return nodeCommand(cache, args...)
			}, "ICE_CONFIG="+config, "DEBUG_CANDIDATES="+os.Getenv("DEBUG_CANDIDATES"))
			assert.NotContains(t, out, "relay-secret")
			allocations, relayed := turn.stop(t)
			t.Logf("TURN: %d allocations, %d bytes relayed", allocations, relayed)
			assert.GreaterOrEqual(t, allocations, int64(1))
			assert.Greater(t, relayed, int64(4<<20), "the echo matrix (several MiB) went through the relay")
		})
	}
}

func TestWrongTURNCredentialsFailWithAPrintedError(t *testing.T) {
	turn := startTURN(t, "the-right-one")
	dir := projectFrom(t, "interop", "tests/projects/common", "tests/projects/interop")
	out := runScript(t, dir, "turn_fail_test.gd", 2*time.Minute, "TURN_URL="+turn.url)
	assert.Regexp(t, `ERROR: godot-webrtc-go: ice: .*(allocate|401)`, out)
	assert.NotContains(t, out, "wrong-password-1234")
	allocations, _ := turn.stop(t)
	assert.Zero(t, allocations)
}

func TestInteropChromium(t *testing.T) {
	cache := interopPeers(t)
	script := filepath.Join(repoRoot, "tests", "peers", "run_chromium.js")
	for _, c := range []struct{ offerer, mode, hosts string }{
		{"godot", "trickle", "mdns"}, {"remote", "trickle", "mdns"},
		{"godot", "trickle", "plain"}, {"remote", "complete", "plain"},
	} {
		t.Run(c.offerer+"-offers-"+c.mode+"-"+c.hosts, func(t *testing.T) {
			features := []string{c.hosts + " host candidates"}
			if c.hosts == "mdns" {
				features[0] = "mDNS host candidates"
			}
			if c.mode == "complete" {
				features = append(features, "complete SDP (no trickle)")
			} else {
				features = append(features, c.offerer+" offers")
			}
			recordInterop(t, interopPeerRow[0], features...)
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

func TestInteropAiortc(t *testing.T) {
	interopPeers(t)
	script := filepath.Join(repoRoot, "tests", "peers", "echo_peer.py")
	for _, offerer := range []string{"godot", "remote"} {
		t.Run(offerer+"-offers", func(t *testing.T) {
			recordInterop(t, interopPeerRow[2], offerer+" offers", "complete SDP (no trickle)", "plain host candidates")
			role := "answer"
			if offerer == "remote" {
				role = "offer"
			}
			interopCase(t, offerer, func(url string) *exec.Cmd {
				return inNamespace("/usr/bin/python3", script, url, role)
			})
		})
	}
}

func TestInteropGodotToGodotAcrossProcesses(t *testing.T) {
	for _, offerer := range []string{"godot", "remote"} {
		t.Run(offerer+"-offers", func(t *testing.T) {
			recordInterop(t, interopPeerRow[3], offerer+" offers", "plain host candidates")
			role := "answer"
			if offerer == "remote" {
				role = "offer"
			}
			interopCase(t, offerer, func(url string) *exec.Cmd { return echoPeerCommand(t, url, role) })
		})
	}
}
