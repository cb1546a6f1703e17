package relay

import (
	"container/heap"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of an Impairment's zero fields.
const (
	DefaultReorderHold = 10 * time.Millisecond
	DefaultQueueLimit  = 4096
)

// Impairment describes how the relay mistreats what it relays, as a bad
// network would. It applies to each datagram an allocation sends to its peer
// (the relay socket's WriteTo). When both peers are relayed through this
// relay, every datagram crosses exactly one such WriteTo per direction, so a
// round trip gains twice Delay. (A peer that is not relayed sends straight to
// the other's allocation: its datagrams are impaired in one direction only.)
//
// The zero Impairment relays everything at once. Probabilities are 0..1 and
// drawn independently for each datagram, in this order: lost, duplicated,
// held back.
type Impairment struct {
	Loss      float64       // probability that a datagram is dropped
	Delay     time.Duration // added to every datagram
	Jitter    time.Duration // a uniform random -Jitter..+Jitter added to Delay (the sum is at least 0); jitter keeps the order, as a queue would: a datagram never leaves before the one that came before it
	Duplicate float64       // probability that a datagram is sent twice (the copy right after it)
	Reorder   float64       // probability that a datagram is held back ReorderHold longer, so the ones sent after it overtake it
	// ReorderHold is how long a held-back datagram waits beyond its delay;
	// 0 means DefaultReorderHold.
	ReorderHold time.Duration
	// QueueLimit is how many datagrams each allocation keeps waiting for
	// their time to be sent; past it, datagrams are dropped (and counted as
	// Overflow), as a router's full buffer would. 0 means DefaultQueueLimit.
	QueueLimit int
	// Seed seeds the random draws: the same seed gives the same sequence of
	// decisions (which datagram each decision falls on depends on the order
	// in which datagrams reach the relay).
	Seed uint64
}

func (m Impairment) scheduled() bool { return m.Delay > 0 || m.Jitter > 0 || m.Reorder > 0 }

// ImpairStats counts what an Impairment did, since the relay started.
type ImpairStats struct {
	Lost       int64 // dropped by Loss
	Duplicated int64 // extra copies sent
	HeldBack   int64 // held back by Reorder
	Reordered  int64 // sent after a datagram that reached the relay later (measured: held back by Reorder and actually overtaken)
	Overflow   int64 // dropped because the allocation's queue was full
	Delayed    int64 // went through the delay queue
}

// impairer holds a relay's current impairment, its random source and counters.
type impairer struct {
	mu  sync.Mutex
	imp Impairment
	rng *rand.Rand

	lost, duplicated, heldBack, reordered, overflow, delayed atomic.Int64
}

func newImpairer() *impairer {
	return &impairer{rng: rand.New(rand.NewPCG(0, 0))}
}

// set replaces the impairment and reseeds the random source.
func (im *impairer) set(m Impairment) {
	if m.ReorderHold <= 0 {
		m.ReorderHold = DefaultReorderHold
	}
	if m.QueueLimit <= 0 {
		m.QueueLimit = DefaultQueueLimit
	}
	im.mu.Lock()
	im.imp = m
	im.rng = rand.New(rand.NewPCG(m.Seed, 0x9e3779b97f4a7c15))
	im.mu.Unlock()
}

func (im *impairer) stats() ImpairStats {
	return ImpairStats{
		Lost: im.lost.Load(), Duplicated: im.duplicated.Load(), HeldBack: im.heldBack.Load(),
		Reordered: im.reordered.Load(), Overflow: im.overflow.Load(), Delayed: im.delayed.Load(),
	}
}

// verdict is what happens to one datagram.
type verdict struct {
	lost, duplicate, scheduled bool
	held                       bool          // held back by Reorder: not bound by order
	delay                      time.Duration // Delay and Jitter, plus ReorderHold if held
	queueLimit                 int
}

// decide draws the fate of one datagram.
func (im *impairer) decide() verdict {
	im.mu.Lock()
	defer im.mu.Unlock()
	m := im.imp
	v := verdict{scheduled: m.scheduled(), queueLimit: m.QueueLimit}
	if m.Loss > 0 && im.rng.Float64() < m.Loss {
		v.lost = true
		return v
	}
	v.duplicate = m.Duplicate > 0 && im.rng.Float64() < m.Duplicate
	v.delay = m.Delay
	if m.Jitter > 0 {
		v.delay += time.Duration(im.rng.Int64N(int64(2*m.Jitter)+1)) - m.Jitter
		v.delay = max(v.delay, 0)
	}
	if m.Reorder > 0 && im.rng.Float64() < m.Reorder {
		v.delay += m.ReorderHold
		v.held = true
		im.heldBack.Add(1)
	}
	return v
}

// datagram is one datagram waiting in an allocation's queue.
type datagram struct {
	due   time.Time
	order uint64 // tie-break: equal due times leave in arrival order
	seq   uint64 // arrival number (a duplicate shares its original's)
	data  []byte
	addr  net.Addr
}

type datagramQueue []*datagram

func (q datagramQueue) Len() int { return len(q) }
func (q datagramQueue) Less(i, j int) bool {
	if !q[i].due.Equal(q[j].due) {
		return q[i].due.Before(q[j].due)
	}
	return q[i].order < q[j].order
}
func (q datagramQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *datagramQueue) Push(x any)   { *q = append(*q, x.(*datagram)) }
func (q *datagramQueue) Pop() any {
	old := *q
	d := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return d
}

// scheduler sends an allocation's delayed datagrams at their due time: one
// goroutine and a time-ordered queue per allocation.
type scheduler struct {
	imp  *impairer
	send func([]byte, net.Addr) error // writes one datagram (and counts it)
	wake chan struct{}
	done chan struct{}
	once sync.Once

	dropped atomic.Int64 // lost or overflowed, of this scheduler's datagrams

	mu       sync.Mutex
	queue    datagramQueue
	order    uint64
	seq      uint64
	lastSent uint64    // highest seq sent so far
	lastDue  time.Time // due time of the last datagram queued in order (not held back)
}

func newScheduler(imp *impairer, send func([]byte, net.Addr) error) *scheduler {
	s := &scheduler{imp: imp, send: send, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go s.run()
	return s
}

// write impairs one datagram: drops it, sends it now, or queues it. Only a
// datagram sent now can return an error.
func (s *scheduler) write(p []byte, addr net.Addr) error {
	v := s.imp.decide()
	s.mu.Lock()
	s.seq++
	seq := s.seq
	if v.lost {
		s.mu.Unlock()
		s.imp.lost.Add(1)
		s.dropped.Add(1)
		return nil
	}
	copies := 1
	if v.duplicate {
		copies = 2
		s.imp.duplicated.Add(1)
	}
	if !v.scheduled && len(s.queue) == 0 {
		// Nothing to wait for: send in order, on the caller's goroutine.
		s.lastSent = max(s.lastSent, seq)
		s.mu.Unlock()
		var err error
		for range copies {
			if e := s.send(p, addr); err == nil {
				err = e
			}
		}
		return err
	}
	due := time.Now().Add(v.delay)
	if !v.held {
		if due.Before(s.lastDue) {
			due = s.lastDue // jitter keeps the order
		}
		s.lastDue = due
	}
	data := append([]byte(nil), p...)
	for range copies {
		if len(s.queue) >= v.queueLimit {
			s.imp.overflow.Add(1)
			s.dropped.Add(1)
			continue
		}
		s.order++
		heap.Push(&s.queue, &datagram{due: due, order: s.order, seq: seq, data: data, addr: addr})
		s.imp.delayed.Add(1)
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

// run sends queued datagrams when they are due, until stop.
func (s *scheduler) run() {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		s.mu.Lock()
		var wait time.Duration
		var d *datagram
		if len(s.queue) == 0 {
			wait = time.Hour
		} else if wait = time.Until(s.queue[0].due); wait <= 0 {
			d = heap.Pop(&s.queue).(*datagram)
			if d.seq < s.lastSent {
				s.imp.reordered.Add(1)
			}
			s.lastSent = max(s.lastSent, d.seq)
		}
		s.mu.Unlock()
		if d != nil {
			_ = s.send(d.data, d.addr) // as a router would: nobody to tell
			continue
		}
		timer.Reset(wait)
		select {
		case <-timer.C:
		case <-s.wake:
		case <-s.done:
			return
		}
	}
}

// stop ends the scheduler; datagrams still queued are dropped.
func (s *scheduler) stop() {
	s.once.Do(func() { close(s.done) })
}
