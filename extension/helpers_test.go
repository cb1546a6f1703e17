package extension

import (
	"testing"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/internal/loopback"
	"github.com/stretchr/testify/require"
)

// loopbackOnly keeps test traffic on 127.0.0.1: pion skips loopback by default,
// and no test may reach this machine's external addresses.
func loopbackOnly() Option {
	return WithSettingEngine(loopback.Only)
}

// peers is two connections wired together the way a game's signaling would
// be: each event from Poll is relayed to the other side.
type peers struct {
	t        testing.TB
	a, b     *PeerConnection
	received map[*PeerConnection][]*DataChannel
	tracks   map[*PeerConnection][]*AudioTrack // what TrackReceived gave
	cands    map[*PeerConnection][]ICECandidate
	// rewrite, if set, edits a description on its way to the other side (a
	// man in the middle, or a lie about our limits).
	rewrite  func(from *PeerConnection, d SessionDescription) string
	problems []Problem // reported by either side
}

func newPeers(t testing.TB, opts ...Option) *peers {
	t.Helper()
	opts = append([]Option{loopbackOnly()}, opts...)
	p := &peers{t: t, a: NewPeerConnection(opts...), b: NewPeerConnection(opts...),
		received: map[*PeerConnection][]*DataChannel{}, cands: map[*PeerConnection][]ICECandidate{},
		tracks: map[*PeerConnection][]*AudioTrack{}}
	t.Cleanup(func() { p.a.Free(); p.b.Free() })
	return p
}

func (p *peers) other(pc *PeerConnection) *PeerConnection {
	if pc == p.a {
		return p.b
	}
	return p.a
}

// pump polls both sides once and relays what they produced.
func (p *peers) pump() {
	for _, pc := range []*PeerConnection{p.a, p.b} {
		pc.Poll(func(ev Event) {
			switch ev := ev.(type) {
			case SessionDescription:
				require.NoError(p.t, pc.SetLocalDescription(ev.Type, ev.SDP))
				sdp := ev.SDP
				if p.rewrite != nil {
					sdp = p.rewrite(pc, ev)
				}
				require.NoError(p.t, p.other(pc).SetRemoteDescription(ev.Type, sdp))
			case ICECandidate:
				p.cands[pc] = append(p.cands[pc], ev)
				require.NoError(p.t, p.other(pc).AddICECandidate(ev.Mid, int64(ev.MLineIndex), ev.Candidate))
			case DataChannelReceived:
				p.received[pc] = append(p.received[pc], ev.Channel)
			case TrackReceived:
				p.tracks[pc] = append(p.tracks[pc], ev.Track)
			case Problem:
				p.problems = append(p.problems, ev)
			}
		})
	}
}

// until pumps until cond holds, failing the test after timeout.
func (p *peers) until(what string, timeout time.Duration, cond func() bool) {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			p.t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		p.pump()
		time.Sleep(2 * time.Millisecond)
	}
}

func (p *peers) connect() {
	p.t.Helper()
	require.NoError(p.t, p.a.CreateOffer())
	p.until("both connected", 15*time.Second, func() bool {
		return p.a.ConnectionState() == StateConnected && p.b.ConnectionState() == StateConnected
	})
}

func (p *peers) channel(pc *PeerConnection, label string, opts map[string]any) *DataChannel {
	p.t.Helper()
	ch, _, err := pc.CreateDataChannel(label, opts)
	require.NoError(p.t, err)
	return ch
}

func (p *peers) open(chs ...*DataChannel) {
	p.t.Helper()
	p.until("channels open", 10*time.Second, func() bool {
		for _, c := range chs {
			if c.ReadyState() != ChannelOpen {
				return false
			}
		}
		return true
	})
}

// recv waits for the next message on ch.
func (p *peers) recv(ch *DataChannel) ([]byte, bool) {
	p.t.Helper()
	var data []byte
	var isString bool
	p.until("a message", 10*time.Second, func() bool {
		d, s, ok := ch.Pop()
		data, isString = d, s
		return ok
	})
	return data, isString
}

// openChannel creates a channel on a, connects, and returns both ends open.
func (p *peers) openChannel(label string, opts map[string]any) (a, b *DataChannel) {
	p.t.Helper()
	a = p.channel(p.a, label, opts)
	p.connect()
	p.until("b receives the channel", 10*time.Second, func() bool { return len(p.received[p.b]) == 1 })
	b = p.received[p.b][0]
	p.open(a, b)
	return a, b
}
