package main

import (
	"errors"
	"fmt"

	"github.com/godot-webrtc-go/godot-webrtc-go/binding"
	"github.com/godot-webrtc-go/godot-webrtc-go/extension"
)

// peerConnection is the Go side of a WebRTCGoPeerConnection object.
type peerConnection struct {
	self binding.Object
	pc   *extension.PeerConnection
	emit func(extension.Event) // bound once: Poll must not allocate

	lastError map[string]any // {code, scope, message} of the last problem; poll()'s thread only
	tracks    trackObjects
}

// Signals the class emits.
const (
	sigSessionDescription = "session_description_created"
	sigICECandidate       = "ice_candidate_created"
	sigDataChannel        = "data_channel_received"
	sigErrorOccurred      = "error_occurred"
	sigTrackReceived      = "track_received"
)

func newPeerConnection(self binding.Object, slots binding.Slots) *peerConnection {
	p := &peerConnection{self: self, pc: extension.NewPeerConnection()}
	p.emit = p.emitEvent
	p.pc.Mirror(extension.ConnectionMirror{Pending: slots.Int(slotPending), Connected: slots.Int(slotConnected)})
	return p
}

// The instance slots a connection keeps up to date (see
// extension.ConnectionMirror) for the virtuals that answer without calling Go.
const (
	slotPending   = 0 // 0 while poll() has nothing to do
	slotConnected = 1 // STATE_CONNECTED while connected, else 0
)

// peerConnectionFast are the virtuals that answer without calling Go:
// WebRTCMultiplayerPeer polls every peer and reads its state every frame.
var peerConnectionFast = map[string]binding.Fast{
	"_poll":                 binding.IdleWhileZero(slotPending),
	"_get_connection_state": binding.FromSlotUnlessZero(slotConnected),
}

func (p *peerConnection) free() {
	p.pc.Mirror(extension.ConnectionMirror{}) // the slots go with the instance
	p.pc.Free()
	p.tracks.release()
}

func registerPeerConnection() { binding.Register(peerConnectionSpec()) }

// peerConnectionSpec describes the class; doc_classes/WebRTCGoPeerConnection.xml
// documents its methods and signals (docs_test.go checks that they match).
func peerConnectionSpec() binding.ClassSpec[*peerConnection] {
	type pc = *peerConnection
	return binding.ClassSpec[pc]{
		Name:     peerConnectionClassName,
		Parent:   "WebRTCPeerConnectionExtension",
		New:      newPeerConnection,
		Free:     pc.free,
		Virtuals: implement(peerConnectionVirtuals, peerConnectionImpls(), peerConnectionFast),
		Methods: []binding.Method[pc]{
			{Name: "get_stats", Ret: binding.TypeDictionary, Call: func(p pc, _ binding.MethodArgs) any { return p.pc.Stats() }},
			{Name: "get_last_error", Ret: binding.TypeDictionary, Call: func(p pc, _ binding.MethodArgs) any {
				if p.lastError == nil {
					return map[string]any{}
				}
				return p.lastError
			}},
			{Name: "add_audio_track", Args: []binding.Arg{{Name: "options", Type: binding.TypeDictionary, Default: map[string]any{}}},
				Ret: binding.TypeObject, RetClass: audioTrackClassName, Call: pc.addAudioTrack},
		},
		Signals: []binding.Signal{
			{Name: sigErrorOccurred, Args: []binding.SignalArg{{Name: "code", Type: binding.TypeInt}, {Name: "message", Type: binding.TypeString}}},
			{Name: sigTrackReceived, Args: []binding.SignalArg{{Name: "track", Type: binding.TypeObject, Class: audioTrackClassName}}},
		},
	}
}

// addAudioTrack implements add_audio_track(options: Dictionary = {}) ->
// WebRTCGoAudioTrack; null, with the reason printed, for bad options.
func (p *peerConnection) addAudioTrack(a binding.MethodArgs) any {
	opts, err := a.Dictionary(0)
	if err != nil {
		binding.PrintError(fmt.Errorf("add_audio_track(): options: %w", err))
		return nil
	}
	useAudioServerMixRate()
	t, warnings, err := p.pc.AddAudioTrack(opts)
	warn(warnings)
	if err != nil {
		binding.PrintError(err)
		return nil
	}
	return p.tracks.object(t)
}

func (p *peerConnection) initialize(a binding.Args, r binding.Ret) {
	cfg, err := a.Dictionary(0)
	if err != nil {
		result(r, &extension.CodeError{Code: extension.ErrInvalidParameter, Err: fmt.Errorf("initialize(): %w", err)})
		return
	}
	warnings, err := p.pc.Initialize(cfg)
	warn(warnings)
	if err == nil {
		p.tracks.release() // the previous connection's, closed
	}
	result(r, err)
}

func (p *peerConnection) createDataChannel(a binding.Args, r binding.Ret) {
	label := a.String(0)
	opts, err := a.Dictionary(1)
	if err != nil {
		binding.PrintError(fmt.Errorf("create_data_channel(): options: %w", err))
		return
	}
	ch, warnings, err := p.pc.CreateDataChannel(label, opts)
	warn(warnings)
	if err != nil {
		binding.PrintError(err)
		return // null
	}
	r.SetObject(newDataChannelObject(ch))
}

// emitEvent turns a queued event into the matching signal. It runs inside
// poll(), on the thread that called it.
func (p *peerConnection) emitEvent(ev extension.Event) {
	var err error
	switch ev := ev.(type) {
	case extension.SessionDescription:
		err = p.self.EmitSignal(binding.Name(sigSessionDescription), ev.Type, ev.SDP)
	case extension.ICECandidate:
		err = p.self.EmitSignal(binding.Name(sigICECandidate), ev.Mid, int64(ev.MLineIndex), ev.Candidate)
	case extension.DataChannelReceived:
		// The signal's Variant holds the only reference: if no script keeps
		// the channel, Godot frees it and the channel closes.
		err = p.self.EmitSignal(binding.Name(sigDataChannel), newDataChannelObject(ev.Channel))
	case extension.TrackReceived:
		err = p.self.EmitSignal(binding.Name(sigTrackReceived), p.tracks.object(ev.Track))
	case extension.Problem:
		msg := ev.Scope + ": " + ev.Message
		binding.PrintError(errors.New(msg))
		p.lastError = map[string]any{"code": int64(ev.Code), "scope": ev.Scope, "message": ev.Message}
		err = p.self.EmitSignal(binding.Name(sigErrorOccurred), int64(ev.Code), msg)
	}
	if err != nil {
		binding.PrintError(err)
	}
}

// peerConnectionImpls maps each virtual method of the class to its implementation.
func peerConnectionImpls() map[string]func(*peerConnection, binding.Args, binding.Ret) {
	type pc = *peerConnection
	return map[string]func(pc, binding.Args, binding.Ret){
		"_get_connection_state": func(p pc, _ binding.Args, r binding.Ret) { r.SetInt(int64(p.pc.ConnectionState())) },
		"_get_gathering_state":  func(p pc, _ binding.Args, r binding.Ret) { r.SetInt(int64(p.pc.GatheringState())) },
		"_get_signaling_state":  func(p pc, _ binding.Args, r binding.Ret) { r.SetInt(int64(p.pc.SignalingState())) },
		"_initialize":           (*peerConnection).initialize,
		"_create_data_channel":  (*peerConnection).createDataChannel,
		"_create_offer":         func(p pc, _ binding.Args, r binding.Ret) { result(r, p.pc.CreateOffer()) },
		"_set_remote_description": func(p pc, a binding.Args, r binding.Ret) {
			useAudioServerMixRate() // for the tracks the remote may add
			result(r, p.pc.SetRemoteDescription(a.String(0), a.String(1)))
		},
		"_set_local_description": func(p pc, a binding.Args, r binding.Ret) {
			result(r, p.pc.SetLocalDescription(a.String(0), a.String(1)))
		},
		"_add_ice_candidate": func(p pc, a binding.Args, r binding.Ret) {
			result(r, p.pc.AddICECandidate(a.String(0), a.Int(1), a.String(2)))
		},
		"_poll": func(p pc, _ binding.Args, r binding.Ret) {
			p.pc.Poll(p.emit)
			r.SetInt(int64(extension.OK))
		},
		"_close": func(p pc, _ binding.Args, _ binding.Ret) {
			warn(p.pc.Close())
			p.tracks.release()
		},
	}
}
