package audio

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// maxReceivedPayload bounds what one jitter-buffer slot keeps: an Opus
// payload larger than a UDP datagram on any real path is not voice.
const maxReceivedPayload = 1500

// Receiver decodes a remote Opus RTP stream into PCM frames at the mix rate.
// WriteRTP may be called from any goroutine (pion's track reader); decoding
// runs on the Receiver's own goroutine; ReadFrames and Available are for the
// game's thread.
type Receiver struct {
	cfg  Config
	now  func() time.Time
	wake chan struct{}
	stop chan struct{}
	done chan struct{}

	mu      sync.Mutex // guards jb, arrival and closed
	jb      *jitterBuffer
	arrival arrivalJitter
	closed  bool

	outMu sync.Mutex
	out   *ring // stereo frames at the mix rate

	packets, bytes, invalid, decodeErrors, outputDropped atomic.Uint64
}

// NewReceiver validates cfg and starts the decoding goroutine, which runs
// until Close. cfg.Channels is the channel count decoded; packets coded with
// the other count decode too (Opus converts).
func NewReceiver(cfg Config) (*Receiver, error) {
	return newReceiver(cfg, time.Now)
}

func newReceiver(cfg Config, now func() time.Time) (*Receiver, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	dec, err := newDecoder(cfg.Channels)
	if err != nil {
		return nil, err
	}
	r := &Receiver{
		cfg:  cfg,
		now:  now,
		wake: make(chan struct{}, 1),
		stop: make(chan struct{}),
		done: make(chan struct{}),
		jb:   newJitterBuffer(cfg.JitterDelay),
		out:  newRing(2 * int(MaxOutputBuffered.Seconds()*float64(cfg.MixRate))),
	}
	go r.run(dec, newResampler(ClockRate, cfg.MixRate, cfg.Channels))
	return r, nil
}

// WriteRTP hands the Receiver one RTP packet's sequence number, timestamp and
// Opus payload, which it copies. Malformed payloads are counted and dropped.
func (r *Receiver) WriteRTP(seq uint16, timestamp uint32, payload []byte) {
	samples, err := packetSamples(payload)
	if err != nil || len(payload) > maxReceivedPayload {
		r.invalid.Add(1)
		return
	}
	now := r.now()
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.arrival.update(timestamp, now)
	r.jb.insert(seq, payload, samples, now)
	r.mu.Unlock()
	r.packets.Add(1)
	r.bytes.Add(uint64(len(payload)))
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Available returns how many stereo frames ReadFrames can return now.
func (r *Receiver) Available() int {
	r.outMu.Lock()
	defer r.outMu.Unlock()
	return r.out.len() / 2
}

// ReadFrames moves up to len(dst)/2 decoded stereo frames into dst and
// returns how many frames it moved.
func (r *Receiver) ReadFrames(dst []float32) int {
	r.outMu.Lock()
	defer r.outMu.Unlock()
	return r.out.read(dst[:len(dst)&^1]) / 2
}

// Frames returns up to max decoded stereo frames, interleaved.
func (r *Receiver) Frames(max int) []float32 {
	if max <= 0 {
		return nil
	}
	buf := make([]float32, 2*min(max, r.Available()))
	return buf[:2*r.ReadFrames(buf)]
}

// Close stops the goroutine and waits for it; WriteRTP is ignored after.
func (r *Receiver) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	r.mu.Unlock()
	close(r.stop)
	select {
	case <-r.done:
		return nil
	case <-time.After(closeTimeout):
		return errors.New("audio: receiver goroutine did not stop")
	}
}

func (r *Receiver) run(dec *decoder, rs *resampler) {
	defer close(r.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	var payload []byte
	var pcm, resampled, stereo []float32
	for {
		r.mu.Lock()
		p, ok := r.jb.pop(r.now())
		if ok {
			payload = append(payload[:0], p.payload...)
			p.payload = payload
			if p.kind == concealFrame && len(payload) == 0 {
				p.payload = nil
			}
		}
		due, pending := r.jb.nextDue()
		r.mu.Unlock()
		if ok {
			pcm = r.decode(dec, p, pcm[:0])
			if len(pcm) > 0 {
				resampled = rs.process(pcm, resampled[:0])
				r.output(toStereo(resampled, r.cfg.Channels, &stereo))
			}
			continue
		}
		if pending {
			timer.Reset(max(due.Sub(r.now()), time.Millisecond))
		}
		select {
		case <-r.stop:
			return
		case <-r.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// decode turns one playout decision into 48 kHz PCM appended to pcm; a
// packet that fails to decode is concealed instead. A dropped frame is
// decoded for the decoder's state and yields nothing.
func (r *Receiver) decode(dec *decoder, p playout, pcm []float32) []float32 {
	var err error
	if p.kind == concealFrame {
		pcm, err = dec.conceal(p.payload, p.samples, pcm)
	} else {
		pcm, err = dec.decode(p.payload, pcm)
		if err != nil {
			r.decodeErrors.Add(1)
			pcm, err = dec.conceal(nil, p.samples, pcm[:0])
		}
	}
	if err != nil {
		r.decodeErrors.Add(1)
		return pcm[:0]
	}
	if p.kind == dropFrame {
		return pcm[:0]
	}
	return pcm
}

// output appends stereo frames to the output ring, dropping the oldest if a
// reader is not keeping up.
func (r *Receiver) output(frames []float32) {
	r.outMu.Lock()
	dropped := r.out.write(frames)
	r.outMu.Unlock()
	if dropped > 0 {
		r.outputDropped.Add(uint64(dropped / 2))
	}
}

// toStereo returns pcm as stereo pairs, duplicating mono into *buf.
func toStereo(pcm []float32, channels int, buf *[]float32) []float32 {
	if channels == 2 {
		return pcm
	}
	out := (*buf)[:0]
	for _, v := range pcm {
		out = append(out, v, v)
	}
	*buf = out
	return out
}
