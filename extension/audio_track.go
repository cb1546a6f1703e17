package extension

import (
	"errors"
	"sync"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/extension/audio"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// AudioTrack is one audio transceiver (m-line) of a PeerConnection: it
// encodes and sends what the game pushes, if the game added it with
// AddAudioTrack, and decodes what the remote sends on it, once the remote's
// track arrives. Its methods are safe for concurrent use.
//
// Goroutines: a Sender's from AddAudioTrack, and from the remote's first
// packet a Receiver's plus one reading pion's track. A track that neither
// sends nor receives runs none.
type AudioTrack struct {
	transceiver *webrtc.RTPTransceiver

	mu         sync.Mutex
	mixRate    int
	sender     *audio.Sender
	receiver   *audio.Receiver
	txChannels int  // channels coded when sending
	rxChannels int  // channels the remote codes, from its first packet
	closed     bool // refuses pushes and new readers
	stopped    bool // Close has run
	readers    sync.WaitGroup
}

func newAudioTrack(tr *webrtc.RTPTransceiver, mixRate int) *AudioTrack {
	return &AudioTrack{transceiver: tr, mixRate: mixRate}
}

// errNotAdded is Push's error on a track the remote added and the game did
// not add itself.
var errNotAdded = errorf(ErrUnconfigured, "push_frames: this track only receives (the remote added it); add_audio_track() adds one that sends")

// Push queues stereo frames (interleaved float32 pairs at the mix rate) for
// encoding; it never blocks. ERR_BUSY means more than audio.MaxPushAhead is
// queued ahead of real time, and nothing was queued.
func (t *AudioTrack) Push(frames []float32) error {
	t.mu.Lock()
	s, closed := t.sender, t.closed
	t.mu.Unlock()
	switch {
	case closed:
		return errorf(ErrUnconfigured, "push_frames: the track's peer connection is closed")
	case s == nil:
		return errNotAdded
	}
	switch err := s.Push(frames); {
	case err == nil:
		return nil
	case errors.Is(err, audio.ErrBusy):
		return errorf(ErrBusy, "push_frames: more than %v of audio queued ahead of real time", audio.MaxPushAhead)
	case errors.Is(err, audio.ErrClosed):
		return errorf(ErrUnconfigured, "push_frames: the track's peer connection is closed")
	default:
		return errorf(ErrInvalidParameter, "push_frames: %v", err)
	}
}

// Available returns how many decoded stereo frames ReadFrames can return.
func (t *AudioTrack) Available() int {
	if r := t.currentReceiver(); r != nil {
		return r.Available()
	}
	return 0
}

// ReadFrames moves up to len(dst)/2 decoded stereo frames into dst and
// returns how many it moved.
func (t *AudioTrack) ReadFrames(dst []float32) int {
	if r := t.currentReceiver(); r != nil {
		return r.ReadFrames(dst)
	}
	return 0
}

// MixRate is the rate, in Hz, of the frames pushed and read.
func (t *AudioTrack) MixRate() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.mixRate
}

func (t *AudioTrack) currentReceiver() *audio.Receiver {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.receiver
}

// startSending gives the track a Sender writing to local, with cfg. A track
// the remote added adopts cfg's mix rate; if it was decoding at another
// rate, its Receiver starts over at the new one.
func (t *AudioTrack) startSending(cfg audio.Config, local *opusTrack) error {
	s, err := audio.NewSender(cfg, local)
	if err != nil {
		return errorf(ErrInvalidParameter, "add_audio_track: %v", err)
	}
	t.mu.Lock()
	if t.closed || t.sender != nil {
		t.mu.Unlock()
		_ = s.Close()
		return errorf(ErrUnconfigured, "add_audio_track: the peer connection is closed")
	}
	t.sender, t.txChannels = s, cfg.Channels
	var stale *audio.Receiver
	if t.mixRate != cfg.MixRate {
		t.mixRate, stale, t.receiver = cfg.MixRate, t.receiver, nil
	}
	t.mu.Unlock()
	if stale != nil {
		_ = stale.Close()
	}
	return nil
}

// startReading starts the goroutine that feeds the remote's RTP to the
// track's Receiver; false if the track is closed.
func (t *AudioTrack) startReading(remote *webrtc.TrackRemote) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.readers.Add(1)
	go t.read(remote)
	return true
}

// read runs until pion's track ends (the transceiver stops or the
// connection closes) or the track closes.
func (t *AudioTrack) read(remote *webrtc.TrackRemote) {
	defer t.readers.Done()
	buf := make([]byte, receiveMTU)
	var pkt rtp.Packet
	for {
		n, _, err := remote.Read(buf)
		if err != nil {
			return
		}
		if pkt.Unmarshal(buf[:n]) != nil {
			continue
		}
		r := t.receiverFor(pkt.Payload)
		if r == nil {
			return
		}
		r.WriteRTP(pkt.SequenceNumber, pkt.Timestamp, pkt.Payload)
	}
}

// receiverFor returns the track's Receiver, made on the remote's first packet
// with the channel count that packet is coded with (its TOC byte's stereo
// flag, RFC 6716): nothing the remote sends is lost to a downmix, and a mono
// stream costs mono decoding. nil once the track is closed.
func (t *AudioTrack) receiverFor(payload []byte) *audio.Receiver {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	if t.receiver == nil {
		channels := 1
		if len(payload) > 0 && payload[0]&0x04 != 0 {
			channels = 2
		}
		r, err := audio.NewReceiver(audio.Config{MixRate: t.mixRate, Channels: channels})
		if err != nil {
			return nil // the mix rate was checked when it was set
		}
		t.receiver, t.rxChannels = r, channels
	}
	return t.receiver
}

// Close stops the track's goroutines; the readers end when pion's track
// does, so close the connection first. Push fails and nothing is received
// after.
func (t *AudioTrack) Close() {
	t.mu.Lock()
	if t.stopped {
		t.mu.Unlock()
		return
	}
	t.closed, t.stopped = true, true
	s, r := t.sender, t.receiver
	t.mu.Unlock()
	if s != nil {
		_ = s.Close()
	}
	waitTimeout(&t.readers, trackCloseTimeout)
	if r != nil {
		_ = r.Close()
	}
}

// markClosed makes the track refuse pushes at once, on the game's thread;
// Close, which can wait for pion, stops its goroutines later.
func (t *AudioTrack) markClosed() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
}

// waitTimeout waits for wg, at most d.
func waitTimeout(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(d):
	}
}

// Stats returns the track's figures for get_stats():
//
//	mid                  String: the m-line, empty before negotiation
//	direction            String: "sendrecv", "sendonly", "recvonly" or "inactive" (this side's wish)
//	codec                String: "audio/opus"
//	mix_rate             int
//	channels_sent, channels_received   int: channels coded each way (0: none yet)
//	packets_sent, bytes_sent, packets_received, bytes_received   int
//	packets_lost         int: RFC 3550 cumulative loss of the remote's stream
//	jitter               float: RFC 3550 interarrival jitter, seconds
//	jitter_buffer_delay  float: how long packets recently waited to play, seconds
//	jitter_buffer_target float: the playout delay aimed at, seconds
//	concealed_frames     int: 20 ms frames rebuilt by loss concealment or FEC
//	late_packets, duplicate_packets, invalid_packets   int
//	frames_buffered      int: decoded frames waiting for get_frames()
//	frames_overflowed    int: decoded frames dropped because nobody read them
//	push_busy            int: push_frames() calls refused with ERR_BUSY
func (t *AudioTrack) Stats() map[string]any {
	t.mu.Lock()
	s, r, mixRate := t.sender, t.receiver, t.mixRate
	txChannels, rxChannels := t.txChannels, t.rxChannels
	t.mu.Unlock()
	out := map[string]any{
		"mid":       t.transceiver.Mid(),
		"direction": t.transceiver.Direction().String(),
		"codec":     webrtc.MimeTypeOpus,
		"mix_rate":  int64(mixRate),
	}
	var ss audio.SenderStats
	if s != nil {
		ss = s.Stats()
	}
	var rs audio.ReceiverStats
	frames := 0
	if r != nil {
		rs = r.Stats()
		frames = r.Available()
	}
	out["channels_sent"] = int64(txChannels)
	out["channels_received"] = int64(rxChannels)
	out["packets_sent"] = int64(ss.PacketsSent)
	out["bytes_sent"] = int64(ss.BytesSent)
	out["push_busy"] = int64(ss.PushBusy)
	out["packets_received"] = int64(rs.PacketsReceived)
	out["bytes_received"] = int64(rs.BytesReceived)
	out["packets_lost"] = int64(rs.PacketsLost)
	out["jitter"] = rs.Jitter.Seconds()
	out["jitter_buffer_delay"] = rs.JitterBufferDelay.Seconds()
	out["jitter_buffer_target"] = rs.JitterBufferTarget.Seconds()
	out["concealed_frames"] = int64(rs.FramesConcealed)
	out["late_packets"] = int64(rs.PacketsLate)
	out["duplicate_packets"] = int64(rs.PacketsDuplicate)
	out["invalid_packets"] = int64(rs.PacketsInvalid)
	out["frames_buffered"] = int64(frames)
	out["frames_overflowed"] = int64(rs.OutputOverflow)
	return out
}
