package audio

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkStream measures the CPU one stream costs: one op is one second of
// audio pushed at the mix rate, resampled, encoded, decoded and resampled
// back, as a Sender and a Receiver do it, without their goroutines. The
// cpu/realtime metric is the thread's CPU time (not wall time, which other
// work on the machine inflates) as a fraction of the audio's duration: 0.01
// means 1 % of one core per stream.
func BenchmarkStream(b *testing.B) {
	for _, channels := range []int{2, 1} {
		for _, mixRate := range []int{48000, 44100} {
			b.Run(fmt.Sprintf("channels=%d/mix=%d", channels, mixRate), func(b *testing.B) {
				benchmarkStream(b, channels, mixRate)
			})
		}
	}
}

func benchmarkStream(b *testing.B, channels, mixRate int) {
	enc, err := newEncoder(channels, DefaultBitrate(channels))
	if err != nil {
		b.Fatal(err)
	}
	dec, err := newDecoder(channels)
	if err != nil {
		b.Fatal(err)
	}
	up := newResampler(mixRate, ClockRate, channels)
	down := newResampler(ClockRate, mixRate, channels)
	second := tone(mixRate, mixRate, 440, 660, 0.5)
	if channels == 1 {
		second = channel(second, 0)
	}
	chunk := channels * mixRate / 50
	var pending, pcm, out []float32
	packet := make([]byte, maxPacketBytes)
	step := frameSamples * channels
	defer lockThread()()
	b.ResetTimer()
	start := threadCPU()
	for range b.N {
		for off := 0; off < len(second); off += chunk {
			pending = up.process(second[off:min(off+chunk, len(second))], pending)
			consumed := 0
			for ; consumed+step <= len(pending); consumed += step {
				n, err := enc.encode(pending[consumed:consumed+step], packet)
				if err != nil {
					b.Fatal(err)
				}
				if pcm, err = dec.decode(packet[:n], pcm[:0]); err != nil {
					b.Fatal(err)
				}
				out = down.process(pcm, out[:0])
			}
			pending = pending[:copy(pending, pending[consumed:])]
		}
	}
	reportRealtime(b, threadCPU()-start)
}

// BenchmarkResampler is the share of the resamplers in BenchmarkStream: one
// op is one second of stereo audio converted each way.
func BenchmarkResampler(b *testing.B) {
	up := newResampler(44100, ClockRate, 2)
	down := newResampler(ClockRate, 44100, 2)
	in := tone(44100, 44100, 440, 660, 0.5)
	var mid, out []float32
	defer lockThread()()
	b.ResetTimer()
	start := threadCPU()
	for range b.N {
		mid = up.process(in, mid[:0])
		out = down.process(mid, out[:0])
	}
	reportRealtime(b, threadCPU()-start)
}

// reportRealtime reports cpu, spent on b.N seconds of audio, as a fraction
// of real time.
func reportRealtime(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64(cpu)/float64(b.N)/float64(time.Second), "cpu/realtime")
}
