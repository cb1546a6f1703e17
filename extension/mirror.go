package extension

import "sync/atomic"

// Mirrors: copies of a few values this package keeps in memory the caller
// owns, so that the Godot glue can answer its hottest calls without calling
// into Go at all. Godot's WebRTCMultiplayerPeer asks every channel of every
// peer for its packet count once for each packet it reads, and polls every
// peer, its connection state and every channel's state every frame: with
// hundreds of players, tens of thousands of calls a frame, each of which
// costs far more to route into Go than the answer costs to read.

// ChannelMirror is where a DataChannel keeps copies of its state.
type ChannelMirror struct {
	// Available is AvailablePacketCount().
	Available *atomic.Int64
	// Open is ChannelOpen once the channel is open and read, 0 before, and 0
	// again as soon as it closes: while it is not 0, ReadyState() is OPEN.
	Open *atomic.Int64
}

// Mirror keeps m's values up to date from now on, until Mirror is called
// again; call it with the zero ChannelMirror before m's memory goes.
func (c *DataChannel) Mirror(m ChannelMirror) {
	if c == nil {
		store(m.Available, 0)
		store(m.Open, 0)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mirror = m
	store(m.Available, c.available.Load())
	c.mirrorOpenLocked()
}

// addAvailable changes the count of unread messages and its mirror; c.mu is
// held.
func (c *DataChannel) addAvailable(delta int64) {
	store(c.mirror.Available, c.available.Add(delta))
}

// mirrorOpenLocked updates the Open mirror; c.mu is held.
func (c *DataChannel) mirrorOpenLocked() {
	if c.reading && !c.closed && !c.ended {
		store(c.mirror.Open, int64(ChannelOpen))
	} else {
		store(c.mirror.Open, 0)
	}
}

// ConnectionMirror is where a PeerConnection keeps copies of its state.
type ConnectionMirror struct {
	// Pending is 1 while Poll has something to deliver (or a gathering to
	// wait for), 0 while a Poll would return at once: a Poll skipped while
	// it is 0 misses nothing.
	Pending *atomic.Int64
	// Connected is StateConnected from the moment pion reports the
	// connection connected until it reports another state (or the
	// connection is closed or replaced), 0 otherwise: while it is not 0,
	// ConnectionState() is CONNECTED, give or take pion's report of a change
	// on its way.
	Connected *atomic.Int64
}

// Mirror keeps m's values up to date from now on, until Mirror is called
// again; call it with the zero ConnectionMirror before m's memory goes.
func (p *PeerConnection) Mirror(m ConnectionMirror) {
	p.mu.Lock()
	p.mirror = m.Connected
	p.mirrorConnectedLocked()
	p.mu.Unlock()
	q := &p.queue
	q.mu.Lock()
	q.mirror = m.Pending
	q.updateMirror()
	q.mu.Unlock()
}

// mirrorConnectedLocked updates the Connected mirror from pion; p.mu is held.
func (p *PeerConnection) mirrorConnectedLocked() {
	if !p.closed && p.pc != nil && connectionState(p.pc.ConnectionState()) == StateConnected {
		store(p.mirror, int64(StateConnected))
	} else {
		store(p.mirror, 0)
	}
}

// updateMirror sets the Pending mirror from the queue; q.mu is held.
func (q *eventQueue) updateMirror() {
	if len(q.events) > 0 || q.gatherPending {
		store(q.mirror, 1)
	} else {
		store(q.mirror, 0)
	}
}

func store(to *atomic.Int64, v int64) {
	if to != nil {
		to.Store(v)
	}
}
