package extension

import (
	"fmt"
	"sync"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

// Option adjusts how a PeerConnection builds its pion connection.
type Option func(*options)

type options struct {
	settings      func(*webrtc.SettingEngine)
	receiveBudget int
	muxOptions    []ice.UDPMuxFromPortOption
	tcpMuxHost    string
	gatherWait    time.Duration
}

func defaultOptions() options {
	return options{receiveBudget: DefaultReceiveBudget, gatherWait: gatherWait}
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

// WithTCPMuxHost makes a tcpMuxPort listen on host only, not on every
// address of the machine (tests use it to keep the mux on loopback).
func WithTCPMuxHost(host string) Option {
	return func(o *options) { o.tcpMuxHost = host }
}

// WithReceiveBudget sets the per-channel receive budget in bytes, for
// connections whose configuration does not set "receiveBudget".
func WithReceiveBudget(n int) Option {
	return func(o *options) { o.receiveBudget = n }
}

// allNetworkTypes is what a connection uses unless "iceNetworkTypes" says
// otherwise: UDP, and TCP as browsers do (pion's default is UDP only).
// Without a tcpMuxPort, TCP costs nothing until the remote offers a passive
// TCP candidate (a server with a tcpMuxPort): then this side dials it, which
// is how a player whose network blocks UDP reaches such a server.
var allNetworkTypes = []webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6,
	webrtc.NetworkTypeTCP4, webrtc.NetworkTypeTCP6}

// newPion builds a pion connection for configuration c, with callbacks that
// report to p, and its media (no codec until it gets audio). gathered is
// closed when the connection has gathered all its candidates, if that is
// quick (host candidates only); nil otherwise.
func (p *PeerConnection) newPion(c Config) (pc *webrtc.PeerConnection, m *media, gathered chan struct{}, err error) {
	var se webrtc.SettingEngine
	se.SetICETimeouts(c.ICEDisconnectedTimeout, c.ICEFailedTimeout, c.ICEKeepaliveInterval)
	se.LoggerFactory = &problemLogger{report: p.queue.report, secrets: c.secrets()}
	se.SetSCTPMaxMessageSize(MaxMessageSize)
	se.SetSCTPMaxReceiveBufferSize(SCTPReceiveWindow)
	se.DetachDataChannels() // see newDataChannel
	tuneSCTP(&se)
	n, err := newBufferedNet(SocketBufferSize)
	if err != nil {
		return nil, nil, nil, errorf(ErrCantCreate, "cannot list network interfaces: %v", err)
	}
	se.SetNet(n)
	if c.UDPMuxPort != 0 {
		mux, err := sharedMux(c.UDPMuxPort, p.opts.muxOptions)
		if err != nil {
			return nil, nil, nil, err
		}
		se.SetICEUDPMux(mux)
		// No mDNS in server mode: pion opens two multicast sockets and runs
		// six goroutines per connection to resolve remote .local candidates,
		// and each of those sockets receives every mDNS packet on the LAN.
		// A server's players reach it from other networks, where those names
		// mean nothing; a player on its LAN still connects: its checks reach
		// the server, which learns its address from them (peer-reflexive).
		se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	}
	if c.TCPMuxPort != 0 {
		mux, err := sharedTCPMux(c.TCPMuxPort, p.opts.tcpMuxHost)
		if err != nil {
			return nil, nil, nil, err
		}
		se.SetICETCPMux(mux)
	}
	if len(c.NetworkTypes) > 0 {
		se.SetNetworkTypes(c.NetworkTypes)
	} else {
		se.SetNetworkTypes(allNetworkTypes)
	}
	if !c.uses(webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6) {
		// Every pair is TCP then, and the remote end of a pair through a
		// passive candidate is peer-reflexive (an active candidate's port is
		// known only once it connects). pion waits 1 s before nominating
		// such a pair, in case a better one succeeds; without UDP there is
		// none to wait for.
		se.SetPrflxAcceptanceMinWait(0)
	}
	if c.UDPPortMax != 0 {
		if err := se.SetEphemeralUDPPortRange(c.UDPPortMin, c.UDPPortMax); err != nil {
			return nil, nil, nil, errorf(ErrInvalidParameter, "udpPortRange: %v", err)
		}
	}
	if p.opts.settings != nil {
		p.opts.settings(&se)
	}
	// The connection's own MediaEngine, empty until it gets audio (see
	// media): not copied, so that Opus can be registered on a live
	// connection.
	m = newMedia()
	se.DisableMediaEngineCopy(true)
	// A remote track is reported when negotiation brings it, as browsers'
	// ontrack, not when its first packet comes: a remote that has not
	// spoken yet still has a track.
	se.SetFireOnTrackBeforeFirstRTP(true)
	// No interceptors: pion's defaults (NACK, RTCP reports, TWCC) cost four
	// goroutines and their timers per connection, data-only ones included,
	// and voice needs none of them: Opus is not retransmitted, and the
	// receiver measures loss and jitter itself.
	api := webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(m.engine),
		webrtc.WithInterceptorRegistry(&interceptor.Registry{}))
	pc, err = api.NewPeerConnection(c.Pion)
	if err != nil {
		return nil, nil, nil, errorf(ErrInvalidParameter, "invalid configuration: %v", err)
	}
	// Create the ICE agent now rather than in the first CreateOffer or
	// CreateAnswer: making it waits on pion's goroutines, which from Godot's
	// thread costs thread hand-offs (0.3-0.5 ms measured), and initialize()
	// usually runs before the frame that starts signaling. An error here
	// comes back from the call that needs the agent.
	if t := pc.SCTP().Transport().ICETransport(); t != nil {
		_, _ = t.GetLocalParameters()
	}
	if len(c.Pion.ICEServers) == 0 && c.Pion.ICETransportPolicy != webrtc.ICETransportPolicyRelay {
		gathered = make(chan struct{})
	}
	p.handlePion(pc, m, gathered)
	return pc, m, gathered, nil
}

// handlePion sets pc's callbacks: they run on pion's goroutines, so they only
// queue events for Poll.
func (p *PeerConnection) handlePion(pc *webrtc.PeerConnection, m *media, gathered chan struct{}) {
	var gatheredOnce sync.Once
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
		p.queue.push(pc, ev)
	})
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		// pion calls this on a goroutine of its own per change, so the
		// mirror is set from the state now, not from s.
		p.mu.Lock()
		if p.pc == pc {
			p.mirrorConnectedLocked()
		}
		p.mu.Unlock()
		if s == webrtc.PeerConnectionStateFailed && p.queue.isCurrent(pc) {
			p.queue.report(Problem{Code: ErrCantConnect, Scope: "ice",
				Message: "the connection failed: no candidate pair reached the peer (unreachable, blocked, or every relay refused)"})
		}
	})
	// A channel the remote opened is handed to the game OPEN, as browsers
	// hand it to ondatachannel: pion calls OnDataChannel before it opens the
	// channel (on its accepting goroutine, right after), so a game could see
	// it CONNECTING and have put_packet refused. OnDataChannelOpened comes
	// once it is open, on the same goroutine. OnDataChannel still needs a
	// handler: without one, pion closes every channel the remote opens.
	pc.OnDataChannel(func(*webrtc.DataChannel) {})
	pc.SCTP().OnDataChannelOpened(func(dc *webrtc.DataChannel) {
		defer p.recoverPion("data channel")
		if !p.roomForChannel(pc) {
			_ = dc.Close()
			return
		}
		if ch := p.adopt(pc, dc); ch != nil {
			p.queue.push(pc, DataChannelReceived{Channel: ch})
		}
	})
	pc.OnTrack(func(remote *webrtc.TrackRemote, receiver *webrtc.RTPReceiver) {
		p.onTrack(pc, m, remote, receiver)
	})
}

// recoverPion keeps a panic in a callback on a pion goroutine from killing the
// game: it is reported as a Problem instead.
func (p *PeerConnection) recoverPion(what string) {
	if r := recover(); r != nil {
		p.queue.report(Problem{Scope: "webrtc", Message: fmt.Sprintf("internal error in %s callback: %v", what, r)})
	}
}

// tuneSCTP sets pion's SCTP retransmission and congestion knobs (see
// sctpRTOMax).
func tuneSCTP(se *webrtc.SettingEngine) {
	se.SetSCTPRTOMax(sctpRTOMax)
	se.SetSCTPMinCwnd(sctpMinCwnd)
	se.SetSCTPFastRtxWnd(sctpFastRtxWnd)
}
