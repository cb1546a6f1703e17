package audio

import (
	"fmt"
	"math"
	"testing"
)

// resampleAll runs x (one channel) through a fresh resampler in chunks of
// chunk frames.
func resampleAll(in, out int, x []float32, chunk int) []float32 {
	r := newResampler(in, out, 1)
	var y []float32
	for start := 0; start < len(x); start += chunk {
		y = r.process(x[start:min(start+chunk, len(x))], y)
	}
	return y
}

// linearResample is the reference this resampler must beat.
func linearResample(in, out int, x []float32) []float32 {
	n := int(int64(len(x)-1) * int64(out) / int64(in))
	y := make([]float32, n)
	for k := range y {
		pos := float64(k) * float64(in) / float64(out)
		i := int(pos)
		f := float32(pos - float64(i))
		y[k] = x[i]*(1-f) + x[i+1]*f
	}
	return y
}

// steady drops the first and last 10 % of x, where filters settle.
func steady(x []float32) []float32 { return x[len(x)/10 : len(x)*9/10] }

func TestResamplerKeepsTonesClean(t *testing.T) {
	rates := [][2]int{{44100, 48000}, {48000, 44100}, {22050, 48000}, {48000, 16000}, {96000, 48000}, {44056, 48000}, {44101, 48000}}
	for _, rr := range rates {
		for _, f := range []float64{440, 1000, 5000} {
			if f > 0.4*float64(min(rr[0], rr[1])) {
				continue
			}
			t.Run(fmt.Sprintf("%d-%d/%v", rr[0], rr[1], f), func(t *testing.T) {
				x := channel(tone(rr[0], rr[0]/2, f, f, 0.5), 0)
				y := resampleAll(rr[0], rr[1], x, 441)
				got := residualDB(steady(y), rr[1], f)
				lin := residualDB(steady(linearResample(rr[0], rr[1], x)), rr[1], f)
				t.Logf("residual %.1f dB (linear interpolation %.1f dB)", got, lin)
				if got > -70 {
					t.Errorf("residual %.1f dB, want below -70", got)
				}
				if amp := rmsOf(steady(y)) * math.Sqrt2; math.Abs(amp-0.5) > 0.005 {
					t.Errorf("amplitude %.4f, want 0.5", amp)
				}
			})
		}
	}
}

func TestResamplerRejectsAliases(t *testing.T) {
	// 23 kHz cannot exist at 44.1 kHz; it would fold to 21.1 kHz.
	x := channel(tone(48000, 24000, 23000, 23000, 0.5), 0)
	y := steady(resampleAll(48000, 44100, x, 960))
	got := 20 * math.Log10(rmsOf(y)/rmsOf(x))
	lin := 20 * math.Log10(rmsOf(steady(linearResample(48000, 44100, x)))/rmsOf(x))
	t.Logf("23 kHz leaks at %.1f dB (linear interpolation %.1f dB)", got, lin)
	if got > -70 {
		t.Errorf("alias at %.1f dB, want below -70", got)
	}
}

func TestResamplerStreamingMatchesOneShot(t *testing.T) {
	x := tone(44100, 4410, 440, 660, 0.5)
	one := newResampler(44100, 48000, 2).process(x, nil)
	r := newResampler(44100, 48000, 2)
	var chunked []float32
	for start := 0; start < len(x); {
		n := 2 * (1 + start%37) // uneven chunk sizes
		end := min(start+n, len(x))
		chunked = r.process(x[start:end], chunked)
		start = end
	}
	if len(one) != len(chunked) {
		t.Fatalf("one-shot %d samples, chunked %d", len(one), len(chunked))
	}
	for i := range one {
		if one[i] != chunked[i] {
			t.Fatalf("sample %d: one-shot %v, chunked %v", i, one[i], chunked[i])
		}
	}
	// Output count follows the rate ratio, less the filter's look-ahead.
	r2 := newResampler(44100, 48000, 2)
	want := 4410 * 48000 / 44100
	if got := len(one) / 2; got > want || got < want-2*r2.half*48000/44100-2 {
		t.Errorf("%d output frames for 4410 input frames, want about %d", got, want)
	}
}

func TestResamplerIdentityCopies(t *testing.T) {
	r := newResampler(48000, 48000, 2)
	x := tone(48000, 100, 440, 440, 0.5)
	y := r.process(x, nil)
	if len(y) != len(x) || y[7] != x[7] {
		t.Fatalf("identity resampler changed the input")
	}
}

func TestResamplerKeepsStereoApart(t *testing.T) {
	x := tone(44100, 22050, 440, 1000, 0.5)
	y := newResampler(44100, 48000, 2).process(x, nil)
	for c, f := range []float64{440, 1000} {
		if got := residualDB(steady(channel(y, c)), 48000, f); got > -70 {
			t.Errorf("channel %d: residual %.1f dB at %v Hz", c, got, f)
		}
	}
}
