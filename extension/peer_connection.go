package extension

import (
	"cmp"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// MaxMessageSize is the largest message this side accepts, advertised to the
// remote in the SDP (a=max-message-size). Browsers use the same 256 KiB.
const MaxMessageSize = 256 << 10

// SCTPReceiveWindow is the SCTP receive window each connection advertises
// (pion's default is 1 MiB). pion's UDP demultiplexer and ICE agent buffer at
// most 1,000,000 bytes each between the socket and SCTP; a larger window let a
// sender have more in flight than they hold, and when decryption lagged (a
// busy machine, a game loop spinning on one of two cores) they dropped
// packets: 1.5-2.6 % of unordered messages through Godot, 0-0.1 % with this
// window, at the same throughput. It also bounds, per connection, what a remote
// can make us hold in SCTP's reassembly queue.
const SCTPReceiveWindow = 768 << 10

// DefaultReceiveBudget is how many bytes of received messages a channel keeps
// for the game to read (initialize() key "receiveBudget" changes it). When a
// channel holds this much, it stops reading from SCTP, whose flow control then
// holds back the sender: reliable data is never dropped and memory does not
// grow. A partially reliable channel drops its oldest unread message instead.
// A message larger than the budget is still accepted when the queue is empty.
//
// The budget is only memory held while the game does not read; it is sized
// so that a game reading once per frame never reaches it at full speed (tens
// of MB/s, frames of up to about 100 ms). Reaching it costs more than the
// wait: pion's SCTP does not tell the sender when its window opens again, so
// after the game reads, the sender idles until its zero-window probe is
// acknowledged, which pion delays by 200 ms. The former 1 MiB budget was
// reached whenever frames stretched (see kickWriter): such stalls, and on
// unordered channels 16 % of the messages dropped, through Godot (issue 6).
const DefaultReceiveBudget = 8 << 20

// The range of the "receiveBudget" key: at least 64 KiB (RFC 8841's default
// maximum message size), at most 1 GiB.
const (
	MinReceiveBudget = 64 << 10
	MaxReceiveBudget = 1 << 30
)

// MaxChannels is how many data channels one connection keeps open. Channels
// the remote opens beyond it are closed at once (and reported): a hostile peer
// opening thousands of channels cannot grow memory without bound.
const MaxChannels = 1024

// MaxRemoteCandidates is how many remote candidates one connection accepts
// (per remote description). Each one makes pion send connectivity checks to
// its address: a hostile peer must not make us probe thousands of addresses.
// Real peers send a handful.
const MaxRemoteCandidates = 256

// Option adjusts how a PeerConnection builds its pion connection.
type Option func(*options)

type options struct {
	settings      func(*webrtc.SettingEngine)
	receiveBudget int
	muxOptions    []ice.UDPMuxFromPortOption
}

// WithSettingEngine lets f adjust pion's SettingEngine after this package's
// settings (tests use it to restrict candidates to loopback).
func WithSettingEngine(f func(*webrtc.SettingEngine)) Option {
	return func(o *options) { o.settings = f }
}

// WithUDPMuxOptions adds options for creating a udpMuxPort mux (tests use it
// to keep the mux on loopback).
func WithUDPMuxOptions(opts ...ice.UDPMuxFromPortOption) Option {
	return func(o *options) { o.muxOptions = opts }
}

// WithReceiveBudget sets the per-channel receive budget in bytes, for
// connections whose configuration does not set "receiveBudget".
func WithReceiveBudget(n int) Option {
	return func(o *options) { o.receiveBudget = n }
}

// PeerConnection implements Godot's WebRTCPeerConnection. Its methods are safe
// for concurrent use; Poll delivers events on the caller's goroutine.
type PeerConnection struct {
	opts options

	mu          sync.Mutex
	pc          *webrtc.PeerConnection // nil until first use or after Close
	closed      bool
	channels    map[*DataChannel]struct{}
	overLimitAt *webrtc.PeerConnection // the connection whose channel limit was already reported

	candidatesFor *webrtc.SessionDescription // the remote description remoteCandidates counts for
	remoteCands   int

	budget int // receive budget of new channels, from the configuration or the options
	// gathered is closed when pc has gathered all its candidates, if that is
	// quick (host candidates only); nil otherwise. gatherPending says that
	// SetLocalDescription started that gathering and Poll has not waited for
	// it yet. See SetLocalDescription.
	gathered      chan struct{}
	gatherPending atomic.Bool

	current atomic.Pointer[webrtc.PeerConnection] // events from any other are stale
	gen     atomic.Uint64                         // bumped by Close and Initialize

	evMu     sync.Mutex
	events   []Event
	spare    []Event
	problems int // Problem events in events
	pollMu   sync.Mutex
}

// NewPeerConnection returns a peer connection in state NEW. The pion connection
// is created on first use, with DefaultConfig unless Initialize is called.
func NewPeerConnection(opts ...Option) *PeerConnection {
	p := &PeerConnection{
		opts:     options{receiveBudget: DefaultReceiveBudget},
		channels: map[*DataChannel]struct{}{},
	}
	for _, o := range opts {
		o(&p.opts)
	}
	p.budget = p.opts.receiveBudget
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
	pc, gathered, err := p.newPion(c)
	if err != nil {
		return warnings, err
	}
	p.mu.Lock()
	old, oldChannels := p.detachLocked()
	p.pc = pc
	p.gathered = gathered
	p.gatherPending.Store(false)
	p.closed = false
	p.budget = cmp.Or(c.ReceiveBudget, p.opts.receiveBudget)
	p.current.Store(pc)
	p.gen.Add(1)
	p.mu.Unlock()
	p.clearEvents()
	closeAll(old, oldChannels)
	return warnings, nil
}

func (p *PeerConnection) newPion(c Config) (*webrtc.PeerConnection, chan struct{}, error) {
	var se webrtc.SettingEngine
	se.SetICETimeouts(c.ICEDisconnectedTimeout, c.ICEFailedTimeout, c.ICEKeepaliveInterval)
	se.LoggerFactory = &problemLogger{report: p.reportProblem, secrets: c.secrets()}
	se.SetSCTPMaxMessageSize(MaxMessageSize)
	se.SetSCTPMaxReceiveBufferSize(SCTPReceiveWindow)
	se.DetachDataChannels() // see newDataChannel
	// Larger kernel socket buffers: the default ones drop datagrams under
	// load (see SocketBufferSize).
	n, err := newBufferedNet(SocketBufferSize)
	if err != nil {
		return nil, nil, errorf(ErrCantCreate, "cannot list network interfaces: %v", err)
	}
	se.SetNet(n)
	tuneSCTP(&se)
	if c.UDPMuxPort != 0 {
		mux, err := sharedMux(c.UDPMuxPort, p.opts.muxOptions)
		if err != nil {
			return nil, nil, err
		}
		se.SetICEUDPMux(mux)
	}
	if c.UDPPortMax != 0 {
		if err := se.SetEphemeralUDPPortRange(c.UDPPortMin, c.UDPPortMax); err != nil {
			return nil, nil, errorf(ErrInvalidParameter, "udpPortRange: %v", err)
		}
	}
	if p.opts.settings != nil {
		p.opts.settings(&se)
	}
	// No interceptors: pion's defaults (NACK, RTCP reports, TWCC) serve
	// media tracks, which this extension has none of, and cost four
	// goroutines and their timers per connection.
	api := webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithInterceptorRegistry(&interceptor.Registry{}))
	pc, err := api.NewPeerConnection(c.Pion)
	if err != nil {
		return nil, nil, errorf(ErrInvalidParameter, "invalid configuration: %v", err)
	}
	// Create the ICE agent now rather than in the first CreateOffer or
	// CreateAnswer: making it waits on pion's goroutines, which from Godot's
	// thread costs thread hand-offs (0.3-0.5 ms measured), and initialize()
	// usually runs before the frame that starts signaling. An error here
	// comes back from the call that needs the agent.
	if t := pc.SCTP().Transport().ICETransport(); t != nil {
		_, _ = t.GetLocalParameters()
	}
	var gathered chan struct{}
	var gatheredOnce sync.Once
	if len(c.Pion.ICEServers) == 0 && c.Pion.ICETransportPolicy != webrtc.ICETransportPolicyRelay {
		gathered = make(chan struct{})
	}
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		defer p.recoverPion("ice candidate")
		if c == nil {
			// End of candidates: Godot has no signal for it.
			if gathered != nil {
				gatheredOnce.Do(func() { close(gathered) })
			}
			return
		}
		j := c.ToJSON()
		ev := ICECandidate{Candidate: j.Candidate}
		if j.SDPMid != nil {
			ev.Mid = *j.SDPMid
		}
		if j.SDPMLineIndex != nil {
			ev.MLineIndex = int(*j.SDPMLineIndex)
		}
		p.enqueue(pc, ev)
	})
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateFailed && p.current.Load() == pc {
			p.reportProblem(Problem{Code: ErrCantConnect, Scope: "ice",
				Message: "the connection failed: no candidate pair reached the peer (unreachable, blocked, or every relay refused)"})
		}
	})
	pc.OnDataChannel(func(dc *webrtc.DataChannel) {
		defer p.recoverPion("data channel")
		if !p.roomForChannel(pc) {
			_ = dc.Close()
			return
		}
		ch := p.adopt(pc, dc)
		if ch != nil {
			p.enqueue(pc, DataChannelReceived{Channel: ch})
		}
	})
	return pc, gathered, nil
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
		pc, gathered, err := p.newPion(DefaultConfig())
		if err != nil {
			return nil, err
		}
		p.pc = pc
		p.gathered = gathered
		p.current.Store(pc)
	}
	return p.pc, nil
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
		p.reportProblem(Problem{Code: ErrOutOfMemory, Scope: "datachannel", Message: fmt.Sprintf(
			"the remote opened more than %d data channels; the extra ones are closed", MaxChannels)})
	}
	return !full
}

// adopt wraps a pion channel of pc, unless pc is no longer current.
func (p *PeerConnection) adopt(pc *webrtc.PeerConnection, dc *webrtc.DataChannel) *DataChannel {
	p.mu.Lock()
	budget := p.budget
	p.mu.Unlock()
	ch := newDataChannel(dc, budget, p.forget, p.reportProblem, func(pr Problem) {
		if p.current.Load() == pc {
			p.Close()
			p.reportProblem(pr) // after Close, which drops pending events
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

func (p *PeerConnection) enqueue(pc *webrtc.PeerConnection, ev Event) {
	p.evMu.Lock()
	defer p.evMu.Unlock()
	if p.current.Load() != pc {
		return
	}
	p.events = append(p.events, ev)
}

// reportProblem queues a problem pion reported, whichever connection it came
// from, up to maxPendingProblems.
func (p *PeerConnection) reportProblem(pr Problem) {
	p.evMu.Lock()
	defer p.evMu.Unlock()
	if p.problems >= maxPendingProblems {
		return
	}
	p.problems++
	p.events = append(p.events, pr)
}

// recoverPion keeps a panic in a callback on a pion goroutine from killing the
// game: it is reported as a Problem instead.
func (p *PeerConnection) recoverPion(what string) {
	if r := recover(); r != nil {
		p.reportProblem(Problem{Scope: "webrtc", Message: fmt.Sprintf("internal error in %s callback: %v", what, r)})
	}
}

// clearEvents drops pending events; received channels nobody saw are closed
// (outside evMu: closing takes pion's locks, and pion reports problems, which
// take evMu, while holding them).
func (p *PeerConnection) clearEvents() {
	p.evMu.Lock()
	var unseen []*DataChannel
	for i := range p.events {
		if r, ok := p.events[i].(DataChannelReceived); ok {
			unseen = append(unseen, r.Channel)
		}
		p.events[i] = nil
	}
	p.events = p.events[:0]
	p.problems = 0
	p.evMu.Unlock()
	for _, ch := range unseen {
		ch.Close()
	}
}

// Poll hands queued events to handle, in the order they happened, on the
// caller's goroutine. It does not allocate when there is nothing to report.
func (p *PeerConnection) Poll(handle func(Event)) {
	if !p.pollMu.TryLock() {
		return // poll() called again from a signal handler: the outer call delivers
	}
	defer p.pollMu.Unlock()
	gen := p.gen.Load()
	for range maxPollPasses {
		p.awaitGathering()
		if !p.deliver(handle, gen) {
			return
		}
	}
}

// awaitGathering waits (at most gatherWait) for the host candidates that a
// SetLocalDescription call started gathering, once per call, so that the
// batch delivered next carries them.
func (p *PeerConnection) awaitGathering() {
	if !p.gatherPending.Swap(false) {
		return
	}
	p.mu.Lock()
	gathered := p.gathered
	p.mu.Unlock()
	if gathered == nil {
		return
	}
	t := time.NewTimer(gatherWait)
	defer t.Stop()
	select {
	case <-gathered:
	case <-t.C:
	}
}

// maxPollPasses bounds how many batches one Poll delivers. Events that the
// handlers cause (the answer set_remote_description creates, the candidates
// set_local_description gathers) come in the next batch, so that one poll per
// frame carries a whole exchange: offer, answer and candidates in one frame,
// the channels open in the next (issue 6: one frame less than before). The
// bound stops a handler that always causes another event, such as one that
// renegotiates on every description.
const maxPollPasses = 4

// deliver hands the queued events to handle; false if there were none, or a
// handler closed or re-initialised the connection (generation gen is over).
func (p *PeerConnection) deliver(handle func(Event), gen uint64) bool {
	p.evMu.Lock()
	evs := p.events
	p.events = p.spare[:0]
	p.problems = 0
	p.evMu.Unlock()
	defer func() {
		clear(evs)
		p.evMu.Lock()
		p.spare = evs[:0]
		p.evMu.Unlock()
	}()
	if len(evs) == 0 {
		return false
	}
	for i, ev := range evs {
		if p.gen.Load() != gen {
			// A handler closed or re-initialised the connection: the rest of
			// the batch belongs to the old one. Nobody will see its channels.
			for _, rest := range evs[i:] {
				if r, ok := rest.(DataChannelReceived); ok {
					r.Channel.Close()
				}
			}
			return false
		}
		handle(ev)
	}
	return p.gen.Load() == gen
}

// CreateOffer creates an offer; it arrives through Poll as a SessionDescription.
func (p *PeerConnection) CreateOffer() error {
	pc, err := p.conn()
	if err != nil {
		return err
	}
	if st := pc.SignalingState(); st != webrtc.SignalingStateStable && st != webrtc.SignalingStateHaveLocalOffer {
		// As the browsers: pion would create one, which could never be applied.
		return errorf(ErrUnavailable, "create_offer: the signaling state is %s; answer the remote offer first", st)
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		return wrapPion(err, "create_offer")
	}
	p.enqueue(pc, SessionDescription{Type: "offer", SDP: offer.SDP})
	return nil
}

func parseDescription(call, typ, raw string) (webrtc.SessionDescription, error) {
	t := webrtc.NewSDPType(typ)
	if t == webrtc.SDPTypeUnknown {
		return webrtc.SessionDescription{}, errorf(ErrInvalidParameter, "%s: type is %q, want \"offer\", \"answer\", \"pranswer\" or \"rollback\"", call, clip(typ))
	}
	desc := webrtc.SessionDescription{Type: t, SDP: raw}
	if t != webrtc.SDPTypeRollback {
		if strings.TrimSpace(raw) == "" {
			return desc, errorf(ErrInvalidData, "%s: the SDP is empty", call)
		}
		if _, err := desc.Unmarshal(); err != nil {
			return desc, errorf(ErrInvalidData, "%s: the SDP cannot be parsed: %v", call, err)
		}
	}
	return desc, nil
}

// SetLocalDescription applies a description this side created (possibly
// edited by the game); ICE gathering starts here.
//
// Without STUN or TURN servers, gathering finds host candidates only and is
// over in under a millisecond (0.2-0.6 ms measured). The next Poll waits for
// it (at most gatherWait) before its next batch, so that the candidates follow
// the description in the same Poll: when the game calls this from its
// session_description_created handler, both sides start connecting in the
// frame that carried the offer, not one frame later. The wait comes after
// the rest of the handler (sending the description, the other side answering)
// so gathering overlaps with it. With servers, Poll does not wait: server
// candidates take a round trip to the server.
func (p *PeerConnection) SetLocalDescription(typ, raw string) error {
	desc, err := parseDescription("set_local_description", typ, raw)
	if err != nil {
		return err
	}
	pc, err := p.conn()
	if err != nil {
		return err
	}
	if err := pc.SetLocalDescription(desc); err != nil {
		return wrapPion(err, "set_local_description")
	}
	if desc.Type != webrtc.SDPTypeRollback {
		p.gatherPending.Store(true)
	}
	return nil
}

// gatherWait bounds how long Poll waits for host candidates.
const gatherWait = 50 * time.Millisecond

// SetRemoteDescription applies the remote peer's description. For an offer it
// also creates the answer, which arrives through Poll.
func (p *PeerConnection) SetRemoteDescription(typ, raw string) error {
	desc, err := parseDescription("set_remote_description", typ, raw)
	if err != nil {
		return err
	}
	pc, err := p.conn()
	if err != nil {
		return err
	}
	if remoteTransitionAllowed(pc.SignalingState(), desc.Type) { // else pion refuses it, changing nothing
		if err := checkRemoteDescription("set_remote_description", desc); err != nil {
			return err
		}
	}
	if err := pc.SetRemoteDescription(desc); err != nil {
		return wrapPion(err, "set_remote_description")
	}
	if desc.Type != webrtc.SDPTypeOffer {
		return nil
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		return wrapPion(err, "set_remote_description: creating the answer")
	}
	p.enqueue(pc, SessionDescription{Type: "answer", SDP: answer.SDP})
	return nil
}

// AddICECandidate adds a remote candidate for the media section named by mid
// (or, if mid is empty, by its m-line index). An empty candidate marks the end
// of the remote candidates.
func (p *PeerConnection) AddICECandidate(mid string, index int64, candidate string) error {
	if index < 0 || index > 65535 {
		return errorf(ErrInvalidParameter, "add_ice_candidate: m-line index %d is outside 0..65535", index)
	}
	pc, err := p.conn()
	if err != nil {
		return err
	}
	remote := pc.RemoteDescription()
	if remote == nil {
		return errorf(ErrUnavailable, "add_ice_candidate: set the remote description first")
	}
	if err := checkMedia(remote, mid, int(index)); err != nil {
		return err
	}
	line := strings.TrimSpace(candidate)
	line = strings.TrimPrefix(line, "a=")
	if line != "" {
		if err := checkCandidate(remote, line); err != nil {
			return err
		}
	}
	if line != "" && !p.countRemoteCandidate(remote) {
		return errorf(ErrInvalidData, "add_ice_candidate: the remote sent more than %d candidates; the rest are refused", MaxRemoteCandidates)
	}
	idx := uint16(index)
	init := webrtc.ICECandidateInit{Candidate: line, SDPMLineIndex: &idx}
	if mid != "" {
		init.SDPMid = &mid
	}
	if err := pc.AddICECandidate(init); err != nil {
		return &CodeError{Code: ErrInvalidData, Err: fmt.Errorf("add_ice_candidate: invalid candidate: %w", err)}
	}
	return nil
}

// countRemoteCandidate counts one more candidate for the remote description
// and reports whether it is within MaxRemoteCandidates. A new remote
// description (an ICE restart, a new connection) starts a new count.
func (p *PeerConnection) countRemoteCandidate(remote *webrtc.SessionDescription) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.candidatesFor == nil || p.candidatesFor.SDP != remote.SDP {
		p.candidatesFor, p.remoteCands = remote, 0
	}
	if p.remoteCands >= MaxRemoteCandidates {
		return false
	}
	p.remoteCands++
	return true
}

// checkMedia checks that the remote description has the media section a
// candidate names, as the browsers do.
func checkMedia(remote *webrtc.SessionDescription, mid string, index int) error {
	var parsed sdp.SessionDescription
	if err := parsed.UnmarshalString(remote.SDP); err != nil {
		return errorf(ErrUnavailable, "add_ice_candidate: the remote description cannot be parsed: %v", err)
	}
	if mid != "" {
		for _, m := range parsed.MediaDescriptions {
			if v, ok := m.Attribute("mid"); ok && v == mid {
				return nil
			}
		}
		return errorf(ErrInvalidParameter, "add_ice_candidate: the remote description has no media section with mid %q", clip(mid))
	}
	if index >= len(parsed.MediaDescriptions) {
		return errorf(ErrInvalidParameter, "add_ice_candidate: m-line index %d, but the remote description has %d media sections", index, len(parsed.MediaDescriptions))
	}
	return nil
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
// Close returns; pending events are dropped.
func (p *PeerConnection) Close() {
	p.mu.Lock()
	old, channels := p.detachLocked()
	p.closed = true
	p.gen.Add(1)
	p.mu.Unlock()
	p.current.Store(nil)
	p.clearEvents()
	closeAll(old, channels)
}

// Free closes the connection for good: its owner is gone.
func (p *PeerConnection) Free() {
	p.Close()
	untrack(p)
}

func (p *PeerConnection) detachLocked() (*webrtc.PeerConnection, []*DataChannel) {
	old := p.pc
	p.pc = nil
	p.gathered = nil // nothing left to wait for (see awaitGathering)
	p.gatherPending.Store(false)
	channels := make([]*DataChannel, 0, len(p.channels))
	for ch := range p.channels {
		channels = append(channels, ch)
	}
	clear(p.channels)
	return old, channels
}

func closeAll(pc *webrtc.PeerConnection, channels []*DataChannel) {
	for _, ch := range channels {
		ch.markClosed()
	}
	if pc != nil {
		_ = pc.Close()
	}
}
