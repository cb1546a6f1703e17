package extension

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/pion/webrtc/v4"
)

// Between two pion peers, SCTP interleaves messages (RFC 8260 I-DATA, which
// pion/sctp negotiates whenever both ends offer it, and pion/webrtc has no
// setting to turn off): its scheduler sends the fragments of the messages
// waiting on different channels in turn. The receiver keeps every fragment
// in its receive window until its message is whole, so four maximum-size
// messages sent at once on different channels fill a 768 KiB window with
// partial messages. None can complete, since their remaining fragments no
// longer fit, and the connection stalls for good. Browsers do not negotiate
// interleaving: they send one message after the other.
//
// A sendGate keeps this side's messages from doing that. On a connection
// that interleaves, the split messages (over maxUnsplitMessage) that the
// channels have handed to pion and the remote has not yet acknowledged in
// full may reserve at most interleavedBudget bytes; a message that does not
// fit waits, with the rest of its channel's messages behind it, until pion's
// buffered-amount-low callback says enough was acknowledged. One channel's
// messages leave in order, each after the previous one's last fragment, so
// the remote holds at most one partial message per channel, and a channel
// reserves only the size of its largest unacknowledged split message: a
// channel streaming messages is never held back by its own.
// Messages that fit in one chunk arrive whole or not at all and need no
// reservation: on a channel with nothing queued or reserved they go
// straight to pion, without the gate's lock (see DataChannel.Send), since
// they are the game's per-packet traffic.
//
// The gate only covers what this side sends. A remote pion peer that sends
// several large messages at once on different channels can still fill this
// side's window (see SCTPReceiveWindow) and stall the connection.
type sendGate struct {
	sctp *webrtc.SCTPTransport
	mode atomic.Int32 // a gateMode: whether the association interleaves, once known

	mu       sync.Mutex
	closed   bool           // the connection closed: nothing is queued or handed any more
	reserved int            // the sum of the channels' reservations
	waiting  []*DataChannel // channels with queued messages, in the order they began to wait
}

type gateMode int32

const (
	gateUnknown gateMode = iota // no association yet
	gateOff                     // messages go out one after the other
	gateOn                      // messages interleave: the gate applies
)

func newSendGate(pc *webrtc.PeerConnection) *sendGate {
	return &sendGate{sctp: pc.SCTP()}
}

// outbox is a channel's part of the gate. Its atomics are read without the
// gate's lock; everything changes under it.
type outbox struct {
	// busy is set while the channel has messages queued or split messages
	// reserved: its messages, small ones included, then go through the gate,
	// which keeps them in order and counts them in handed.
	busy   atomic.Bool
	queued atomic.Int64 // the bytes of queue, for the channel's buffered amount

	queue []outgoing // messages waiting for the gate, oldest first
	// handed counts the bytes handed to pion through the gate, an empty
	// message as 1 byte (as pion buffers it). Only its growth since the
	// oldest entry of inFlight matters, and all of that went through the
	// gate, since the channel was busy.
	handed uint64
	// inFlight holds the split messages handed and not yet acknowledged in
	// full, as far as they can still be the channel's largest: sizes
	// strictly decrease from the oldest, whose size is the reservation.
	inFlight  []inFlight
	threshold uint64 // the buffered-amount-low threshold last set on pion's channel
	watching  bool   // pion's buffered-amount-low callback is set
	waiting   bool   // in the gate's waiting list
	closed    bool   // the channel closed: nothing is queued or handed any more
}

type outgoing struct {
	data     []byte
	isString bool
}

type inFlight struct {
	end  uint64 // handed once this message was handed: acknowledged in full when the remote acknowledged that many bytes
	size int
}

func (o *outbox) reservation() int {
	if len(o.inFlight) == 0 {
		return 0
	}
	return o.inFlight[0].size
}

// settleLocked publishes whether the channel's messages must go through the
// gate. Clearing busy comes after the last queued message was handed, so a
// small message that skips the gate never overtakes one.
func (o *outbox) settleLocked() {
	o.busy.Store(len(o.queue) > 0 || len(o.inFlight) > 0)
}

// applies reports whether the connection interleaves messages, so that sends
// go through the gate. Until the association exists (no channel is open),
// it does not apply; once it does, the answer is kept: pion never changes
// it for the life of the association, and a new connection gets a new gate.
func (g *sendGate) applies() bool {
	if g == nil {
		return false
	}
	switch gateMode(g.mode.Load()) {
	case gateOn:
		return true
	case gateOff:
		return false
	}
	md, ok := g.sctp.Metadata()
	if !ok {
		return false
	}
	mode := gateOff
	if md.MessageInterleavingEnabled {
		mode = gateOn
	}
	g.mode.Store(int32(mode))
	return mode == gateOn
}

// send hands data to pion on c, or queues a copy of it behind c's queued
// messages or until the gate admits it. Nothing here waits for the network:
// pion's writes only queue.
func (g *sendGate) send(c *DataChannel, data []byte, isString bool) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	o := &c.out
	if g.closed || o.closed {
		return io.ErrClosedPipe
	}
	defer o.settleLocked()
	if len(o.queue) == 0 && (len(data) <= maxUnsplitMessage || len(g.waiting) == 0 && g.admits(o, len(data))) {
		return g.handLocked(c, data, isString)
	}
	o.queue = append(o.queue, outgoing{data: bytes.Clone(data), isString: isString})
	o.queued.Add(int64(len(data)))
	if !o.waiting {
		o.waiting = true
		g.waiting = append(g.waiting, c)
	}
	return nil
}

// admits reports whether a split message of size bytes on the channel of o
// fits the budget now. With nothing reserved, any message fits.
func (g *sendGate) admits(o *outbox, size int) bool {
	return g.reserved == 0 || g.reserved+max(size-o.reservation(), 0) <= interleavedBudget
}

// handLocked hands a message to pion on c and reserves its size if it is
// split.
func (g *sendGate) handLocked(c *DataChannel, data []byte, isString bool) error {
	if err := c.write(data, isString); err != nil {
		return err
	}
	o := &c.out
	o.handed += uint64(max(len(data), 1))
	if len(data) > maxUnsplitMessage {
		if !o.watching {
			// Set on first need: a channel that never sends a split
			// message on an interleaving connection costs pion's
			// acknowledgement path nothing.
			o.watching = true
			c.dc.OnBufferedAmountLow(func() { g.acknowledged(c) })
		}
		before := o.reservation()
		// A newer message at least as large is acknowledged after the
		// older ones: they can no longer be the largest.
		n := len(o.inFlight)
		for n > 0 && o.inFlight[n-1].size <= len(data) {
			n--
		}
		o.inFlight = append(o.inFlight[:n], inFlight{end: o.handed, size: len(data)})
		g.reserved += o.reservation() - before
	}
	g.watchLocked(c)
	return nil
}

// watchLocked releases the reservations of c that the remote has
// acknowledged and asks pion to call acknowledged once it acknowledges the
// oldest of the others. pion counts as buffered what was handed and not yet
// acknowledged, plus the few bytes of the channel's open handshake until
// they are acknowledged, which only delays a release. The threshold is
// set before the buffered amount is read, so an acknowledgement between the
// two is seen by one or the other.
func (g *sendGate) watchLocked(c *DataChannel) {
	o := &c.out
	for len(o.inFlight) > 0 {
		threshold := o.handed - o.inFlight[0].end
		if threshold != o.threshold {
			c.dc.SetBufferedAmountLowThreshold(threshold)
			o.threshold = threshold
		}
		if c.dc.BufferedAmount() > threshold {
			return // pion calls acknowledged when it falls to threshold
		}
		before := o.reservation()
		o.inFlight = o.inFlight[1:]
		g.reserved -= before - o.reservation()
	}
	o.inFlight = nil
}

// acknowledged runs on pion's goroutine when the buffered amount of c fell to
// the threshold watchLocked set (pion holds none of its locks then): it
// releases what was acknowledged and hands on the messages the released
// bytes admit. Once c has nothing reserved, the threshold may still fire:
// that costs an atomic load.
func (g *sendGate) acknowledged(c *DataChannel) {
	if !c.out.busy.Load() {
		return
	}
	defer c.recoverSend()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return
	}
	g.watchLocked(c)
	c.out.settleLocked()
	g.flushLocked()
}

// flushLocked hands queued messages to pion, channel after channel in the
// order they began to wait, until one does not fit.
func (g *sendGate) flushLocked() {
	for len(g.waiting) > 0 {
		c := g.waiting[0]
		o := &c.out
		for len(o.queue) > 0 {
			m := o.queue[0]
			if len(m.data) > maxUnsplitMessage && !g.admits(o, len(m.data)) {
				return
			}
			o.queue[0] = outgoing{}
			o.queue = o.queue[1:]
			err := g.handLocked(c, m.data, m.isString)
			o.queued.Add(-int64(len(m.data)))
			if err != nil {
				// pion refuses once the channel closed; like pion, the
				// channel drops what it had not sent.
				g.dropQueueLocked(o)
			}
		}
		o.queue = nil
		o.waiting = false
		o.settleLocked()
		g.waiting[0] = nil
		g.waiting = g.waiting[1:]
	}
	g.waiting = nil
}

// drop forgets what c queued and reserved, once c is closed or its stream
// ended, and hands on the messages of other channels this admits.
func (g *sendGate) drop(c *DataChannel) {
	if g == nil {
		return
	}
	defer c.recoverSend()
	g.mu.Lock()
	defer g.mu.Unlock()
	o := &c.out
	if o.closed {
		return
	}
	o.closed = true
	g.reserved -= o.reservation()
	o.inFlight = nil
	g.dropQueueLocked(o)
	if o.waiting {
		o.waiting = false
		g.waiting = slices.DeleteFunc(g.waiting, func(w *DataChannel) bool { return w == c })
	}
	o.settleLocked()
	if !g.closed {
		g.flushLocked()
	}
}

// close drops every channel's queue once the connection is closed: nothing
// more is handed to pion, whose teardown follows.
func (g *sendGate) close() {
	if g == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed = true
	for _, c := range g.waiting {
		g.dropQueueLocked(&c.out)
		c.out.waiting = false
	}
	g.waiting = nil
}

func (g *sendGate) dropQueueLocked(o *outbox) {
	clear(o.queue)
	o.queue = nil
	o.queued.Store(0)
}

// recoverSend reports a panic on a goroutine of pion's that sends for c.
func (c *DataChannel) recoverSend() {
	if r := recover(); r != nil && c.report != nil {
		c.report(Problem{Scope: "datachannel", Message: fmt.Sprintf("internal error sending on %q: %v", c.dc.Label(), r)})
	}
}
