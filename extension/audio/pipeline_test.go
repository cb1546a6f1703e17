package audio

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// impairedLink is a PacketSink that delivers to a Receiver through a
// simulated network: random loss, a random delay per packet (which reorders
// packets sent closer together than the delay's spread) and duplicates.
type impairedLink struct {
	rx        *Receiver
	loss      float64
	duplicate float64
	minDelay  time.Duration
	spread    time.Duration

	mu       sync.Mutex
	rng      *rand.Rand
	inFlight sync.WaitGroup
	sent     int
	dropped  int
}

func (l *impairedLink) WritePacket(p Packet) error {
	l.mu.Lock()
	l.sent++
	if l.rng.Float64() < l.loss {
		l.dropped++
		l.mu.Unlock()
		return nil
	}
	copies := 1
	if l.rng.Float64() < l.duplicate {
		copies = 2
	}
	delays := make([]time.Duration, copies)
	for i := range delays {
		delays[i] = l.minDelay + time.Duration(l.rng.Int64N(int64(l.spread)))
	}
	l.mu.Unlock()
	payload := bytes.Clone(p.Payload)
	for _, d := range delays {
		l.inFlight.Add(1)
		time.AfterFunc(d, func() {
			defer l.inFlight.Done()
			l.rx.WriteRTP(p.SequenceNumber, p.Timestamp, payload)
		})
	}
	return nil
}

// stream pushes seconds of a stereo tone (left freqL, right freqR) into tx in
// 10 ms chunks at real time, reads rx alongside as a game would, and returns
// everything read once the whole stream went through. It checks behaviour,
// not speed: on a machine too loaded to keep up, a busy push is retried, and
// the end waits for the last packet to play.
func stream(t *testing.T, tx *Sender, rx *Receiver, link *impairedLink, mixRate int, seconds, freqL, freqR float64) []float32 {
	t.Helper()
	chunkFrames := mixRate / 100
	total := int(seconds * float64(mixRate))
	signal := tone(mixRate, total, freqL, freqR, 0.5)
	var got []float32
	buf := make([]float32, 2*mixRate)
	read := func() { got = append(got, buf[:2*rx.ReadFrames(buf)]...) }
	start := time.Now()
	deadline := start.Add(time.Duration(seconds*float64(time.Second)) + 20*time.Second)
	for off := 0; off < total; off += chunkFrames {
		chunk := signal[2*off : 2*min(off+chunkFrames, total)]
		for err := tx.Push(chunk); err != nil; err = tx.Push(chunk) {
			if !errors.Is(err, ErrBusy) || time.Now().After(deadline) {
				t.Fatalf("push at %v: %v", time.Since(start), err)
			}
			read()
			time.Sleep(5 * time.Millisecond)
		}
		read()
		// Sleep until this chunk's end in real time, so the pushes keep pace
		// with the clock whatever the machine's load.
		time.Sleep(time.Until(start.Add(time.Duration(off+chunkFrames) * time.Second / time.Duration(mixRate))))
	}
	// Every whole frame, then the idle flush's padded last one; then no
	// more writes, so every packet is in flight or delivered.
	packets := total * ClockRate / mixRate / frameSamples
	for {
		link.mu.Lock()
		sent := link.sent
		link.mu.Unlock()
		if sent >= packets {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d packets sent, want %d", sent, packets)
		}
		read()
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(idleFlush + 100*time.Millisecond)
	closeOrFail(t, tx)
	link.inFlight.Wait()
	for quiet := 0; quiet < 3; {
		quiet++
		if rx.Stats().JitterBufferDepth > 0 || rx.Available() > 0 {
			quiet = 0
		}
		if time.Now().After(deadline) {
			t.Fatalf("receiver still busy: %+v", rx.Stats())
		}
		read()
		time.Sleep(50 * time.Millisecond)
	}
	return got
}

func TestToneCrossesAnImpairedNetwork(t *testing.T) {
	for _, channels := range []int{1, 2} {
		for _, mixRate := range []int{44100, 48000} {
			t.Run(fmt.Sprintf("channels=%d/mix=%d", channels, mixRate), func(t *testing.T) {
				cfg := Config{MixRate: mixRate, Channels: channels}
				rx, err := NewReceiver(cfg)
				if err != nil {
					t.Fatal(err)
				}
				defer closeOrFail(t, rx)
				link := &impairedLink{rx: rx, loss: 0.05, duplicate: 0.02, minDelay: 5 * time.Millisecond,
					spread: 30 * time.Millisecond, rng: rand.New(rand.NewPCG(uint64(channels), uint64(mixRate)))}
				tx, err := NewSender(cfg, link)
				if err != nil {
					t.Fatal(err)
				}
				defer closeOrFail(t, tx)

				// Stereo carries a different tone on each side; mono codes
				// the mean of both sides, so it gets the same tone twice.
				wantR := 660.0
				if channels == 1 {
					wantR = 440
				}
				const seconds = 1.5
				got := stream(t, tx, rx, link, mixRate, seconds, 440, wantR)
				frames := len(got) / 2
				st := rx.Stats()
				t.Logf("read %d frames of %d pushed; link dropped %d of %d; receiver %+v",
					frames, int(seconds*float64(mixRate)), link.dropped, link.sent, st)

				if frames < int(0.8*seconds*float64(mixRate)) {
					t.Fatalf("read %d frames, want at least 80 %% of %v s", frames, seconds)
				}
				if link.dropped == 0 || st.FramesConcealed == 0 {
					t.Errorf("link dropped %d, receiver concealed %d: loss was not exercised", link.dropped, st.FramesConcealed)
				}
				if st.PacketsLost == 0 || st.Jitter <= 0 || st.Codec != fmt.Sprintf("audio/opus/48000/%d", channels) {
					t.Errorf("stats: lost %d jitter %v codec %q", st.PacketsLost, st.Jitter, st.Codec)
				}
				audio := got[2*mixRate/5:] // past the start-up
				for c, want := range []float64{440, wantR} {
					f := dominantFrequency(channel(audio, c), mixRate)
					if math.Abs(f-want) > 10 {
						t.Errorf("channel %d: dominant frequency %.1f Hz, want %v ± 10", c, f, want)
					}
				}
			})
		}
	}
}

// mediaGoroutines counts the goroutines running a Sender's or a Receiver's
// loop.
func mediaGoroutines() (senders, receivers int) {
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	return strings.Count(stacks, "audio.(*Sender).run("), strings.Count(stacks, "audio.(*Receiver).run(")
}

func TestCloseStopsEveryGoroutine(t *testing.T) {
	if s, r := mediaGoroutines(); s+r != 0 {
		t.Fatalf("%d sender and %d receiver goroutines before the test", s, r)
	}
	cfg := Config{MixRate: 44100, Channels: 2}
	rx, err := NewReceiver(cfg)
	if err != nil {
		t.Fatal(err)
	}
	link := &impairedLink{rx: rx, minDelay: time.Millisecond, spread: time.Millisecond, rng: rand.New(rand.NewPCG(1, 2))}
	tx, err := NewSender(cfg, link)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Push(tone(44100, 4410, 440, 440, 0.5)); err != nil {
		t.Fatal(err)
	}
	if s, r := mediaGoroutines(); s != 1 || r != 1 {
		t.Fatalf("%d sender and %d receiver goroutines for one of each", s, r)
	}
	closeOrFail(t, tx)
	link.inFlight.Wait()
	closeOrFail(t, rx)
	if s, r := mediaGoroutines(); s+r != 0 {
		t.Fatalf("%d sender and %d receiver goroutines after Close", s, r)
	}
	if err := tx.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
