//go:build unix

// Benchmarks measure CPU time with getrusage, which Windows lacks.

package extension

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pion/logging"
	"github.com/pion/webrtc/v4"
)

// Benchmarks of the extension's Go layer, for profiling the data path
// (./build.sh bench has the full table). Each BenchmarkPerfX has a raw
// pion/webrtc v4 reference, BenchmarkPerfPionX, with default settings (only
// restricted to loopback), two peers in this process, measured in the same
// run. Run:
//
//	go test -run '^$' -bench Perf -benchtime 3000x -cpuprofile cpu.out ./extension
//
// BenchmarkPollIdle100 checks that polling idle connections does not allocate.

// perfPionPair connects two raw pion peers with one channel each way open,
// default settings except loopback-only candidates.
func perfPionPair(b *testing.B, init *webrtc.DataChannelInit) (pa, pb *webrtc.PeerConnection, a, rcv *webrtc.DataChannel) {
	b.Helper()
	var se webrtc.SettingEngine
	restrictToLoopback(&se)
	api := webrtc.NewAPI(webrtc.WithSettingEngine(se))
	var err error
	if pa, err = api.NewPeerConnection(webrtc.Configuration{}); err != nil {
		b.Fatal(err)
	}
	if pb, err = api.NewPeerConnection(webrtc.Configuration{}); err != nil {
		b.Fatal(err)
	}
	got := make(chan *webrtc.DataChannel, 1)
	pb.OnDataChannel(func(dc *webrtc.DataChannel) {
		dc.OnOpen(func() { got <- dc })
	})
	if a, err = pa.CreateDataChannel("perf", init); err != nil {
		b.Fatal(err)
	}
	opened := make(chan struct{})
	a.OnOpen(func() { close(opened) })
	offer, err := pa.CreateOffer(nil)
	if err != nil {
		b.Fatal(err)
	}
	done := webrtc.GatheringCompletePromise(pa)
	if err = pa.SetLocalDescription(offer); err != nil {
		b.Fatal(err)
	}
	<-done
	if err = pb.SetRemoteDescription(*pa.LocalDescription()); err != nil {
		b.Fatal(err)
	}
	answer, err := pb.CreateAnswer(nil)
	if err != nil {
		b.Fatal(err)
	}
	done = webrtc.GatheringCompletePromise(pb)
	if err = pb.SetLocalDescription(answer); err != nil {
		b.Fatal(err)
	}
	<-done
	if err = pa.SetRemoteDescription(*pb.LocalDescription()); err != nil {
		b.Fatal(err)
	}
	select {
	case rcv = <-got:
	case <-time.After(15 * time.Second):
		b.Fatal("raw pion: channel did not open")
	}
	select {
	case <-opened:
	case <-time.After(15 * time.Second):
		b.Fatal("raw pion: channel did not open")
	}
	return pa, pb, a, rcv
}

// reportLatency reports p50 and p99 of samples in microseconds.
func reportLatency(b *testing.B, samples []time.Duration) {
	if len(samples) == 0 {
		return
	}
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	b.ReportMetric(float64(samples[len(samples)/2].Nanoseconds())/1e3, "p50-us")
	b.ReportMetric(float64(samples[len(samples)*99/100].Nanoseconds())/1e3, "p99-us")
}

// cpuSeconds returns the process's user+system CPU time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func reportCPUPerGB(b *testing.B, cpu0 float64, bytes int64) {
	if bytes > 0 {
		b.ReportMetric((cpuSeconds()-cpu0)/(float64(bytes)/1e9), "cpu-s/GB")
	}
}

// BenchmarkPerfPionRoundTrip64B: raw pion, 64-byte ping-pong through
// OnMessage callbacks (pion's own read loops).
func BenchmarkPerfPionRoundTrip64B(b *testing.B) {
	pa, pb, a, rcv := perfPionPair(b, nil)
	defer pa.Close()
	defer pb.Close()
	rcv.OnMessage(func(m webrtc.DataChannelMessage) { _ = rcv.Send(m.Data) })
	back := make(chan struct{}, 1)
	a.OnMessage(func(webrtc.DataChannelMessage) { back <- struct{}{} })
	msg := make([]byte, 64)
	samples := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := a.Send(msg); err != nil {
			b.Fatal(err)
		}
		<-back
		samples = append(samples, time.Since(t0))
	}
	b.StopTimer()
	reportLatency(b, samples)
}

// perfPingChannel connects two of our peers with one open channel for the
// round-trip benchmarks; free releases both.
func perfPingChannel() (a, rcv *DataChannel, free func()) {
	p := newPeers(&testing.T{})
	a, rcv = p.openChannel("ping", nil)
	return a, rcv, func() { p.a.Free(); p.b.Free() }
}

// BenchmarkPerfRoundTrip64B: our Go layer, both sides busy-polling Pop.
func BenchmarkPerfRoundTrip64B(b *testing.B) {
	a, rcv, free := perfPingChannel()
	defer free()
	defer debug.SetGCPercent(debug.SetGCPercent(perfGCPercent))
	msg := make([]byte, 64)
	stop := make(chan struct{})
	defer close(stop)
	// The echo side runs on its own goroutine, as the remote game would.
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if d, _, ok := rcv.Pop(); ok {
				_ = rcv.Send(d)
			}
		}
	}()
	samples := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := a.Send(msg); err != nil {
			b.Fatal(err)
		}
		for {
			if _, _, ok := a.Pop(); ok {
				break
			}
		}
		samples = append(samples, time.Since(t0))
	}
	b.StopTimer()
	reportLatency(b, samples)
}

// BenchmarkPerfRoundTrip64BOneLoop: our Go layer, one goroutine polling both
// sides in turn, as bench_test.go does (and as one Godot process polling two
// connections would).
func BenchmarkPerfRoundTrip64BOneLoop(b *testing.B) {
	a, rcv, free := perfPingChannel()
	defer free()
	msg := make([]byte, 64)
	samples := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := a.Send(msg); err != nil {
			b.Fatal(err)
		}
		for {
			if d, _, ok := rcv.Pop(); ok {
				if err := rcv.Send(d); err != nil {
					b.Fatal(err)
				}
				break
			}
		}
		for {
			if _, _, ok := a.Pop(); ok {
				break
			}
		}
		samples = append(samples, time.Since(t0))
	}
	b.StopTimer()
	reportLatency(b, samples)
}

// perfGCPercent mirrors the library's setting (main.go's gcPercent) for our
// layer; raw pion runs with Go's default.
var perfGCPercent = func() int {
	if v, err := strconv.Atoi(os.Getenv("PERF_GOGC")); err == nil {
		return v
	}
	return 400
}()

const perfBulkLimit = 1 << 20

// BenchmarkPerfPionBulk16KiB: raw pion, 16 KiB messages, sender kept under
// 1 MiB buffered (BufferedAmountLowThreshold), receiver counting in OnMessage.
func BenchmarkPerfPionBulk16KiB(b *testing.B) { perfPionBulk(b, 16<<10, nil) }

// BenchmarkPerfPionUnordered1KiB: raw pion, unordered maxRetransmits 0.
func BenchmarkPerfPionUnordered1KiB(b *testing.B) {
	zero, no := uint16(0), false
	perfPionBulk(b, 1<<10, &webrtc.DataChannelInit{Ordered: &no, MaxRetransmits: &zero})
}

func perfPionBulk(b *testing.B, size int, init *webrtc.DataChannelInit) {
	pa, pb, a, rcv := perfPionPair(b, init)
	defer pa.Close()
	defer pb.Close()
	var got atomic.Int64
	rcv.OnMessage(func(webrtc.DataChannelMessage) { got.Add(1) })
	low := make(chan struct{}, 1)
	a.SetBufferedAmountLowThreshold(perfBulkLimit / 2)
	a.OnBufferedAmountLow(func() {
		select {
		case low <- struct{}{}:
		default:
		}
	})
	msg := make([]byte, size)
	b.SetBytes(int64(size))
	runtime.GC()
	cpu0 := cpuSeconds()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for a.BufferedAmount() > perfBulkLimit {
			select {
			case <-low:
			case <-time.After(10 * time.Millisecond):
			}
		}
		if err := a.Send(msg); err != nil {
			b.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	last, lastAt := got.Load(), time.Now()
	for got.Load() < int64(b.N) && time.Now().Before(deadline) {
		if n := got.Load(); n != last {
			last, lastAt = n, time.Now()
		} else if init != nil && time.Since(lastAt) > 300*time.Millisecond {
			break
		}
		time.Sleep(50 * time.Microsecond)
	}
	b.StopTimer()
	reportCPUPerGB(b, cpu0, int64(b.N)*int64(size))
	b.ReportMetric(100*float64(int64(b.N)-got.Load())/float64(b.N), "loss-%")
}

// BenchmarkPerfBulk16KiB: our Go layer, 16 KiB reliable ordered, sender kept
// under 1 MiB buffered, receiver draining on its own goroutine.
func BenchmarkPerfBulk16KiB(b *testing.B) { perfBulk(b, 16<<10, nil) }

// BenchmarkPerfBulk256KiB: our Go layer, max-size (256 KiB) messages.
func BenchmarkPerfBulk256KiB(b *testing.B) { perfBulk(b, 256<<10, nil) }

// BenchmarkPerfUnordered1KiB: our Go layer, unordered maxRetransmits 0.
func BenchmarkPerfUnordered1KiB(b *testing.B) {
	perfBulk(b, 1<<10, map[string]any{"ordered": false, "maxRetransmits": int64(0)})
}

func perfBulk(b *testing.B, size int, opts map[string]any) {
	t := &testing.T{}
	var logged atomic.Int64
	p := newPeers(t, WithSettingEngine(func(se *webrtc.SettingEngine) {
		restrictToLoopback(se)
		se.LoggerFactory = countLogger{&logged}
	}))
	defer func() { b.ReportMetric(float64(logged.Load()), "droplogs") }()
	defer p.a.Free()
	defer p.b.Free()
	a, rcv := p.openChannel("bulk", opts)
	defer debug.SetGCPercent(debug.SetGCPercent(perfGCPercent))
	var got atomic.Int64
	stop := make(chan struct{})
	go func() {
		buf := make([]byte, MaxMessageSize)
		for {
			select {
			case <-stop:
				return
			default:
			}
			n := 0
			for {
				if _, _, ok := rcv.PopInto(buf); !ok {
					break
				}
				n++
			}
			if n == 0 {
				time.Sleep(20 * time.Microsecond)
			}
			got.Add(int64(n))
		}
	}()
	defer close(stop)
	msg := make([]byte, size)
	b.SetBytes(int64(size))
	runtime.GC()
	cpu0 := cpuSeconds()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for a.BufferedAmount() > perfBulkLimit {
			time.Sleep(50 * time.Microsecond)
		}
		if err := a.Send(msg); err != nil {
			b.Fatal(err)
		}
	}
	lossy := opts != nil
	// Wait for the tail: until everything arrived, or (unreliable) nothing
	// more arrived for 300 ms; 5 s at most.
	deadline := time.Now().Add(5 * time.Second)
	last, lastAt := got.Load(), time.Now()
	for got.Load()+rcv.Dropped() < int64(b.N) && time.Now().Before(deadline) {
		if n := got.Load(); n != last {
			last, lastAt = n, time.Now()
		} else if lossy && time.Since(lastAt) > 300*time.Millisecond {
			break
		}
		time.Sleep(50 * time.Microsecond)
	}
	b.StopTimer()
	reportCPUPerGB(b, cpu0, int64(b.N)*int64(size))
	if lossy {
		b.ReportMetric(100*float64(int64(b.N)-got.Load())/float64(b.N), "loss-%")
		b.ReportMetric(100*float64(rcv.Dropped())/float64(b.N), "unread-dropped-%")
	}
}

// countLogger is a pion logger factory that counts drop reports.
type countLogger struct{ n *atomic.Int64 }

func (f countLogger) NewLogger(scope string) logging.LeveledLogger { return countScoped{f.n, scope} }

type countScoped struct {
	n     *atomic.Int64
	scope string
}

// note counts pion's log lines about packets it dropped: its ICE and mux
// buffers full, SCTP's receive buffer full. (Trace lines are not formatted:
// pion writes several per packet.)
func (l countScoped) note(s string) {
	if strings.Contains(s, "full") || strings.Contains(s, "drop") {
		l.n.Add(1)
	}
}
func (l countScoped) Trace(s string)            { l.note(s) }
func (l countScoped) Tracef(f string, a ...any) { l.note(fmt.Sprintf(f, a...)) }
func (l countScoped) Debug(s string)            { l.note(s) }
func (l countScoped) Debugf(f string, a ...any) { l.note(fmt.Sprintf(f, a...)) }
func (l countScoped) Info(s string)             { l.note(s) }
func (l countScoped) Infof(f string, a ...any)  { l.note(fmt.Sprintf(f, a...)) }
func (l countScoped) Warn(s string)             { l.note(s) }
func (l countScoped) Warnf(f string, a ...any)  { l.note(fmt.Sprintf(f, a...)) }
func (l countScoped) Error(s string)            { l.note(s) }
func (l countScoped) Errorf(f string, a ...any) { l.note(fmt.Sprintf(f, a...)) }

// BenchmarkPerfPionSetup: raw pion, offer to both channel ends open
// (complete descriptions, no trickle: the quickest for raw pion).
func BenchmarkPerfPionSetup(b *testing.B) {
	var total time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		pa, pb, _, _ := perfPionPair(b, nil)
		total += time.Since(t0)
		_ = pa.Close()
		_ = pb.Close()
	}
	b.ReportMetric(float64(total.Microseconds())/1e3/float64(b.N), "ms/setup")
}

// BenchmarkPerfSetup: our Go layer, create_offer to both channel ends open,
// events relayed as soon as Poll reports them (polled every 100 us).
func BenchmarkPerfSetup(b *testing.B) {
	var total time.Duration
	for i := 0; i < b.N; i++ {
		t := &testing.T{}
		p := newPeers(t)
		a := p.channel(p.a, "setup", nil)
		t0 := time.Now()
		if err := p.a.CreateOffer(); err != nil {
			b.Fatal(err)
		}
		deadline := t0.Add(15 * time.Second)
		for len(p.received[p.b]) == 0 || a.ReadyState() != ChannelOpen || p.received[p.b][0].ReadyState() != ChannelOpen {
			if time.Now().After(deadline) {
				b.Fatal("channels not open after 15 s")
			}
			p.pump()
			time.Sleep(perfSetupPoll)
		}
		total += time.Since(t0)
		p.a.Free()
		p.b.Free()
	}
	b.ReportMetric(float64(total.Microseconds())/1e3/float64(b.N), "ms/setup")
}

// perfCost reports goroutines and Go heap+stacks per established connection
// (a pair is two connections), over n pairs made by connect. (Process RSS
// does not shrink between iterations, so it is left to the benchmark suite,
// which starts a process per figure.)
func perfCost(b *testing.B, pairs int, connect func() (closeAll func())) {
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		g0 := runtime.NumGoroutine()
		var closers []func()
		for j := 0; j < pairs; j++ {
			closers = append(closers, connect())
		}
		time.Sleep(time.Second) // settle: gathering and handshakes done
		runtime.GC()
		runtime.ReadMemStats(&m1)
		conns := float64(2 * pairs)
		b.ReportMetric(float64(runtime.NumGoroutine()-g0)/conns, "goroutines/conn")
		b.ReportMetric(float64(int64(m1.HeapInuse+m1.StackInuse)-int64(m0.HeapInuse+m0.StackInuse))/conns/1024, "go-KiB/conn")
		for _, c := range closers {
			c()
		}
	}
}

// BenchmarkPerfPionCost: raw pion, 25 connected pairs (50 connections).
func BenchmarkPerfPionCost(b *testing.B) {
	perfCost(b, 25, func() func() {
		pa, pb, _, _ := perfPionPair(b, nil)
		return func() { _ = pa.Close(); _ = pb.Close() }
	})
}

// BenchmarkPerfCost: our Go layer, 25 connected pairs (50 connections), each
// with one open channel.
func BenchmarkPerfCost(b *testing.B) {
	perfCost(b, 25, func() func() {
		t := &testing.T{}
		p := newPeers(t)
		p.openChannel("cost", nil)
		return func() { p.a.Free(); p.b.Free() }
	})
}

// perfSetupPoll is how often BenchmarkPerfSetup polls (a game polls once per
// frame; PERF_SETUP_POLL overrides it, e.g. 10us).
var perfSetupPoll = func() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("PERF_SETUP_POLL")); err == nil {
		return d
	}
	return 100 * time.Microsecond
}()

// BenchmarkPollIdle100 polls 100 idle connections; it must not allocate.
func BenchmarkPollIdle100(b *testing.B) {
	pcs := make([]*PeerConnection, 100)
	for i := range pcs {
		pcs[i] = NewPeerConnection(loopbackOnly())
		if _, _, err := pcs[i].CreateDataChannel("c", nil); err != nil {
			b.Fatal(err)
		}
	}
	handle := func(Event) {}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, pc := range pcs {
			pc.Poll(handle)
		}
	}
	b.StopTimer()
	for _, pc := range pcs {
		pc.Free()
	}
}
