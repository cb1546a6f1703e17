package relay

import (
	"encoding/binary"
	"math"
	"net"
	"slices"
	"sync"
	"testing"
	"time"
)

// sink is a relay socket that records what is written to it, when.
type sink struct {
	mu   sync.Mutex
	got  []arrival
	done chan struct{}
	once sync.Once
}

type arrival struct {
	seq uint64
	at  time.Time
}

func newSink() *sink { return &sink{done: make(chan struct{})} }

func (s *sink) WriteTo(p []byte, _ net.Addr) (int, error) {
	s.mu.Lock()
	s.got = append(s.got, arrival{seq: binary.BigEndian.Uint64(p), at: time.Now()})
	s.mu.Unlock()
	return len(p), nil
}

func (s *sink) ReadFrom([]byte) (int, net.Addr, error) {
	<-s.done
	return 0, nil, net.ErrClosed
}

func (s *sink) Close() error                     { s.once.Do(func() { close(s.done) }); return nil }
func (s *sink) LocalAddr() net.Addr              { return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)} }
func (s *sink) SetDeadline(time.Time) error      { return nil }
func (s *sink) SetReadDeadline(time.Time) error  { return nil }
func (s *sink) SetWriteDeadline(time.Time) error { return nil }

func (s *sink) arrivals() []arrival {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

// waitFor waits until n datagrams arrived (or 10 s passed) and returns them.
func (s *sink) waitFor(t *testing.T, n int) []arrival {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(s.arrivals()) < n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	return s.arrivals()
}

// impairedConn is an allocation's relay socket over a sink, impaired by m.
func impairedConn(t *testing.T, m Impairment) (*Relay, *countingConn, *sink) {
	t.Helper()
	r := &Relay{imp: newImpairer()}
	r.Impair(m)
	s := newSink()
	c := newCountingConn(s, r)
	t.Cleanup(func() { c.Close() })
	return r, c, s
}

var peer = &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}

// send writes datagrams numbered from..to-1, spaced by gap.
func send(t *testing.T, c net.PacketConn, from, to int, gap time.Duration) {
	t.Helper()
	p := make([]byte, 100)
	for i := from; i < to; i++ {
		binary.BigEndian.PutUint64(p, uint64(i))
		n, err := c.WriteTo(p, peer)
		if err != nil || n != len(p) {
			t.Fatalf("WriteTo: %d, %v", n, err)
		}
		if gap > 0 {
			time.Sleep(gap)
		}
	}
}

// within checks that got is within k standard deviations of a binomial(n, p).
func within(t *testing.T, what string, got int64, n int, p float64) {
	t.Helper()
	mean, sd := float64(n)*p, math.Sqrt(float64(n)*p*(1-p))
	if math.Abs(float64(got)-mean) > 5*sd {
		t.Errorf("%s: %d of %d, expected %.0f ± %.0f (5 sd)", what, got, n, mean, 5*sd)
	}
}

func TestLossRate(t *testing.T) {
	const n = 20000
	r, c, s := impairedConn(t, Impairment{Loss: 0.2, Seed: 1})
	send(t, c, 0, n, 0)
	st := r.ImpairStats()
	within(t, "lost", st.Lost, n, 0.2)
	got := s.arrivals()
	if int64(len(got))+st.Lost != n {
		t.Errorf("%d arrived + %d lost != %d sent", len(got), st.Lost, n)
	}
	for i := 1; i < len(got); i++ {
		if got[i].seq <= got[i-1].seq {
			t.Fatalf("loss alone reordered or duplicated: %d after %d", got[i].seq, got[i-1].seq)
		}
	}
	if st.Delayed != 0 || st.Reordered != 0 || st.Duplicated != 0 {
		t.Errorf("loss alone did more: %+v", st)
	}
}

func TestSameSeedSameLosses(t *testing.T) {
	lostSet := func(seed uint64) []uint64 {
		_, c, s := impairedConn(t, Impairment{Loss: 0.3, Seed: seed})
		send(t, c, 0, 1000, 0)
		var lost []uint64
		next := uint64(0)
		for _, a := range s.arrivals() {
			for ; next < a.seq; next++ {
				lost = append(lost, next)
			}
			next = a.seq + 1
		}
		return lost
	}
	a, b, other := lostSet(7), lostSet(7), lostSet(8)
	if !slices.Equal(a, b) {
		t.Error("the same seed lost different datagrams")
	}
	if slices.Equal(a, other) {
		t.Error("another seed lost the same datagrams")
	}
}

func TestDelayAndJitter(t *testing.T) {
	const n = 200
	const delay, jitter = 60 * time.Millisecond, 20 * time.Millisecond
	r, c, s := impairedConn(t, Impairment{Delay: delay, Jitter: jitter, Seed: 2})
	sent := make([]time.Time, n)
	p := make([]byte, 100)
	for i := range n {
		binary.BigEndian.PutUint64(p, uint64(i))
		sent[i] = time.Now()
		if _, err := c.WriteTo(p, peer); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	got := s.waitFor(t, n)
	if len(got) != n {
		t.Fatalf("%d of %d arrived", len(got), n)
	}
	var sum, lo, hi time.Duration
	lo = time.Hour
	seen := make([]bool, n)
	for _, a := range got {
		if seen[a.seq] {
			t.Fatalf("datagram %d twice", a.seq)
		}
		seen[a.seq] = true
		d := a.at.Sub(sent[a.seq])
		sum += d
		lo, hi = min(lo, d), max(hi, d)
	}
	mean := sum / n
	t.Logf("delay: mean %v, min %v, max %v; %+v", mean, lo, hi, r.ImpairStats())
	if lo < delay-jitter {
		t.Errorf("a datagram arrived after %v, before the minimum %v", lo, delay-jitter)
	}
	// Keeping the order pushes the mean above Delay; timers fire late, never
	// early, and a loaded machine makes them later.
	if mean < delay-5*time.Millisecond || mean > delay+jitter+30*time.Millisecond {
		t.Errorf("mean delay %v, expected about %v", mean, delay)
	}
	if hi-lo < jitter {
		t.Errorf("delays spread over %v only: no jitter", hi-lo)
	}
	for i := 1; i < len(got); i++ {
		if got[i].seq < got[i-1].seq {
			t.Fatalf("jitter reordered: %d after %d", got[i].seq, got[i-1].seq)
		}
	}
	st := r.ImpairStats()
	if st.Delayed != n || st.Reordered != 0 {
		t.Errorf("all delayed, none reordered; got %+v", st)
	}
}

func TestDuplicate(t *testing.T) {
	const n = 5000
	r, c, s := impairedConn(t, Impairment{Duplicate: 0.1, Seed: 3})
	send(t, c, 0, n, 0)
	st := r.ImpairStats()
	within(t, "duplicated", st.Duplicated, n, 0.1)
	got := s.arrivals()
	if int64(len(got)) != n+st.Duplicated {
		t.Errorf("%d arrived, expected %d + %d copies", len(got), n, st.Duplicated)
	}
	counts := map[uint64]int{}
	for _, a := range got {
		counts[a.seq]++
	}
	twice := 0
	for i := range uint64(n) {
		switch counts[i] {
		case 1:
		case 2:
			twice++
		default:
			t.Fatalf("datagram %d arrived %d times", i, counts[i])
		}
	}
	if int64(twice) != st.Duplicated {
		t.Errorf("%d arrived twice, %d counted", twice, st.Duplicated)
	}
}

func TestReorderHoldsBack(t *testing.T) {
	const n = 1000
	r, c, s := impairedConn(t, Impairment{Reorder: 0.1, ReorderHold: 5 * time.Millisecond, Seed: 4})
	send(t, c, 0, n, 200*time.Microsecond)
	got := s.waitFor(t, n)
	st := r.ImpairStats()
	t.Logf("%+v", st)
	within(t, "held back", st.HeldBack, n, 0.1)
	if len(got) != n {
		t.Fatalf("%d of %d arrived", len(got), n)
	}
	var late int64
	var highest uint64
	for _, a := range got {
		if a.seq < highest {
			late++
		}
		highest = max(highest, a.seq)
	}
	if late == 0 || late != st.Reordered {
		t.Errorf("%d arrived after a later one, %d counted", late, st.Reordered)
	}
	if st.Reordered > st.HeldBack {
		t.Errorf("without jitter only held-back datagrams arrive late: %+v", st)
	}
	slices.SortFunc(got, func(x, y arrival) int { return int(x.seq) - int(y.seq) })
	for i, a := range got {
		if a.seq != uint64(i) {
			t.Fatalf("datagram %d lost or duplicated", i)
		}
	}
}

func TestQueueIsBounded(t *testing.T) {
	r, c, s := impairedConn(t, Impairment{Delay: 50 * time.Millisecond, QueueLimit: 10})
	send(t, c, 0, 50, 0)
	s.waitFor(t, 10)
	time.Sleep(100 * time.Millisecond)
	got := s.arrivals()
	st := r.ImpairStats()
	if len(got) != 10 || st.Overflow != 40 || st.Delayed != 10 {
		t.Errorf("a queue of 10: 10 delayed and sent, 40 dropped; got %d sent, %+v", len(got), st)
	}
}

func TestCutDropsQueuedDatagrams(t *testing.T) {
	r, c, s := impairedConn(t, Impairment{Delay: 50 * time.Millisecond})
	send(t, c, 0, 20, 0)
	r.Cut(true)
	time.Sleep(150 * time.Millisecond)
	if got := s.arrivals(); len(got) != 0 {
		t.Errorf("%d datagrams crossed a cut link", len(got))
	}
}

func TestImpairAtRuntime(t *testing.T) {
	r, c, s := impairedConn(t, Impairment{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 200 {
			r.Impair(Impairment{Loss: 0.5, Delay: time.Duration(i%3) * time.Millisecond, Seed: uint64(i)})
			_ = r.ImpairStats()
		}
	})
	send(t, c, 0, 2000, 0)
	wg.Wait()
	r.Impair(Impairment{})
	time.Sleep(20 * time.Millisecond) // what was delayed left
	send(t, c, 2000, 2100, 0)
	got := s.waitFor(t, 2000+100-int(r.ImpairStats().Lost))
	if int64(len(got))+r.ImpairStats().Lost != 2100 {
		t.Errorf("%d arrived, %d lost, of 2100", len(got), r.ImpairStats().Lost)
	}
	if got[len(got)-1].seq != 2099 {
		t.Errorf("the last datagram sent unimpaired arrived before datagram %d", got[len(got)-1].seq)
	}
}
