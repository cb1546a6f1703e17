package audio

import (
	"fmt"
	"time"
)

// arrivalJitter is the RFC 3550 (section 6.4.1) interarrival jitter: the
// mean deviation of the difference in packet spacing at the receiver
// compared to the sender, in RTP timestamp units, smoothed by 1/16.
type arrivalJitter struct {
	have        bool
	lastTransit int64
	jitter      float64
	epoch       time.Time
}

func (a *arrivalJitter) update(timestamp uint32, now time.Time) {
	if a.epoch.IsZero() {
		a.epoch = now
	}
	arrival := now.Sub(a.epoch).Nanoseconds() * ClockRate / int64(time.Second)
	transit := arrival - int64(timestamp)
	if a.have {
		// Timestamps wrap at 32 bits: take the difference modulo 2^32.
		d := float64(int32(uint32(transit - a.lastTransit)))
		if d < 0 {
			d = -d
		}
		a.jitter += (d - a.jitter) / 16
	}
	a.have, a.lastTransit = true, transit
}

func (a *arrivalJitter) duration() time.Duration {
	return time.Duration(a.jitter * float64(time.Second) / ClockRate)
}

// ReceiverStats describes a Receiver's stream so far.
type ReceiverStats struct {
	Codec           string
	PacketsReceived uint64
	BytesReceived   uint64
	// PacketsLost is the RFC 3550 cumulative loss: packets expected from
	// the sequence numbers seen, minus packets received.
	PacketsLost uint64
	// Jitter is the RFC 3550 interarrival jitter.
	Jitter time.Duration
	// JitterBufferDelay is how long packets recently waited between arrival
	// and playout (smoothed); JitterBufferTarget is the configured delay.
	JitterBufferDelay  time.Duration
	JitterBufferTarget time.Duration
	// JitterBufferDepth is the audio buffered now, ahead of playout.
	JitterBufferDepth time.Duration
	PacketsLate       uint64 // arrived after their turn to play
	PacketsDuplicate  uint64
	PacketsInvalid    uint64 // not an Opus packet
	// FramesConcealed counts frames rebuilt by loss concealment or FEC.
	FramesConcealed uint64
	// FramesDropped counts frames skipped to bring the delay back down.
	FramesDropped uint64
	// StreamResets counts sequence-number jumps that restarted the buffer.
	StreamResets uint64
	DecodeErrors uint64
	// OutputOverflow counts frames dropped because nobody read them.
	OutputOverflow uint64
}

// Stats returns the receiver's figures so far; safe from any goroutine.
func (r *Receiver) Stats() ReceiverStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	jb := r.jb
	return ReceiverStats{
		Codec:              r.cfg.codecName(),
		PacketsReceived:    r.packets.Load(),
		BytesReceived:      r.bytes.Load(),
		PacketsLost:        jb.lost(),
		Jitter:             r.arrival.duration(),
		JitterBufferDelay:  jb.avgDelay,
		JitterBufferTarget: jb.delay,
		JitterBufferDepth:  jb.depth(),
		PacketsLate:        jb.late,
		PacketsDuplicate:   jb.duplicate,
		PacketsInvalid:     r.invalid.Load(),
		FramesConcealed:    jb.concealed,
		FramesDropped:      jb.drifted,
		StreamResets:       jb.resets,
		DecodeErrors:       r.decodeErrors.Load(),
		OutputOverflow:     r.outputDropped.Load(),
	}
}

// codecName is the codec as WebRTC stats name it, with clock rate and the
// channels coded.
func (c Config) codecName() string {
	return fmt.Sprintf("%s/%d/%d", CodecMimeType, ClockRate, c.Channels)
}
