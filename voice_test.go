//go:build integration

package main

// Voice: audio tracks between Godot peers, in one process and across two,
// through a lossy relay, and added to a connected peer by renegotiation
// (tests/projects/voice). Interop with browsers and libwebrtc is in
// voice_interop_test.go.

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/internal/godottest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
// bad calls (bad options, wrong argument types and counts) must name what
// was wrong.
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
	calls := between(out, "CALL ERRORS BEGIN", "CALL ERRORS END")
	for _, want := range []string{
		"'WebRTCGoAudioTrack::push_frames': Cannot convert argument 1 from Array to PackedVector2Array",
		"'WebRTCGoAudioTrack::push_frames': Method expected 1 argument(s), but called with 0",
		"'WebRTCGoPeerConnection::add_audio_track': Method expected 1 argument(s), but called with 2",
		"'WebRTCGoPeerConnection::add_audio_track': Cannot convert argument 1 from Array to Dictionary",
		"'WebRTCGoAudioTrack::get_frames': Cannot convert argument 1 from String to int",
	} {
		assert.Contains(t, calls, want)
	}
	assert.Contains(t, out, "constructed by a script and carries no audio")
	assert.Contains(t, between(out, "CLOSED BEGIN", "CLOSED END"), "push_frames: the track's peer connection is closed")
	assert.Contains(t, between(out, "PUSH ON RECEIVED BEGIN", "PUSH ON RECEIVED END"), "push_frames: this track only receives")
}

// TestVoiceAcrossTwoProcesses runs voice_peer.gd in two Godot processes that
// signal through examples/signaling: each pushes its tone and hears the
// other's, at the other's level (mono, and stereo with 660 Hz on the right).
func TestVoiceAcrossTwoProcesses(t *testing.T) {
	for _, channels := range []string{"1", "2"} {
		t.Run(map[string]string{"1": "mono", "2": "stereo"}[channels], func(t *testing.T) {
			recordInterop(t, interopPeerRow[3], voiceFeature)
			sig := startSignaling(t)
			url := sig.url + "/voice"
			dir := voiceProject(t)
			env := []string{"SIGNALING_URL=" + url, "CHANNELS=" + channels}
			first := sig.runGodotFirst(t, "the first peer", dir, 3*time.Minute, env, "-s", "res://voice_peer.gd")
			second := runGodot(t, dir, 3*time.Minute, env, "-s", "res://voice_peer.gd")
			r := <-first
			for i, res := range []godottest.Result{r, second} {
				logVoice(t, res.Output)
				requirePassed(t, res, fmt.Sprintf("voice_peer.gd (peer %d)", i+1), 1)
			}
		})
	}
}

// TestVoiceThroughALossyRelay runs voice_loss_test.gd: both connections
// relay-only through tests/turnserver, which drops 5 % of what it relays.
// The tone keeps arriving, the lost packets concealed.
func TestVoiceThroughALossyRelay(t *testing.T) {
	s := startServer(t, "tests/turnserver", "-listen", "127.0.0.1:0", "-relay-ip", "127.0.0.1",
		"-user", "player", "-password", "voice-secret", "-loss", "0.05", "-seed", "14")
	out := runScript(t, voiceProject(t), "voice_loss_test.gd", 3*time.Minute,
		"TURN_URL=turn:"+s.addr+"?transport=udp", "TURN_PASSWORD=voice-secret")
	logVoice(t, out)
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, s.wait(10*time.Second))
	m := regexp.MustCompile(`impaired: lost (\d+)`).FindStringSubmatch(s.out.String())
	require.NotNil(t, m, "turnserver said %q", s.out.String())
	lost, _ := strconv.Atoi(m[1])
	t.Logf("the relay dropped %d datagrams", lost)
	assert.Positive(t, lost)
}
