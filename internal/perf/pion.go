package perf

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"
)

// Pion is raw pion/webrtc v4 with its default settings, used the way pion's
// examples use it: callbacks, trickled candidates, OnBufferedAmountLow for
// back-pressure.
type Pion struct {
	// Settings, if set, adjusts pion's SettingEngine (tests outside a
	// network namespace keep pion on loopback).
	Settings func(*webrtc.SettingEngine)
}

type pionPair struct {
	a, b   *webrtc.PeerConnection
	ca, cb *webrtc.DataChannel
	msgs   atomic.Int64
	bytes  atomic.Int64
	low    chan struct{}
	pong   chan struct{}
}

// trickle relays one peer's candidates to the other, holding them until the
// other has a remote description.
type trickle struct {
	mu      sync.Mutex
	ready   bool
	pending []webrtc.ICECandidateInit
	to      *webrtc.PeerConnection
}

func (t *trickle) add(c webrtc.ICECandidateInit) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.ready {
		t.pending = append(t.pending, c)
		return
	}
	_ = t.to.AddICECandidate(c)
}

func (t *trickle) flush() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ready = true
	var err error
	for _, c := range t.pending {
		err = errors.Join(err, t.to.AddICECandidate(c))
	}
	t.pending = nil
	return err
}

func (s Pion) api() *webrtc.API {
	var se webrtc.SettingEngine
	if s.Settings != nil {
		s.Settings(&se)
	}
	return webrtc.NewAPI(webrtc.WithSettingEngine(se))
}

// Connect implements Stack.
func (s Pion) Connect(o ChannelOptions) (Pair, time.Duration, error) {
	api := s.api()
	a, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, 0, err
	}
	b, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		_ = a.Close()
		return nil, 0, err
	}
	p := &pionPair{a: a, b: b, low: make(chan struct{}, 1), pong: make(chan struct{}, 1)}
	toB, toA := &trickle{to: b}, &trickle{to: a}
	a.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c != nil {
			toB.add(c.ToJSON())
		}
	})
	b.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c != nil {
			toA.add(c.ToJSON())
		}
	})
	ordered := !o.Unordered
	ca, err := a.CreateDataChannel("bench", &webrtc.DataChannelInit{Ordered: &ordered, MaxRetransmits: o.MaxRetransmits})
	if err != nil {
		p.Close()
		return nil, 0, err
	}
	p.ca = ca
	openA, openB := make(chan struct{}), make(chan struct{})
	ca.OnOpen(func() { close(openA) })
	ca.SetBufferedAmountLowThreshold(BufferLimit / 2)
	ca.OnBufferedAmountLow(func() {
		select {
		case p.low <- struct{}{}:
		default:
		}
	})
	ca.OnMessage(func(webrtc.DataChannelMessage) {
		select {
		case p.pong <- struct{}{}:
		default:
		}
	})
	gotB := make(chan *webrtc.DataChannel, 1)
	b.OnDataChannel(func(dc *webrtc.DataChannel) {
		dc.OnOpen(func() { close(openB) })
		dc.OnMessage(func(m webrtc.DataChannelMessage) {
			// Messages of PingSize bytes are pings, echoed; the rest is counted.
			if len(m.Data) == PingSize {
				_ = dc.Send(m.Data)
				return
			}
			p.msgs.Add(1)
			p.bytes.Add(int64(len(m.Data)))
		})
		gotB <- dc
	})
	start := time.Now()
	if err := signal(a, b, toA, toB); err != nil {
		p.Close()
		return nil, 0, fmt.Errorf("signaling: %w", err)
	}
	timeout := time.After(15 * time.Second)
	for _, ch := range []chan struct{}{openA, openB} {
		select {
		case <-ch:
		case <-timeout:
			p.Close()
			return nil, 0, errors.New("channels not open after 15 s")
		}
	}
	d := time.Since(start)
	p.cb = <-gotB
	return p, d, nil
}

// signal runs the offer/answer exchange from a to b.
func signal(a, b *webrtc.PeerConnection, toA, toB *trickle) error {
	offer, err := a.CreateOffer(nil)
	if err != nil {
		return err
	}
	if err := a.SetLocalDescription(offer); err != nil {
		return err
	}
	if err := b.SetRemoteDescription(offer); err != nil {
		return err
	}
	if err := toB.flush(); err != nil {
		return err
	}
	answer, err := b.CreateAnswer(nil)
	if err != nil {
		return err
	}
	if err := b.SetLocalDescription(answer); err != nil {
		return err
	}
	if err := a.SetRemoteDescription(answer); err != nil {
		return err
	}
	return toA.flush()
}

func (p *pionPair) Send(msg []byte) error { return p.ca.Send(msg) }
func (p *pionPair) Buffered() int         { return int(p.ca.BufferedAmount()) }

// Service waits until the send buffer drains below half the limit, 1 ms at
// most.
func (p *pionPair) Service() {
	select {
	case <-p.low:
	case <-time.After(time.Millisecond):
	}
}

func (p *pionPair) Received() (int64, int64) { return p.msgs.Load(), p.bytes.Load() }

// Ping waits for the echo, which pion's callbacks deliver.
func (p *pionPair) Ping(msg []byte) error {
	if err := p.ca.Send(msg); err != nil {
		return err
	}
	select {
	case <-p.pong:
		return nil
	case <-time.After(pingTimeout):
		return fmt.Errorf("no echo within %v", pingTimeout)
	}
}

func (p *pionPair) Close() {
	_ = p.a.Close()
	_ = p.b.Close()
}
