package main

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"
)

// pionStack is raw pion/webrtc v4 with default settings, used the way pion's
// examples use it: callbacks, trickled candidates, OnBufferedAmountLow for
// backpressure.
type pionStack struct{}

type pionPair struct {
	a, b   *webrtc.PeerConnection
	ca, cb *webrtc.DataChannel
	msgs   atomic.Int64
	bytes  atomic.Int64
	low    chan struct{}
	pong   chan struct{}
}

// trickle relays from's candidates to to, holding them until to has a remote
// description.
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

func (pionStack) connect(o channelOpts) (pair, time.Duration, error) {
	a, err := webrtc.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, 0, err
	}
	b, err := webrtc.NewPeerConnection(webrtc.Configuration{})
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
	ordered := !o.unordered
	ca, err := a.CreateDataChannel("bench", &webrtc.DataChannelInit{Ordered: &ordered, MaxRetransmits: o.retransmits})
	if err != nil {
		p.close()
		return nil, 0, err
	}
	p.ca = ca
	openA, openB := make(chan struct{}), make(chan struct{})
	ca.OnOpen(func() { close(openA) })
	ca.SetBufferedAmountLowThreshold(bufferLimit / 2)
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
			// 64-byte messages are pings, echoed; the rest is counted.
			if len(m.Data) == 64 {
				_ = dc.Send(m.Data)
				return
			}
			p.msgs.Add(1)
			p.bytes.Add(int64(len(m.Data)))
		})
		gotB <- dc
	})
	start := time.Now()
	err = func() error {
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
	}()
	if err != nil {
		p.close()
		return nil, 0, fmt.Errorf("signaling: %w", err)
	}
	timeout := time.After(15 * time.Second)
	for _, ch := range []chan struct{}{openA, openB} {
		select {
		case <-ch:
		case <-timeout:
			p.close()
			return nil, 0, errors.New("channels not open after 15 s")
		}
	}
	d := time.Since(start)
	p.cb = <-gotB
	return p, d, nil
}

func (p *pionPair) send(msg []byte) error { return p.ca.Send(msg) }
func (p *pionPair) buffered() int         { return int(p.ca.BufferedAmount()) }

// service waits until the send buffer drains below half the limit.
func (p *pionPair) service() {
	select {
	case <-p.low:
	case <-time.After(time.Millisecond):
	}
}

func (p *pionPair) received() (int64, int64) { return p.msgs.Load(), p.bytes.Load() }

func (p *pionPair) ping(msg []byte) error {
	if err := p.ca.Send(msg); err != nil {
		return err
	}
	select {
	case <-p.pong:
		return nil
	case <-time.After(5 * time.Second):
		return errors.New("ping: no echo within 5 s")
	}
}

func (p *pionPair) close() {
	_ = p.a.Close()
	_ = p.b.Close()
}

func (pionStack) pollIdle([]pair, int) (time.Duration, float64, bool) { return 0, 0, false }
