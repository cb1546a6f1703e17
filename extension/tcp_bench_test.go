//go:build unix

// The benchmarks measure CPU time with getrusage, which Windows lacks.

package extension

import (
	"slices"
	"syscall"
	"testing"
	"time"
)

// ICE-TCP against UDP on loopback, through the server's shared ports. Run:
//
//	go test -run '^$' -bench Transport -benchtime 20x ./extension
//
// Connect is create_offer to both channel ends open; bulk is a reliable
// ordered channel kept full with 16 KiB messages from offerer to answerer.

// processCPU is the CPU time the process has used, both peers together: a
// figure a busy machine disturbs less than throughput.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// transports are the cases: the server offers UDP only, TCP only, or both
// to a client limited to TCP (a player whose network blocks UDP), the
// server making the offer or the client.
var transports = []string{"udp", "tcp", "tcp-fallback", "tcp-fallback-client-offers"}

// transportPair connects the server and the client of a case of transports,
// the offerer as p.a, and returns the protocol the connection must use.
func transportPair(b *testing.B, transport string) (p *peers, protocol string) {
	server := map[string]any{"udpMuxPort": int64(freeUDPPort(b)), "iceNetworkTypes": []any{"udp"}}
	client := map[string]any{}
	protocol = "udp"
	switch transport {
	case "tcp":
		server = map[string]any{"tcpMuxPort": int64(freeTCPPort(b)), "iceNetworkTypes": []any{"tcp"}}
		protocol = "tcp"
	case "tcp-fallback", "tcp-fallback-client-offers":
		server = map[string]any{"udpMuxPort": int64(freeUDPPort(b)), "tcpMuxPort": int64(freeTCPPort(b))}
		client = map[string]any{"iceNetworkTypes": []any{"tcp"}}
		protocol = "tcp"
	}
	if transport == "tcp-fallback-client-offers" {
		return transportPeers(b, client, server), protocol
	}
	return transportPeers(b, server, client), protocol
}

func BenchmarkTransportConnect(b *testing.B) {
	for _, transport := range transports {
		b.Run(transport, func(b *testing.B) {
			times := make([]time.Duration, 0, b.N)
			for range b.N {
				p, protocol := transportPair(b, transport)
				start := time.Now()
				p.openChannel("c", nil)
				times = append(times, time.Since(start))
				if local, _ := selectedPair(p.a); local["protocol"] != protocol {
					b.Fatalf("connected over %v, not %s", local["protocol"], protocol)
				}
				p.a.Free()
				p.b.Free()
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1e3, "p50-ms")
			b.ReportMetric(float64(times[len(times)*9/10].Microseconds())/1e3, "p90-ms")
		})
	}
}

func BenchmarkTransportBulk16KiB(b *testing.B) {
	const size = 16 << 10
	for _, transport := range transports {
		b.Run(transport, func(b *testing.B) {
			p, _ := transportPair(b, transport)
			a, c := p.openChannel("bulk", nil)
			msg := make([]byte, size)
			b.SetBytes(size)
			cpu := processCPU()
			b.ResetTimer()
			sent, got := 0, 0
			deadline := time.Now().Add(time.Minute)
			for got < b.N {
				for sent < b.N && a.BufferedAmount() < 4<<20 {
					if err := a.Send(msg); err != nil {
						b.Fatal(err)
					}
					sent++
				}
				p.pump()
				for {
					if _, _, ok := c.Pop(); !ok {
						break
					}
					got++
				}
				if time.Now().After(deadline) {
					b.Fatalf("%d of %d messages after a minute", got, b.N)
				}
				time.Sleep(50 * time.Microsecond)
			}
			b.StopTimer()
			b.ReportMetric((processCPU()-cpu).Seconds()/(float64(b.N)*size/1e9), "cpu-s/GB")
		})
	}
}
