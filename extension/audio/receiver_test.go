package audio

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestReceiverInventsNoAudioWithoutPackets(t *testing.T) {
	rx, err := NewReceiver(Config{MixRate: 44100})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOrFail(t, rx)
	time.Sleep(200 * time.Millisecond)
	if n := rx.Available(); n != 0 {
		t.Fatalf("%d frames available with no packet received", n)
	}
	rx.WriteRTP(1, 0, []byte{0xff, 0xff, 0xff}) // not a valid Opus packet
	if st := rx.Stats(); st.PacketsInvalid != 1 || st.PacketsReceived != 0 {
		t.Fatalf("invalid packet: %+v", st)
	}
}

func TestReceiverOutputIsBoundedWhenNobodyReads(t *testing.T) {
	rx, err := NewReceiver(Config{MixRate: 48000})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOrFail(t, rx)
	enc, err := newEncoder(1, 32000)
	if err != nil {
		t.Fatal(err)
	}
	frame := channel(tone(48000, frameSamples, 440, 440, 0.5), 0)
	packet := make([]byte, maxPacketBytes)
	limit := int(MaxOutputBuffered.Seconds() * 48000)
	start := time.Now()
	// Twice as much audio as the output keeps, at real time.
	for i := range int(2 * MaxOutputBuffered / FrameDuration) {
		n, err := enc.encode(frame, packet)
		if err != nil {
			t.Fatal(err)
		}
		rx.WriteRTP(uint16(i), uint32(i*frameSamples), packet[:n])
		if a := rx.Available(); a > limit {
			t.Fatalf("%d frames buffered, limit %d", a, limit)
		}
		time.Sleep(time.Until(start.Add(time.Duration(i+1) * FrameDuration)))
	}
	time.Sleep(2 * DefaultJitterDelay)
	if a := rx.Available(); a > limit || a < limit/2 {
		t.Fatalf("%d frames buffered, want close to the limit %d", a, limit)
	}
	if rx.Stats().OutputOverflow == 0 {
		t.Fatal("no overflow counted")
	}
}

func TestReceiverSurvivesHostilePackets(t *testing.T) {
	rx, err := NewReceiver(Config{MixRate: 44100, Channels: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOrFail(t, rx)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 3000 {
		payload := make([]byte, rng.IntN(2000))
		for i := range payload {
			payload[i] = byte(rng.Uint32())
		}
		rx.WriteRTP(uint16(rng.Uint32()), rng.Uint32(), payload)
		rx.Frames(rng.IntN(100) - 10)
	}
	time.Sleep(100 * time.Millisecond)
	st := rx.Stats()
	if st.PacketsInvalid == 0 || st.PacketsReceived == 0 {
		t.Fatalf("random payloads: %+v", st)
	}
	if rx.Frames(-1) != nil || rx.ReadFrames(make([]float32, 1)) != 0 {
		t.Fatal("a negative or sub-frame read returned audio")
	}
}
