package extension

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/godot-webrtc-go/godot-webrtc-go/extension/audio"
	"github.com/pion/webrtc/v4"
)

// media is the audio side of one pion connection. Its MediaEngine holds no
// codec until the connection gets audio (a track added, or a remote
// description with an audio section), so a connection with data channels
// only offers and answers exactly what it did without audio support, and
// runs nothing for media.
type media struct {
	engine *webrtc.MediaEngine

	mu       sync.Mutex
	enabled  bool          // Opus is registered in engine
	tracks   []*AudioTrack // in the order they appeared
	closed   bool
	reported bool // the track limit was already reported
}

func newMedia() *media { return &media{engine: &webrtc.MediaEngine{}} }

// Opus in SDP (RFC 7587): always opus/48000/2, whatever is coded.
const (
	opusPayloadType = 111 // what browsers use; the answerer follows the offer
	opusChannels    = 2
	// opusBaseFmtp is what a connection accepts before any track says more:
	// Chrome's own line. We always ask for in-band FEC, since the Receiver
	// uses it when the remote's encoder adds it.
	opusBaseFmtp = "minptime=10;useinbandfec=1"
)

func opusCodec(fmtp string) webrtc.RTPCodecParameters {
	return webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypeOpus, ClockRate: audio.ClockRate, Channels: opusChannels, SDPFmtpLine: fmtp,
		},
		PayloadType: opusPayloadType,
	}
}

// enable registers Opus, once. pion reads the engine under its own lock,
// which RegisterCodec takes, so this is safe on a live connection (the
// SettingEngine's DisableMediaEngineCopy lets it see the change).
func (m *media) enable() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.enabled {
		return nil
	}
	if err := m.engine.RegisterCodec(opusCodec(opusBaseFmtp), webrtc.RTPCodecTypeAudio); err != nil {
		return fmt.Errorf("registering Opus: %w", err)
	}
	m.enabled = true
	return nil
}

// hasAudioSection reports whether an SDP has an audio m-line (cheaply: m=
// lines start a line, and no other line can contain a newline).
func hasAudioSection(sdp string) bool {
	return strings.HasPrefix(sdp, "m=audio ") || strings.Contains(sdp, "\nm=audio ")
}

// trackFor returns the track of transceiver tr, creating it (with the mix
// rate mixRate) if tr has none yet; created reports a new one. It fails once
// the connection is closed or has MaxAudioTracks tracks.
func (m *media) trackFor(tr *webrtc.RTPTransceiver, mixRate int) (t *AudioTrack, created bool, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, false, errorf(ErrUnconfigured, "the peer connection is closed")
	}
	for _, t := range m.tracks {
		if t.transceiver == tr {
			return t, false, nil
		}
	}
	if len(m.tracks) >= MaxAudioTracks {
		return nil, false, errorf(ErrOutOfMemory, "a connection has at most %d audio tracks", MaxAudioTracks)
	}
	t = newAudioTrack(tr, mixRate)
	m.tracks = append(m.tracks, t)
	return t, true, nil
}

// firstOverLimit reports whether this is the first time the track limit
// refused a track the remote added.
func (m *media) firstOverLimit() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	first := !m.reported
	m.reported = true
	return first
}

func (m *media) list() []*AudioTrack {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*AudioTrack(nil), m.tracks...)
}

// markClosed makes every track refuse pushes at once (see closeAll).
func (m *media) markClosed() {
	for _, t := range m.list() {
		t.markClosed()
	}
}

// close ends every track: call it after the pion connection is closed, which
// ends the tracks' RTP readers.
func (m *media) close() {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.closed = true
	tracks := m.tracks
	m.tracks = nil
	m.mu.Unlock()
	for _, t := range tracks {
		t.Close()
	}
}

// defaultMixRate is the mix rate of tracks the remote adds (see
// SetDefaultMixRate); 0 means unset.
var defaultMixRate atomic.Int64

// SetDefaultMixRate sets the mix rate, in Hz, of the tracks that the remote
// adds and that add_audio_track() was not told one for: the Godot glue sets
// the AudioServer's. Without it they use 48000 Hz.
func SetDefaultMixRate(hz int) { defaultMixRate.Store(int64(hz)) }

// DefaultMixRate returns what SetDefaultMixRate set, or 48000.
func DefaultMixRate() int {
	if hz := defaultMixRate.Load(); hz > 0 {
		return int(hz)
	}
	return audio.ClockRate
}

// AddAudioTrack adds a send-and-receive Opus track (see ParseAudioOptions).
// Before the first offer it is part of it; on a connected peer the next
// CreateOffer renegotiates. If the remote already added an audio track that
// nothing sends on yet, that track's transceiver is reused, as browsers'
// addTrack does, and the track returned is the one TrackReceived gave.
func (p *PeerConnection) AddAudioTrack(opts map[string]any) (*AudioTrack, []string, error) {
	o, warnings, err := ParseAudioOptions(opts)
	if err != nil {
		return nil, warnings, err
	}
	pc, err := p.conn()
	if err != nil {
		return nil, warnings, err
	}
	m := p.mediaOf(pc)
	if m == nil {
		return nil, warnings, errorf(ErrUnconfigured, "add_audio_track: the peer connection was closed meanwhile")
	}
	if err := m.enable(); err != nil {
		return nil, warnings, errorf(Failed, "add_audio_track: %v", err)
	}
	if len(m.list()) >= MaxAudioTracks {
		return nil, warnings, errorf(ErrOutOfMemory, "add_audio_track: a connection has at most %d audio tracks", MaxAudioTracks)
	}
	local := newOpusTrack()
	sender, err := pc.AddTrack(local)
	if err != nil {
		return nil, warnings, wrapPion(err, "add_audio_track")
	}
	var tr *webrtc.RTPTransceiver
	for _, t := range pc.GetTransceivers() {
		if t.Sender() == sender {
			tr = t
		}
	}
	if tr == nil {
		return nil, warnings, errorf(Failed, "add_audio_track: pion lost the transceiver it made")
	}
	// The track's own fmtp line. Payload type 0 lets pion take the one
	// negotiated: ours (111) when we offer, the offer's when we answer
	// (Firefox offers Opus as 109).
	prefs := opusCodec(o.fmtp())
	prefs.PayloadType = 0
	if err := tr.SetCodecPreferences([]webrtc.RTPCodecParameters{prefs}); err != nil {
		_ = pc.RemoveTrack(sender)
		return nil, warnings, wrapPion(err, "add_audio_track")
	}
	t, _, err := m.trackFor(tr, o.Config.MixRate)
	if err == nil {
		err = t.startSending(o.Config, local)
	}
	if err != nil {
		_ = pc.RemoveTrack(sender)
		return nil, warnings, err
	}
	return t, warnings, nil
}

// mediaOf returns the media of pc, if pc is still the current connection.
func (p *PeerConnection) mediaOf(pc *webrtc.PeerConnection) *media {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pc != pc {
		return nil
	}
	return p.media
}

// onTrack runs on a pion goroutine when the remote's audio track of a
// transceiver arrives: the track starts reading it, and Poll reports it.
func (p *PeerConnection) onTrack(pc *webrtc.PeerConnection, m *media, remote *webrtc.TrackRemote, receiver *webrtc.RTPReceiver) {
	defer p.recoverPion("track")
	if remote.Kind() != webrtc.RTPCodecTypeAudio {
		return
	}
	var tr *webrtc.RTPTransceiver
	for _, t := range pc.GetTransceivers() {
		if t.Receiver() == receiver {
			tr = t
		}
	}
	if tr == nil {
		return
	}
	t, _, err := m.trackFor(tr, DefaultMixRate())
	if err != nil {
		// Not read: pion's buffer for it is bounded and drops the rest.
		if Code(err) == ErrOutOfMemory && m.firstOverLimit() {
			p.queue.report(Problem{Code: ErrOutOfMemory, Scope: "audio", Message: fmt.Sprintf(
				"the remote added more than %d audio tracks; the extra ones are not played", MaxAudioTracks)})
		}
		return
	}
	if t.startReading(remote) {
		p.queue.push(pc, TrackReceived{Track: t})
	}
}

func (p *PeerConnection) trackStats() []any {
	p.mu.Lock()
	m := p.media
	p.mu.Unlock()
	out := []any{}
	for _, t := range m.list() {
		out = append(out, t.Stats())
	}
	return out
}
