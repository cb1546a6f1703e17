package extension

import "github.com/pion/webrtc/v4"

// ConnectionState is Godot's WebRTCPeerConnection.ConnectionState.
type ConnectionState int

// Godot's connection states.
const (
	StateNew ConnectionState = iota
	StateConnecting
	StateConnected
	StateDisconnected
	StateFailed
	StateClosed
)

// GatheringState is Godot's WebRTCPeerConnection.GatheringState.
type GatheringState int

// Godot's gathering states.
const (
	GatheringNew GatheringState = iota
	GatheringGathering
	GatheringComplete
)

// SignalingState is Godot's WebRTCPeerConnection.SignalingState.
type SignalingState int

// Godot's signaling states.
const (
	SignalingStable SignalingState = iota
	SignalingHaveLocalOffer
	SignalingHaveRemoteOffer
	SignalingHaveLocalPranswer
	SignalingHaveRemotePranswer
	SignalingClosed
)

// ChannelState is Godot's WebRTCDataChannel.ChannelState.
type ChannelState int

// Godot's data channel states.
const (
	ChannelConnecting ChannelState = iota
	ChannelOpen
	ChannelClosing
	ChannelClosed
)

// WriteMode is Godot's WebRTCDataChannel.WriteMode.
type WriteMode int

// Godot's write modes.
const (
	WriteText WriteMode = iota
	WriteBinary
)

func connectionState(s webrtc.PeerConnectionState) ConnectionState {
	switch s {
	case webrtc.PeerConnectionStateConnecting:
		return StateConnecting
	case webrtc.PeerConnectionStateConnected:
		return StateConnected
	case webrtc.PeerConnectionStateDisconnected:
		return StateDisconnected
	case webrtc.PeerConnectionStateFailed:
		return StateFailed
	case webrtc.PeerConnectionStateClosed:
		return StateClosed
	default:
		return StateNew
	}
}

func gatheringState(s webrtc.ICEGatheringState) GatheringState {
	switch s {
	case webrtc.ICEGatheringStateGathering:
		return GatheringGathering
	case webrtc.ICEGatheringStateComplete:
		return GatheringComplete
	default:
		return GatheringNew
	}
}

func signalingState(s webrtc.SignalingState) SignalingState {
	switch s {
	case webrtc.SignalingStateHaveLocalOffer:
		return SignalingHaveLocalOffer
	case webrtc.SignalingStateHaveRemoteOffer:
		return SignalingHaveRemoteOffer
	case webrtc.SignalingStateHaveLocalPranswer:
		return SignalingHaveLocalPranswer
	case webrtc.SignalingStateHaveRemotePranswer:
		return SignalingHaveRemotePranswer
	case webrtc.SignalingStateClosed:
		return SignalingClosed
	default:
		return SignalingStable
	}
}

func channelState(s webrtc.DataChannelState) ChannelState {
	switch s {
	case webrtc.DataChannelStateOpen:
		return ChannelOpen
	case webrtc.DataChannelStateClosing:
		return ChannelClosing
	case webrtc.DataChannelStateClosed:
		return ChannelClosed
	default:
		return ChannelConnecting
	}
}
