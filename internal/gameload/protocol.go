// Package gameload is the workload of the server benchmark: the rates, the
// message layouts and the channels that the load generator (bench/loadgen),
// the servers (bench/server/server.gd in Godot, bench/pionserver on raw pion,
// bench/wrtc_server.js on libwebrtc) and the churn test share, and the
// signaling client the Go programs join examples/signaling's rooms with.
//
// Each client sends its server 30 inputs of 64 bytes a second on an
// unreliable channel and receives 30 snapshots of 512 bytes a second; each
// side also sends the other one reliable 1 KiB event a second. The channels
// are those Godot's WebRTCMultiplayerPeer negotiates (ids 1, 2, 3), so the
// Godot server is a WebRTCMultiplayerPeer in server mode.
//
// Every message starts with a kind byte; the integers after it are little
// endian. Times are Unix microseconds: every process of a run shares the
// machine's clock.
package gameload

import (
	"encoding/binary"
	"time"
)

// Rates and sizes of the workload.
const (
	InputSize     = 64
	SnapshotSize  = 512
	EventSize     = 1024
	InputRate     = 30 // inputs per second per client
	SnapshotRate  = 30 // snapshots per second per client
	TickRate      = 60 // server frames per second
	EventInterval = time.Second
	// LateEvent is the delay beyond which a reliable event counts as delayed.
	LateEvent = 100 * time.Millisecond
)

// The data channels, as WebRTCMultiplayerPeer negotiates them: stream ids 1
// to 3, unreliable ones with a 1 ms packet lifetime.
const (
	ReliableID   = 1 // TRANSFER_MODE_RELIABLE: events
	OrderedID    = 2 // TRANSFER_MODE_UNRELIABLE_ORDERED: unused by the workload
	UnreliableID = 3 // TRANSFER_MODE_UNRELIABLE: inputs and snapshots

	UnreliableLifetimeMs = 1
)

// Message kinds, the first byte of every message.
const (
	KindInput    = 1
	KindEvent    = 2
	KindSnapshot = 3
)

// Input is what a client sends 30 times a second.
type Input struct {
	Seq  uint32 // 1, 2, ... per client
	Sent int64  // Unix µs
}

// Event is the reliable message each side sends once a second.
type Event struct {
	Seq  uint32 // 1, 2, ... per client and direction
	Sent int64  // Unix µs
}

// Snapshot is what the server sends each client 30 times a second. It also
// reports what the server counted from that client, so that the load
// generator can count losses in both directions.
type Snapshot struct {
	Seq            uint32 // 1, 2, ... per client
	InputsReceived uint32 // inputs the server read from this client
	EventsReceived uint32 // events the server read from this client
	EventsLate     uint32 // of those, how many arrived later than LateEvent
}

// Layout: kind at 0, then at 4 the sequence number, at 8 the send time or the
// snapshot's counters.
const (
	offSeq  = 4
	offTime = 8
)

// PutInput writes in into b (InputSize bytes).
func PutInput(b []byte, in Input) {
	b[0] = KindInput
	binary.LittleEndian.PutUint32(b[offSeq:], in.Seq)
	binary.LittleEndian.PutUint64(b[offTime:], uint64(in.Sent))
}

// PutEvent writes ev into b (EventSize bytes).
func PutEvent(b []byte, ev Event) {
	b[0] = KindEvent
	binary.LittleEndian.PutUint32(b[offSeq:], ev.Seq)
	binary.LittleEndian.PutUint64(b[offTime:], uint64(ev.Sent))
}

// PutSnapshot writes s into b (SnapshotSize bytes).
func PutSnapshot(b []byte, s Snapshot) {
	b[0] = KindSnapshot
	binary.LittleEndian.PutUint32(b[offSeq:], s.Seq)
	binary.LittleEndian.PutUint32(b[8:], s.InputsReceived)
	binary.LittleEndian.PutUint32(b[12:], s.EventsReceived)
	binary.LittleEndian.PutUint32(b[16:], s.EventsLate)
}

// Kind returns the kind of message b, 0 if it is too short to be one.
func Kind(b []byte) byte {
	if len(b) < 20 {
		return 0
	}
	return b[0]
}

// ReadInput reads an input written by PutInput.
func ReadInput(b []byte) Input {
	return Input{Seq: binary.LittleEndian.Uint32(b[offSeq:]), Sent: int64(binary.LittleEndian.Uint64(b[offTime:]))}
}

// ReadEvent reads an event written by PutEvent.
func ReadEvent(b []byte) Event {
	return Event{Seq: binary.LittleEndian.Uint32(b[offSeq:]), Sent: int64(binary.LittleEndian.Uint64(b[offTime:]))}
}

// ReadSnapshot reads a snapshot written by PutSnapshot; b holds at least 20
// bytes.
func ReadSnapshot(b []byte) Snapshot {
	return Snapshot{
		Seq:            binary.LittleEndian.Uint32(b[offSeq:]),
		InputsReceived: binary.LittleEndian.Uint32(b[8:]),
		EventsReceived: binary.LittleEndian.Uint32(b[12:]),
		EventsLate:     binary.LittleEndian.Uint32(b[16:]),
	}
}

// Now is the current time in Unix µs, the clock of every Sent field.
func Now() int64 { return time.Now().UnixMicro() }
