// Command loadgen is the server benchmark's load generator: N players in one
// process, each a peer connection of the extension's Go layer (no Godot per
// client), joining a game server through a room of examples/signaling (the
// server is the room's peer 1 and offers to each player who joins), then
// playing the gameload workload: 30 inputs of 64 bytes a second on the
// unreliable channel, one reliable 1 KiB event a second, reading the server's
// snapshots and events.
//
// A capacity run (the default) joins every player at once, plays -warmup,
// prints "MEASURE begin <unix ms>", plays -measure, prints "MEASURE end
// <unix ms>", stops sending, reads for two more seconds, and prints what it
// counted as BENCH {"k":...,"v":...} lines. A churn run (-churn P) prints
// "CHURN start <unix ms>", replaces P % of the players a minute, at random,
// for -duration, printing a CHURN line every -every.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/internal/gameload"
	"github.com/godot-webrtc-go/godot-webrtc-go/internal/perf"
)

type inbound struct {
	c   *client
	sig *gameload.Signaling
	m   gameload.Message
	err error // dialing failed
}

// gen runs every client on one goroutine, as a game loop would.
type gen struct {
	url     string
	tick    time.Duration
	inbox   chan inbound
	clients []*client // joined or joining
	left    []*client
	buf     []byte
	input   []byte
	event   []byte
}

func main() {
	url := flag.String("url", "", "the signaling room, ws://host:port/room")
	n := flag.Int("clients", 16, "players")
	warmup := flag.Duration("warmup", 3*time.Second, "capacity run: play this long before measuring")
	measure := flag.Duration("measure", 10*time.Second, "capacity run: measured time")
	joinTimeout := flag.Duration("join-timeout", 90*time.Second, "how long the players may take to join")
	churn := flag.Float64("churn", 0, "percent of the players replaced per minute (0: a capacity run)")
	duration := flag.Duration("duration", 5*time.Minute, "churn run: how long")
	every := flag.Duration("every", 10*time.Second, "churn run: how often to print a CHURN line")
	tick := flag.Duration("tick", 2*time.Millisecond, "loop period: how often every client is polled and read")
	flag.Parse()
	if *url == "" || *n < 1 {
		fmt.Fprintln(os.Stderr, "usage: loadgen -url ws://host:port/room [-clients N] [-churn P]")
		os.Exit(2)
	}
	g := &gen{url: *url, tick: *tick, inbox: make(chan inbound, 64*(*n)),
		buf: make([]byte, 4096), input: make([]byte, gameload.InputSize), event: make([]byte, gameload.EventSize)}
	joined := g.join(*n, *joinTimeout)
	emit("joined", float64(joined))
	if joined < *n {
		fmt.Fprintf(os.Stderr, "loadgen: %d of %d players joined within %v\n", joined, *n, *joinTimeout)
	}
	if *churn > 0 {
		g.churn(*churn, *duration, *every)
	} else {
		g.capacity(*warmup, *measure)
	}
	g.reportErrors()
	for _, c := range g.clients {
		c.leave()
	}
}

func emit(key string, v float64) {
	b, _ := json.Marshal(map[string]any{"k": key, "v": v})
	fmt.Printf("BENCH %s\n", b)
}

// dial starts a new client joining the room.
func (g *gen) dial() *client {
	c := newClient()
	g.clients = append(g.clients, c)
	go func() {
		_, err := gameload.DialSignaling(context.Background(), g.url, func(s *gameload.Signaling, m gameload.Message) {
			if m.From == 1 { // other players' join and leave notices are not ours
				g.inbox <- inbound{c: c, sig: s, m: m}
			}
		})
		if err != nil {
			g.inbox <- inbound{c: c, err: err}
		}
	}()
	return c
}

// join dials n clients at once and plays until all have joined or timeout
// has passed; it returns how many joined.
func (g *gen) join(n int, timeout time.Duration) int {
	start := time.Now()
	for range n {
		g.dial()
	}
	deadline := start.Add(timeout)
	for time.Now().Before(deadline) && g.opened() < n {
		g.step()
	}
	emit("join_s", time.Since(start).Seconds())
	return g.opened()
}

func (g *gen) opened() int {
	n := 0
	for _, c := range g.clients {
		if !c.opened.IsZero() && !c.gone {
			n++
		}
	}
	return n
}

// step handles what signaling brought, steps every client and sleeps out the
// rest of the tick.
func (g *gen) step() {
	start := time.Now()
	for more := true; more; {
		select {
		case in := <-g.inbox:
			if in.err != nil {
				in.c.fail(in.err)
				in.c.gone = true
				continue
			}
			if in.c.sig == nil {
				in.c.sig = in.sig
			}
			in.c.signal(in.m)
		default:
			more = false
		}
	}
	now := time.Now()
	for _, c := range g.clients {
		c.step(now, g.buf, g.input, g.event)
	}
	if d := g.tick - time.Since(start); d > 0 {
		time.Sleep(d)
	}
}

func (g *gen) playFor(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
		g.step()
	}
}

// capacity plays, measures, drains and reports the counts.
func (g *gen) capacity(warmup, measure time.Duration) {
	g.playFor(warmup)
	cpu0, t0 := perf.CPUSeconds(), time.Now()
	fmt.Printf("MEASURE begin %d\n", time.Now().UnixMilli())
	g.playFor(measure)
	fmt.Printf("MEASURE end %d\n", time.Now().UnixMilli())
	emit("loadgen_cpu_pct", 100*(perf.CPUSeconds()-cpu0)/time.Since(t0).Seconds())
	for _, c := range g.clients {
		c.sending = false
	}
	// The server keeps sending snapshots, whose counters catch up with the
	// last inputs and events.
	g.playFor(2 * time.Second)
	g.report()
}

// report prints the losses and delays of every client that joined.
func (g *gen) report() {
	var inSent, inGot, snaps, snapLost, evSent, evGot, evLateC2S, evIn, evLostS2C, evLateS2C int64
	for _, c := range g.clients {
		if c.opened.IsZero() {
			continue
		}
		inSent += int64(c.inputsSent)
		inGot += int64(c.server.InputsReceived)
		snaps += c.snapshots
		snapLost += int64(c.snapshotMax) - c.snapshots
		evSent += int64(c.eventsSent)
		evGot += int64(c.server.EventsReceived)
		evLateC2S += int64(c.server.EventsLate)
		evIn += c.eventsIn
		evLostS2C += int64(c.eventsInMax) - c.eventsIn
		evLateS2C += c.eventsLate
	}
	emit("inputs_sent", float64(inSent))
	emit("inputs_lost", float64(inSent-inGot))
	emit("inputs_lost_pct", pct(inSent-inGot, inSent))
	emit("snapshots_received", float64(snaps))
	emit("snapshots_lost", float64(snapLost))
	emit("snapshots_lost_pct", pct(snapLost, snaps+snapLost))
	emit("events_c2s_sent", float64(evSent))
	emit("events_c2s_lost", float64(evSent-evGot))
	emit("events_c2s_late", float64(evLateC2S))
	emit("events_s2c_received", float64(evIn))
	emit("events_s2c_lost", float64(evLostS2C))
	emit("events_s2c_late", float64(evLateS2C))
}

func pct(part, whole int64) float64 {
	if whole == 0 {
		return 0
	}
	return 100 * float64(part) / float64(whole)
}

// churnJoinTimeout is how long a replacement player may take to join before
// it counts as failed.
const churnJoinTimeout = 30 * time.Second

// churn replaces percent % of the players a minute for d: at random moments
// a random player leaves and a new one joins.
func (g *gen) churn(percent float64, d time.Duration, every time.Duration) {
	n := len(g.clients)
	for _, c := range g.clients {
		c.joinCounted = true // the first players' joins are the join time
	}
	gap := time.Duration(float64(time.Minute) / (float64(n) * percent / 100))
	start := time.Now()
	fmt.Printf("CHURN start %d\n", start.UnixMilli())
	next, report := start.Add(gap), start.Add(every)
	var joins []time.Duration
	left, failed := 0, 0
	for time.Since(start) < d {
		g.step()
		now := time.Now()
		if now.After(next) {
			next = next.Add(time.Duration(rand.Int64N(int64(2 * gap)))) // mean gap, at random moments
			if c := g.randomOpen(); c != nil {
				c.leave()
				left++
			}
			g.dial()
		}
		kept := g.clients[:0]
		for _, c := range g.clients {
			switch {
			case c.gone:
				g.left = append(g.left, c)
			case c.opened.IsZero() && now.Sub(c.dialed) > churnJoinTimeout:
				failed++
				c.leave()
				g.left = append(g.left, c)
			default:
				if !c.opened.IsZero() && !c.joinCounted {
					c.joinCounted = true
					joins = append(joins, c.opened.Sub(c.dialed))
				}
				kept = append(kept, c)
			}
		}
		g.clients = kept
		if now.After(report) {
			report = report.Add(every)
			fmt.Printf("CHURN t=%.0f players=%d joining=%d left=%d joined=%d failed=%d\n",
				now.Sub(start).Seconds(), g.opened(), len(g.clients)-g.opened(), left, len(joins), failed)
		}
	}
	emit("churn_left", float64(left))
	emit("churn_joined", float64(len(joins)))
	emit("churn_failed", float64(failed))
	if len(joins) > 0 {
		emit("churn_join_p50_ms", float64(perf.Percentile(joins, 50).Milliseconds()))
		emit("churn_join_max_ms", float64(slices.Max(joins).Milliseconds()))
	}
}

// randomOpen returns a random player that has joined, nil if none.
func (g *gen) randomOpen() *client {
	var open []*client
	for _, c := range g.clients {
		if !c.opened.IsZero() && !c.gone {
			open = append(open, c)
		}
	}
	if len(open) == 0 {
		return nil
	}
	return open[rand.N(len(open))]
}

// reportErrors prints the first errors the clients met.
func (g *gen) reportErrors() {
	shown := 0
	for _, c := range slices.Concat(g.clients, g.left) {
		if c.err != nil && shown < 10 {
			fmt.Fprintf(os.Stderr, "loadgen: player %d: %v\n", c.id(), c.err)
			shown++
		}
	}
}
