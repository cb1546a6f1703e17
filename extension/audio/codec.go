package audio

import (
	"fmt"

	"github.com/tphakala/go-opus/opus"
)

// Everything that touches the Opus library lives in this file, so the codec
// can be swapped without touching the pipeline.

const (
	// maxPacketBytes caps an encoded packet. The encoder lowers its rate to
	// fit rather than fail, so a packet always fits one RTP datagram.
	maxPacketBytes = 1000
	// maxDecodedSamples is the longest packet Opus allows (120 ms at 48 kHz),
	// per channel.
	maxDecodedSamples = ClockRate * 120 / 1000
)

// encoder codes 20 ms frames of 48 kHz float32 PCM into Opus packets.
type encoder struct {
	enc      *opus.Encoder
	channels int
	pcm      []int16
}

func newEncoder(channels, bitrate int) (*encoder, error) {
	enc, err := opus.NewEncoder(opus.EncoderConfig{
		SampleRate: ClockRate,
		Channels:   channels,
		Bitrate:    bitrate,
		// Constrained VBR is libopus' default and keeps the packet sizes
		// of a voice stream close to the target, which RTP prefers.
		ConstrainedVBR: true,
	})
	if err != nil {
		return nil, fmt.Errorf("audio: create Opus encoder: %w", err)
	}
	return &encoder{enc: enc, channels: channels, pcm: make([]int16, frameSamples*channels)}, nil
}

// encode codes one frame (frameSamples samples per channel, interleaved) into
// dst, which holds maxPacketBytes, and returns the packet's length.
func (e *encoder) encode(frame []float32, dst []byte) (int, error) {
	floatToInt16(e.pcm, frame)
	n, err := e.enc.Encode(e.pcm, dst[:maxPacketBytes])
	if err != nil {
		return 0, fmt.Errorf("audio: Opus encode: %w", err)
	}
	return n, nil
}

// decoder turns Opus packets into 48 kHz float32 PCM, interleaved.
type decoder struct {
	dec      *opus.Decoder
	channels int
	pcm      []int16
}

func newDecoder(channels int) (*decoder, error) {
	dec, err := opus.NewDecoder(ClockRate, channels)
	if err != nil {
		return nil, fmt.Errorf("audio: create Opus decoder: %w", err)
	}
	return &decoder{dec: dec, channels: channels, pcm: make([]int16, maxDecodedSamples*channels)}, nil
}

// decode appends the decoded packet to dst.
func (d *decoder) decode(packet []byte, dst []float32) ([]float32, error) {
	n, err := d.dec.Decode(packet, d.pcm)
	if err != nil {
		return dst, fmt.Errorf("audio: Opus decode: %w", err)
	}
	return appendInt16AsFloat(dst, d.pcm[:n*d.channels]), nil
}

// conceal appends samples (per channel) of concealed audio to dst: rebuilt
// from the in-band FEC of next when next carries it, extrapolated from the
// audio before the gap otherwise. next may be nil.
func (d *decoder) conceal(next []byte, samples int, dst []float32) ([]float32, error) {
	pcm := d.pcm[:samples*d.channels]
	var n int
	var err error
	if next != nil {
		n, err = d.dec.DecodeFEC(next, pcm)
	} else {
		n, err = d.dec.Decode(nil, pcm)
	}
	if err != nil {
		return dst, fmt.Errorf("audio: Opus concealment: %w", err)
	}
	return appendInt16AsFloat(dst, pcm[:n*d.channels]), nil
}

// packetSamples returns the duration of an Opus packet in samples per channel
// at 48 kHz.
func packetSamples(packet []byte) (int, error) {
	n, err := opus.PacketDuration(packet)
	if err != nil {
		return 0, fmt.Errorf("audio: Opus packet: %w", err)
	}
	return n, nil
}

func floatToInt16(dst []int16, src []float32) {
	for i, v := range src {
		v *= 32768
		switch {
		case v != v: // NaN
			dst[i] = 0
		case v >= 32767:
			dst[i] = 32767
		case v <= -32768:
			dst[i] = -32768
		default:
			dst[i] = int16(v)
		}
	}
}

func appendInt16AsFloat(dst []float32, src []int16) []float32 {
	for _, v := range src {
		dst = append(dst, float32(v)*(1.0/32768))
	}
	return dst
}
