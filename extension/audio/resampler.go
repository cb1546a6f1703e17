package audio

import "math"

// resampler converts interleaved float32 audio between two sample rates with
// a Kaiser-windowed sinc low-pass, evaluated as a polyphase filter. Linear
// interpolation would leave images of voice harmonics at about -30 dB for
// 44.1 kHz to 48 kHz; this filter keeps them and any aliasing under -80 dB
// (resampler_test.go measures both).
//
// The rate ratio is exact: positions advance in units of 1/up input samples.
// When up is large (an unusual rate), the coefficients are tabulated for
// maxPhases evenly spaced phases and the nearest lower one is used, a timing
// error under 1/maxPhases of a sample.
type resampler struct {
	channels int
	up, down int // output step is down/up input samples
	half     int // taps on each side of the output instant
	phases   int
	coef     []float32 // phases rows of 2*half taps
	buf      []float32 // input frames still needed, interleaved
	next     int64     // position of the next output in buf, in 1/up units (int64: up*frames can pass 2^31)
}

const (
	// stopbandDB is the attenuation of everything above the lower Nyquist
	// frequency.
	stopbandDB = 80
	// passbandFraction of the lower Nyquist frequency passes untouched:
	// 19 kHz at 44.1 kHz, close to the 20 kHz that Opus codes at fullband.
	passbandFraction = 0.86
	maxPhases        = 1024
)

func newResampler(inRate, outRate, channels int) *resampler {
	g := gcd(inRate, outRate)
	r := &resampler{channels: channels, up: outRate / g, down: inRate / g}
	if r.up == 1 && r.down == 1 {
		return r
	}
	nyquist := float64(min(inRate, outRate)) / 2
	pass := passbandFraction * nyquist
	cutoff := (pass + nyquist) / 2 / float64(inRate)                 // cycles per input sample
	transition := (nyquist - pass) / float64(inRate)                 // in the same unit
	taps := (stopbandDB - 7.95) / (2.285 * 2 * math.Pi * transition) // Kaiser's estimate
	r.half = int(math.Ceil(taps / 2))
	beta := 0.1102 * (stopbandDB - 8.7)
	r.phases = min(r.up, maxPhases)
	width := 2 * r.half
	r.coef = make([]float32, r.phases*width)
	for p := range r.phases {
		frac := float64(p) / float64(r.phases)
		row := r.coef[p*width : (p+1)*width]
		sum := 0.0
		vals := make([]float64, width)
		for j := range width {
			t := frac + float64(r.half-1-j) // output instant minus tap position
			v := 2 * cutoff * sinc(2*cutoff*t) * kaiser(t/float64(r.half), beta)
			vals[j] = v
			sum += v
		}
		for j, v := range vals {
			row[j] = float32(v / sum) // unity gain at DC for every phase
		}
	}
	// The first output lines up with the first input sample: pad the
	// history with the taps that precede it.
	r.buf = make([]float32, (r.half-1)*channels)
	r.next = int64(r.half-1) * int64(r.up)
	return r
}

// identity reports whether the rates are equal, so process only copies.
func (r *resampler) identity() bool { return r.up == r.down }

// process appends to out the output for in (interleaved frames) and keeps the
// input it still needs for later outputs.
func (r *resampler) process(in, out []float32) []float32 {
	if r.identity() {
		return append(out, in...)
	}
	ch := r.channels
	r.buf = append(r.buf, in...)
	frames := len(r.buf) / ch
	width := 2 * r.half
	for {
		i := int(r.next / int64(r.up))
		if i+r.half >= frames {
			break
		}
		phase := int(r.next % int64(r.up))
		if r.phases != r.up {
			phase = phase * r.phases / r.up
		}
		c := r.coef[phase*width : (phase+1)*width]
		x := r.buf[(i-r.half+1)*ch : (i+r.half+1)*ch]
		if ch == 1 {
			out = append(out, dot(c, x))
		} else {
			left, right := dotStereo(c, x)
			out = append(out, left, right)
		}
		r.next += int64(r.down)
	}
	if drop := int(r.next/int64(r.up)) - r.half + 1; drop > 0 {
		n := copy(r.buf, r.buf[drop*ch:])
		r.buf = r.buf[:n]
		r.next -= int64(drop) * int64(r.up)
	}
	return out
}

// dot is the filter's inner loop for one channel; four accumulators break the
// dependency chain of the additions.
func dot(c, x []float32) float32 {
	x = x[:len(c)]
	var a0, a1, a2, a3 float32
	j := 0
	for ; j+4 <= len(c); j += 4 {
		cc, xx := c[j:j+4:j+4], x[j:j+4:j+4]
		a0 += cc[0] * xx[0]
		a1 += cc[1] * xx[1]
		a2 += cc[2] * xx[2]
		a3 += cc[3] * xx[3]
	}
	for ; j < len(c); j++ {
		a0 += c[j] * x[j]
	}
	return (a0 + a1) + (a2 + a3)
}

// dotStereo is dot over interleaved stereo, both channels at once.
func dotStereo(c, x []float32) (left, right float32) {
	x = x[:2*len(c)]
	var l0, r0, l1, r1 float32
	j := 0
	for ; j+2 <= len(c); j += 2 {
		cc, xx := c[j:j+2:j+2], x[2*j:2*j+4:2*j+4]
		l0 += cc[0] * xx[0]
		r0 += cc[0] * xx[1]
		l1 += cc[1] * xx[2]
		r1 += cc[1] * xx[3]
	}
	for ; j < len(c); j++ {
		l0 += c[j] * x[2*j]
		r0 += c[j] * x[2*j+1]
	}
	return l0 + l1, r0 + r1
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// kaiser is the Kaiser window at x in [-1, 1].
func kaiser(x, beta float64) float64 {
	if x <= -1 || x >= 1 {
		return 0
	}
	return besselI0(beta*math.Sqrt(1-x*x)) / besselI0(beta)
}

// besselI0 is the modified Bessel function of the first kind, order zero, by
// its power series, which converges fast for the arguments a window uses.
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; term > 1e-12*sum; k++ {
		term *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		sum += term
	}
	return sum
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
