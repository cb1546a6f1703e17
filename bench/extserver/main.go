// Command extserver is the server benchmark's game server on the extension's
// Go layer without Godot (the "Go layer" column): bench/server/server.gd
// written in Go, driving extension.PeerConnection the way the Godot classes
// do (one goroutine polls every connection and reads and sends every packet,
// 60 times a second). Comparing it with the Godot server separates what
// Godot and the glue cost from what the Go layer and pion cost; it is also
// where the Go layer is profiled (-cpuprofile, -memprofile).
//
//	extserver -url ws://host:port/room -port N
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/extension"
	"github.com/godot-webrtc-go/godot-webrtc-go/internal/gameload"
	"github.com/godot-webrtc-go/godot-webrtc-go/internal/gcpace"
)

// player is one client's connection and what the game counted from it.
type player struct {
	id          int
	pc          *extension.PeerConnection
	rel, unrel  *extension.DataChannel
	handle      func(extension.Event)
	inputs      uint32
	events      uint32
	late        uint32
	snapshotSeq uint32
	eventSeq    uint32
}

type server struct {
	port    int
	sig     *gameload.Signaling
	mu      sync.Mutex
	inbox   []gameload.Message // signaling, for the game loop
	players map[int]*player
}

func main() {
	url := flag.String("url", "", "the signaling room, ws://host:port/room")
	port := flag.Int("port", 0, "the UDP port every connection shares (udpMuxPort)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile here")
	memProfile := flag.String("memprofile", "", "write an allocation profile here")
	after := flag.Duration("profile-after", 10*time.Second, "start profiling this long after start")
	length := flag.Duration("profile-for", 10*time.Second, "profile this long")
	flag.Parse()
	if _, set := os.LookupEnv("GOGC"); !set {
		gcpace.Start(time.Second) // as the library does
	}
	if *url == "" || *port == 0 {
		fmt.Fprintln(os.Stderr, "usage: extserver -url ws://host:port/room -port N")
		os.Exit(2)
	}
	if *memProfile != "" {
		runtime.MemProfileRate = 64 << 10 // from the start, so in-use figures add up
	}
	s := &server{port: *port, players: map[int]*player{}}
	fmt.Println("PID", os.Getpid())
	var err error
	s.sig, err = gameload.DialSignaling(context.Background(), *url, func(_ *gameload.Signaling, m gameload.Message) {
		s.mu.Lock()
		s.inbox = append(s.inbox, m)
		s.mu.Unlock()
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "extserver:", err)
		os.Exit(1)
	}
	if s.sig.ID != 1 {
		fmt.Fprintln(os.Stderr, "extserver: the room already has a server")
		os.Exit(1)
	}
	fmt.Println("READY")
	if *cpuProfile != "" || *memProfile != "" {
		go profile(*cpuProfile, *memProfile, *after, *length)
	}
	s.loop()
}

// profile writes the profiles asked for.
func profile(cpuFile, memFile string, after, length time.Duration) {
	time.Sleep(after)
	if cpuFile != "" {
		if f, err := os.Create(cpuFile); err == nil && pprof.StartCPUProfile(f) == nil {
			defer f.Close()
			defer pprof.StopCPUProfile()
		}
	}
	time.Sleep(length)
	if memFile != "" {
		if f, err := os.Create(memFile); err == nil {
			_ = pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
	fmt.Fprintln(os.Stderr, "extserver: profiles written")
}

// signal handles a signaling message on the game loop.
func (s *server) signal(m gameload.Message) error {
	switch m.Type {
	case "join":
		p := &player{id: m.ID, pc: extension.NewPeerConnection()}
		if _, err := p.pc.Initialize(map[string]any{"udpMuxPort": int64(s.port)}); err != nil {
			return err
		}
		lifetime := int64(gameload.UnreliableLifetimeMs)
		var err error
		if p.rel, _, err = p.pc.CreateDataChannel("reliable", map[string]any{"negotiated": true, "id": int64(gameload.ReliableID)}); err != nil {
			return err
		}
		if _, _, err = p.pc.CreateDataChannel("ordered", map[string]any{"negotiated": true, "id": int64(gameload.OrderedID), "maxPacketLifetime": lifetime}); err != nil {
			return err
		}
		if p.unrel, _, err = p.pc.CreateDataChannel("unreliable", map[string]any{"negotiated": true, "id": int64(gameload.UnreliableID), "maxPacketLifetime": lifetime, "ordered": false}); err != nil {
			return err
		}
		p.handle = func(ev extension.Event) { s.onEvent(p, ev) }
		s.players[m.ID] = p
		return p.pc.CreateOffer()
	case "leave":
		if p := s.players[m.ID]; p != nil {
			p.pc.Free()
			delete(s.players, m.ID)
		}
	case "answer":
		if p := s.players[m.From]; p != nil {
			return p.pc.SetRemoteDescription(m.Type, m.SDP)
		}
	case "candidate":
		if p := s.players[m.From]; p != nil {
			return p.pc.AddICECandidate(m.Media, int64(m.Index), m.Name)
		}
	}
	return nil
}

func (s *server) onEvent(p *player, ev extension.Event) {
	switch ev := ev.(type) {
	case extension.SessionDescription:
		if err := p.pc.SetLocalDescription(ev.Type, ev.SDP); err == nil {
			_ = s.sig.Send(p.id, gameload.Message{Type: ev.Type, SDP: ev.SDP})
		}
	case extension.ICECandidate:
		_ = s.sig.Send(p.id, gameload.Message{Type: "candidate", Media: ev.Mid, Index: ev.MLineIndex, Name: ev.Candidate})
	}
}

// loop is the game loop: 60 frames a second, each polling every connection,
// reading every packet and sending the snapshots and events due.
func (s *server) loop() {
	snapshot, event := make([]byte, gameload.SnapshotSize), make([]byte, gameload.EventSize)
	buf := make([]byte, 4096)
	var frameTimes []int64
	second := time.Now()
	ticker := time.NewTicker(time.Second / gameload.TickRate)
	for frame := 1; ; frame++ {
		<-ticker.C
		t0 := time.Now()
		s.mu.Lock()
		inbox := s.inbox
		s.inbox = nil
		s.mu.Unlock()
		for _, m := range inbox {
			if err := s.signal(m); err != nil {
				fmt.Fprintf(os.Stderr, "extserver: %s: %v\n", m.Type, err)
			}
		}
		now := gameload.Now()
		connected := 0
		for _, p := range s.players {
			p.pc.Poll(p.handle)
			if p.pc.ConnectionState() != extension.StateConnected || p.rel.ReadyState() != extension.ChannelOpen || p.unrel.ReadyState() != extension.ChannelOpen {
				continue
			}
			connected++
			for _, ch := range []*extension.DataChannel{p.unrel, p.rel} {
				for {
					n, _, ok := ch.PopInto(buf)
					if !ok || n > len(buf) {
						break
					}
					switch gameload.Kind(buf[:n]) {
					case gameload.KindInput:
						p.inputs++
					case gameload.KindEvent:
						p.events++
						if time.Duration(now-gameload.ReadEvent(buf[:n]).Sent)*time.Microsecond > gameload.LateEvent {
							p.late++
						}
					}
				}
			}
			if frame%2 == 0 {
				p.snapshotSeq++
				gameload.PutSnapshot(snapshot, gameload.Snapshot{Seq: p.snapshotSeq, InputsReceived: p.inputs, EventsReceived: p.events, EventsLate: p.late})
				_ = p.unrel.Send(snapshot)
			}
			if p.id%gameload.TickRate == frame%gameload.TickRate {
				p.eventSeq++
				gameload.PutEvent(event, gameload.Event{Seq: p.eventSeq, Sent: gameload.Now()})
				_ = p.rel.Send(event)
			}
		}
		frameTimes = append(frameTimes, time.Since(t0).Microseconds())
		if time.Since(second) >= time.Second {
			second = time.Now()
			s.stat(frameTimes, connected)
			frameTimes = frameTimes[:0]
		}
	}
}

func (s *server) stat(frameTimes []int64, connected int) {
	fmt.Printf("STAT %s\n", gameload.StatLine(frameTimes, connected, len(s.players), extension.Live()))
}
