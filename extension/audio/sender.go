package audio

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Packet is one encoded Opus frame with the RTP header fields it goes out
// with (RFC 7587: one frame per packet, timestamps in 48 kHz samples).
type Packet struct {
	SequenceNumber uint16
	Timestamp      uint32
	// Marker is set on the first packet of a talkspurt: the first packet of
	// the stream and the first after a pause in the input or DTX (RFC 3551).
	Marker bool
	// Payload is the Opus packet. It is valid only during WritePacket.
	Payload []byte
	// Duration is the audio the packet carries.
	Duration time.Duration
}

// PacketSink receives a Sender's packets on the Sender's goroutine, in order.
// WritePacket should not block for long: while it runs, nothing is encoded.
type PacketSink interface {
	WritePacket(Packet) error
}

const (
	// idleFlush is how long the input may stall before the last partial
	// frame is padded with silence and sent. A game pushes every frame, so
	// a longer stall means the talker stopped (push-to-talk released); the
	// next packet then starts a talkspurt whose timestamp accounts for the
	// pause, as receivers' jitter estimates expect.
	idleFlush = 120 * time.Millisecond
	// dtxThreshold is the RMS level under which a frame counts as silence
	// for DTX: -60 dBFS.
	dtxThreshold = 0.001
	// dtxHangover is how many silent frames are still sent before DTX stops
	// sending, so word endings and short pauses are not clipped.
	dtxHangover = 10
	// closeTimeout bounds how long Close waits for the goroutine, which can
	// be held up only by a sink that blocks.
	closeTimeout = 2 * time.Second
)

// Sender encodes pushed PCM into Opus packets on its own goroutine.
type Sender struct {
	cfg  Config
	sink PacketSink
	now  func() time.Time

	mu       sync.Mutex
	queue    *ring         // stereo frames pushed, not yet taken by the goroutine
	ahead    time.Duration // audio accepted ahead of real time
	lastPush time.Time
	closed   bool

	wake chan struct{}
	stop chan struct{}
	done chan struct{}

	sent, bytes, skipped, busy, sinkErrors, encodeErrors atomic.Uint64
}

// NewSender validates cfg and starts the encoding goroutine, which runs until
// Close.
func NewSender(cfg Config, sink PacketSink) (*Sender, error) {
	return newSender(cfg, sink, time.Now)
}

func newSender(cfg Config, sink PacketSink, now func() time.Time) (*Sender, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if sink == nil {
		return nil, fmt.Errorf("%w: nil packet sink", ErrInvalidConfig)
	}
	enc, err := newEncoder(cfg.Channels, cfg.Bitrate)
	if err != nil {
		return nil, err
	}
	queueFrames := int((MaxPushAhead + 100*time.Millisecond).Seconds() * float64(cfg.MixRate))
	s := &Sender{
		cfg:   cfg,
		sink:  sink,
		now:   now,
		queue: newRing(2 * queueFrames),
		wake:  make(chan struct{}, 1),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	go s.run(enc, newResampler(cfg.MixRate, ClockRate, cfg.Channels))
	return s, nil
}

// Push queues stereo-interleaved frames at the mix rate for encoding. It never
// blocks on the encoder: it returns ErrBusy, queueing nothing, when the audio
// accepted so far would run more than MaxPushAhead ahead of real time (or
// the encoder has fallen that far behind).
func (s *Sender) Push(frames []float32) error {
	if len(frames)%2 != 0 {
		return ErrInvalidFrames
	}
	if len(frames) == 0 {
		return nil
	}
	d := time.Duration(len(frames)/2) * time.Second / time.Duration(s.cfg.MixRate)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	now := s.now()
	if !s.lastPush.IsZero() {
		s.ahead = max(0, s.ahead-now.Sub(s.lastPush))
	}
	s.lastPush = now
	if s.ahead+d > MaxPushAhead || len(frames) > s.queue.free() {
		s.mu.Unlock()
		s.busy.Add(1)
		return ErrBusy
	}
	s.ahead += d
	s.queue.write(frames)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

// Close stops the goroutine and waits for it. Push returns ErrClosed after.
func (s *Sender) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	close(s.stop)
	select {
	case <-s.done:
		return nil
	case <-time.After(closeTimeout):
		return errors.New("audio: sender goroutine still blocked in its packet sink")
	}
}

// SenderStats counts what a Sender did.
type SenderStats struct {
	Codec       string
	PacketsSent uint64
	BytesSent   uint64
	// FramesSkipped counts the silent frames DTX did not send.
	FramesSkipped uint64
	// PushBusy counts the Push calls refused with ErrBusy.
	PushBusy     uint64
	SinkErrors   uint64
	EncodeErrors uint64
}

// Stats returns the counters so far; safe from any goroutine.
func (s *Sender) Stats() SenderStats {
	return SenderStats{
		Codec:         s.cfg.codecName(),
		PacketsSent:   s.sent.Load(),
		BytesSent:     s.bytes.Load(),
		FramesSkipped: s.skipped.Load(),
		PushBusy:      s.busy.Load(),
		SinkErrors:    s.sinkErrors.Load(),
		EncodeErrors:  s.encodeErrors.Load(),
	}
}

// senderState is what the goroutine alone touches.
type senderState struct {
	enc       *encoder
	rs        *resampler
	pending   []float32 // 48 kHz samples not yet a whole frame, interleaved
	packet    []byte
	seq       uint16
	ts        uint32
	started   bool
	talkStart bool      // the next packet sent starts a talkspurt
	paused    bool      // the input stalled; the next frame's timestamp jumps
	lastFrame time.Time // when the previous frame was coded or skipped
	silent    int       // consecutive silent frames, for DTX
}

func (s *Sender) run(enc *encoder, rs *resampler) {
	defer close(s.done)
	st := &senderState{
		enc:       enc,
		rs:        rs,
		packet:    make([]byte, maxPacketBytes),
		seq:       uint16(rand.Uint32()),
		ts:        rand.Uint32(),
		talkStart: true,
	}
	in := make([]float32, len(s.queue.buf))
	var mono []float32
	flush := time.NewTimer(idleFlush)
	flush.Stop()
	for {
		select {
		case <-s.stop:
			flush.Stop()
			return
		case <-flush.C:
			s.flushPartial(st)
			continue
		case <-s.wake:
		}
		s.mu.Lock()
		n := s.queue.read(in)
		s.mu.Unlock()
		samples := in[:n]
		if s.cfg.Channels == 1 {
			mono = mono[:0]
			for i := 0; i+1 < len(samples); i += 2 {
				mono = append(mono, (samples[i]+samples[i+1])/2)
			}
			samples = mono
		}
		st.pending = st.rs.process(samples, st.pending)
		s.codeWholeFrames(st)
		flush.Reset(idleFlush)
	}
}

// flushPartial runs when the input stalled: it pushes the resampler's
// look-ahead out with silence, pads the partial frame with silence and sends
// it, and makes the next frame start a new talkspurt.
func (s *Sender) flushPartial(st *senderState) {
	st.pending = st.rs.process(make([]float32, st.rs.half*s.cfg.Channels), st.pending)
	if step := frameSamples * s.cfg.Channels; len(st.pending)%step != 0 {
		st.pending = append(st.pending, make([]float32, step-len(st.pending)%step)...)
	}
	s.codeWholeFrames(st)
	st.paused = true
}

func (s *Sender) codeWholeFrames(st *senderState) {
	step := frameSamples * s.cfg.Channels
	consumed := 0
	for ; consumed+step <= len(st.pending); consumed += step {
		s.codeFrame(st, st.pending[consumed:consumed+step])
	}
	st.pending = st.pending[:copy(st.pending, st.pending[consumed:])]
}

// codeFrame advances the RTP timestamp to frame, then encodes and sends it,
// or skips it during DTX silence.
func (s *Sender) codeFrame(st *senderState, frame []float32) {
	now := s.now()
	switch {
	case !st.started:
		st.started = true
	case st.paused:
		// Count the pause in the timestamp: receivers compare timestamps with
		// arrival times, and a pause is not jitter.
		frames := max(1, int((now.Sub(st.lastFrame)+FrameDuration/2)/FrameDuration))
		st.ts += uint32(frames * frameSamples)
		st.paused, st.talkStart = false, true
	default:
		st.ts += frameSamples
	}
	st.lastFrame = now
	if s.cfg.DTX {
		if rmsOf32(frame) < dtxThreshold {
			st.silent++
		} else {
			st.silent = 0
		}
		if st.silent > dtxHangover {
			s.skipped.Add(1)
			st.talkStart = true
			return
		}
	}
	n, err := st.enc.encode(frame, st.packet)
	if err != nil {
		s.encodeErrors.Add(1)
		return
	}
	p := Packet{
		SequenceNumber: st.seq,
		Timestamp:      st.ts,
		Marker:         st.talkStart,
		Payload:        st.packet[:n],
		Duration:       FrameDuration,
	}
	st.seq++
	st.talkStart = false
	if err := s.sink.WritePacket(p); err != nil {
		s.sinkErrors.Add(1)
		return
	}
	s.sent.Add(1)
	s.bytes.Add(uint64(n))
}

func rmsOf32(x []float32) float64 {
	var sum float64
	for _, v := range x {
		sum += float64(v) * float64(v)
	}
	return math.Sqrt(sum / float64(len(x)))
}
