package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/extension"
	"github.com/godot-webrtc-go/godot-webrtc-go/internal/gameload"
)

// client is one player: a signaling connection and, once the server's offer
// came, a peer connection with WebRTCMultiplayerPeer's three negotiated
// channels. Everything but the signaling read goroutine runs on the load
// generator's loop.
type client struct {
	sig     *gameload.Signaling
	pc      *extension.PeerConnection
	rel     *extension.DataChannel // events
	unrel   *extension.DataChannel // inputs and snapshots
	handle  func(extension.Event)  // bound once: Poll must not allocate
	dialed  time.Time
	opened  time.Time // zero until every channel is open
	sending bool      // inputs and events are due
	gone    bool      // left, or failed

	joinCounted bool // a churn run counted its join time

	nextInput, nextEvent time.Time
	inputsSent           uint32
	eventsSent           uint32

	snapshots   int64  // received
	snapshotMax uint32 // highest sequence number received
	eventsIn    int64
	eventsInMax uint32
	eventsLate  int64             // events from the server that took longer than LateEvent
	server      gameload.Snapshot // the highest counters the server reported
	err         error
}

func newClient() *client {
	c := &client{dialed: time.Now()}
	c.handle = c.onEvent
	return c
}

// signal handles a signaling message from the server.
func (c *client) signal(m gameload.Message) {
	if c.gone {
		return
	}
	var err error
	switch m.Type {
	case "offer":
		if c.pc == nil {
			err = c.open()
		}
		if err == nil {
			err = c.pc.SetRemoteDescription(m.Type, m.SDP)
		}
	case "candidate":
		if c.pc != nil {
			err = c.pc.AddICECandidate(m.Media, int64(m.Index), m.Name)
		}
	}
	if err != nil {
		c.fail(fmt.Errorf("signaling %s: %w", m.Type, err))
	}
}

// open makes the peer connection and its channels, as WebRTCMultiplayerPeer
// in client mode does.
func (c *client) open() error {
	c.pc = extension.NewPeerConnection()
	lifetime := int64(gameload.UnreliableLifetimeMs)
	var err error
	if c.rel, _, err = c.pc.CreateDataChannel("reliable", map[string]any{"negotiated": true, "id": int64(gameload.ReliableID)}); err != nil {
		return err
	}
	if _, _, err = c.pc.CreateDataChannel("ordered", map[string]any{"negotiated": true, "id": int64(gameload.OrderedID), "maxPacketLifetime": lifetime}); err != nil {
		return err
	}
	c.unrel, _, err = c.pc.CreateDataChannel("unreliable", map[string]any{"negotiated": true, "id": int64(gameload.UnreliableID), "maxPacketLifetime": lifetime, "ordered": false})
	return err
}

// onEvent relays the answer and the candidates to the server.
func (c *client) onEvent(ev extension.Event) {
	var err error
	switch ev := ev.(type) {
	case extension.SessionDescription:
		if err = c.pc.SetLocalDescription(ev.Type, ev.SDP); err == nil {
			err = c.sig.Send(1, gameload.Message{Type: ev.Type, SDP: ev.SDP})
		}
	case extension.ICECandidate:
		err = c.sig.Send(1, gameload.Message{Type: "candidate", Media: ev.Mid, Index: ev.MLineIndex, Name: ev.Candidate})
	case extension.Problem:
		err = fmt.Errorf("%s: %s", ev.Scope, ev.Message)
	}
	if err != nil {
		c.fail(err)
	}
}

func (c *client) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// step polls the connection, notices it opening, sends what is due and reads
// what arrived. buf is scratch space for reading.
func (c *client) step(now time.Time, buf, input, event []byte) {
	if c.pc == nil || c.gone {
		return
	}
	c.pc.Poll(c.handle)
	if c.opened.IsZero() {
		if c.rel.ReadyState() != extension.ChannelOpen || c.unrel.ReadyState() != extension.ChannelOpen {
			return
		}
		c.opened = now
		c.sending = true
		// Spread the clients over the send periods.
		c.nextInput = now.Add(rand.N(time.Second / gameload.InputRate))
		c.nextEvent = now.Add(rand.N(gameload.EventInterval))
	}
	if c.sending {
		for !now.Before(c.nextInput) {
			c.inputsSent++
			gameload.PutInput(input, gameload.Input{Seq: c.inputsSent, Sent: gameload.Now()})
			if err := c.unrel.Send(input); err != nil {
				c.fail(fmt.Errorf("input: %w", err))
			}
			c.nextInput = c.nextInput.Add(time.Second / gameload.InputRate)
		}
		if !now.Before(c.nextEvent) {
			c.eventsSent++
			gameload.PutEvent(event, gameload.Event{Seq: c.eventsSent, Sent: gameload.Now()})
			if err := c.rel.Send(event); err != nil {
				c.fail(fmt.Errorf("event: %w", err))
			}
			c.nextEvent = c.nextEvent.Add(gameload.EventInterval)
		}
	}
	c.read(c.unrel, buf)
	c.read(c.rel, buf)
}

func (c *client) read(ch *extension.DataChannel, buf []byte) {
	for {
		n, _, ok := ch.PopInto(buf)
		if !ok {
			return
		}
		if n > len(buf) {
			c.fail(fmt.Errorf("a %d-byte message", n))
			return
		}
		msg := buf[:n]
		switch gameload.Kind(msg) {
		case gameload.KindSnapshot:
			s := gameload.ReadSnapshot(msg)
			c.snapshots++
			c.snapshotMax = max(c.snapshotMax, s.Seq)
			c.server.InputsReceived = max(c.server.InputsReceived, s.InputsReceived)
			c.server.EventsReceived = max(c.server.EventsReceived, s.EventsReceived)
			c.server.EventsLate = max(c.server.EventsLate, s.EventsLate)
		case gameload.KindEvent:
			ev := gameload.ReadEvent(msg)
			c.eventsIn++
			c.eventsInMax = max(c.eventsInMax, ev.Seq)
			if time.Duration(gameload.Now()-ev.Sent)*time.Microsecond > gameload.LateEvent {
				c.eventsLate++
			}
		default:
			c.fail(fmt.Errorf("a message of kind %d", msg[0]))
		}
	}
}

// leave closes the connection and the signaling: the server gets a leave
// notice.
func (c *client) leave() {
	c.gone = true
	if c.pc != nil {
		c.pc.Free()
	}
	if c.sig != nil {
		c.sig.Close()
	}
}

// id is the client's signaling id, 0 before the welcome.
func (c *client) id() int {
	if c.sig == nil {
		return 0
	}
	return c.sig.ID
}
