// Package extension implements the semantics of Godot's WebRTCPeerConnection and
// WebRTCDataChannel on pion/webrtc, with no dependency on Godot: the Godot glue
// in the root package maps each virtual method onto a method here, and this
// package is tested with plain `go test` by connecting two peers in-process.
//
// Threading follows the browsers' event loop: pion's goroutines only queue
// events; PeerConnection.Poll, called on the game's thread, hands them to the
// caller. State getters read the current state and are safe from any thread.
package extension
