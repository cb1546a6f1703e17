package audio

import (
	"math"
	"math/cmplx"
	"testing"
)

// Test helpers that generate and measure signals.

// tone returns frames stereo frames at rate: a sine of freqL on the left and
// freqR on the right, both of amplitude amp.
func tone(rate, frames int, freqL, freqR, amp float64) []float32 {
	out := make([]float32, 2*frames)
	for i := range frames {
		t := float64(i) / float64(rate)
		out[2*i] = float32(amp * math.Sin(2*math.Pi*freqL*t))
		out[2*i+1] = float32(amp * math.Sin(2*math.Pi*freqR*t))
	}
	return out
}

// channel returns channel c (0 or 1) of stereo-interleaved frames.
func channel(frames []float32, c int) []float32 {
	out := make([]float32, len(frames)/2)
	for i := range out {
		out[i] = frames[2*i+c]
	}
	return out
}

// dominantFrequency returns the frequency with the most energy in x, from a
// Hann-windowed FFT with the peak refined by parabolic interpolation of the
// log magnitudes.
func dominantFrequency(x []float32, rate int) float64 {
	n := 1
	for n < len(x) {
		n *= 2
	}
	buf := make([]complex128, n)
	for i, v := range x {
		w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(len(x)-1))
		buf[i] = complex(float64(v)*w, 0)
	}
	fft(buf)
	best := 1
	for k := 2; k < n/2; k++ {
		if cmplx.Abs(buf[k]) > cmplx.Abs(buf[best]) {
			best = k
		}
	}
	a := math.Log(cmplx.Abs(buf[best-1]) + 1e-30)
	b := math.Log(cmplx.Abs(buf[best]) + 1e-30)
	c := math.Log(cmplx.Abs(buf[best+1]) + 1e-30)
	offset := 0.0
	if d := a - 2*b + c; d != 0 {
		offset = 0.5 * (a - c) / d
	}
	return (float64(best) + offset) * float64(rate) / float64(n)
}

// fft transforms x in place; len(x) is a power of two.
func fft(x []complex128) {
	n := len(x)
	for i, j := 1, 0; i < n; i++ {
		bit := n >> 1
		for ; j&bit != 0; bit >>= 1 {
			j ^= bit
		}
		j ^= bit
		if i < j {
			x[i], x[j] = x[j], x[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		step := cmplx.Exp(complex(0, -2*math.Pi/float64(size)))
		for start := 0; start < n; start += size {
			w := complex(1, 0)
			for k := range size / 2 {
				u, v := x[start+k], x[start+k+size/2]*w
				x[start+k], x[start+k+size/2] = u+v, u-v
				w *= step
			}
		}
	}
}

// residualDB fits a*sin + b*cos + c at freq to x by least squares and returns
// the power of what the fit leaves, relative to the fitted sine, in dB. It
// measures everything a resampler or codec added to a pure tone.
func residualDB(x []float32, rate int, freq float64) float64 {
	// Normal equations of the 3-parameter fit.
	var m [3][3]float64
	var v [3]float64
	basis := func(i int) [3]float64 {
		w := 2 * math.Pi * freq * float64(i) / float64(rate)
		return [3]float64{math.Sin(w), math.Cos(w), 1}
	}
	for i, s := range x {
		b := basis(i)
		for r := range 3 {
			for c := range 3 {
				m[r][c] += b[r] * b[c]
			}
			v[r] += b[r] * float64(s)
		}
	}
	coef := solve3(m, v)
	var signal, residual float64
	for i, s := range x {
		b := basis(i)
		fit := coef[0]*b[0] + coef[1]*b[1] + coef[2]*b[2]
		signal += (fit - coef[2]) * (fit - coef[2])
		residual += (float64(s) - fit) * (float64(s) - fit)
	}
	return 10 * math.Log10(residual/signal)
}

// solve3 solves a 3x3 linear system by Cramer's rule.
func solve3(m [3][3]float64, v [3]float64) [3]float64 {
	det := func(a [3][3]float64) float64 {
		return a[0][0]*(a[1][1]*a[2][2]-a[1][2]*a[2][1]) -
			a[0][1]*(a[1][0]*a[2][2]-a[1][2]*a[2][0]) +
			a[0][2]*(a[1][0]*a[2][1]-a[1][1]*a[2][0])
	}
	d := det(m)
	var out [3]float64
	for c := range 3 {
		a := m
		for r := range 3 {
			a[r][c] = v[r]
		}
		out[c] = det(a) / d
	}
	return out
}

func rmsOf(x []float32) float64 {
	var sum float64
	for _, v := range x {
		sum += float64(v) * float64(v)
	}
	return math.Sqrt(sum / float64(max(len(x), 1)))
}

func TestDominantFrequencyFindsTones(t *testing.T) {
	for _, f := range []float64{440, 660, 997.5, 3000} {
		x := channel(tone(44100, 44100/2, f, f, 0.5), 0)
		if got := dominantFrequency(x, 44100); math.Abs(got-f) > 1 {
			t.Errorf("tone %v Hz: measured %.2f Hz", f, got)
		}
	}
	// A louder 440 Hz tone wins over a quieter 800 Hz one.
	l := channel(tone(48000, 48000, 440, 440, 0.5), 0)
	q := channel(tone(48000, 48000, 800, 800, 0.2), 0)
	for i := range l {
		l[i] += q[i]
	}
	if got := dominantFrequency(l, 48000); math.Abs(got-440) > 1 {
		t.Errorf("mixture: measured %.2f Hz, want 440", got)
	}
}

func TestResidualDBMeasuresNoise(t *testing.T) {
	x := channel(tone(48000, 48000, 1000, 1000, 0.5), 0)
	if got := residualDB(x, 48000, 1000); got > -120 {
		t.Errorf("clean tone: residual %.1f dB, want below -120", got)
	}
	// Add a -40 dB tone at another frequency: residual must read about -40.
	y := channel(tone(48000, 48000, 3000, 3000, 0.005), 0)
	for i := range x {
		x[i] += y[i]
	}
	if got := residualDB(x, 48000, 1000); math.Abs(got+40) > 0.5 {
		t.Errorf("tone plus -40 dB: residual %.1f dB", got)
	}
}
