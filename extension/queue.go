package extension

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"
)

// eventQueue holds what a PeerConnection reports until Poll hands it to the
// game on the game's thread.
//
// mu is a leaf lock: nothing is called while it is held. pion reports
// problems from under its own locks, and PeerConnection.mu is held while it
// replaces the pion connection (see reset).
type eventQueue struct {
	wait time.Duration // the longest awaitGathering waits: gatherWait, or what a test set

	mu       sync.Mutex
	events   []Event
	spare    []Event // the previous batch's array, reused by the next
	problems int     // Problem events in events, at most maxPendingProblems
	// current is the pion connection whose events are live; events of any
	// other are stale and dropped. gen counts replacements of current, so
	// that Poll stops a batch that a handler made stale.
	current *webrtc.PeerConnection
	gen     uint64
	// gathered is closed when current has gathered all its candidates, if
	// that is quick (host candidates only); nil otherwise. gatherPending
	// says that SetLocalDescription started that gathering and Poll has not
	// waited for it yet.
	gathered      <-chan struct{}
	gatherPending bool
	polling       bool          // a Poll is running: a nested call from a handler returns at once
	mirror        *atomic.Int64 // ConnectionMirror.Pending
}

// push queues ev from pc, unless pc is no longer the current connection (a
// Problem only up to maxPendingProblems).
func (q *eventQueue) push(pc *webrtc.PeerConnection, ev Event) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.current == pc {
		q.appendLocked(ev)
	}
}

// report queues a problem, whichever connection it came from, up to
// maxPendingProblems.
func (q *eventQueue) report(pr Problem) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.appendLocked(pr)
}

func (q *eventQueue) appendLocked(ev Event) {
	if _, ok := ev.(Problem); ok {
		if q.problems >= maxPendingProblems {
			return
		}
		q.problems++
	}
	q.events = append(q.events, ev)
	q.updateMirror()
}

// isCurrent reports whether pc is the current connection.
func (q *eventQueue) isCurrent(pc *webrtc.PeerConnection) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.current == pc
}

// attach makes pc, created on first use, the current connection; nothing is
// pending that belongs to another.
func (q *eventQueue) attach(pc *webrtc.PeerConnection, gathered <-chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.current, q.gathered = pc, gathered
}

// reset starts a new generation with pc (nil once closed) as the current
// connection: pending events are dropped, and a Poll in progress stops. The
// channels they announced are closed with the connection they belong to.
func (q *eventQueue) reset(pc *webrtc.PeerConnection, gathered <-chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.current, q.gathered, q.gatherPending = pc, gathered, false
	q.gen++
	clear(q.events)
	q.events = q.events[:0]
	q.problems = 0
	q.updateMirror()
}

// expectCandidates notes that gathering started: the next Poll waits for it.
func (q *eventQueue) expectCandidates() {
	q.mu.Lock()
	q.gatherPending = true
	q.updateMirror()
	q.mu.Unlock()
}

// Poll hands queued events to handle, in the order they happened, on the
// caller's goroutine. It does not allocate when there is nothing to report.
func (p *PeerConnection) Poll(handle func(Event)) {
	q := &p.queue
	q.mu.Lock()
	if q.polling || (len(q.events) == 0 && !q.gatherPending) {
		// Nothing to do, or poll() called again from a signal handler: the
		// outer call delivers.
		q.mu.Unlock()
		return
	}
	q.polling = true
	gen := q.gen
	q.mu.Unlock()
	defer func() {
		q.mu.Lock()
		q.polling = false
		q.mu.Unlock()
	}()
	for range maxPollPasses {
		q.awaitGathering()
		if !q.deliver(handle, gen) {
			return
		}
	}
}

// awaitGathering waits (at most q.wait) for the host candidates that a
// SetLocalDescription call started gathering, once per call, so that the
// batch delivered next carries them.
func (q *eventQueue) awaitGathering() {
	q.mu.Lock()
	gathered := q.gathered
	pending := q.gatherPending
	q.gatherPending = false
	q.updateMirror()
	q.mu.Unlock()
	if !pending || gathered == nil {
		return
	}
	t := time.NewTimer(q.wait)
	defer t.Stop()
	select {
	case <-gathered:
	case <-t.C:
	}
}

// live reports whether generation gen is still the current one.
func (q *eventQueue) live(gen uint64) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.gen == gen
}

// deliver hands the queued events to handle; false if there were none, or a
// handler closed or re-initialised the connection (generation gen is over).
func (q *eventQueue) deliver(handle func(Event), gen uint64) bool {
	q.mu.Lock()
	if len(q.events) == 0 {
		q.mu.Unlock()
		return false
	}
	evs := q.events
	q.events, q.spare = q.spare[:0], nil
	q.problems = 0
	q.updateMirror()
	q.mu.Unlock()
	defer func() {
		clear(evs)
		q.mu.Lock()
		q.spare = evs[:0]
		q.mu.Unlock()
	}()
	for _, ev := range evs {
		if !q.live(gen) {
			// A handler closed or re-initialised the connection: the rest of
			// the batch belongs to the closed one, channels included.
			return false
		}
		handle(ev)
	}
	return q.live(gen)
}
