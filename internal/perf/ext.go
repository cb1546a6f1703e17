package perf

import (
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/extension"
)

// Ext is the extension's Go layer, driven the way the Godot classes drive
// it: one goroutine, the game's thread, polls both peers, relays their
// descriptions and candidates as a signaling server would, and reads with
// PopInto as get_packet does.
type Ext struct {
	Options []extension.Option // for both peers
	// Tick is slept after every Service, like a frame; if zero, Service
	// sleeps 50 µs only when it read nothing.
	Tick time.Duration
}

// connectPoll is how often Connect polls while connecting: raw pion reacts in
// callbacks at once, and the setup figure compares the layers, not polling
// intervals (polling every 100 µs measured 35 % slower than raw pion, every
// 10 µs 16 %).
const connectPoll = 10 * time.Microsecond

type extPair struct {
	a, b   *extension.PeerConnection
	ca, cb *extension.DataChannel
	buf    []byte // what b reads into
	tick   time.Duration
	msgs   int64
	bytes  int64
}

// Connect implements Stack.
func (s Ext) Connect(o ChannelOptions) (Pair, time.Duration, error) {
	p := &extPair{
		a: extension.NewPeerConnection(s.Options...), b: extension.NewPeerConnection(s.Options...),
		buf: make([]byte, extension.MaxMessageSize), tick: s.Tick,
	}
	opts := map[string]any{}
	if o.Unordered {
		opts["ordered"] = false
	}
	if o.MaxRetransmits != nil {
		opts["maxRetransmits"] = int64(*o.MaxRetransmits)
	}
	ca, _, err := p.a.CreateDataChannel("bench", opts)
	if err != nil {
		p.Close()
		return nil, 0, fmt.Errorf("create_data_channel: %w", err)
	}
	p.ca = ca
	start := time.Now()
	if err := p.a.CreateOffer(); err != nil {
		p.Close()
		return nil, 0, fmt.Errorf("create_offer: %w", err)
	}
	deadline := start.Add(15 * time.Second)
	for p.cb == nil || p.ca.ReadyState() != extension.ChannelOpen || p.cb.ReadyState() != extension.ChannelOpen {
		if err := p.pump(); err != nil {
			p.Close()
			return nil, 0, err
		}
		if time.Now().After(deadline) {
			p.Close()
			return nil, 0, errors.New("channels not open after 15 s")
		}
		time.Sleep(connectPoll)
	}
	return p, time.Since(start), nil
}

// pump polls both peers once, relaying descriptions and candidates to the
// other and keeping the channel b receives.
func (p *extPair) pump() error {
	var err error
	for _, pc := range []*extension.PeerConnection{p.a, p.b} {
		other := p.b
		if pc == p.b {
			other = p.a
		}
		pc.Poll(func(ev extension.Event) {
			switch ev := ev.(type) {
			case extension.SessionDescription:
				err = errors.Join(err, pc.SetLocalDescription(ev.Type, ev.SDP), other.SetRemoteDescription(ev.Type, ev.SDP))
			case extension.ICECandidate:
				err = errors.Join(err, other.AddICECandidate(ev.Mid, int64(ev.MLineIndex), ev.Candidate))
			case extension.DataChannelReceived:
				p.cb = ev.Channel
			}
		})
	}
	return err
}

func (p *extPair) Send(msg []byte) error { return p.ca.Send(msg) }
func (p *extPair) Buffered() int         { return p.ca.BufferedAmount() }

// Service is one iteration of a game loop: poll both, read everything.
func (p *extPair) Service() {
	_ = p.pump()
	n := 0
	for {
		size, _, ok := p.cb.PopInto(p.buf)
		if !ok {
			break
		}
		n++
		p.msgs++
		p.bytes += int64(size)
	}
	if p.tick > 0 {
		time.Sleep(p.tick)
	} else if n == 0 {
		time.Sleep(50 * time.Microsecond)
	}
}

func (p *extPair) Received() (int64, int64) { return p.msgs, p.bytes }

// pingTimeout bounds one round trip.
const pingTimeout = 5 * time.Second

// Ping busy-polls both ends on this goroutine, as a game in a tight loop
// would.
func (p *extPair) Ping(msg []byte) error {
	if err := p.ca.Send(msg); err != nil {
		return err
	}
	deadline := time.Now().Add(pingTimeout)
	for i := 0; ; i++ {
		if n, _, ok := p.cb.PopInto(p.buf); ok {
			if err := p.cb.Send(p.buf[:n]); err != nil {
				return err
			}
			break
		}
		if i%4096 == 0 && time.Now().After(deadline) {
			return fmt.Errorf("no echo request within %v", pingTimeout)
		}
	}
	for i := 0; ; i++ {
		if _, _, ok := p.ca.PopInto(p.buf); ok {
			return nil
		}
		if i%4096 == 0 && time.Now().After(deadline) {
			return fmt.Errorf("no echo within %v", pingTimeout)
		}
	}
}

func (p *extPair) Close() {
	p.a.Free()
	p.b.Free()
}

// PollIdle implements IdlePoller.
func (Ext) PollIdle(pairs []Pair, rounds int) (time.Duration, float64) {
	var pcs []*extension.PeerConnection
	for _, p := range pairs {
		ep := p.(*extPair)
		pcs = append(pcs, ep.a, ep.b)
	}
	handle := func(extension.Event) {}
	for _, pc := range pcs { // drain what connecting left
		pc.Poll(handle)
	}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	start := time.Now()
	for range rounds {
		for _, pc := range pcs {
			pc.Poll(handle)
		}
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&m1)
	calls := rounds * len(pcs)
	if calls == 0 {
		return 0, 0
	}
	return elapsed / time.Duration(calls), float64(m1.Mallocs-m0.Mallocs) / float64(calls)
}
