// Command pionserver is the server benchmark's reference game server on raw
// pion/webrtc v4, written the way pion's examples are: default settings plus
// one shared UDP port (pion's ICE UDP mux), callbacks that queue received
// messages, and a 60 Hz game loop that reads the queue and sends snapshots
// and events. It plays the same workload (internal/gameload) through the same
// signaling room as bench/server/server.gd, and prints the same lines: "PID",
// "READY", then a STAT line every second.
//
//	pionserver -url ws://host:port/room -port N
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/internal/gameload"
	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
)

// player is one client's connection and what the game counted from it.
type player struct {
	id    int
	pc    *webrtc.PeerConnection
	rel   *webrtc.DataChannel
	unrel *webrtc.DataChannel
	open  int // channels open, under server.mu

	inputs, events, late  uint32 // game loop only
	snapshotSeq, eventSeq uint32
}

// received is a message a channel callback queued for the game loop.
type received struct {
	p    *player
	kind byte
	sent int64
}

type server struct {
	api *webrtc.API
	sig *gameload.Signaling

	mu        sync.Mutex
	players   map[int]*player // joined, until they leave
	connected []*player       // every channel open
	queue     []received
}

func main() {
	url := flag.String("url", "", "the signaling room, ws://host:port/room")
	port := flag.Int("port", 0, "the UDP port every connection shares")
	flag.Parse()
	if *url == "" || *port == 0 {
		fmt.Fprintln(os.Stderr, "usage: pionserver -url ws://host:port/room -port N")
		os.Exit(2)
	}
	mux, err := ice.NewMultiUDPMuxFromPort(*port)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pionserver:", err)
		os.Exit(1)
	}
	var se webrtc.SettingEngine
	se.SetICEUDPMux(mux)
	s := &server{api: webrtc.NewAPI(webrtc.WithSettingEngine(se)), players: map[int]*player{}}
	fmt.Println("PID", os.Getpid())
	s.sig, err = gameload.DialSignaling(context.Background(), *url, func(_ *gameload.Signaling, m gameload.Message) { s.signal(m) })
	if err != nil {
		fmt.Fprintln(os.Stderr, "pionserver:", err)
		os.Exit(1)
	}
	if s.sig.ID != 1 {
		fmt.Fprintln(os.Stderr, "pionserver: the room already has a server")
		os.Exit(1)
	}
	fmt.Println("READY")
	s.loop()
}

// signal handles a signaling message, on the signaling read goroutine.
func (s *server) signal(m gameload.Message) {
	switch m.Type {
	case "join":
		if err := s.join(m.ID); err != nil {
			fmt.Fprintf(os.Stderr, "pionserver: player %d: %v\n", m.ID, err)
		}
	case "leave":
		s.mu.Lock()
		p := s.players[m.ID]
		delete(s.players, m.ID)
		s.mu.Unlock()
		if p != nil {
			go p.pc.Close()
		}
	case "answer":
		if p := s.player(m.From); p != nil {
			_ = p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: m.SDP})
		}
	case "candidate":
		if p := s.player(m.From); p != nil {
			idx := uint16(m.Index)
			_ = p.pc.AddICECandidate(webrtc.ICECandidateInit{Candidate: m.Name, SDPMid: &m.Media, SDPMLineIndex: &idx})
		}
	}
}

func (s *server) player(id int) *player {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.players[id]
}

// join makes the player's connection with WebRTCMultiplayerPeer's three
// negotiated channels and sends it an offer.
func (s *server) join(id int) error {
	pc, err := s.api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return err
	}
	p := &player{id: id, pc: pc}
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c == nil {
			return
		}
		j := c.ToJSON()
		m := gameload.Message{Type: "candidate", Name: j.Candidate}
		if j.SDPMid != nil {
			m.Media = *j.SDPMid
		}
		if j.SDPMLineIndex != nil {
			m.Index = int(*j.SDPMLineIndex)
		}
		_ = s.sig.Send(id, m)
	})
	yes, no := true, false
	lifetime := uint16(gameload.UnreliableLifetimeMs)
	for _, ch := range []struct {
		label string
		id    uint16
		init  webrtc.DataChannelInit
		keep  **webrtc.DataChannel
	}{
		{"reliable", gameload.ReliableID, webrtc.DataChannelInit{}, &p.rel},
		{"ordered", gameload.OrderedID, webrtc.DataChannelInit{MaxPacketLifeTime: &lifetime}, nil},
		{"unreliable", gameload.UnreliableID, webrtc.DataChannelInit{MaxPacketLifeTime: &lifetime, Ordered: &no}, &p.unrel},
	} {
		chID := ch.id
		ch.init.Negotiated, ch.init.ID = &yes, &chID
		dc, err := pc.CreateDataChannel(ch.label, &ch.init)
		if err != nil {
			_ = pc.Close()
			return err
		}
		if ch.keep != nil {
			*ch.keep = dc
		}
		dc.OnOpen(func() { s.opened(p) })
		dc.OnMessage(func(msg webrtc.DataChannelMessage) { s.receive(p, msg.Data) })
	}
	s.mu.Lock()
	s.players[id] = p
	s.mu.Unlock()
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		return err
	}
	if err := pc.SetLocalDescription(offer); err != nil {
		return err
	}
	return s.sig.Send(id, gameload.Message{Type: "offer", SDP: offer.SDP})
}

// opened counts a channel open; with all three the player is connected.
func (s *server) opened(p *player) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.open++; p.open == 3 && s.players[p.id] == p {
		s.connected = append(s.connected, p)
	}
}

// receive queues a message for the game loop, on pion's goroutine.
func (s *server) receive(p *player, data []byte) {
	k := gameload.Kind(data)
	var sent int64
	if k == gameload.KindEvent {
		sent = gameload.ReadEvent(data).Sent
	}
	s.mu.Lock()
	s.queue = append(s.queue, received{p: p, kind: k, sent: sent})
	s.mu.Unlock()
}

// loop is the game loop: 60 frames a second, each reading what was queued and
// sending the snapshots and events due.
func (s *server) loop() {
	snapshot, event := make([]byte, gameload.SnapshotSize), make([]byte, gameload.EventSize)
	var spare []received
	var frameTimes []int64
	second := time.Now()
	ticker := time.NewTicker(time.Second / gameload.TickRate)
	for frame := 1; ; frame++ {
		<-ticker.C
		t0 := time.Now()
		s.mu.Lock()
		batch := s.queue
		s.queue = spare[:0]
		live := s.connected[:0]
		for _, p := range s.connected { // drop those who left
			if s.players[p.id] == p {
				live = append(live, p)
			}
		}
		s.connected = live
		players := live[:len(live):len(live)]
		s.mu.Unlock()
		now := gameload.Now()
		for _, r := range batch {
			switch r.kind {
			case gameload.KindInput:
				r.p.inputs++
			case gameload.KindEvent:
				r.p.events++
				if time.Duration(now-r.sent)*time.Microsecond > gameload.LateEvent {
					r.p.late++
				}
			}
		}
		clear(batch)
		spare = batch
		for _, p := range players {
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
			s.stat(frameTimes, len(players))
			frameTimes = frameTimes[:0]
		}
	}
}

func (s *server) stat(frameTimes []int64, connected int) {
	s.mu.Lock()
	peers := len(s.players)
	s.mu.Unlock()
	fmt.Printf("STAT %s\n", gameload.StatLine(frameTimes, connected, peers, peers))
}
