package extension

import (
	"testing"
	"time"
)

// Micro-benchmarks of the extension's Go layer alone, two peers over loopback
// in one process, for profiling: go test -run '^$' -bench . -cpuprofile
// cpu.out ./extension. The benchmark suite of issue 6 (./build.sh bench, see
// scripts/bench) measures the same layer as its column (b), next to Godot,
// raw pion and libwebrtc.

// BenchmarkBulk16KiB sends 16 KiB messages on a reliable ordered channel,
// keeping the sender's buffered amount under 1 MiB; b.SetBytes gives MB/s.
func BenchmarkBulk16KiB(b *testing.B) {
	t := &testing.T{}
	p := newPeers(t)
	p.t = t
	a, rcv := p.openChannel("bulk", nil)
	msg := make([]byte, 16<<10)
	b.SetBytes(int64(len(msg)))
	b.ResetTimer()
	received := 0
	for i := 0; i < b.N; i++ {
		for a.BufferedAmount() > 1<<20 {
			received += drain(rcv)
			time.Sleep(50 * time.Microsecond)
		}
		if err := a.Send(msg); err != nil {
			b.Fatal(err)
		}
		received += drain(rcv)
	}
	for received < b.N {
		received += drain(rcv)
		time.Sleep(50 * time.Microsecond)
	}
	b.StopTimer()
	p.a.Free()
	p.b.Free()
}

func drain(c *DataChannel) (n int) {
	for {
		if _, _, ok := c.Pop(); !ok {
			return n
		}
		n++
	}
}

// BenchmarkRoundTrip64B measures a 64-byte ping-pong, both sides busy-polling.
func BenchmarkRoundTrip64B(b *testing.B) {
	t := &testing.T{}
	p := newPeers(t)
	a, rcv := p.openChannel("ping", nil)
	msg := make([]byte, 64)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
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
	}
	b.StopTimer()
	p.a.Free()
	p.b.Free()
}

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

// BenchmarkSetup measures create_offer to both channels open for a fresh pair
// (the relay between the two peers polls every 100 us).
func BenchmarkSetup(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		t := &testing.T{}
		p := newPeers(t)
		ca := p.channel(p.a, "setup", nil)
		b.StartTimer()
		if err := p.a.CreateOffer(); err != nil {
			b.Fatal(err)
		}
		deadline := time.Now().Add(15 * time.Second)
		for len(p.received[p.b]) == 0 || ca.ReadyState() != ChannelOpen || p.received[p.b][0].ReadyState() != ChannelOpen {
			if time.Now().After(deadline) {
				b.Fatal("channels not open after 15 s")
			}
			p.pump()
			time.Sleep(100 * time.Microsecond)
		}
		b.StopTimer()
		p.a.Free()
		p.b.Free()
	}
}
