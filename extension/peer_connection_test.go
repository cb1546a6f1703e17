package extension

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInBandChannelConnectsAndCarriesTextAndBinary(t *testing.T) {
	p := newPeers(t)
	assert.Equal(t, StateNew, p.a.ConnectionState())
	assert.Equal(t, SignalingStable, p.a.SignalingState())
	assert.Equal(t, GatheringNew, p.a.GatheringState())

	ach := p.channel(p.a, "chat", map[string]any{"protocol": "game-v1"})
	assert.Equal(t, ChannelConnecting, ach.ReadyState())
	assert.Equal(t, 65535, ach.ID(), "id is unset before negotiation")
	p.connect()
	p.until("b receives the channel", 10*time.Second, func() bool { return len(p.received[p.b]) == 1 })
	bch := p.received[p.b][0]
	p.open(ach, bch)

	assert.Equal(t, "chat", bch.Label())
	assert.Equal(t, "game-v1", bch.Protocol())
	assert.True(t, bch.Ordered())
	assert.False(t, bch.Negotiated())
	assert.Equal(t, ach.ID(), bch.ID())
	assert.NotEqual(t, 65535, ach.ID())
	assert.Equal(t, 65535, bch.MaxRetransmits())
	assert.Equal(t, 65535, bch.MaxPacketLifeTime())
	assert.Equal(t, MaxMessageSize, ach.MaxPacketSize(), "the remote's advertised max-message-size")
	assert.Equal(t, GatheringComplete, p.a.GatheringState())
	assert.Equal(t, SignalingStable, p.a.SignalingState())

	// Candidates carry the real media identification.
	require.NotEmpty(t, p.cands[p.a])
	for _, c := range p.cands[p.a] {
		assert.Equal(t, "0", c.Mid)
		assert.Equal(t, 0, c.MLineIndex)
		assert.Contains(t, c.Candidate, "candidate:")
	}

	assert.Equal(t, WriteBinary, ach.WriteMode())
	require.NoError(t, ach.Send([]byte{0, 1, 2, 255}))
	data, isString := p.recv(bch)
	assert.Equal(t, []byte{0, 1, 2, 255}, data)
	assert.False(t, isString)
	assert.False(t, bch.WasStringPacket())

	ach.SetWriteMode(WriteText)
	require.NoError(t, ach.Send([]byte("héllo")))
	data, isString = p.recv(bch)
	assert.Equal(t, "héllo", string(data))
	assert.True(t, isString)
	assert.True(t, bch.WasStringPacket())

	require.NoError(t, bch.Send(nil), "empty messages are allowed")
	data, _ = p.recv(ach)
	assert.Empty(t, data)
}

func TestNegotiatedChannelsHonourGodotsOptionSpellings(t *testing.T) {
	p := newPeers(t)
	opts := func(id int64, extra map[string]any) map[string]any {
		m := map[string]any{"negotiated": true, "id": id}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	// What WebRTCMultiplayerPeer sends: note the spelling maxPacketLifetime.
	a1 := p.channel(p.a, "reliable", opts(1, map[string]any{"ordered": true}))
	a2 := p.channel(p.a, "ordered", opts(2, map[string]any{"maxPacketLifetime": int64(1)}))
	a3 := p.channel(p.a, "unreliable", opts(3, map[string]any{"ordered": false, "maxRetransmits": float64(0)}))
	b1 := p.channel(p.b, "reliable", opts(1, map[string]any{"ordered": true}))
	b2 := p.channel(p.b, "ordered", opts(2, map[string]any{"maxPacketLifeTime": int64(1)}))
	b3 := p.channel(p.b, "unreliable", opts(3, map[string]any{"ordered": false, "maxRetransmits": int64(0)}))
	assert.Equal(t, 1, a2.MaxPacketLifeTime(), "maxPacketLifetime must not be ignored")
	assert.Equal(t, 65535, a2.MaxRetransmits())
	assert.Equal(t, 0, a3.MaxRetransmits())
	assert.False(t, a3.Ordered())
	assert.True(t, a1.Negotiated())
	assert.Equal(t, 2, a2.ID())

	p.connect()
	p.open(a1, a2, a3, b1, b2, b3)
	assert.Empty(t, p.received[p.a])
	assert.Empty(t, p.received[p.b])
	for i, pair := range [][2]*DataChannel{{a1, b1}, {a2, b2}, {a3, b3}} {
		msg := []byte(fmt.Sprintf("on channel %d", i+1))
		require.NoError(t, pair[0].Send(msg))
		got, _ := p.recv(pair[1])
		assert.Equal(t, msg, got)
	}
}

func TestChannelCreatedAfterConnectingIsAnnouncedInBand(t *testing.T) {
	p := newPeers(t)
	p.channel(p.a, "first", nil)
	p.connect()
	p.until("first channel", 10*time.Second, func() bool { return len(p.received[p.b]) == 1 })

	late := p.channel(p.b, "late", map[string]any{"ordered": false})
	p.until("late channel reaches a", 10*time.Second, func() bool { return len(p.received[p.a]) == 1 })
	got := p.received[p.a][0]
	assert.Equal(t, "late", got.Label())
	assert.False(t, got.Ordered())
	p.open(late, got)
	require.NoError(t, got.Send([]byte("back")))
	data, _ := p.recv(late)
	assert.Equal(t, "back", string(data))
	assert.Equal(t, SignalingStable, p.a.SignalingState(), "no renegotiation")
}

func TestSlowReaderPushesBackWithoutLosingData(t *testing.T) {
	const budget = 64 << 10
	p := newPeers(t, WithReceiveBudget(budget))
	ach, bch := p.openChannel("bulk", nil)

	const count, size = 256, 16 << 10 // 4 MiB, far over the budget
	sent := sha256.New()
	for i := 0; i < count; i++ {
		msg := bytes.Repeat([]byte{byte(i)}, size)
		msg[0], msg[1] = byte(i>>8), byte(i)
		sent.Write(msg)
		require.NoError(t, ach.Send(msg))
	}
	// The reader does not read for a while: the queue stays within budget.
	deadline := time.Now().Add(700 * time.Millisecond)
	for time.Now().Before(deadline) {
		p.pump()
		require.LessOrEqual(t, bch.QueuedBytes(), budget)
		time.Sleep(10 * time.Millisecond)
	}
	assert.Greater(t, ach.BufferedAmount(), 0, "the sender sees its data held back")

	got := sha256.New()
	for i := 0; i < count; i++ {
		data, _ := p.recv(bch)
		require.Len(t, data, size)
		require.Equal(t, i, int(data[0])<<8|int(data[1]), "in order, none lost")
		got.Write(data)
		require.LessOrEqual(t, bch.QueuedBytes(), budget)
	}
	assert.Equal(t, sent.Sum(nil), got.Sum(nil))
}

func TestOversizedPacketIsRefusedNotTruncated(t *testing.T) {
	p := newPeers(t)
	ach, bch := p.openChannel("c", nil)

	max := ach.MaxPacketSize()
	err := ach.Send(make([]byte, max+1))
	require.Error(t, err)
	assert.Equal(t, ErrInvalidParameter, Code(err))
	require.NoError(t, ach.Send(make([]byte, max)))
	data, _ := p.recv(bch)
	assert.Len(t, data, max)
	assert.Equal(t, 0, bch.AvailablePacketCount(), "the refused packet never arrives")
}

func TestCloseIsImmediateAndSeenByTheRemote(t *testing.T) {
	p := newPeers(t)
	ach, bch := p.openChannel("c", nil)

	ach.Close()
	assert.Equal(t, ChannelClosed, ach.ReadyState())
	assert.Equal(t, ErrUnconfigured, Code(ach.Send([]byte("x"))))
	p.until("remote channel closes", 10*time.Second, func() bool { return bch.ReadyState() == ChannelClosed })

	p.a.Close()
	assert.Equal(t, StateClosed, p.a.ConnectionState())
	assert.Equal(t, SignalingClosed, p.a.SignalingState())
	p.until("remote leaves CONNECTED", 30*time.Second, func() bool { return p.b.ConnectionState() != StateConnected })
	assert.Equal(t, ErrUnconfigured, Code(p.a.CreateOffer()))
	_, _, err := p.a.CreateDataChannel("x", nil)
	assert.Equal(t, ErrUnconfigured, Code(err))

	// initialize() makes a closed connection usable again.
	_, err = p.a.Initialize(map[string]any{})
	require.NoError(t, err)
	assert.Equal(t, StateNew, p.a.ConnectionState())
	p.channel(p.a, "again", nil)
	require.NoError(t, p.a.CreateOffer())
}

func TestCallsInTheWrongStateReturnErrors(t *testing.T) {
	pc := NewPeerConnection(loopbackOnly())
	defer pc.Free()

	err := pc.AddICECandidate("0", 0, "candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host")
	assert.Equal(t, ErrUnavailable, Code(err), "no remote description yet")
	assert.Equal(t, ErrUnavailable, Code(pc.SetRemoteDescription("answer", minimalAnswer)), "an answer without an offer")
	assert.Equal(t, ErrInvalidParameter, Code(pc.SetRemoteDescription("bogus", minimalAnswer)))
	assert.Equal(t, ErrInvalidData, Code(pc.SetRemoteDescription("offer", "not sdp at all")))
	assert.Equal(t, ErrInvalidData, Code(pc.SetLocalDescription("offer", "v=0\r\nbroken")))
	assert.Equal(t, ErrInvalidParameter, Code(pc.AddICECandidate("0", -1, "")))
	assert.Equal(t, StateNew, pc.ConnectionState())
}

func TestCandidatesMustNameAKnownMediaSection(t *testing.T) {
	p := newPeers(t)
	p.channel(p.a, "c", nil)
	require.NoError(t, p.a.CreateOffer())
	var offer string
	p.a.Poll(func(ev Event) { offer = ev.(SessionDescription).SDP })
	require.NoError(t, p.b.SetRemoteDescription("offer", offer))
	const cand = "candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host"
	assert.Equal(t, ErrInvalidParameter, Code(p.b.AddICECandidate("nope", 0, cand)))
	assert.Equal(t, ErrInvalidParameter, Code(p.b.AddICECandidate("", 3, cand)))
	assert.Equal(t, ErrInvalidData, Code(p.b.AddICECandidate("0", 0, "candidate:garbage")))
	assert.NoError(t, p.b.AddICECandidate("0", 0, cand))
	assert.NoError(t, p.b.AddICECandidate("", 0, "a="+cand+"\r\n"), "an a= line with CRLF is a valid candidate")
	assert.NoError(t, p.b.AddICECandidate("0", 0, ""), "end of candidates")
}

func TestInvalidInitializeChangesNothing(t *testing.T) {
	pc := NewPeerConnection(loopbackOnly())
	defer pc.Free()
	ch, _, err := pc.CreateDataChannel("kept", nil)
	require.NoError(t, err)
	_, err = pc.Initialize(map[string]any{"iceServers": []any{map[string]any{"urls": "http://example.invalid"}}})
	assert.Equal(t, ErrInvalidParameter, Code(err))
	assert.Contains(t, err.Error(), "iceServers[0].urls[0]")
	assert.Equal(t, ChannelConnecting, ch.ReadyState(), "the previous connection is untouched")
	require.NoError(t, pc.CreateOffer())
}

func TestShutdownStopsEveryGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	p := newPeers(t)
	p.channel(p.a, "c", nil)
	p.connect()
	assert.Greater(t, runtime.NumGoroutine(), before)
	Shutdown()
	assert.Equal(t, StateClosed, p.a.ConnectionState())
	assert.Equal(t, 0, Live())
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before, "goroutines left after Shutdown")
}

const minimalAnswer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"

func TestUnreadUnreliableChannelDropsOldestAndDoesNotStallOthers(t *testing.T) {
	const budget = 64 << 10
	p := newPeers(t, WithReceiveBudget(budget))
	lossyA, lossyB := p.openChannel("lossy", map[string]any{"maxRetransmits": int64(0), "ordered": false})
	relA := p.channel(p.a, "reliable", nil)
	p.until("reliable channel", 10*time.Second, func() bool { return len(p.received[p.b]) == 2 })
	relB := p.received[p.b][1]
	p.open(relA, relB)

	msg := make([]byte, 16<<10)
	for i := 0; i < 200; i++ { // 3.2 MiB nobody reads
		msg[0] = byte(i)
		require.NoError(t, lossyA.Send(msg))
		if i%20 == 19 {
			time.Sleep(5 * time.Millisecond)
		}
	}
	p.until("drops on the unread lossy channel", 10*time.Second, func() bool { return lossyB.Dropped() > 0 })
	assert.LessOrEqual(t, lossyB.QueuedBytes(), budget)

	require.NoError(t, relA.Send([]byte("still flowing")))
	data, _ := p.recv(relB)
	assert.Equal(t, "still flowing", string(data), "the connection is not stalled")
	newest, _, ok := lossyB.Pop()
	require.True(t, ok)
	assert.Greater(t, int(newest[0]), 0, "the oldest messages were the ones dropped")
}

func TestStatsReportThePairAndTheChannels(t *testing.T) {
	p := newPeers(t)
	ach, bch := p.openChannel("stats", nil)
	for i := 0; i < 10; i++ {
		require.NoError(t, ach.Send(make([]byte, 1000)))
	}
	for i := 0; i < 10; i++ {
		p.recv(bch)
	}
	st := p.a.Stats()
	assert.Equal(t, int64(StateConnected), st["connection_state"])
	pair := st["selected_pair"].(map[string]any)
	require.NotEmpty(t, pair)
	local := pair["local"].(map[string]any)
	assert.Equal(t, "host", local["type"])
	assert.Equal(t, "127.0.0.1", local["address"])
	assert.Equal(t, "udp", local["protocol"])
	assert.Equal(t, "", local["relay_protocol"], "not a relay candidate")
	assert.Greater(t, pair["bytes_sent"], int64(10000), "payload plus headers went through the pair")
	assert.GreaterOrEqual(t, pair["current_round_trip_time"], 0.0)
	chans := st["channels"].([]any)
	require.Len(t, chans, 1)
	ch := chans[0].(map[string]any)
	assert.Equal(t, "stats", ch["label"])
	assert.Equal(t, int64(10), ch["messages_sent"])
	assert.Equal(t, int64(10000), ch["bytes_sent"])
	bst := p.b.Stats()["channels"].([]any)[0].(map[string]any)
	assert.Equal(t, int64(10), bst["messages_received"])
	assert.Equal(t, int64(10000), bst["bytes_received"])
}

func TestUnreachablePeerFailsWithAProblem(t *testing.T) {
	pc := NewPeerConnection(loopbackOnly())
	defer pc.Free()
	_, err := pc.Initialize(map[string]any{"iceDisconnectedTimeout": 0.5, "iceFailedTimeout": 1.0})
	require.NoError(t, err)
	remote := NewPeerConnection(loopbackOnly())
	defer remote.Free()
	_, _, err = pc.CreateDataChannel("c", nil)
	require.NoError(t, err)
	require.NoError(t, pc.CreateOffer())
	var problems []Problem
	deadline := time.Now().Add(30 * time.Second)
	for pc.ConnectionState() != StateFailed && time.Now().Before(deadline) {
		for _, x := range []*PeerConnection{pc, remote} {
			x.Poll(func(ev Event) {
				switch ev := ev.(type) {
				case SessionDescription:
					require.NoError(t, x.SetLocalDescription(ev.Type, ev.SDP))
					if x == pc {
						require.NoError(t, remote.SetRemoteDescription(ev.Type, ev.SDP))
					} else {
						require.NoError(t, pc.SetRemoteDescription(ev.Type, ev.SDP))
						// The only candidate the offerer hears of goes nowhere.
						require.NoError(t, pc.AddICECandidate("0", 0, "candidate:1 1 udp 2130706431 127.0.0.1 9 typ host"))
					}
				case Problem:
					problems = append(problems, ev)
				}
			})
		}
		time.Sleep(10 * time.Millisecond)
	}
	require.Equal(t, StateFailed, pc.ConnectionState())
	pc.Poll(func(ev Event) {
		if pr, ok := ev.(Problem); ok {
			problems = append(problems, pr)
		}
	})
	require.NotEmpty(t, problems)
	assert.Equal(t, ErrCantConnect, problems[len(problems)-1].Code)
	assert.Contains(t, problems[len(problems)-1].Message, "the connection failed")
}

func TestServerModeThirtyTwoClientsOnOnePort(t *testing.T) {
	const port = 38999
	server := []Option{loopbackOnly(), WithUDPMuxOptions(ice.UDPMuxFromPortWithLoopback(),
		ice.UDPMuxFromPortWithInterfaceFilter(func(name string) bool { return name == "lo" }),
		ice.UDPMuxFromPortWithNetworks(ice.NetworkTypeUDP4))}
	type pairT struct {
		p      *peers
		ch, cc *DataChannel
	}
	var all []pairT
	for i := 0; i < 32; i++ {
		p := &peers{t: t, a: NewPeerConnection(server...), b: NewPeerConnection(loopbackOnly()),
			received: map[*PeerConnection][]*DataChannel{}, cands: map[*PeerConnection][]ICECandidate{}}
		t.Cleanup(func() { p.a.Free(); p.b.Free() })
		_, err := p.a.Initialize(map[string]any{"udpMuxPort": int64(port)})
		require.NoError(t, err)
		ch := p.channel(p.a, "c", nil)
		require.NoError(t, p.a.CreateOffer())
		all = append(all, pairT{p: p, ch: ch})
	}
	deadline := time.Now().Add(60 * time.Second)
	for done := false; !done; {
		require.True(t, time.Now().Before(deadline), "32 clients did not all connect")
		done = true
		for i := range all {
			all[i].p.pump()
			if len(all[i].p.received[all[i].p.b]) == 0 || all[i].ch.ReadyState() != ChannelOpen {
				done = false
			} else {
				all[i].cc = all[i].p.received[all[i].p.b][0]
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	for i, x := range all {
		for _, c := range x.p.cands[x.p.a] {
			assert.Contains(t, c.Candidate, fmt.Sprintf(" %d typ host", port), "server candidates use the shared port")
		}
		local := x.p.a.Stats()["selected_pair"].(map[string]any)["local"].(map[string]any)
		assert.Equal(t, int64(port), local["port"], "client %d reaches the server on the shared port", i)
		require.NoError(t, x.cc.Send([]byte(fmt.Sprintf("hello from %d", i))))
	}
	for i, x := range all {
		data, _ := x.p.recv(x.ch)
		assert.Equal(t, fmt.Sprintf("hello from %d", i), string(data))
	}
}

func TestServerModeConfiguration(t *testing.T) {
	cfg, _, err := ParseConfig(map[string]any{"udpPortRange": []any{int64(40000), float64(40100)}})
	require.NoError(t, err)
	assert.Equal(t, uint16(40000), cfg.UDPPortMin)
	assert.Equal(t, uint16(40100), cfg.UDPPortMax)
	for _, bad := range []map[string]any{
		{"udpMuxPort": int64(0)}, {"udpMuxPort": "9"}, {"udpPortRange": []any{int64(5)}},
		{"udpPortRange": []any{int64(9), int64(5)}}, {"udpMuxPort": int64(9), "udpPortRange": []any{int64(1), int64(2)}},
	} {
		_, _, err := ParseConfig(bad)
		assert.Equal(t, ErrInvalidParameter, Code(err), "%v", bad)
	}
	p := newPeers(t)
	_, err = p.a.Initialize(map[string]any{"udpPortRange": []any{int64(41000), int64(41010)}})
	require.NoError(t, err)
	p.openChannel("ranged", nil)
	for _, c := range p.cands[p.a] {
		var port int
		_, err := fmt.Sscanf(c.Candidate[strings.Index(c.Candidate, "127.0.0.1"):], "127.0.0.1 %d", &port)
		require.NoError(t, err)
		assert.True(t, port >= 41000 && port <= 41010, "candidate port %d in range", port)
	}
}

// TestFramePacedBulkStaysUnderTheBudget moves 16 MiB the way a game does:
// once per frame (7 ms) it polls, tops the sender up to 1 MiB buffered and
// reads everything. The receive queue must never reach its budget: if it did,
// the channel would stop reading SCTP, the window would close, and pion would
// leave the sender idle for 200 ms after the game read again (issue 6: the
// old 1 MiB budget did, and capped this at about 17 MB/s through Godot).
func TestFramePacedBulkStaysUnderTheBudget(t *testing.T) {
	p := newPeers(t)
	a, b := p.openChannel("bulk", nil)
	const total, size = 16 << 20, 16 << 10
	msg := make([]byte, size)
	buf := make([]byte, MaxMessageSize)
	sent, got, maxQueued, frames := 0, 0, 0, 0
	start := time.Now()
	for got < total/size {
		require.Less(t, time.Since(start), 2*time.Minute, "%d of %d messages in time", got, total/size)
		p.pump()
		for ; sent < total/size && a.BufferedAmount() < 1<<20; sent++ {
			binary.BigEndian.PutUint32(msg, uint32(sent))
			require.NoError(t, a.Send(msg))
		}
		maxQueued = max(maxQueued, b.QueuedBytes())
		for {
			n, _, ok := b.PopInto(buf)
			if !ok {
				break
			}
			require.Equal(t, size, n)
			require.Equal(t, uint32(got), binary.BigEndian.Uint32(buf), "in order, none lost")
			got++
		}
		frames++
		time.Sleep(7 * time.Millisecond)
	}
	took := time.Since(start)
	t.Logf("16 MiB in %v (%.1f MB/s), %d frames, at most %d bytes queued", took.Round(time.Millisecond), total/took.Seconds()/1e6, frames, maxQueued)
	assert.Less(t, maxQueued, DefaultReceiveBudget, "a game reading every frame never fills the budget")
}

// TestOnePollCarriesTheWholeExchange: with signaling as fast as a function
// call, one round of Poll on each side (one frame of a game) carries the
// offer, the answer and both sides' candidates, so the connection starts in
// that frame, not the next (issue 6).
func TestOnePollCarriesTheWholeExchange(t *testing.T) {
	p := newPeers(t)
	p.channel(p.a, "c", nil)
	require.NoError(t, p.a.CreateOffer())
	p.pump() // a: offer, then its candidates; b: answer, then its candidates
	assert.NotEmpty(t, p.cands[p.a], "a's candidates reached b in the first poll")
	assert.NotEmpty(t, p.cands[p.b], "b's candidates reached a in the first poll")
	assert.Equal(t, SignalingStable, p.a.SignalingState())
	p.until("connected", 10*time.Second, func() bool {
		return p.a.ConnectionState() == StateConnected && p.b.ConnectionState() == StateConnected
	})
}

// TestPollBoundsHandlerCausedRounds: a handler that causes a new event every
// time (here, a new offer for every offer) cannot keep one Poll running.
func TestPollBoundsHandlerCausedRounds(t *testing.T) {
	pc := NewPeerConnection(loopbackOnly())
	t.Cleanup(pc.Free)
	require.NoError(t, pc.CreateOffer())
	offers := 0
	pc.Poll(func(ev Event) {
		if _, ok := ev.(SessionDescription); ok {
			offers++
			require.NoError(t, pc.CreateOffer())
		}
	})
	assert.Equal(t, maxPollPasses, offers)
	offers = 0
	pc.Poll(func(ev Event) {
		if _, ok := ev.(SessionDescription); ok {
			offers++
		}
	})
	assert.Equal(t, 1, offers, "the last one waits for the next poll")
}

// TestPollDoesNotWaitForAClosedConnectionsCandidates: set_local_description
// then close() (or a handler that closes); the next poll must not wait for
// candidates that will never come.
func TestPollDoesNotWaitForAClosedConnectionsCandidates(t *testing.T) {
	pc := NewPeerConnection(loopbackOnly())
	t.Cleanup(pc.Free)
	require.NoError(t, pc.SetLocalDescription("offer", offerOf(t, pc)))
	pc.Close()
	start := time.Now()
	pc.Poll(func(Event) {})
	assert.Less(t, time.Since(start), gatherWait/2, "poll returned without waiting")
}
