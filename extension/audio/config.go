package audio

import (
	"errors"
	"fmt"
	"time"
)

// Opus on RTP always runs at 48 kHz (RFC 7587), whatever rate was coded.
const (
	// ClockRate is the RTP clock rate and the codec's sample rate.
	ClockRate = 48000
	// FrameDuration is the duration of one encoded packet.
	FrameDuration = 20 * time.Millisecond
	// frameSamples is FrameDuration in samples per channel at ClockRate.
	frameSamples = ClockRate / 50
	// CodecMimeType names the codec in stats and in SDP.
	CodecMimeType = "audio/opus"
)

// Limits that keep every buffer bounded.
const (
	// MaxPushAhead is how much audio a Sender accepts ahead of real time.
	// A caller feeding a microphone stays near one game frame ahead; the
	// margin lets a game that stalled for up to this long hand over the audio
	// it captured meanwhile. Beyond it Push returns ErrBusy.
	MaxPushAhead = 400 * time.Millisecond
	// MaxOutputBuffered is how much decoded audio a Receiver keeps for a
	// reader. When the reader falls further behind, the oldest audio is
	// dropped: stale voice is worth less than a growing delay.
	MaxOutputBuffered = 400 * time.Millisecond
	// DefaultJitterDelay is the receiver's default playout delay (see
	// Config.JitterDelay).
	DefaultJitterDelay = 40 * time.Millisecond
	// MaxJitterDelay bounds Config.JitterDelay.
	MaxJitterDelay = 500 * time.Millisecond
)

// Bitrate bounds. The upper one keeps every packet well under a 1200-byte
// RTP payload.
const (
	MinBitrate = 6000
	MaxBitrate = 256000
)

// Mix rate bounds: every rate Godot's audio drivers use lies inside.
const (
	MinMixRate = 8000
	MaxMixRate = 192000
)

var (
	// ErrBusy is returned by Sender.Push when the audio queued ahead of real
	// time would exceed MaxPushAhead. Nothing of that call was queued.
	ErrBusy = errors.New("audio: more than MaxPushAhead of audio queued ahead of real time")
	// ErrClosed is returned after Close.
	ErrClosed = errors.New("audio: closed")
	// ErrInvalidConfig wraps every configuration error.
	ErrInvalidConfig = errors.New("audio: invalid configuration")
	// ErrInvalidFrames is returned by Push for a slice that is not whole
	// stereo frames.
	ErrInvalidFrames = errors.New("audio: frames must be stereo-interleaved (even length)")
)

// Config describes one audio track. The zero value of every field selects its
// default, except MixRate, which must be the game's mix rate.
type Config struct {
	// MixRate is the rate of the frames pushed and read, in Hz.
	MixRate int
	// Channels is the number of channels coded: 1 (the default, voice) or 2.
	// Frames pushed and read are always stereo pairs; a mono track codes
	// their mean and reads back the same sample on both sides.
	Channels int
	// Bitrate is the encoder's target in bits per second, between MinBitrate
	// and MaxBitrate; zero selects DefaultBitrate(Channels).
	Bitrate int
	// DTX stops sending while the input stays below -60 dBFS, after 200 ms
	// of such silence; the RTP timestamp keeps counting the frames not sent.
	DTX bool
	// JitterDelay is how long a Receiver holds the first packet of a
	// talkspurt before playing it, so later packets that arrive up to this
	// much later than the first still play in time. Zero selects
	// DefaultJitterDelay; it is rounded up to whole frames.
	JitterDelay time.Duration
}

// DefaultBitrate is the bitrate used when Config.Bitrate is zero.
func DefaultBitrate(channels int) int {
	if channels == 2 {
		return 64000
	}
	return 32000
}

// withDefaults validates c and fills in the defaults.
func (c Config) withDefaults() (Config, error) {
	if c.MixRate < MinMixRate || c.MixRate > MaxMixRate {
		return c, fmt.Errorf("%w: mix rate %d Hz outside %d..%d", ErrInvalidConfig, c.MixRate, MinMixRate, MaxMixRate)
	}
	switch c.Channels {
	case 0:
		c.Channels = 1
	case 1, 2:
	default:
		return c, fmt.Errorf("%w: channels %d, want 1 or 2", ErrInvalidConfig, c.Channels)
	}
	if c.Bitrate == 0 {
		c.Bitrate = DefaultBitrate(c.Channels)
	}
	if c.Bitrate < MinBitrate || c.Bitrate > MaxBitrate {
		return c, fmt.Errorf("%w: bitrate %d outside %d..%d", ErrInvalidConfig, c.Bitrate, MinBitrate, MaxBitrate)
	}
	if c.JitterDelay == 0 {
		c.JitterDelay = DefaultJitterDelay
	}
	if c.JitterDelay < 0 || c.JitterDelay > MaxJitterDelay {
		return c, fmt.Errorf("%w: jitter delay %v outside 0..%v", ErrInvalidConfig, c.JitterDelay, MaxJitterDelay)
	}
	c.JitterDelay = (c.JitterDelay + FrameDuration - 1) / FrameDuration * FrameDuration
	return c, nil
}
