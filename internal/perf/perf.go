// Package perf holds the benchmark workloads of the Go runners: two peers
// connected in one process, through the extension's Go layer (Ext, driven
// the way the Godot classes drive it) or through raw pion/webrtc v4 (Pion),
// and the figures the benchmark table reports. bench/peers prints them for
// the benchmark suite (go run ./bench); extension/bench_test.go runs the
// same workloads as testing.B benchmarks, for profiling.
package perf

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Workload sizes, the same in the Godot and Node runners of the suite.
const (
	BufferLimit = 1 << 20   // the sender keeps its buffered amount under this
	MaxMessage  = 256 << 10 // the largest message, our max-message-size
	PingSize    = 64        // bytes of a round-trip message
	Pings       = 10000     // round trips measured
	PingWarmUp  = 200       // round trips before measuring
	SetupPairs  = 20        // connections made for the setup time
	CostConns   = 50        // connections open for RSS and goroutines
	PollConns   = 100       // idle connections while timing Poll
	PollRounds  = 200       // Poll sweeps over PollConns connections
)

// ChannelOptions are the data channel's delivery options.
type ChannelOptions struct {
	Unordered      bool
	MaxRetransmits *uint16 // nil: reliable
}

// Stack makes connected pairs of peers.
type Stack interface {
	// Connect makes two peers in this process with one data channel from the
	// first to the second, and returns them once the channel is open at both
	// ends, with the time from the offer to that moment.
	Connect(ChannelOptions) (p Pair, setup time.Duration, err error)
}

// Pair is two connected peers, a (the sender) and b.
type Pair interface {
	Send(msg []byte) error
	Buffered() int
	// Service lets the stack make progress once: poll both peers and read
	// what arrived (Ext), or wait a little for room in the send buffer
	// (Pion, whose callbacks read).
	Service()
	// Received counts the messages and bytes b has read.
	Received() (msgs, bytes int64)
	// Ping sends msg from a, which b echoes; it returns when a has the echo.
	Ping(msg []byte) error
	Close()
}

// IdlePoller is a Stack whose peers are polled, as Godot polls them.
type IdlePoller interface {
	// PollIdle polls both peers of every pair rounds times and returns the
	// time and the allocations (process-wide) per Poll call.
	PollIdle(pairs []Pair, rounds int) (perCall time.Duration, allocs float64)
}

// Times is a budget of n units of work, for testing.B's b.N: it returns true
// n times, then false.
func Times(n int) func() bool {
	return func() bool {
		n--
		return n >= 0
	}
}

// For is a budget of time: it returns true until d has passed since For.
func For(d time.Duration) func() bool {
	end := time.Now().Add(d)
	return func() bool { return time.Now().Before(end) }
}

// CPUSeconds is the process's user and system CPU time.
func CPUSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// RSSKiB is the process's resident set size.
func RSSKiB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
}

// Percentile returns the q-th percentile (0 <= q < 100) of samples, which it
// sorts.
func Percentile(samples []time.Duration, q int) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	slices.Sort(samples)
	return samples[len(samples)*q/100]
}
