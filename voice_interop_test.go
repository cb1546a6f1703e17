//go:build integration

package main

// Voice interop: Godot's tone to and from Chromium and Firefox (WebAudio: an
// OscillatorNode sends, an AnalyserNode measures) and libwebrtc in Node
// (@roamhq/wrtc's nonstandard RTCAudioSource and RTCAudioSink), each offer
// direction, every process inside the test's namespace.

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
)

// voiceFeature is the interop table's column for voice.
const voiceFeature = "voice (Opus, both ways)"

// voiceInterop runs voice_interop_test.gd against a remote stack, once with
// each side offering, and records the results in the interop table's row
// peer. remote makes the remote's command from the signaling URL and its
// role ("offer" or "answer"). The remote's report of what it heard is
// checked by the GDScript side.
func voiceInterop(t *testing.T, peer string, remote func(t *testing.T, url, role string) *exec.Cmd) {
	for _, offerer := range []string{"godot", "remote"} {
		t.Run(offerer+"-offers", func(t *testing.T) {
			recordInterop(t, peer, voiceFeature)
			role := map[string]string{"godot": "answer", "remote": "offer"}[offerer]
			g, remoteErr := againstRemote(t, "voice-interop", voiceProject(t), "voice_interop_test.gd", []string{"OFFERER=" + offerer},
				func(url string) *exec.Cmd { return remote(t, url, role) })
			logVoice(t, g.Output)
			requirePassed(t, g, "voice_interop_test.gd", 1)
			assert.NoError(t, remoteErr, "the remote peer failed")
		})
	}
}

func TestVoiceInteropChromium(t *testing.T) {
	cache := interopPeers(t)
	script := filepath.Join(repoRoot, "tests", "peers", "run_chromium.js")
	voiceInterop(t, interopPeerRow[0], func(t *testing.T, url, role string) *exec.Cmd {
		cmd := nodeCommand(cache, script, url, role, "trickle", "plain")
		cmd.Env = append(cmd.Env, "PAGE=voice_page.html",
			`CHROMIUM_FLAGS=["--autoplay-policy=no-user-gesture-required"]`)
		return cmd
	})
}

func TestVoiceInteropFirefox(t *testing.T) {
	cache := interopPeers(t)
	script := filepath.Join(repoRoot, "tests", "peers", "run_firefox.js")
	voiceInterop(t, firefoxRow(t), func(t *testing.T, url, role string) *exec.Cmd {
		cmd := nodeCommand(cache, script, url, role, "trickle", "plain")
		cmd.Env = append(cmd.Env, "PAGE=voice_page.html", "TMPDIR="+t.TempDir())
		return cmd
	})
}

func TestVoiceInteropLibwebrtcNode(t *testing.T) {
	cache := interopPeers(t)
	script := filepath.Join(repoRoot, "tests", "peers", "run_wrtc_voice.js")
	voiceInterop(t, interopPeerRow[1], func(_ *testing.T, url, role string) *exec.Cmd {
		return nodeCommand(cache, script, url, role)
	})
}
