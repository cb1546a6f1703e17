package extension

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"

	"github.com/godot-webrtc-go/godot-webrtc-go/extension/audio"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// opusTrack is the local side of an audio track as pion sees it (a
// webrtc.TrackLocal), and the audio.Sender's packet sink. Unlike pion's
// TrackLocalStaticSample it keeps the Sender's sequence numbers and
// timestamps, which DTX and talkspurts need (see audio.Packet).
type opusTrack struct {
	id string

	mu       sync.Mutex
	bindings []opusBinding // one per transport pion sends the track on
}

type opusBinding struct {
	id          string
	ssrc        webrtc.SSRC
	payloadType webrtc.PayloadType
	writer      webrtc.TrackLocalWriter
}

// trackStreamID is the media stream (a=msid) of every track: browsers group
// a peer's tracks by it.
const trackStreamID = "godot-webrtc-go"

// errNotSending is what the sink returns before pion binds the track (the
// negotiation is not complete): the Sender counts the packet as not sent.
var errNotSending = errorf(ErrUnavailable, "the track is not negotiated yet")

func newOpusTrack() *opusTrack {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &opusTrack{id: "audio-" + hex.EncodeToString(b[:])}
}

func (o *opusTrack) ID() string                { return o.id }
func (o *opusTrack) RID() string               { return "" }
func (o *opusTrack) StreamID() string          { return trackStreamID }
func (o *opusTrack) Kind() webrtc.RTPCodecType { return webrtc.RTPCodecTypeAudio }

// Bind is pion's call once negotiation chose the codec.
func (o *opusTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	for _, c := range ctx.CodecParameters() {
		if strings.EqualFold(c.MimeType, webrtc.MimeTypeOpus) {
			o.mu.Lock()
			o.bindings = append(o.bindings, opusBinding{id: ctx.ID(), ssrc: ctx.SSRC(), payloadType: c.PayloadType, writer: ctx.WriteStream()})
			o.mu.Unlock()
			return c, nil
		}
	}
	return webrtc.RTPCodecParameters{}, webrtc.ErrUnsupportedCodec
}

// Unbind is pion's call when it stops sending the track on a transport.
func (o *opusTrack) Unbind(ctx webrtc.TrackLocalContext) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i, b := range o.bindings {
		if b.id == ctx.ID() {
			o.bindings = append(o.bindings[:i], o.bindings[i+1:]...)
			break
		}
	}
	return nil
}

// WritePacket sends one of the Sender's packets, on the Sender's goroutine.
func (o *opusTrack) WritePacket(p audio.Packet) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.bindings) == 0 {
		return errNotSending
	}
	for _, b := range o.bindings {
		h := rtp.Header{
			Version:        2,
			Marker:         p.Marker,
			PayloadType:    uint8(b.payloadType),
			SequenceNumber: p.SequenceNumber,
			Timestamp:      p.Timestamp,
			SSRC:           uint32(b.ssrc),
		}
		if _, err := b.writer.WriteRTP(&h, p.Payload); err != nil {
			return err
		}
	}
	return nil
}
