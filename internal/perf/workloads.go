package perf

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"time"
)

// stuckAfter is how long Push waits for room in a full send buffer.
var stuckAfter = 10 * time.Second

// Push sends size-byte messages from a to b while more() allows (it is asked
// before each message), keeping the buffered amount under BufferLimit and
// servicing the pair whenever the buffer is full. It returns the messages
// sent.
func Push(p Pair, size int, more func() bool) (sent int64, err error) {
	msg := make([]byte, size)
	for more() {
		if p.Buffered() >= BufferLimit {
			for stuck := For(stuckAfter); p.Buffered() >= BufferLimit; p.Service() {
				if !stuck() {
					return sent, fmt.Errorf("the send buffer stayed full for %v", stuckAfter)
				}
			}
		}
		if err := p.Send(msg); err != nil {
			return sent, fmt.Errorf("message %d: %w", sent+1, err)
		}
		sent++
	}
	return sent, nil
}

// Throughput is what one Transfer sent and what arrived meanwhile.
type Throughput struct {
	Sent       int64 // messages
	Received   int64 // messages
	Bytes      int64 // received
	Seconds    float64
	CPUSeconds float64 // of the whole process: both peers live in it
}

// MBPerSecond is the received rate in MB/s.
func (t Throughput) MBPerSecond() float64 { return float64(t.Bytes) / t.Seconds / 1e6 }

// CPUPerGB is the CPU seconds spent per received GB.
func (t Throughput) CPUPerGB() float64 { return t.CPUSeconds / (float64(t.Bytes) / 1e9) }

// Transfer runs Push and measures what was received while it ran.
func Transfer(p Pair, size int, more func() bool) (Throughput, error) {
	m0, b0 := p.Received()
	t0, c0 := time.Now(), CPUSeconds()
	sent, err := Push(p, size, more)
	m1, b1 := p.Received()
	return Throughput{Sent: sent, Received: m1 - m0, Bytes: b1 - b0, Seconds: time.Since(t0).Seconds(), CPUSeconds: CPUSeconds() - c0}, err
}

// Await services p until b has received n messages in all; it gives up after
// timeout.
func Await(p Pair, n int64, timeout time.Duration) error {
	for until := For(timeout); ; p.Service() {
		got, _ := p.Received()
		if got >= n {
			return nil
		}
		if !until() {
			return fmt.Errorf("%d of %d messages received after %v", got, n, timeout)
		}
	}
}

// BulkWarmUp is how long Bulk sends before it measures.
const BulkWarmUp = 300 * time.Millisecond

// Bulk connects a reliable ordered pair and measures the transfer of
// size-byte messages over d, after BulkWarmUp.
func Bulk(s Stack, size int, d time.Duration) (Throughput, error) {
	p, _, err := s.Connect(ChannelOptions{})
	if err != nil {
		return Throughput{}, err
	}
	defer p.Close()
	if _, err := Push(p, size, For(BulkWarmUp)); err != nil {
		return Throughput{}, err
	}
	t, err := Transfer(p, size, For(d))
	if err == nil && t.Bytes == 0 {
		err = errors.New("nothing received")
	}
	return t, err
}

// Stragglers is how long Lossy keeps servicing the pair after the last
// message, for those still on their way.
const Stragglers = 500 * time.Millisecond

// Delivery is what a lossy transfer delivered.
type Delivery struct {
	Sent, Received int64   // messages
	Seconds        float64 // of sending
}

// PerSecond is the messages received per second of sending.
func (d Delivery) PerSecond() float64 { return float64(d.Received) / d.Seconds }

// LossPercent is the share of messages sent that never arrived.
func (d Delivery) LossPercent() float64 { return 100 * (1 - float64(d.Received)/float64(d.Sent)) }

// Lossy pushes 1 KiB messages through an unordered channel without
// retransmissions on p while more() allows, then services it for
// Stragglers.
func Lossy(p Pair, more func() bool) (Delivery, error) {
	m0, _ := p.Received()
	start := time.Now()
	sent, err := Push(p, 1<<10, more)
	if err != nil {
		return Delivery{}, err
	}
	secs := time.Since(start).Seconds()
	for stop := For(Stragglers); stop(); {
		p.Service()
	}
	m1, _ := p.Received()
	return Delivery{Sent: sent, Received: m1 - m0, Seconds: secs}, nil
}

// LossyOptions are the channel options of Lossy.
func LossyOptions() ChannelOptions {
	zero := uint16(0)
	return ChannelOptions{Unordered: true, MaxRetransmits: &zero}
}

// RoundTrips times n round trips of PingSize bytes.
func RoundTrips(p Pair, n int) ([]time.Duration, error) {
	msg := make([]byte, PingSize)
	times := make([]time.Duration, n)
	for i := range times {
		t := time.Now()
		if err := p.Ping(msg); err != nil {
			return nil, fmt.Errorf("round trip %d: %w", i+1, err)
		}
		times[i] = time.Since(t)
	}
	return times, nil
}

// Setups makes and closes n pairs, returning the setup time of each.
func Setups(s Stack, n int) ([]time.Duration, error) {
	times := make([]time.Duration, n)
	for i := range times {
		p, d, err := s.Connect(ChannelOptions{})
		if err != nil {
			return nil, err
		}
		p.Close()
		times[i] = d
	}
	return times, nil
}

// Footprint is what one established connection costs (a pair is two).
type Footprint struct {
	RSSKiB     float64 // resident memory of the process
	GoKiB      float64 // Go heap and stacks in use
	Goroutines float64
}

// Cost connects pairs until conns connections are open and returns their
// footprint per connection, and the pairs, which the caller closes (with
// ClosePairs). Resident memory means something only in a fresh process: one
// that ran other work holds freed memory the connections reuse.
func Cost(s Stack, conns int) (Footprint, []Pair, error) {
	settle()
	rss0, g0 := RSSKiB(), runtime.NumGoroutine()
	go0 := goInUse()
	pairs, err := AddPairs(s, nil, conns)
	if err != nil {
		return Footprint{}, pairs, err
	}
	settle()
	n := float64(len(pairs) * 2)
	return Footprint{
		RSSKiB:     float64(RSSKiB()-rss0) / n,
		GoKiB:      float64(goInUse()-go0) / 1024 / n,
		Goroutines: float64(runtime.NumGoroutine()-g0) / n,
	}, pairs, nil
}

// AddPairs connects more pairs until pairs holds conns connections.
func AddPairs(s Stack, pairs []Pair, conns int) ([]Pair, error) {
	for len(pairs)*2 < conns {
		p, _, err := s.Connect(ChannelOptions{})
		if err != nil {
			return pairs, err
		}
		pairs = append(pairs, p)
	}
	return pairs, nil
}

// ClosePairs closes every pair.
func ClosePairs(pairs []Pair) {
	for _, p := range pairs {
		p.Close()
	}
}

// settle lets connections finish their handshakes' work and returns freed
// memory to the OS, so that differences measure what stays.
func settle() {
	time.Sleep(500 * time.Millisecond)
	runtime.GC()
	debug.FreeOSMemory()
}

func goInUse() int64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse + m.StackInuse)
}
