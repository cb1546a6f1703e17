//go:build integration

package main

// Voice: audio tracks between Godot peers, in one process and across two,
// through a lossy relay, and added to a connected peer by renegotiation
// (tests/projects/voice). Interop with browsers and libwebrtc is in
// voice_interop_test.go.

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// voiceProject is a project with the voice test scripts.
func voiceProject(t *testing.T) string {
	t.Helper()
	return projectFrom(t, "voice", "tests/projects/common", "tests/projects/voice", signalingClient)
}

// between returns the lines of out between the lines begin and end.
func between(out, begin, end string) string {
	_, after, _ := strings.Cut(out, begin+"\n")
	inside, _, _ := strings.Cut(after, end+"\n")
	return inside
}

func logVoice(t *testing.T, out string) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "VOICE") {
			t.Log(line)
		}
	}
}

// TestVoiceInOneProcess runs voice_test.gd: the API and its errors, a 440 Hz
// tone each way at once (mono, and stereo with 660 Hz on the right), and a
// track added by renegotiation while a data channel echoes. The errors of
// bad calls must name what was wrong.
func TestVoiceInOneProcess(t *testing.T) {
	out := runScript(t, voiceProject(t), "voice_test.gd", 5*time.Minute)
	logVoice(t, out)
	bad := between(out, "BAD OPTIONS BEGIN", "BAD OPTIONS END")
	for _, want := range []string{
		"channels is 3, outside 1..2",
		"bitrate must be an int, not String",
		"mix_rate is 100, outside 8000..192000",
		"get_frames: max_frames is -1, want 0 or more",
	} {
		assert.Contains(t, bad, want)
	}
	assert.Contains(t, out, "constructed by a script and carries no audio")
	assert.Contains(t, between(out, "CLOSED BEGIN", "CLOSED END"), "push_frames: the track's peer connection is closed")
	assert.Contains(t, between(out, "PUSH ON RECEIVED BEGIN", "PUSH ON RECEIVED END"), "push_frames: this track only receives")
}
