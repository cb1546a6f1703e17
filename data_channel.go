package main

import (
	"fmt"

	"github.com/godot-webrtc-go/godot-webrtc-go/binding"
	"github.com/godot-webrtc-go/godot-webrtc-go/extension"
)

// dataChannel is the Go side of a WebRTCGoDataChannel object.
type dataChannel struct {
	ch *extension.DataChannel // nil for an object a script constructed itself

	// packet holds the last packet get_packet returned: Godot reads it
	// through the returned pointer until the next call.
	packet binding.CBuffer
}

// minPacketBuffer is the size of the first packet buffer; it grows to the
// largest message read.
const minPacketBuffer = 256

var dataChannelClass *binding.Class[*dataChannel]

func newDataChannelObject(ch *extension.DataChannel) binding.Object {
	return dataChannelClass.NewObject(func(_ binding.Object, slots binding.Slots) *dataChannel {
		ch.Mirror(extension.ChannelMirror{Available: slots.Int(slotAvailable), Open: slots.Int(slotOpen)})
		return &dataChannel{ch: ch}
	})
}

// The instance slots a channel keeps up to date (see extension.ChannelMirror)
// for the virtuals that answer without calling Go.
const (
	slotAvailable = 0 // unread packets
	slotOpen      = 1 // STATE_OPEN while open, else 0
)

// dataChannelFast are the virtuals that answer without calling Go: Godot's
// WebRTCMultiplayerPeer calls them for every channel of every peer every
// frame, and asks for the packet count of each for every packet it reads.
var dataChannelFast = map[string]binding.Fast{
	"_get_available_packet_count": binding.FromSlot(slotAvailable),
	"_get_ready_state":            binding.FromSlotUnlessZero(slotOpen),
	"_poll":                       binding.AlwaysOK,
}

func registerDataChannel() { dataChannelClass = binding.Register(dataChannelSpec()) }

// dataChannelSpec describes the class, documented in doc_classes/WebRTCGoDataChannel.xml.
func dataChannelSpec() binding.ClassSpec[*dataChannel] {
	type dc = *dataChannel
	return binding.ClassSpec[dc]{
		Name:     dataChannelClassName,
		Parent:   "WebRTCDataChannelExtension",
		New:      func(binding.Object, binding.Slots) dc { return &dataChannel{} },
		Free:     dc.free,
		Virtuals: implement(dataChannelVirtuals, dataChannelImpls(), dataChannelFast),
	}
}

func (d *dataChannel) free() {
	d.ch.Mirror(extension.ChannelMirror{}) // the slots go with the instance
	d.ch.Close()
	d.packet.Free()
}

// getPacket implements _get_packet(const uint8_t **r_buffer, int32_t *r_buffer_size).
// The message is copied straight from the channel's queue into the C buffer,
// whose Go-side buffer goes back to a pool: no allocation per packet.
func (d *dataChannel) getPacket(a binding.Args, r binding.Ret) {
	size := minPacketBuffer
	for {
		if err := d.packet.Grow(size); err != nil {
			result(r, &extension.CodeError{Code: extension.ErrOutOfMemory, Err: fmt.Errorf("get_packet: %w", err)})
			return
		}
		buf := d.packet.Bytes()
		n, _, ok := d.ch.PopInto(buf)
		if !ok {
			result(r, &extension.CodeError{Code: extension.ErrUnavailable, Err: fmt.Errorf("get_packet: no packet is available")})
			return
		}
		if n <= len(buf) {
			a.SetOutBuffer(0, &d.packet, n)
			r.SetInt(int64(extension.OK))
			return
		}
		// Too small: nothing was taken; grow and take it.
		size = max(n, 2*len(buf))
	}
}

// putPacket implements _put_packet(const uint8_t *p_buffer, int p_buffer_size).
func (d *dataChannel) putPacket(a binding.Args, r binding.Ret) {
	data, err := a.Bytes(0)
	if err != nil {
		result(r, &extension.CodeError{Code: extension.ErrInvalidParameter, Err: fmt.Errorf("put_packet: %w", err)})
		return
	}
	result(r, d.ch.Send(data))
}

func (d *dataChannel) setWriteMode(a binding.Args, _ binding.Ret) {
	switch m := extension.WriteMode(a.Int(0)); m {
	case extension.WriteText, extension.WriteBinary:
		d.ch.SetWriteMode(m)
	default:
		binding.PrintError(fmt.Errorf("set_write_mode: %d is not WRITE_MODE_TEXT or WRITE_MODE_BINARY", m))
	}
}

// dataChannelImpls maps each virtual method of the class to its implementation.
func dataChannelImpls() map[string]func(*dataChannel, binding.Args, binding.Ret) {
	type dc = *dataChannel
	return map[string]func(dc, binding.Args, binding.Ret){
		"_get_packet":                 dc.getPacket,
		"_put_packet":                 dc.putPacket,
		"_get_available_packet_count": func(d dc, _ binding.Args, r binding.Ret) { r.SetInt(int64(d.ch.AvailablePacketCount())) },
		"_get_max_packet_size":        func(d dc, _ binding.Args, r binding.Ret) { r.SetInt(int64(d.ch.MaxPacketSize())) },
		"_poll":                       func(_ dc, _ binding.Args, r binding.Ret) { r.SetInt(int64(extension.OK)) },
		"_close":                      func(d dc, _ binding.Args, _ binding.Ret) { d.ch.Close() },
		"_set_write_mode":             dc.setWriteMode,
		"_get_write_mode":             func(d dc, _ binding.Args, r binding.Ret) { r.SetInt(int64(d.ch.WriteMode())) },
		"_was_string_packet":          func(d dc, _ binding.Args, r binding.Ret) { r.SetBool(d.ch.WasStringPacket()) },
		"_get_ready_state":            func(d dc, _ binding.Args, r binding.Ret) { r.SetInt(int64(d.ch.ReadyState())) },
		"_get_label":                  func(d dc, _ binding.Args, r binding.Ret) { r.SetString(d.ch.Label()) },
		"_is_ordered":                 func(d dc, _ binding.Args, r binding.Ret) { r.SetBool(d.ch.Ordered()) },
		"_get_id":                     func(d dc, _ binding.Args, r binding.Ret) { r.SetInt(int64(d.ch.ID())) },
		"_get_max_packet_life_time":   func(d dc, _ binding.Args, r binding.Ret) { r.SetInt(int64(d.ch.MaxPacketLifeTime())) },
		"_get_max_retransmits":        func(d dc, _ binding.Args, r binding.Ret) { r.SetInt(int64(d.ch.MaxRetransmits())) },
		"_get_protocol":               func(d dc, _ binding.Args, r binding.Ret) { r.SetString(d.ch.Protocol()) },
		"_is_negotiated":              func(d dc, _ binding.Args, r binding.Ret) { r.SetBool(d.ch.Negotiated()) },
		"_get_buffered_amount":        func(d dc, _ binding.Args, r binding.Ret) { r.SetInt(int64(d.ch.BufferedAmount())) },
	}
}
