package extension

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"sync/atomic"

	"github.com/pion/datachannel"
	"github.com/pion/webrtc/v4"
)

// DataChannel implements Godot's WebRTCDataChannel: a packet peer over one
// SCTP stream. Received messages wait in a queue bounded by the receive budget.
//
// A nil *DataChannel behaves as a closed channel (Godot scripts can construct
// the class directly, without a peer connection).
type DataChannel struct {
	dc      *webrtc.DataChannel
	gate    *sendGate // the connection's (see sendGate); nil for none
	out     outbox    // its part of gate's state (see outbox)
	budget  int
	lossy   bool          // partially reliable: over budget, the oldest message is dropped
	onClose func()        // tells the owning PeerConnection; called once on Close
	report  func(Problem) // reports problems found on the read goroutine
	violate func(Problem) // closes the whole connection, then reports why: the remote broke the protocol
	maxSize atomic.Int64  // the remote's max message size, once the association exists (see MaxPacketSize)
	// available mirrors len(queue)-head, so that a game polling an empty
	// channel in a tight loop does not take mu (and starve receive of it).
	// It changes under mu only (see addAvailable).
	available atomic.Int64

	mu           sync.Mutex
	mirror       ChannelMirror
	cond         *sync.Cond // signalled when the queue shrinks or the channel closes
	queue        []message
	head         int   // queue[head:] are unread
	queued       int   // bytes in queue[head:]
	closed       bool  // closed by Close (or its connection's)
	reading      bool  // the read loop started: the channel is open
	ended        bool  // the read loop ended: the remote closed or the transport died
	dropped      int64 // messages dropped over budget (partially reliable channels only)
	received     counter
	sent         counter
	writeMode    WriteMode
	lastIsString bool
}

var errNoConnection = errorf(ErrUnconfigured, "put_packet: this channel was not created by a peer connection")

// counter counts messages and their bytes.
type counter struct{ messages, bytes int64 }

func (c *counter) add(n int) {
	c.messages++
	c.bytes += int64(n)
}

type message struct {
	data     []byte
	box      *[]byte // data's pooled buffer (see getBuffer), nil if not pooled
	isString bool
}

// newDataChannel wraps a pion channel of a connection whose SettingEngine
// detaches channels: once open, the channel is read by readLoop, which starts
// only after this wrapper exists, so no message can arrive unseen (pion's own
// read loop would drop messages that come before a handler is set).
func newDataChannel(dc *webrtc.DataChannel, gate *sendGate, budget int, onClose func(*DataChannel), report func(Problem), violate func(Problem)) *DataChannel {
	c := &DataChannel{dc: dc, gate: gate, budget: budget, writeMode: WriteBinary, report: report, violate: violate}
	c.lossy = dc.MaxRetransmits() != nil || dc.MaxPacketLifeTime() != nil
	c.cond = sync.NewCond(&c.mu)
	if onClose != nil {
		c.onClose = func() { onClose(c) }
	}
	dc.OnOpen(func() {
		raw, err := dc.Detach()
		if err != nil {
			c.end()
			return
		}
		c.mu.Lock()
		c.reading = true
		c.mirrorOpenLocked()
		c.mu.Unlock()
		go c.readLoop(raw)
	})
	return c
}

// readLoop reads messages until the stream ends. Blocking in receive while the
// queue is over budget stops reading the SCTP stream, so SCTP flow control
// slows the sender.
func (c *DataChannel) readLoop(raw datachannel.ReadWriteCloser) {
	defer c.end()
	defer func() {
		if r := recover(); r != nil && c.report != nil {
			c.report(Problem{Scope: "datachannel", Message: fmt.Sprintf("internal error reading %q: %v", c.dc.Label(), r)})
		}
	}()
	buf := make([]byte, readBufferStart)
	for {
		n, isString, err := raw.ReadDataChannel(buf)
		if errors.Is(err, io.ErrShortBuffer) && len(buf) < MaxMessageSize {
			buf = make([]byte, min(2*len(buf), MaxMessageSize))
			continue
		}
		if errors.Is(err, io.ErrShortBuffer) {
			// Over the max-message-size we advertised: a broken or hostile
			// peer. The rest of that message would hold SCTP's receive window,
			// which the whole connection shares, for ever (pion cannot drop it
			// by resetting the stream), so the connection is closed. Memory
			// stays within SCTP's receive window (SCTPReceiveWindow).
			pr := Problem{Code: ErrInvalidData, Scope: "datachannel", Message: fmt.Sprintf(
				"channel %q: the remote sent a message over the advertised maximum of %d bytes; connection closed", c.dc.Label(), MaxMessageSize)}
			if c.violate != nil {
				go c.violate(pr)
			} else {
				c.Close()
			}
			return
		}
		if err != nil {
			return // EOF: the remote closed the channel, or the connection ended
		}
		data, box := getBuffer(n)
		copy(data, buf[:n])
		if !c.receive(message{data: data, box: box, isString: isString}) {
			return
		}
	}
}

// end marks the stream ended and wakes anything waiting.
func (c *DataChannel) end() {
	c.mu.Lock()
	c.ended = true
	c.mirrorOpenLocked()
	c.cond.Broadcast()
	c.mu.Unlock()
	c.gate.drop(c)
}

// receive queues a message; false once the channel is closed.
func (c *DataChannel) receive(m message) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for !c.closed && c.head < len(c.queue) && c.queued+len(m.data) > c.budget {
		if c.lossy {
			c.queued -= len(c.queue[c.head].data)
			putBuffer(c.queue[c.head].box)
			c.queue[c.head] = message{}
			c.head++
			c.dropped++
			c.addAvailable(-1)
			continue
		}
		c.cond.Wait()
	}
	if c.closed {
		return false
	}
	if c.head > 0 && len(c.queue) == cap(c.queue) {
		n := copy(c.queue, c.queue[c.head:])
		clear(c.queue[n:])
		c.queue = c.queue[:n]
		c.head = 0
	}
	c.queue = append(c.queue, m)
	c.queued += len(m.data)
	c.received.add(len(m.data))
	c.addAvailable(1)
	return true
}

// Dropped returns how many received messages a partially reliable channel
// dropped because the game did not read them in time.
func (c *DataChannel) Dropped() int64 {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dropped
}

// Pop removes and returns the oldest received message; ok is false when none
// is waiting. The data is the caller's to keep.
func (c *DataChannel) Pop() (data []byte, isString, ok bool) {
	if c == nil || c.available.Load() == 0 {
		return nil, false, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.head == len(c.queue) {
		return nil, false, false
	}
	m := c.popLocked()
	return m.data, m.isString, true
}

// PopInto copies the oldest received message into dst and removes it,
// returning its length n; its buffer goes back to a pool, so reading this way
// allocates nothing. If dst is shorter than the message, nothing is removed
// and n is the length dst needs. ok is false when no message is waiting.
func (c *DataChannel) PopInto(dst []byte) (n int, isString, ok bool) {
	if c == nil || c.available.Load() == 0 {
		return 0, false, false
	}
	c.mu.Lock()
	if c.head == len(c.queue) {
		c.mu.Unlock()
		return 0, false, false
	}
	if n = len(c.queue[c.head].data); n > len(dst) {
		c.mu.Unlock()
		return n, false, true
	}
	m := c.popLocked()
	c.mu.Unlock()
	copy(dst, m.data)
	putBuffer(m.box)
	return n, m.isString, true
}

// popLocked removes the oldest message; c.mu is held and one is waiting.
func (c *DataChannel) popLocked() message {
	m := c.queue[c.head]
	c.queue[c.head] = message{}
	c.head++
	c.queued -= len(m.data)
	c.addAvailable(-1)
	if c.head == len(c.queue) {
		c.queue = c.queue[:0]
		c.head = 0
	}
	c.lastIsString = m.isString
	c.cond.Signal()
	return m
}

// AvailablePacketCount returns how many received messages wait to be read.
func (c *DataChannel) AvailablePacketCount() int {
	if c == nil {
		return 0
	}
	return int(c.available.Load())
}

// QueuedBytes returns the bytes of the messages waiting to be read.
func (c *DataChannel) QueuedBytes() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.queued
}

// MaxPacketSize returns the largest message the remote accepts: its advertised
// a=max-message-size, as the SCTP association holds it, or
// defaultRemoteMaxMessageSize before the association exists. A channel is
// OPEN only once it runs on the association, so its state never says OPEN
// with the default in place of the remote's value. pion's open handler, which
// runs later on another goroutine, plays no part.
func (c *DataChannel) MaxPacketSize() int {
	if c == nil {
		return defaultRemoteMaxMessageSize
	}
	n := c.maxSize.Load()
	if n == 0 {
		n = c.remoteMaxSize()
	}
	if n > 0 {
		return int(min(n, math.MaxInt32))
	}
	return defaultRemoteMaxMessageSize
}

// remoteMaxSize reads the remote's maximum from the association the channel
// runs on and keeps it (it never changes); 0 while there is none.
func (c *DataChannel) remoteMaxSize() int64 {
	t := c.dc.Transport()
	if t == nil {
		return 0
	}
	n := int64(t.GetCapabilities().MaxMessageSize)
	if n > 0 {
		c.maxSize.Store(n)
	}
	return n
}

// BufferedAmount returns the bytes sent but not yet acknowledged by the
// remote, those still in the channel's queue included.
func (c *DataChannel) BufferedAmount() int {
	if c == nil {
		return 0
	}
	return int(min(c.buffered(), math.MaxInt32))
}

func (c *DataChannel) buffered() uint64 {
	return c.dc.BufferedAmount() + uint64(c.out.queued.Load())
}

// ReadyState returns the channel's state; CLOSED as soon as Close returns.
func (c *DataChannel) ReadyState() ChannelState {
	if c == nil {
		return ChannelClosed
	}
	c.mu.Lock()
	closed, ended := c.closed, c.ended
	c.mu.Unlock()
	if closed || ended {
		return ChannelClosed
	}
	return channelState(c.dc.ReadyState())
}

// SetWriteMode sets whether Send sends text or binary messages.
func (c *DataChannel) SetWriteMode(m WriteMode) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.writeMode = m
	c.mu.Unlock()
}

// WriteMode returns the write mode (binary by default).
func (c *DataChannel) WriteMode() WriteMode {
	if c == nil {
		return WriteBinary
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writeMode
}

// WasStringPacket reports whether the last message Pop returned was text.
func (c *DataChannel) WasStringPacket() bool {
	if c == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastIsString
}

// Label returns the channel's label.
func (c *DataChannel) Label() string {
	if c == nil {
		return ""
	}
	return c.dc.Label()
}

// Ordered reports whether delivery is ordered.
func (c *DataChannel) Ordered() bool { return c == nil || c.dc.Ordered() }

// Protocol returns the sub-protocol.
func (c *DataChannel) Protocol() string {
	if c == nil {
		return ""
	}
	return c.dc.Protocol()
}

// Negotiated reports whether the channel was negotiated out-of-band.
func (c *DataChannel) Negotiated() bool { return c != nil && c.dc.Negotiated() }

// ID returns the SCTP stream id, or 65535 until one is assigned.
func (c *DataChannel) ID() int {
	if c == nil {
		return unsetUint16
	}
	return orUnset(c.dc.ID())
}

// MaxPacketLifeTime returns the lifetime in ms, or 65535 if unset.
func (c *DataChannel) MaxPacketLifeTime() int {
	if c == nil {
		return unsetUint16
	}
	return orUnset(c.dc.MaxPacketLifeTime())
}

// MaxRetransmits returns the retransmission limit, or 65535 if unset.
func (c *DataChannel) MaxRetransmits() int {
	if c == nil {
		return unsetUint16
	}
	return orUnset(c.dc.MaxRetransmits())
}

func orUnset(v *uint16) int {
	if v == nil {
		return unsetUint16
	}
	return int(*v)
}

// Close closes the channel. Its state is CLOSED when Close returns, unread
// messages are dropped, and the remote sees the channel close.
func (c *DataChannel) Close() {
	if c == nil {
		return
	}
	if c.markClosed() {
		_ = c.dc.Close()
	}
}

// markClosed marks the channel closed and wakes a blocked receive; false if it
// already was.
func (c *DataChannel) markClosed() bool {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return false
	}
	c.closed = true
	clear(c.queue)
	c.queue, c.head, c.queued = nil, 0, 0
	c.addAvailable(-c.available.Load())
	c.mirrorOpenLocked()
	c.cond.Broadcast()
	onClose := c.onClose
	c.mu.Unlock()
	c.gate.drop(c)
	if onClose != nil {
		onClose()
	}
	return true
}
