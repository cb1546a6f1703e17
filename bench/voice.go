package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/internal/godottest"
)

// The voice figures, measured by the orchestrator itself rather than by a
// runner: the latency takes two Godot processes, the CPU the Go benchmark of
// extension/audio (the Go layer's column).
const (
	voiceLatencyP50     = "voice_latency_p50_ms"
	voiceLatencyP95     = "voice_latency_p95_ms"
	voiceLatencyFastP50 = "voice_latency_fast_p50_ms"
	voiceCPUStereo      = "voice_cpu_stereo_pct"
	voiceCPUStereo44    = "voice_cpu_stereo44_pct"
)

var voiceFigures = []figure{
	{voiceLatencyP50, "Voice, mouth to ear between two Godot processes at 60 frames/s, jitter buffer included, p50 ms"},
	{voiceLatencyP95, "Voice, mouth to ear at 60 frames/s, p95 ms"},
	{voiceLatencyFastP50, "Voice, mouth to ear at headless Godot's default pacing, p50 ms"},
	{voiceCPUStereo, "Voice, CPU of one stereo stream (encode + decode), mix 48 kHz, % of a core"},
	{voiceCPUStereo44, "Voice, CPU of one stereo stream, mix 44.1 kHz (resampling both ways), % of a core"},
}

// warmUp is how long after the first burst latencies are not counted: the
// jitter buffer settles on the delay it keeps.
const warmUp = 2 * time.Second

// voiceRig is what measureVoice needs from the bench run.
type voiceRig struct {
	godot     godottest.Godot
	project   string // with voice_latency.gd and signaling_client.gd
	signaling string // the examples/signaling binary
	inNS      func(ctx context.Context, args ...string) *exec.Cmd
	timeout   time.Duration
}

// measureVoice returns the voice figures of one run, for the godot and ext
// columns.
func measureVoice(ctx context.Context, rig voiceRig) (godot, ext map[string]float64, err error) {
	godot, ext = map[string]float64{}, map[string]float64{}
	var errs []error
	for _, c := range []struct {
		fps      string
		p50, p95 string
	}{{"60", voiceLatencyP50, voiceLatencyP95}, {"0", voiceLatencyFastP50, ""}} {
		lat, err := mouthToEar(ctx, rig, c.fps)
		if err != nil {
			errs = append(errs, fmt.Errorf("latency at fps=%s: %w", c.fps, err))
			continue
		}
		fmt.Fprintf(os.Stderr, "  mouth to ear at fps=%s: %d bursts, min %.1f ms, p50 %.1f ms, max %.1f ms\n",
			c.fps, len(lat), slices.Min(lat), percentile(lat, 0.5), slices.Max(lat))
		godot[c.p50] = percentile(lat, 0.5)
		if c.p95 != "" {
			godot[c.p95] = percentile(lat, 0.95)
		}
	}
	cpu, err := streamCPU(ctx)
	if err != nil {
		errs = append(errs, err)
	}
	for k, v := range cpu {
		ext[k] = v
	}
	return godot, ext, errors.Join(errs...)
}

// mouthToEar runs voice_latency.gd as speaker and listener and returns the
// latency of each burst after the warm-up, in ms.
func mouthToEar(ctx context.Context, rig voiceRig, fps string) ([]float64, error) {
	ctx, cancel := context.WithTimeout(ctx, rig.timeout)
	defer cancel()
	sig := rig.inNS(ctx, rig.signaling, "-addr", "127.0.0.1:0", "-timeout", "5m")
	out, err := sig.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := sig.Start(); err != nil {
		return nil, fmt.Errorf("starting signaling: %w", err)
	}
	defer func() { _ = sig.Process.Kill(); _ = sig.Wait() }()
	lines := bufio.NewScanner(out)
	var addr string
	for lines.Scan() {
		if a, ok := strings.CutPrefix(lines.Text(), "listening on "); ok {
			addr = a
			break
		}
	}
	if addr == "" {
		return nil, errors.New("signaling did not start")
	}
	go func() { // drain
		for lines.Scan() {
		}
	}()
	args := []string{"--headless", "--path", rig.project, "-s", "res://voice_latency.gd", "--",
		"url=ws://" + addr + "/latency", "fps=" + fps, "seconds=12"}
	speaker := rig.godot.Command(ctx, args...)
	var speakerOut strings.Builder
	speaker.Stdout, speaker.Stderr = &speakerOut, &speakerOut
	if err := speaker.Start(); err != nil {
		return nil, err
	}
	time.Sleep(2 * time.Second) // the speaker joins first
	listener, listenErr := rig.godot.Command(ctx, args...).CombinedOutput()
	speakErr := speaker.Wait()
	if err := errors.Join(speakErr, listenErr); err != nil {
		return nil, fmt.Errorf("%w: speaker: %s; listener: %s", err, lastLines(speakerOut.String(), 5), lastLines(string(listener), 5))
	}
	return pairBursts(times(speakerOut.String(), "MOUTH"), times(string(listener), "EAR"))
}

var timeLine = regexp.MustCompile(`(?m)^(MOUTH|EAR) (\d+)$`)

// times returns the µs timestamps of the lines of kind in out.
func times(out, kind string) []int64 {
	var ts []int64
	for _, m := range timeLine.FindAllStringSubmatch(out, -1) {
		if m[1] == kind {
			t, _ := strconv.ParseInt(m[2], 10, 64)
			ts = append(ts, t)
		}
	}
	return ts
}

// pairBursts matches each ear time with the last mouth time before it, no
// more than one burst period earlier, and returns their differences in ms,
// leaving out the warm-up.
func pairBursts(mouth, ear []int64) ([]float64, error) {
	if len(mouth) == 0 || len(ear) == 0 {
		return nil, fmt.Errorf("%d bursts sent, %d heard", len(mouth), len(ear))
	}
	period := int64(400_000)
	var lat []float64
	for _, e := range ear {
		i := lastAtOrBefore(mouth, e)
		if i < 0 || e-mouth[i] >= period || mouth[i] < mouth[0]+warmUp.Microseconds() {
			continue
		}
		lat = append(lat, float64(e-mouth[i])/1000)
	}
	if len(lat) < 5 {
		return nil, fmt.Errorf("only %d bursts heard after the warm-up (%d sent, %d heard)", len(lat), len(mouth), len(ear))
	}
	return lat, nil
}

// lastAtOrBefore returns the index of the last element of ascending ts at or before
// t, -1 if none.
func lastAtOrBefore(ts []int64, t int64) int {
	i, found := slices.BinarySearch(ts, t)
	if found {
		return i
	}
	return i - 1
}

func percentile(v []float64, p float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

var benchMetric = regexp.MustCompile(`(?m)^BenchmarkStream/channels=2/mix=(\d+)-\d+\s+\d+\s+\d+ ns/op\s+([0-9.]+) cpu/realtime`)

// streamCPU runs extension/audio's stream benchmark for stereo: the CPU time
// of encoding and decoding one stream, over real time.
func streamCPU(ctx context.Context) (map[string]float64, error) {
	out, err := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "Stream/channels=2/",
		"-benchtime", "5x", "./extension/audio/").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("the stream benchmark: %v: %s", err, lastLines(string(out), 5))
	}
	got := map[string]float64{}
	for _, m := range benchMetric.FindAllStringSubmatch(string(out), -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		key := map[string]string{"48000": voiceCPUStereo, "44100": voiceCPUStereo44}[m[1]]
		if key != "" {
			got[key] = 100 * v
		}
	}
	if len(got) != 2 {
		return got, fmt.Errorf("the stream benchmark printed no cpu/realtime: %s", lastLines(string(out), 5))
	}
	return got, nil
}
