//go:build opuseval

package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/tphakala/go-opus/opus"
)

// The codec evaluation behind docs/voice.md. It needs Debian's opus-tools
// (opusenc, opusdec: libopus, as an independent encoder and decoder) and is
// run by hand:
//
//	go test -tags opuseval -run TestCodecEvaluation -v ./extension/audio/

const evalSeconds = 4

// voiceLike is a synthetic vowel: a 140 Hz glottal pulse train with vibrato,
// harmonics shaped by three formants, and a 4 Hz syllable envelope.
func voiceLike(frames int, f0 float64) []float32 {
	out := make([]float32, frames)
	formants := [][2]float64{{600, 90}, {1500, 110}, {2600, 160}}
	phase := 0.0
	for i := range out {
		t := float64(i) / ClockRate
		f := f0 * (1 + 0.05*math.Sin(2*math.Pi*5*t) + 0.1*math.Sin(2*math.Pi*0.3*t))
		phase += 2 * math.Pi * f / ClockRate
		var s float64
		for k := 1; float64(k)*f < 8000; k++ {
			fk := float64(k) * f
			var a float64
			for _, fm := range formants {
				d := (fk - fm[0]) / fm[1]
				a += 1 / (1 + d*d)
			}
			s += a / float64(k) * math.Sin(float64(k)*phase)
		}
		env := 0.2 + 0.8*math.Pow(math.Sin(math.Pi*math.Mod(4*t, 1)), 2)
		out[i] = float32(0.12 * env * s)
	}
	return out
}

// chirp sweeps 100 Hz to 4 kHz exponentially every second.
func chirp(frames int) []float32 {
	out := make([]float32, frames)
	phase := 0.0
	for i := range out {
		t := math.Mod(float64(i)/ClockRate, 1)
		f := 100 * math.Pow(40, t)
		phase += 2 * math.Pi * f / ClockRate
		out[i] = float32(0.4 * math.Sin(phase))
	}
	return out
}

type evalSignal struct {
	name string
	pcm  []float32 // interleaved at 48 kHz
	freq float64   // tone frequency of the first channel, or 0
}

func evalSignals(channels int) []evalSignal {
	n := evalSeconds * ClockRate
	interleave := func(l, r []float32) []float32 {
		if channels == 1 {
			return l
		}
		out := make([]float32, 2*len(l))
		for i := range l {
			out[2*i], out[2*i+1] = l[i], r[i]
		}
		return out
	}
	t := tone(ClockRate, n, 440, 660, 0.5)
	return []evalSignal{
		{"tone 440 Hz", interleave(channel(t, 0), channel(t, 1)), 440},
		{"voice-like", interleave(voiceLike(n, 140), voiceLike(n, 190)), 0},
		{"chirp", interleave(chirp(n), chirp(n)), 0},
	}
}

// encodeGo codes pcm with go-opus and returns the packets and the thread
// CPU time spent per frame.
func encodeGo(t *testing.T, pcm []float32, channels, bitrate int) ([][]byte, time.Duration) {
	enc, err := newEncoder(channels, bitrate)
	if err != nil {
		t.Fatal(err)
	}
	var packets [][]byte
	buf := make([]byte, maxPacketBytes)
	step := frameSamples * channels
	start := threadCPU()
	for off := 0; off+step <= len(pcm); off += step {
		n, err := enc.encode(pcm[off:off+step], buf)
		if err != nil {
			t.Fatal(err)
		}
		packets = append(packets, bytes.Clone(buf[:n]))
	}
	return packets, (threadCPU() - start) / time.Duration(len(packets))
}

// decodeGo decodes packets with go-opus; a nil packet is concealed, from the
// next packet's FEC when useFEC is set.
func decodeGo(t *testing.T, packets [][]byte, channels int, useFEC bool) ([]float32, time.Duration) {
	dec, err := newDecoder(channels)
	if err != nil {
		t.Fatal(err)
	}
	var out []float32
	start := threadCPU()
	for i, p := range packets {
		if p == nil {
			var next []byte
			if useFEC && i+1 < len(packets) {
				next = packets[i+1]
			}
			out, err = dec.conceal(next, frameSamples, out)
		} else {
			out, err = dec.decode(p, out)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return out, (threadCPU() - start) / time.Duration(len(packets))
}

func runTool(t *testing.T, name string, args ...string) {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// decodeOpusdec decodes packets with libopus' opusdec.
func decodeOpusdec(t *testing.T, dir string, packets [][]byte, channels int) []float32 {
	var ogg bytes.Buffer
	samples := make([]int, len(packets))
	for i, p := range packets {
		n, err := packetSamples(p)
		if err != nil {
			t.Fatal(err)
		}
		samples[i] = n
	}
	if err := writeOggOpus(&ogg, channels, 312, packets, samples); err != nil {
		t.Fatal(err)
	}
	in, out := filepath.Join(dir, "in.opus"), filepath.Join(dir, "out.f32")
	if err := os.WriteFile(in, ogg.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	runTool(t, "opusdec", "--quiet", "--rate", "48000", "--float", "--no-dither", in, out)
	return readFloats(t, out)
}

func readFloats(t *testing.T, path string) []float32 {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float32, len(raw)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return out
}

// encodeOpusenc codes pcm with libopus' opusenc and returns its packets.
func encodeOpusenc(t *testing.T, dir string, pcm []float32, channels, bitrate int, extra ...string) [][]byte {
	raw := make([]byte, 2*len(pcm))
	s := make([]int16, len(pcm))
	floatToInt16(s, pcm)
	for i, v := range s {
		binary.LittleEndian.PutUint16(raw[2*i:], uint16(v))
	}
	in, out := filepath.Join(dir, "in.raw"), filepath.Join(dir, "ref.opus")
	if err := os.WriteFile(in, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--quiet", "--raw", "--raw-rate", "48000", "--raw-chan", fmt.Sprint(channels),
		"--bitrate", fmt.Sprintf("%.3f", float64(bitrate)/1000), "--framesize", "20", "--cvbr"}, extra...)
	runTool(t, "opusenc", append(args, in, out)...)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	packets, _, err := readOggOpus(data)
	if err != nil {
		t.Fatal(err)
	}
	return packets
}

// alignedSNR finds the delay (0..maxLag samples per channel) that best lines
// out up with ref and returns the SNR in dB at that delay, skipping the first
// 100 ms.
func alignedSNR(ref, out []float32, channels int) (snr float64, lag int) {
	const maxLag = 1200
	skip := ClockRate / 10 * channels
	best := math.Inf(-1)
	for l := 0; l <= maxLag; l++ {
		var dot float64
		n := min(len(ref), len(out)-l*channels)
		for i := skip; i < n; i += 7 { // decimated: enough to find the peak
			dot += float64(ref[i]) * float64(out[i+l*channels])
		}
		if dot > best {
			best, lag = dot, l
		}
	}
	var sig, noise float64
	n := min(len(ref), len(out)-lag*channels)
	for i := skip; i < n; i++ {
		d := float64(ref[i]) - float64(out[i+lag*channels])
		sig += float64(ref[i]) * float64(ref[i])
		noise += d * d
	}
	return 10 * math.Log10(sig/noise), lag
}

// framesSNR is the SNR of out against ref over the listed 20 ms frames only.
func framesSNR(ref, out []float32, channels int, frames []int) float64 {
	var sig, noise float64
	for _, f := range frames {
		for i := f * frameSamples * channels; i < (f+1)*frameSamples*channels && i < len(ref) && i < len(out); i++ {
			d := float64(ref[i]) - float64(out[i])
			sig += float64(ref[i]) * float64(ref[i])
			noise += d * d
		}
	}
	return 10 * math.Log10(sig/noise)
}

// lostFramesSpectrum compares out with ref over the listed 20 ms frames of a
// mono signal: the log-spectral distance below 8 kHz (magnitudes floored at
// -80 dBFS) and the energy of out relative to ref, both in dB.
func lostFramesSpectrum(ref, out []float32, frames []int) (lsd, energy float64) {
	var sumSq float64
	var bins int
	var eRef, eOut float64
	spectrum := func(x []float32) []float64 {
		buf := make([]complex128, 1024)
		for i, v := range x {
			w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(len(x)-1))
			buf[i] = complex(float64(v)*w, 0)
		}
		fft(buf)
		mags := make([]float64, 1024*8000/ClockRate)
		for k := range mags {
			m := math.Hypot(real(buf[k]), imag(buf[k])) / 256
			mags[k] = 20 * math.Log10(max(m, 1e-4))
		}
		return mags
	}
	for _, f := range frames {
		a, b := ref[f*frameSamples:(f+1)*frameSamples], out[f*frameSamples:(f+1)*frameSamples]
		sa, sb := spectrum(a), spectrum(b)
		for k := range sa {
			sumSq += (sa[k] - sb[k]) * (sa[k] - sb[k])
			bins++
		}
		eRef += rmsOf(a) * rmsOf(a)
		eOut += rmsOf(b) * rmsOf(b)
	}
	return math.Sqrt(sumSq / float64(bins)), 10 * math.Log10(eOut/eRef)
}

// zeroFrames returns pcm with the listed frames silenced.
func zeroFrames(pcm []float32, frames []int) []float32 {
	out := append([]float32(nil), pcm...)
	for _, f := range frames {
		clear(out[f*frameSamples : (f+1)*frameSamples])
	}
	return out
}

// drop replaces about percent % of packets (never the first two) by nil.
func drop(packets [][]byte, percent float64, seed uint64) ([][]byte, []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([][]byte, len(packets))
	copy(out, packets)
	var lost []int
	for i := 2; i < len(out)-1; i++ {
		if rng.Float64()*100 < percent {
			out[i] = nil
			lost = append(lost, i)
		}
	}
	return out, lost
}

func modes(packets [][]byte) string {
	count := map[opus.Mode]int{}
	for _, p := range packets {
		m, _, _, _ := opus.ParseTOC(p[0])
		count[m]++
	}
	return fmt.Sprintf("SILK %d, hybrid %d, CELT %d", count[opus.ModeSILKOnly], count[opus.ModeHybrid], count[opus.ModeCELTOnly])
}

func TestCodecEvaluation(t *testing.T) {
	for _, tool := range []string{"opusenc", "opusdec"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found: apt-get install opus-tools", tool)
		}
	}
	defer lockThread()()
	dir := t.TempDir()
	frameMicros := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 }

	fmt.Println("\n## CPU and quality, go-opus encode + decode, 20 ms frames")
	fmt.Println("| channels | kbit/s | signal | enc µs/frame | dec µs/frame | ×real time | SNR go | SNR opusdec(go) | go vs opusdec | SNR libopus | f0 go | f0 opusdec |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, ch := range []int{1, 2} {
		for _, kbps := range []int{24, 32, 48, 64} {
			for _, sig := range evalSignals(ch) {
				packets, encCPU := encodeGo(t, sig.pcm, ch, kbps*1000)
				dec, decCPU := decodeGo(t, packets, ch, false)
				ref := decodeOpusdec(t, dir, packets, ch)
				snrGo, lagGo := alignedSNR(sig.pcm, dec, ch)
				snrRef, _ := alignedSNR(sig.pcm, ref, ch)
				agree, _ := alignedSNR(dec[lagGo*ch:], ref, ch)
				lib := decodeOpusdec(t, dir, encodeOpusenc(t, dir, sig.pcm, ch, kbps*1000), ch)
				snrLib, _ := alignedSNR(sig.pcm, lib, ch)
				f0, f0ref := "", ""
				if sig.freq != 0 {
					f0 = fmt.Sprintf("%.1f", dominantFrequency(channel2(dec, ch, 0)[ClockRate/10:], ClockRate))
					f0ref = fmt.Sprintf("%.1f", dominantFrequency(channel2(ref, ch, 0)[ClockRate/10:], ClockRate))
				}
				ratio := float64(encCPU+decCPU) / float64(FrameDuration)
				fmt.Printf("| %d | %d | %s | %.0f | %.0f | %.4f | %.1f dB | %.1f dB | %.1f dB | %.1f dB | %s | %s |\n",
					ch, kbps, sig.name, frameMicros(encCPU), frameMicros(decCPU), ratio, snrGo, snrRef, agree, snrLib, f0, f0ref)
			}
		}
	}

	fmt.Println("\n## Loss concealment, 5 % random loss, go-opus CELT at 32 kbit/s mono")
	fmt.Println("| signal | lost frames: SNR vs lossless decode | lost frames: spectral distance (silence instead) | lost frames: energy | whole: SNR vs input, lossless / lossy | f0 lossy |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, sig := range evalSignals(1) {
		packets, _ := encodeGo(t, sig.pcm, 1, 32000)
		clean, _ := decodeGo(t, packets, 1, false)
		lossy, lost := drop(packets, 5, 7)
		concealed, _ := decodeGo(t, lossy, 1, false)
		snrClean, _ := alignedSNR(sig.pcm, clean, 1)
		snrLossy, _ := alignedSNR(sig.pcm, concealed, 1)
		f0 := ""
		if sig.freq != 0 {
			f0 = fmt.Sprintf("%.1f", dominantFrequency(concealed[ClockRate/10:], ClockRate))
		}
		lsd, energy := lostFramesSpectrum(clean, concealed, lost)
		lsdZero, _ := lostFramesSpectrum(clean, zeroFrames(clean, lost), lost)
		fmt.Printf("| %s | %.1f dB (%d lost) | %.1f dB (%.1f dB) | %+.1f dB | %.1f / %.1f dB | %s |\n", sig.name,
			framesSNR(clean, concealed, 1, lost), len(lost), lsd, lsdZero, energy, snrClean, snrLossy, f0)
	}

	fmt.Println("\n## libopus SILK/hybrid with in-band FEC, decoded by go-opus (mono voice-like, 10 % loss)")
	fmt.Println("| kbit/s | modes | go vs opusdec (lossless) | lost frames: PLC | lost frames: FEC |")
	fmt.Println("|---|---|---|---|---|")
	voice := evalSignals(1)[1].pcm
	for _, kbps := range []int{12, 16, 24} {
		packets := encodeOpusenc(t, dir, voice, 1, kbps*1000, "--speech", "--expect-loss", "10", "--set-ctl-int", "4012=1")
		clean, _ := decodeGo(t, packets, 1, false)
		ref := decodeOpusdec(t, dir, packets, 1)
		agree, _ := alignedSNR(clean[312:], ref, 1)
		lossy, lost := drop(packets, 10, 11)
		plc, _ := decodeGo(t, lossy, 1, false)
		fec, _ := decodeGo(t, lossy, 1, true)
		fmt.Printf("| %d | %s | %.1f dB | %.1f dB | %.1f dB |\n", kbps, modes(packets), agree,
			framesSNR(clean, plc, 1, lost), framesSNR(clean, fec, 1, lost))
	}

	fmt.Println("\n## Encoder features")
	_, err := opus.NewEncoder(opus.EncoderConfig{SampleRate: ClockRate, Channels: 1, DTX: true})
	fmt.Printf("DTX: NewEncoder returns %v (ErrUnsupported: %v)\n", err, errors.Is(err, opus.ErrUnsupported))
	packets, _ := encodeGo(t, evalSignals(1)[1].pcm, 1, 24000)
	fmt.Printf("go-opus packets at 24 kbit/s mono voice: %s\n", modes(packets))
}

// channel2 returns channel c of pcm with the given channel count.
func channel2(pcm []float32, channels, c int) []float32 {
	if channels == 1 {
		return pcm
	}
	return channel(pcm, c)
}
