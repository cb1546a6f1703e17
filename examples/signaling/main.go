// Command signaling is a small WebSocket signaling relay for WebRTC peers: the
// tests, the interop pages and the demo all use it. Peers connect to
// ws://ADDR/<room>; the first peer in a room gets id 1 (the host), later ones
// 2, 3, ... Messages are JSON objects:
//
//	server -> peer  {"type":"welcome","id":N,"peers":[ids already there]}
//	server -> peer  {"type":"join","id":N}   and   {"type":"leave","id":N}
//	peer -> server  {"to":M, ...}            relayed to M with "from":N added
//
// Offers, answers and candidates are whatever the peers put in relayed
// messages. It prints "listening on HOST:PORT" once ready and serves until
// killed or, with -timeout, until that time has passed.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// maxMessage bounds one signaling message (an SDP is a few KiB).
const maxMessage = 1 << 20

type peer struct {
	id   int
	conn *websocket.Conn
	out  chan []byte
}

type room struct {
	next  int
	peers map[int]*peer
}

type server struct {
	mu    sync.Mutex
	rooms map[string]*room
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	conn.SetReadLimit(maxMessage)
	name := strings.Trim(r.URL.Path, "/")
	p := s.join(name, conn)
	defer s.leave(name, p)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go func() {
		for msg := range p.out {
			if conn.Write(ctx, websocket.MessageText, msg) != nil {
				cancel()
				return
			}
		}
	}()
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			return
		}
		var msg map[string]any
		if json.Unmarshal(data, &msg) != nil {
			continue
		}
		to, ok := msg["to"].(float64)
		if !ok {
			continue
		}
		msg["from"] = p.id
		delete(msg, "to")
		s.relay(name, int(to), msg)
	}
}

// join adds a peer to the room and queues its welcome, then tells the others:
// all under the lock, so that the welcome is the first message the peer gets,
// before any other peer's join notice.
func (s *server) join(name string, conn *websocket.Conn) *peer {
	s.mu.Lock()
	defer s.mu.Unlock()
	rm := s.rooms[name]
	if rm == nil {
		rm = &room{next: 1, peers: map[int]*peer{}}
		s.rooms[name] = rm
	}
	p := &peer{id: rm.next, conn: conn, out: make(chan []byte, 256)}
	rm.next++
	others := make([]int, 0, len(rm.peers))
	for id := range rm.peers {
		others = append(others, id)
	}
	sort.Ints(others)
	s.sendLocked(p, map[string]any{"type": "welcome", "id": p.id, "peers": others})
	for _, o := range rm.peers {
		s.sendLocked(o, map[string]any{"type": "join", "id": p.id})
	}
	rm.peers[p.id] = p
	log.Printf("room %q: peer %d joined", name, p.id)
	return p
}

func (s *server) leave(name string, p *peer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rm := s.rooms[name]
	delete(rm.peers, p.id)
	close(p.out)
	for _, o := range rm.peers {
		s.sendLocked(o, map[string]any{"type": "leave", "id": p.id})
	}
	if len(rm.peers) == 0 {
		delete(s.rooms, name)
	}
	log.Printf("room %q: peer %d left", name, p.id)
}

func (s *server) relay(name string, to int, msg map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rm := s.rooms[name]; rm != nil {
		if p := rm.peers[to]; p != nil {
			s.sendLocked(p, msg)
		}
	}
}

// sendLocked queues msg for p; a peer that does not read is dropped.
func (s *server) sendLocked(p *peer, msg map[string]any) {
	data, _ := json.Marshal(msg)
	select {
	case p.out <- data:
	default:
		p.conn.Close(websocket.StatusPolicyViolation, "not reading")
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	timeout := flag.Duration("timeout", 0, "exit after this long (0: never)")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	os.Stdout.Sync()
	if *timeout > 0 {
		time.AfterFunc(*timeout, func() { os.Exit(0) })
	}
	srv := &http.Server{Handler: &server{rooms: map[string]*room{}}, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.Serve(ln))
}
