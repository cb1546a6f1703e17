package extension

import (
	"cmp"
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/pion/stun/v3"
	"github.com/pion/webrtc/v4"
)

// PeerConnection implements Godot's WebRTCPeerConnection. Its methods are safe
// for concurrent use; Poll delivers events on the caller's goroutine.
type PeerConnection struct {
	opts  options
	queue eventQueue

	// mu guards the fields below. It is taken before queue.mu, never while
	// holding it.
	mu          sync.Mutex
	pc          *webrtc.PeerConnection // nil until first use or after Close
	media       *media                 // pc's audio tracks
	gate        *sendGate              // pc's (see sendGate)
	closed      bool
	channels    map[*DataChannel]struct{}
	overLimitAt *webrtc.PeerConnection // the connection whose channel limit was already reported
	budget      int                    // receive budget of new channels, from the configuration or the options
	// candidatesFor is the remote description remoteCands counts candidates
	// for (see countRemoteCandidate).
	candidatesFor *webrtc.SessionDescription
	remoteCands   int
	early         []remoteCandidate  // candidates that came before pc had a remote description (see AddICECandidate)
	servers       []*stun.URI        // pc's ICE servers, until their check starts (see startServerChecks)
	stopChecks    context.CancelFunc // ends the running server checks, nil if none
	mirror        *atomic.Int64      // ConnectionMirror.Connected
}

// NewPeerConnection returns a peer connection in state NEW. The pion connection
// is created on first use, with DefaultConfig unless Initialize is called.
func NewPeerConnection(opts ...Option) *PeerConnection {
	p := &PeerConnection{opts: defaultOptions(), channels: map[*DataChannel]struct{}{}}
	for _, o := range opts {
		o(&p.opts)
	}
	p.budget = p.opts.receiveBudget
	p.queue.wait = p.opts.gatherWait
	track(p)
	return p
}

// Initialize replaces the connection with a new one built from cfg (see
// ParseConfig), closing the previous one. An invalid cfg changes nothing.
func (p *PeerConnection) Initialize(cfg map[string]any) (warnings []string, err error) {
	c, warnings, err := ParseConfig(cfg)
	if err != nil {
		return nil, err
	}
	pc, m, gathered, err := p.newPion(c)
	if err != nil {
		return warnings, err
	}
	p.mu.Lock()
	if w := p.dropEarlyLocked("initialize()"); w != "" {
		warnings = append(warnings, w)
	}
	old, oldChannels, oldMedia, oldGate := p.detachLocked()
	p.pc, p.media, p.gate = pc, m, newSendGate(pc)
	p.closed = false
	p.budget = cmp.Or(c.ReceiveBudget, p.opts.receiveBudget)
	p.servers = c.serversToCheck()
	p.queue.reset(pc, gathered)
	p.mirrorConnectedLocked()
	p.mu.Unlock()
	closeAll(old, oldChannels, oldMedia, oldGate)
	return warnings, nil
}

// conn returns the live pion connection, creating it with the default
// configuration on first use. It fails once the connection is closed.
func (p *PeerConnection) conn() (*webrtc.PeerConnection, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, errorf(ErrUnconfigured, "the peer connection is closed; call initialize() to use it again")
	}
	if p.pc == nil {
		pc, m, gathered, err := p.newPion(DefaultConfig())
		if err != nil {
			return nil, err
		}
		p.pc, p.media, p.gate = pc, m, newSendGate(pc)
		p.queue.attach(pc, gathered)
	}
	return p.pc, nil
}

// CreateDataChannel creates a channel (see ParseChannelOptions). Channels
// created before the offer are part of it; channels created once connected
// are announced to the remote in-band without renegotiation.
func (p *PeerConnection) CreateDataChannel(label string, opts map[string]any) (*DataChannel, []string, error) {
	init, warnings, err := ParseChannelOptions(label, opts)
	if err != nil {
		return nil, warnings, err
	}
	pc, err := p.conn()
	if err != nil {
		return nil, warnings, err
	}
	if init.ID != nil && p.idInUse(*init.ID) {
		return nil, warnings, errorf(ErrInvalidParameter, "create_data_channel: id %d is already used by another channel of this connection", *init.ID)
	}
	dc, err := pc.CreateDataChannel(label, &init)
	if err != nil {
		return nil, warnings, wrapPion(err, "create_data_channel")
	}
	ch := p.adopt(pc, dc)
	if ch == nil {
		return nil, warnings, errorf(ErrUnconfigured, "create_data_channel: the peer connection was closed meanwhile")
	}
	return ch, warnings, nil
}

// idInUse reports whether a channel of the connection has stream id id (pion
// would accept a second one, which could never open).
func (p *PeerConnection) idInUse(id uint16) bool {
	for _, ch := range p.channelList() { // outside mu: pion's channel lock is taken
		if got := ch.dc.ID(); got != nil && *got == id {
			return true
		}
	}
	return false
}

// channelList returns the open channels.
func (p *PeerConnection) channelList() []*DataChannel {
	p.mu.Lock()
	defer p.mu.Unlock()
	channels := make([]*DataChannel, 0, len(p.channels))
	for ch := range p.channels {
		channels = append(channels, ch)
	}
	return channels
}

// roomForChannel reports whether pc may keep one more channel the remote
// opened; the first refusal is reported.
func (p *PeerConnection) roomForChannel(pc *webrtc.PeerConnection) bool {
	p.mu.Lock()
	full := len(p.channels) >= MaxChannels
	first := full && p.overLimitAt != pc
	if first {
		p.overLimitAt = pc
	}
	p.mu.Unlock()
	if first {
		p.queue.report(Problem{Code: ErrOutOfMemory, Scope: "datachannel", Message: fmt.Sprintf(
			"the remote opened more than %d data channels; the extra ones are closed", MaxChannels)})
	}
	return !full
}

// adopt wraps a pion channel of pc, unless pc is no longer current.
func (p *PeerConnection) adopt(pc *webrtc.PeerConnection, dc *webrtc.DataChannel) *DataChannel {
	p.mu.Lock()
	budget, gate := p.budget, p.gate
	p.mu.Unlock()
	ch := newDataChannel(dc, gate, budget, p.forget, p.queue.report, func(pr Problem) {
		if p.queue.isCurrent(pc) {
			p.Close()
			p.queue.report(pr) // after Close, which drops pending events
		}
	})
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pc != pc {
		go ch.Close()
		return nil
	}
	p.channels[ch] = struct{}{}
	return ch
}

func (p *PeerConnection) forget(ch *DataChannel) {
	p.mu.Lock()
	delete(p.channels, ch)
	p.mu.Unlock()
}

// ConnectionState returns the current connection state.
func (p *PeerConnection) ConnectionState() ConnectionState {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.closed:
		return StateClosed
	case p.pc == nil:
		return StateNew
	}
	return connectionState(p.pc.ConnectionState())
}

// GatheringState returns the current ICE gathering state.
func (p *PeerConnection) GatheringState() GatheringState {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pc == nil {
		return GatheringNew
	}
	return gatheringState(p.pc.ICEGatheringState())
}

// SignalingState returns the current signaling state.
func (p *PeerConnection) SignalingState() SignalingState {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.closed:
		return SignalingClosed
	case p.pc == nil:
		return SignalingStable
	}
	return signalingState(p.pc.SignalingState())
}

// Close closes the connection and its channels. The state is CLOSED when
// Close returns; pending events are dropped. The warnings say what was
// dropped that the game may not expect (candidates still waiting for a remote
// description).
func (p *PeerConnection) Close() (warnings []string) {
	p.mu.Lock()
	if w := p.dropEarlyLocked("close()"); w != "" {
		warnings = append(warnings, w)
	}
	old, channels, m, gate := p.detachLocked()
	p.closed = true
	p.queue.reset(nil, nil)
	p.mirrorConnectedLocked()
	p.mu.Unlock()
	closeAll(old, channels, m, gate)
	return warnings
}

// Free closes the connection for good: its owner is gone.
func (p *PeerConnection) Free() {
	p.Close()
	untrack(p)
}

// detachLocked takes the pion connection, its channels, its tracks and its
// send gate out of p; mu is held.
func (p *PeerConnection) detachLocked() (*webrtc.PeerConnection, []*DataChannel, *media, *sendGate) {
	old, m, gate := p.pc, p.media, p.gate
	p.pc, p.media, p.gate = nil, nil, nil
	p.servers = nil
	if p.stopChecks != nil {
		p.stopChecks()
		p.stopChecks = nil
	}
	channels := make([]*DataChannel, 0, len(p.channels))
	for ch := range p.channels {
		channels = append(channels, ch)
	}
	clear(p.channels)
	return old, channels, m, gate
}

// closePion is pion's Close; tests replace it to hold a teardown back.
var closePion = (*webrtc.PeerConnection).Close

// closeAll closes a detached connection, its channels, its tracks and its
// send gate. The channels are CLOSED, their unsent messages dropped, and the
// tracks refuse pushes at once; pion's teardown runs on a goroutine of its
// own, because it can take hundreds of milliseconds (its SCTP abort waits
// for a writer that a failed TCP write has stopped) and close() runs on the
// game's thread. Shutdown waits for every such teardown.
func closeAll(pc *webrtc.PeerConnection, channels []*DataChannel, m *media, gate *sendGate) {
	gate.close() // first: closing a channel hands nothing more to pion
	for _, ch := range channels {
		ch.markClosed()
	}
	m.markClosed()
	if pc == nil && m == nil {
		return
	}
	teardowns.Add(1)
	go func() {
		defer teardowns.Done()
		if pc != nil {
			_ = closePion(pc)
		}
		m.close() // after pion's, which ends the tracks' readers
	}()
}
