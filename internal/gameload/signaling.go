package gameload

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/coder/websocket"
)

// Message is one message of examples/signaling's protocol, as the demo's
// network.gd exchanges them: the server's welcome, join and leave notices,
// and the offers, answers and candidates the peers relay to each other.
type Message struct {
	Type  string `json:"type"`            // welcome, join, leave, offer, answer, candidate
	ID    int    `json:"id,omitempty"`    // welcome: ours; join and leave: who
	Peers []int  `json:"peers,omitempty"` // welcome: who was there already
	From  int    `json:"from,omitempty"`  // relayed: the sender
	To    int    `json:"to,omitempty"`    // to relay: the recipient
	SDP   string `json:"sdp,omitempty"`
	Media string `json:"media,omitempty"` // candidate: mid
	Index int    `json:"index"`           // candidate: m-line index
	Name  string `json:"name,omitempty"`  // candidate: the candidate line
}

// maxSignalingMessage bounds one received message (an SDP is a few KiB).
const maxSignalingMessage = 1 << 20

// Signaling is one peer's WebSocket to a signaling room.
type Signaling struct {
	conn *websocket.Conn
	ID   int // what the welcome said
}

// DialSignaling joins the room at url (ws://host:port/room), waits for the
// welcome, then hands every later message to deliver, with the connection it
// came on, on a goroutine of its own until the connection closes.
func DialSignaling(ctx context.Context, url string, deliver func(*Signaling, Message)) (*Signaling, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return nil, fmt.Errorf("signaling %s: %w", url, err)
	}
	conn.SetReadLimit(maxSignalingMessage)
	var welcome Message
	if err := read(ctx, conn, &welcome); err != nil || welcome.Type != "welcome" {
		conn.CloseNow()
		return nil, fmt.Errorf("signaling %s: no welcome (%q): %v", url, welcome.Type, err)
	}
	s := &Signaling{conn: conn, ID: welcome.ID}
	go func() {
		for {
			var m Message
			if err := read(context.Background(), conn, &m); err != nil {
				return
			}
			deliver(s, m)
		}
	}()
	return s, nil
}

func read(ctx context.Context, conn *websocket.Conn, m *Message) error {
	_, data, err := conn.Read(ctx)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, m)
}

// Send relays m to peer to. Safe for concurrent use.
func (s *Signaling) Send(to int, m Message) error {
	m.To = to
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.conn.Write(ctx, websocket.MessageText, data)
}

// Close leaves the room: the others get a leave notice.
func (s *Signaling) Close() { _ = s.conn.Close(websocket.StatusNormalClosure, "") }
