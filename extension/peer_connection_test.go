package extension

import (
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
	assert.NoError(t, err, "no remote description yet: kept for it")
	assert.Equal(t, ErrUnavailable, Code(pc.SetRemoteDescription("answer", minimalAnswer)), "an answer without an offer")
	assert.Equal(t, ErrInvalidParameter, Code(pc.SetRemoteDescription("bogus", minimalAnswer)))
	assert.Equal(t, ErrInvalidData, Code(pc.SetRemoteDescription("offer", "not sdp at all")))
	assert.Equal(t, ErrInvalidData, Code(pc.SetLocalDescription("offer", "v=0\r\nbroken")))
	assert.Equal(t, ErrInvalidParameter, Code(pc.AddICECandidate("0", -1, "")))
	assert.Equal(t, StateNew, pc.ConnectionState())
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
	// pion reports the state before it calls the handler that queues the
	// problem, on another goroutine: a slow machine (qemu) polls in between.
	reported := func() bool {
		return slices.ContainsFunc(problems, func(pr Problem) bool { return strings.Contains(pr.Message, "the connection failed") })
	}
	for deadline := time.Now().Add(5 * time.Second); !reported() && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		pc.Poll(func(ev Event) {
			if pr, ok := ev.(Problem); ok {
				problems = append(problems, pr)
			}
		})
	}
	require.NotEmpty(t, problems)
	assert.Equal(t, ErrCantConnect, problems[len(problems)-1].Code)
	assert.Contains(t, problems[len(problems)-1].Message, "the connection failed")
}
