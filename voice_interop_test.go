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

// voiceInteropCase runs voice_interop_test.gd against the remote command,
// which gets the signaling URL as its first argument. The remote's report
// of what it heard is checked by the GDScript side.
func voiceInteropCase(t *testing.T, offerer string, remote func(url string) *exec.Cmd) {
	t.Helper()
	g, remoteErr := againstRemote(t, "voice-interop", voiceProject(t), "voice_interop_test.gd", []string{"OFFERER=" + offerer}, remote)
	logVoice(t, g.Output)
	requirePassed(t, g, "voice_interop_test.gd", 1)
	assert.NoError(t, remoteErr, "the remote peer failed")
}

func TestVoiceInteropChromium(t *testing.T) {
	cache := interopPeers(t)
	script := filepath.Join(repoRoot, "tests", "peers", "run_chromium.js")
	for _, offerer := range []string{"godot", "remote"} {
		t.Run(offerer+"-offers", func(t *testing.T) {
			recordInterop(t, interopPeerRow[0], voiceFeature)
			role := map[string]string{"godot": "answer", "remote": "offer"}[offerer]
			voiceInteropCase(t, offerer, func(url string) *exec.Cmd {
				cmd := nodeCommand(cache, script, url, role, "trickle", "plain")
				cmd.Env = append(cmd.Env, "PAGE=voice_page.html",
					`CHROMIUM_FLAGS=["--autoplay-policy=no-user-gesture-required"]`)
				return cmd
			})
		})
	}
}

func TestVoiceInteropFirefox(t *testing.T) {
	cache := interopPeers(t)
	script := filepath.Join(repoRoot, "tests", "peers", "run_firefox.js")
	for _, offerer := range []string{"godot", "remote"} {
		t.Run(offerer+"-offers", func(t *testing.T) {
			recordInterop(t, firefoxRow(t), voiceFeature)
			role := map[string]string{"godot": "answer", "remote": "offer"}[offerer]
			voiceInteropCase(t, offerer, func(url string) *exec.Cmd {
				cmd := nodeCommand(cache, script, url, role, "trickle", "plain")
				cmd.Env = append(cmd.Env, "PAGE=voice_page.html", "TMPDIR="+t.TempDir())
				return cmd
			})
		})
	}
}

func TestVoiceInteropLibwebrtcNode(t *testing.T) {
	cache := interopPeers(t)
	script := filepath.Join(repoRoot, "tests", "peers", "run_wrtc_voice.js")
	for _, offerer := range []string{"godot", "remote"} {
		t.Run(offerer+"-offers", func(t *testing.T) {
			recordInterop(t, interopPeerRow[1], voiceFeature)
			role := map[string]string{"godot": "answer", "remote": "offer"}[offerer]
			voiceInteropCase(t, offerer, func(url string) *exec.Cmd { return nodeCommand(cache, script, url, role) })
		})
	}
}
