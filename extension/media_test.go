package extension

import (
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/extension/audio"
	"github.com/godot-webrtc-go/godot-webrtc-go/internal/loopback"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testMixRate = 48000

// toneSource generates a stereo tone block by block, continuous across blocks.
type toneSource struct {
	rate           int
	freqL, freqR   float64
	amp            float64
	phaseL, phaseR float64
}

func (s *toneSource) next(frames int) []float32 {
	out := make([]float32, 2*frames)
	for i := range frames {
		out[2*i] = float32(s.amp * math.Sin(s.phaseL))
		out[2*i+1] = float32(s.amp * math.Sin(s.phaseR))
		s.phaseL += 2 * math.Pi * s.freqL / float64(s.rate)
		s.phaseR += 2 * math.Pi * s.freqR / float64(s.rate)
	}
	return out
}

// zeroCrossingFrequency estimates the frequency of channel c of
// stereo-interleaved frames from its upward zero crossings, and returns its
// RMS level.
func zeroCrossingFrequency(frames []float32, c, rate int) (freq, rms float64) {
	n := len(frames) / 2
	if n < 2 {
		return 0, 0
	}
	first, last, ups := -1, -1, 0
	var sum float64
	for i := range n {
		v := float64(frames[2*i+c])
		sum += v * v
		if i > 0 && frames[2*(i-1)+c] < 0 && v >= 0 {
			if first < 0 {
				first = i
			} else {
				ups++
			}
			last = i
		}
	}
	rms = math.Sqrt(sum / float64(n))
	if ups == 0 {
		return 0, rms
	}
	return float64(ups) * float64(rate) / float64(last-first), rms
}

// voice is a test's audio exchange: each side's track, what it pushes and
// what it received on the tracks that arrived (p.tracks).
type voice struct {
	p        *peers
	tracks   map[*PeerConnection]*AudioTrack // added by the test
	sources  map[*PeerConnection]*toneSource
	received map[*PeerConnection][]float32
}

func newVoice(p *peers) *voice {
	return &voice{p: p, tracks: map[*PeerConnection]*AudioTrack{},
		sources: map[*PeerConnection]*toneSource{}, received: map[*PeerConnection][]float32{}}
}

func (v *voice) add(pc *PeerConnection, opts map[string]any, src *toneSource) *AudioTrack {
	v.p.t.Helper()
	tr, warnings, err := pc.AddAudioTrack(opts)
	require.NoError(v.p.t, err)
	require.Empty(v.p.t, warnings)
	v.tracks[pc], v.sources[pc] = tr, src
	return tr
}

// run pushes each side's tone in 20 ms blocks at real-time pace for d, and
// collects what each side's arrived track decodes.
func (v *voice) run(d time.Duration) {
	const block = testMixRate / 50
	start := time.Now()
	for pushed := 0; time.Since(start) < d; {
		for time.Duration(pushed)*time.Second/testMixRate < time.Since(start) {
			for pc, src := range v.sources {
				if err := v.tracks[pc].Push(src.next(block)); err != nil {
					v.p.t.Errorf("push: %v", err)
				}
			}
			pushed += block
		}
		v.p.pump()
		v.drain()
		time.Sleep(5 * time.Millisecond)
	}
}

func (v *voice) drain() {
	for pc, tracks := range v.p.tracks {
		for _, tr := range tracks {
			buf := make([]float32, 2*tr.Available())
			v.received[pc] = append(v.received[pc], buf[:2*tr.ReadFrames(buf)]...)
		}
	}
}

// assertTone checks what pc received: at least half of d of audio, whose
// channel c is freq ± 10 Hz at about amplitude amp.
func (v *voice) assertTone(pc *PeerConnection, c int, freq, amp float64, d time.Duration) {
	t := v.p.t
	t.Helper()
	got := v.received[pc]
	frames := len(got) / 2
	require.Greater(t, frames, int(d.Seconds()*testMixRate/2), "frames received")
	// Skip the start: the codec's and the resampler's ramp-up.
	f, rms := zeroCrossingFrequency(got[2*testMixRate/10:], c, testMixRate)
	assert.InDelta(t, freq, f, 10, "frequency of channel %d", c)
	assert.InDelta(t, amp/math.Sqrt2, rms, amp/math.Sqrt2/3, "RMS of channel %d", c)
	t.Logf("channel %d: %.1f Hz, RMS %.3f (sent %.3f), %d frames", c, f, rms, amp/math.Sqrt2, frames)
}

// mediaGoroutines lists the goroutines running the audio pipeline or reading
// tracks.
func mediaGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "/extension/audio.") || strings.Contains(g, "(*AudioTrack).read") {
			out = append(out, g)
		}
	}
	return out
}

// TestDataOnlyConnectionHasNoMedia checks that audio support changed nothing
// for a connection without tracks: its offer has the same lines as one from
// pion set up as before audio (no MediaEngine of ours), no codec is
// registered, and no media goroutine runs.
func TestDataOnlyConnectionHasNoMedia(t *testing.T) {
	p := newPeers(t)
	var offer string
	p.rewrite = func(from *PeerConnection, d SessionDescription) string {
		if from == p.a {
			offer = d.SDP
		}
		return d.SDP
	}
	p.openChannel("data", nil)

	var se webrtc.SettingEngine
	loopback.Only(&se)
	se.SetSCTPMaxMessageSize(MaxMessageSize)
	reference, err := webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithInterceptorRegistry(&interceptor.Registry{})).
		NewPeerConnection(webrtc.Configuration{})
	require.NoError(t, err)
	defer reference.Close()
	_, err = reference.CreateDataChannel("data", nil)
	require.NoError(t, err)
	want, err := reference.CreateOffer(nil)
	require.NoError(t, err)
	assert.Equal(t, sdpShape(want.SDP), sdpShape(offer), "lines of a data-only offer:\n%s", offer)
	assert.Equal(t, 1, strings.Count(offer, "\nm="), "one media section")

	for _, pc := range []*PeerConnection{p.a, p.b} {
		assert.False(t, pc.media.enabled, "no codec registered")
		assert.Empty(t, pc.Stats()["tracks"])
	}
	assert.Empty(t, mediaGoroutines())
}

// sdpShape is an SDP with the values that differ between any two offers
// (session id, ICE credentials, fingerprint) left out.
func sdpShape(sdp string) []string {
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(sdp), "\r\n") {
		switch {
		case strings.HasPrefix(line, "o="), strings.HasPrefix(line, "a=ice-ufrag:"),
			strings.HasPrefix(line, "a=ice-pwd:"), strings.HasPrefix(line, "a=fingerprint:"):
			line, _, _ = strings.Cut(line, ":")
			if strings.HasPrefix(line, "o=") {
				line = "o="
			}
		}
		out = append(out, line)
	}
	return out
}

func TestToneCrossesBothWays(t *testing.T) {
	for _, c := range []struct {
		name     string
		channels int
	}{{"mono", 1}, {"stereo", 2}} {
		t.Run(c.name, func(t *testing.T) {
			p := newPeers(t)
			v := newVoice(p)
			opts := map[string]any{"channels": int64(c.channels), "mix_rate": float64(testMixRate)}
			right := 440.0 // mono codes the mean of the two sides
			if c.channels == 2 {
				right = 660
			}
			ta := v.add(p.a, opts, &toneSource{rate: testMixRate, freqL: 440, freqR: right, amp: 0.5})
			tb := v.add(p.b, opts, &toneSource{rate: testMixRate, freqL: 440, freqR: right, amp: 0.25})
			p.channel(p.a, "data", nil)
			require.NoError(t, p.a.CreateOffer())
			p.until("both tracks arrive", 15*time.Second, func() bool {
				return len(p.tracks[p.a]) == 1 && len(p.tracks[p.b]) == 1
			})
			assert.Same(t, ta, p.tracks[p.a][0], "the remote's audio arrives on the track a added")
			assert.Same(t, tb, p.tracks[p.b][0])

			const d = 2 * time.Second
			v.run(d)
			// Each side hears the other's amplitude, so no side hears itself.
			v.assertTone(p.b, 0, 440, 0.5, d)
			v.assertTone(p.a, 0, 440, 0.25, d)
			if c.channels == 2 {
				v.assertTone(p.b, 1, 660, 0.5, d)
				v.assertTone(p.a, 1, 660, 0.25, d)
			} else {
				got := v.received[p.b]
				for i := 0; i < len(got); i += 2 {
					if got[i] != got[i+1] {
						t.Fatalf("a mono track reads the same on both sides: frame %d is %v, %v", i/2, got[i], got[i+1])
					}
				}
			}

			stats := p.a.Stats()["tracks"].([]any)
			require.Len(t, stats, 1)
			s := stats[0].(map[string]any)
			t.Logf("a's track: %v", s)
			assert.Equal(t, "audio/opus", s["codec"])
			assert.Equal(t, "sendrecv", s["direction"])
			assert.Equal(t, int64(c.channels), s["channels_sent"])
			assert.Equal(t, int64(c.channels), s["channels_received"])
			assert.Greater(t, s["packets_sent"], int64(d/audio.FrameDuration/2))
			assert.Greater(t, s["packets_received"], int64(d/audio.FrameDuration/2))
			assert.Equal(t, int64(0), s["packets_lost"])
		})
	}
}

func TestTrackAddedToAConnectedPeerByRenegotiation(t *testing.T) {
	p := newPeers(t)
	v := newVoice(p)
	ach, bch := p.openChannel("echo", nil)

	// A data channel keeps echoing throughout.
	sent, echoed := 0, 0
	echo := func() {
		if data, _, ok := bch.Pop(); ok {
			require.NoError(t, bch.Send(data))
		}
		for {
			data, _, ok := ach.Pop()
			if !ok {
				break
			}
			require.Equal(t, byteString(echoed), string(data), "echoes in order")
			echoed++
		}
		require.NoError(t, ach.Send([]byte(byteString(sent))))
		sent++
	}
	pump := func() { v.p.pump(); echo() }

	ta := v.add(p.a, map[string]any{"mix_rate": int64(testMixRate)}, &toneSource{rate: testMixRate, freqL: 440, freqR: 440, amp: 0.5})
	require.NoError(t, p.a.CreateOffer())
	p.until("b receives a's track", 10*time.Second, func() bool { pump(); return len(p.tracks[p.b]) == 1 })
	received := p.tracks[p.b][0]
	assert.Equal(t, ErrUnconfigured, Code(received.Push(make([]float32, 960))), "b did not add it: it only receives")

	// b answers with a track of its own: it takes the transceiver a's audio
	// arrived on, so the track b gets back is the one it received.
	tb := v.add(p.b, map[string]any{"mix_rate": int64(testMixRate)}, &toneSource{rate: testMixRate, freqL: 440, freqR: 440, amp: 0.25})
	assert.Same(t, received, tb)
	require.NoError(t, p.b.CreateOffer())
	p.until("a receives b's track", 10*time.Second, func() bool { pump(); return len(p.tracks[p.a]) == 1 })
	assert.Same(t, ta, p.tracks[p.a][0])

	start := echoed
	const d = 2 * time.Second
	v.run(d)
	v.assertTone(p.b, 0, 440, 0.5, d)
	v.assertTone(p.a, 0, 440, 0.25, d)
	p.until("the last echoes", 5*time.Second, func() bool { pump(); return echoed >= start+10 })
	assert.Equal(t, 1, len(p.a.Stats()["tracks"].([]any)), "one m-line carries both directions")
	assert.Equal(t, StateConnected, p.a.ConnectionState())
	t.Logf("%d messages echoed in order across both renegotiations", echoed)
}

func byteString(n int) string { return strings.Repeat("x", n%50) + string(rune('a'+n%26)) }

func TestBadAudioOptionsAreRefused(t *testing.T) {
	pc := NewPeerConnection(loopbackOnly())
	defer pc.Free()
	for _, c := range []struct {
		opts map[string]any
		want string
	}{
		{map[string]any{"channels": int64(3)}, "channels is 3, outside 1..2"},
		{map[string]any{"channels": "2"}, "channels must be an int, not String"},
		{map[string]any{"bitrate": int64(1000)}, "bitrate is 1000, outside 6000..256000"},
		{map[string]any{"fec": int64(1)}, "fec must be a bool"},
		{map[string]any{"dtx": "yes"}, "dtx must be a bool"},
		{map[string]any{"mix_rate": int64(100)}, "mix_rate is 100, outside 8000..192000"},
		{map[string]any{"mix_rate": math.NaN()}, "mix_rate is NaN"},
	} {
		tr, _, err := pc.AddAudioTrack(c.opts)
		assert.Nil(t, tr)
		assert.Equal(t, ErrInvalidParameter, Code(err), "%v", c.opts)
		assert.ErrorContains(t, err, c.want)
	}
	assert.Empty(t, pc.Stats()["tracks"], "nothing was added")

	_, warnings, err := pc.AddAudioTrack(map[string]any{"volume": 1.0})
	require.NoError(t, err)
	assert.Equal(t, []string{`add_audio_track(): unknown option "volume" ignored`}, warnings)

	for range MaxAudioTracks - 1 {
		_, _, err := pc.AddAudioTrack(nil)
		require.NoError(t, err)
	}
	_, _, err = pc.AddAudioTrack(nil)
	assert.Equal(t, ErrOutOfMemory, Code(err))
}

func TestFmtpLineFollowsTheOptions(t *testing.T) {
	o, _, err := ParseAudioOptions(map[string]any{"channels": int64(2), "dtx": true})
	require.NoError(t, err)
	assert.Equal(t, "minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1;usedtx=1", o.fmtp())
	o, _, err = ParseAudioOptions(map[string]any{"fec": false})
	require.NoError(t, err)
	assert.Equal(t, "minptime=10", o.fmtp())

	pc := NewPeerConnection(loopbackOnly())
	defer pc.Free()
	var offer string
	_, _, err = pc.AddAudioTrack(map[string]any{"channels": int64(2)})
	require.NoError(t, err)
	require.NoError(t, pc.CreateOffer())
	pc.Poll(func(ev Event) {
		if d, ok := ev.(SessionDescription); ok {
			offer = d.SDP
		}
	})
	assert.Contains(t, offer, "a=rtpmap:111 opus/48000/2")
	assert.Contains(t, offer, "a=fmtp:111 minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1")
	assert.Contains(t, offer, "a=sendrecv")
}

func TestFreeStopsEveryTrackGoroutine(t *testing.T) {
	p := newPeers(t)
	v := newVoice(p)
	v.add(p.a, map[string]any{"mix_rate": int64(testMixRate)}, &toneSource{rate: testMixRate, freqL: 440, amp: 0.5})
	v.add(p.b, map[string]any{"mix_rate": int64(testMixRate)}, &toneSource{rate: testMixRate, freqL: 440, amp: 0.5})
	require.NoError(t, p.a.CreateOffer())
	p.until("tracks arrive", 15*time.Second, func() bool { return len(p.tracks[p.a]) == 1 && len(p.tracks[p.b]) == 1 })
	v.run(300 * time.Millisecond)
	assert.NotEmpty(t, mediaGoroutines(), "the tracks run")
	p.a.Free()
	p.b.Free()
	assert.Equal(t, ErrUnconfigured, Code(v.tracks[p.a].Push(make([]float32, 2))), "a track refuses pushes as soon as Free returns")
	teardowns.Wait() // Free hands pion's teardown and the tracks' to a goroutine
	assert.Empty(t, mediaGoroutines(), "the teardown stopped every track goroutine")
}

// TestAnswerTakesTheOfferedPayloadType answers an offer that numbers Opus
// 109, as Firefox does, from a connection that added its track first: the
// answer must use 109, or the offerer's packets are dropped.
func TestAnswerTakesTheOfferedPayloadType(t *testing.T) {
	p := newPeers(t)
	v := newVoice(p)
	v.add(p.a, map[string]any{"mix_rate": int64(testMixRate)}, &toneSource{rate: testMixRate, freqL: 440, freqR: 440, amp: 0.5})
	v.add(p.b, map[string]any{"mix_rate": int64(testMixRate)}, &toneSource{rate: testMixRate, freqL: 440, freqR: 440, amp: 0.25})
	var answer string
	p.rewrite = func(from *PeerConnection, d SessionDescription) string {
		if d.Type == "answer" {
			answer = d.SDP
			return d.SDP
		}
		return strings.NewReplacer("a=rtpmap:111 ", "a=rtpmap:109 ", "a=fmtp:111 ", "a=fmtp:109 ",
			" UDP/TLS/RTP/SAVPF 111", " UDP/TLS/RTP/SAVPF 109").Replace(d.SDP)
	}
	require.NoError(t, p.a.CreateOffer())
	p.until("tracks arrive", 15*time.Second, func() bool { return len(p.tracks[p.a]) == 1 && len(p.tracks[p.b]) == 1 })
	assert.Contains(t, answer, "a=rtpmap:109 opus/48000/2")
	const d = 2 * time.Second
	v.run(d)
	v.assertTone(p.b, 0, 440, 0.5, d)
	v.assertTone(p.a, 0, 440, 0.25, d)
}
