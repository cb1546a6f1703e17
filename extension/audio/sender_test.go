package audio

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"
)

// recordingSink keeps every packet and signals each arrival.
type recordingSink struct {
	mu      sync.Mutex
	packets []Packet
	arrived chan struct{}
}

func newRecordingSink() *recordingSink { return &recordingSink{arrived: make(chan struct{}, 1024)} }

func (r *recordingSink) WritePacket(p Packet) error {
	p.Payload = bytes.Clone(p.Payload)
	r.mu.Lock()
	r.packets = append(r.packets, p)
	r.mu.Unlock()
	r.arrived <- struct{}{}
	return nil
}

// wait blocks until n packets have arrived in total, or fails after 5 s.
func (r *recordingSink) wait(t *testing.T, n int) []Packet {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		r.mu.Lock()
		if len(r.packets) >= n {
			out := append([]Packet(nil), r.packets...)
			r.mu.Unlock()
			return out
		}
		r.mu.Unlock()
		select {
		case <-r.arrived:
		case <-deadline:
			t.Fatalf("%d packets after 5 s, want %d", len(r.packets), n)
		}
	}
}

// fakeClock is a clock that moves only when told.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func closeOrFail(t *testing.T, c interface{ Close() error }) {
	t.Helper()
	if err := c.Close(); err != nil {
		t.Error(err)
	}
}

func TestSenderPacketsCarryConsecutiveRTPFields(t *testing.T) {
	sink := newRecordingSink()
	s, err := NewSender(Config{MixRate: 44100, Channels: 2}, sink)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Push(tone(44100, 44100/5, 440, 660, 0.5)); err != nil { // 200 ms
		t.Fatal(err)
	}
	packets := sink.wait(t, 9) // the resampler's look-ahead holds back a little
	if !packets[0].Marker {
		t.Error("first packet has no marker")
	}
	for i, p := range packets {
		if p.Duration != FrameDuration || len(p.Payload) == 0 || len(p.Payload) > maxPacketBytes {
			t.Fatalf("packet %d: duration %v, %d bytes", i, p.Duration, len(p.Payload))
		}
		if i == 0 {
			continue
		}
		if p.SequenceNumber != packets[i-1].SequenceNumber+1 || p.Timestamp != packets[i-1].Timestamp+frameSamples || p.Marker {
			t.Fatalf("packet %d: seq %d ts %d marker %v after seq %d ts %d", i, p.SequenceNumber, p.Timestamp, p.Marker,
				packets[i-1].SequenceNumber, packets[i-1].Timestamp)
		}
	}
	closeOrFail(t, s)
	if st := s.Stats(); st.PacketsSent < 9 || st.Codec != "audio/opus/48000/2" {
		t.Errorf("stats %+v", st)
	}
}

func TestSenderPushBeyondTheLimitIsBusy(t *testing.T) {
	clock := &fakeClock{now: t0}
	s, err := newSender(Config{MixRate: 48000}, newRecordingSink(), clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer closeOrFail(t, s)
	chunk := tone(48000, 4800, 440, 440, 0.5) // 100 ms
	for i := range 4 {
		if err := s.Push(chunk); err != nil {
			t.Fatalf("push %d (%d ms ahead): %v", i, 100*(i+1), err)
		}
	}
	if err := s.Push(chunk); !errors.Is(err, ErrBusy) {
		t.Fatalf("push 500 ms ahead of real time: %v, want ErrBusy", err)
	}
	clock.advance(150 * time.Millisecond)
	if err := s.Push(chunk); err != nil {
		t.Fatalf("push after 150 ms passed: %v", err)
	}
	if got := s.Stats().PushBusy; got != 1 {
		t.Errorf("PushBusy %d, want 1", got)
	}
	if err := s.Push(chunk[:3]); !errors.Is(err, ErrInvalidFrames) {
		t.Errorf("odd-length push: %v", err)
	}
}

// blockingSink blocks every write until released.
type blockingSink struct{ release chan struct{} }

func (b blockingSink) WritePacket(Packet) error { <-b.release; return nil }

func TestSenderPushNeverWaitsForAStuckEncoder(t *testing.T) {
	sink := blockingSink{release: make(chan struct{})}
	clock := &fakeClock{now: t0}
	s, err := newSender(Config{MixRate: 48000}, sink, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	chunk := tone(48000, 960, 440, 440, 0.5)
	busy := false
	for range 100 { // 2 s of audio, pushed in real time by the fake clock
		if err := s.Push(chunk); errors.Is(err, ErrBusy) {
			busy = true
			break
		} else if err != nil {
			t.Fatal(err)
		}
		clock.advance(FrameDuration)
	}
	if !busy {
		t.Error("2 s pushed into a sender whose sink never returns, and never busy")
	}
	close(sink.release)
	closeOrFail(t, s)
	if err := s.Push(chunk); !errors.Is(err, ErrClosed) {
		t.Errorf("push after close: %v", err)
	}
}

func TestSenderDTXStopsInSilenceAndKeepsTime(t *testing.T) {
	sink := newRecordingSink()
	clock := &fakeClock{now: t0}
	s, err := newSender(Config{MixRate: 48000, DTX: true}, sink, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer closeOrFail(t, s)
	speech := tone(48000, 48000/10, 440, 440, 0.5) // 100 ms
	silence := make([]float32, 2*48000*3/10)       // 300 ms
	for _, chunk := range [][]float32{speech, silence, speech} {
		if err := s.Push(chunk); err != nil {
			t.Fatal(err)
		}
		clock.advance(time.Duration(len(chunk)/2) * time.Second / 48000)
	}
	// 25 frames were pushed; DTX holds back the silence after 10 frames.
	packets := sink.wait(t, 24-(15-dtxHangover))
	time.Sleep(50 * time.Millisecond)
	st := s.Stats()
	if st.FramesSkipped != 15-dtxHangover {
		t.Fatalf("skipped %d frames, want %d", st.FramesSkipped, 15-dtxHangover)
	}
	// The first packet after the silence starts a talkspurt, its sequence
	// number follows on and its timestamp counts the frames not sent.
	for i := 1; i < len(packets); i++ {
		dts := packets[i].Timestamp - packets[i-1].Timestamp
		if dts == frameSamples {
			continue
		}
		if dts != uint32(frameSamples*(1+st.FramesSkipped)) || !packets[i].Marker ||
			packets[i].SequenceNumber != packets[i-1].SequenceNumber+1 {
			t.Fatalf("after the gap: ts +%d marker %v seq %d→%d", dts, packets[i].Marker,
				packets[i-1].SequenceNumber, packets[i].SequenceNumber)
		}
		return
	}
	t.Fatal("no timestamp gap in the packets")
}

func TestSenderPauseStartsATalkspurtWithTheTimestampOfTheClock(t *testing.T) {
	sink := newRecordingSink()
	s, err := NewSender(Config{MixRate: 48000}, sink)
	if err != nil {
		t.Fatal(err)
	}
	defer closeOrFail(t, s)
	chunk := tone(48000, 48000/10+480, 440, 440, 0.5) // 110 ms: a partial frame left over
	if err := s.Push(chunk); err != nil {
		t.Fatal(err)
	}
	first := sink.wait(t, 6) // five whole frames, then the padded partial one
	time.Sleep(400 * time.Millisecond)
	if err := s.Push(chunk); err != nil {
		t.Fatal(err)
	}
	packets := sink.wait(t, len(first)+1)
	last, resumed := packets[len(first)-1], packets[len(first)]
	gap := time.Duration(resumed.Timestamp-last.Timestamp) * time.Second / ClockRate
	if !resumed.Marker || gap < 300*time.Millisecond {
		t.Fatalf("after a 400 ms pause: marker %v, timestamp +%v", resumed.Marker, gap)
	}
}

func TestConfigValidation(t *testing.T) {
	for _, c := range []Config{
		{MixRate: 0},
		{MixRate: 44100, Channels: 3},
		{MixRate: 44100, Bitrate: 1000},
		{MixRate: 44100, Bitrate: 1_000_000},
		{MixRate: 1_000_000},
		{MixRate: 44100, JitterDelay: -time.Millisecond},
		{MixRate: 44100, JitterDelay: time.Second},
	} {
		if _, err := c.withDefaults(); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%+v: %v, want ErrInvalidConfig", c, err)
		}
	}
	c, err := Config{MixRate: 44100, JitterDelay: 30 * time.Millisecond}.withDefaults()
	if err != nil || c.Channels != 1 || c.Bitrate != DefaultBitrate(1) || c.JitterDelay != 40*time.Millisecond {
		t.Errorf("defaults: %+v %v", c, err)
	}
	if _, err := NewSender(Config{MixRate: 44100}, nil); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("nil sink: %v", err)
	}
}
