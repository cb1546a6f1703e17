package extension

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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

// pumpCandidatesFirst polls both sides like pump, but holds each description
// until the poll that produced it is over, so that the candidates the same
// poll delivers reach the other side first. It counts, per receiving side,
// the candidates that arrived before its remote description.
func (p *peers) pumpCandidatesFirst(early map[*PeerConnection]int) {
	for _, pc := range []*PeerConnection{p.a, p.b} {
		other := p.other(pc)
		var held []SessionDescription
		pc.Poll(func(ev Event) {
			switch ev := ev.(type) {
			case SessionDescription:
				require.NoError(p.t, pc.SetLocalDescription(ev.Type, ev.SDP))
				held = append(held, ev)
			case ICECandidate:
				if o := pionOf(other); o == nil || o.RemoteDescription() == nil {
					early[other]++
				}
				p.cands[pc] = append(p.cands[pc], ev)
				require.NoError(p.t, other.AddICECandidate(ev.Mid, int64(ev.MLineIndex), ev.Candidate), "a candidate before the description is kept")
			case DataChannelReceived:
				p.received[pc] = append(p.received[pc], ev.Channel)
			case Problem:
				p.problems = append(p.problems, ev)
			}
		})
		for _, d := range held {
			require.NoError(p.t, other.SetRemoteDescription(d.Type, d.SDP))
		}
	}
}

// TestCandidatesBeforeTheDescriptionAreKept: every candidate of both sides
// reaches the other before the description it belongs to (the offer, then the
// answer). add_ice_candidate keeps them and set_remote_description applies
// them: the pair connects over those candidates alone, whichever side offers.
func TestCandidatesBeforeTheDescriptionAreKept(t *testing.T) {
	for _, offerer := range []string{"a", "b"} {
		t.Run(offerer+" offers", func(t *testing.T) {
			// Poll waits for the host candidates however slow the machine,
			// so that they come in the poll that carries the description.
			p := newPeers(t, withGatherWait(time.Minute))
			from, to := p.a, p.b
			if offerer == "b" {
				from, to = p.b, p.a
			}
			ch := p.channel(from, "c", nil)
			require.NoError(t, from.CreateOffer())
			early := map[*PeerConnection]int{}
			deadline := time.Now().Add(15 * time.Second)
			for !(from.ConnectionState() == StateConnected && len(p.received[to]) == 1 && ch.ReadyState() == ChannelOpen) {
				require.True(t, time.Now().Before(deadline), "connected over the candidates that came first")
				p.pumpCandidatesFirst(early)
				time.Sleep(2 * time.Millisecond)
			}
			assert.Empty(t, p.problems)
			assert.Equal(t, len(p.cands[from]), early[to], "every candidate of the offerer came before the offer")
			assert.Equal(t, len(p.cands[to]), early[from], "every candidate of the answerer came before the answer")
			assert.NotZero(t, early[to])
			assert.NotZero(t, early[from])
			require.NoError(t, ch.Send([]byte("over early candidates")))
			data, _ := p.recv(p.received[to][0])
			assert.Equal(t, "over early candidates", string(data))
		})
	}
}

// TestEarlyCandidatesAreCheckedWhenTheDescriptionComes: a candidate given
// before the remote description has its syntax checked at once; its media
// section and ufrag are checked once the description is set, and one that
// does not fit is reported as a Problem, the others being added.
func TestEarlyCandidatesAreCheckedWhenTheDescriptionComes(t *testing.T) {
	pc, offer := offeredConnection(t)
	const line = "candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host"
	assert.Equal(t, ErrInvalidData, Code(pc.AddICECandidate("0", 0, "candidate:garbage")), "syntax is checked at once")
	assert.Equal(t, ErrInvalidParameter, Code(pc.AddICECandidate("0", 70000, line)), "so is the index range")
	require.NoError(t, pc.AddICECandidate("nope", 0, line), "an unknown mid is only known with the description")
	require.NoError(t, pc.AddICECandidate("", 3, line))
	require.NoError(t, pc.AddICECandidate("0", 0, line+" ufrag notours"))
	require.NoError(t, pc.AddICECandidate("0", 0, line))
	require.NoError(t, pc.AddICECandidate("", 0, ""), "end of candidates")
	require.NoError(t, pc.SetRemoteDescription("offer", offer))
	var problems []Problem
	pc.Poll(func(ev Event) {
		if pr, ok := ev.(Problem); ok {
			problems = append(problems, pr)
		}
	})
	require.Len(t, problems, 3, "%v", problems)
	for i, want := range []string{`no media section with mid "nope"`, "m-line index 3", `ufrag "notours"`} {
		assert.Equal(t, ErrInvalidParameter, problems[i].Code)
		assert.Equal(t, "ice", problems[i].Scope)
		assert.Contains(t, problems[i].Message, want)
		assert.Contains(t, problems[i].Message, "before the remote description")
	}
	pc.mu.Lock()
	assert.Equal(t, 1, pc.remoteCands, "the good candidate was added and counted")
	assert.Empty(t, pc.early)
	pc.mu.Unlock()
}

// TestEarlyCandidatesAreBoundedAndDroppedWithAWarning: at most
// MaxRemoteCandidates wait for the remote description; closing or
// initialising again drops them with a warning that says how many.
func TestEarlyCandidatesAreBoundedAndDroppedWithAWarning(t *testing.T) {
	pc := NewPeerConnection(loopbackOnly())
	defer pc.Free()
	candidate := func(i int) string {
		return fmt.Sprintf("candidate:%d 1 udp 2130706431 127.0.%d.%d 9 typ host", i, i/250, i%250+1)
	}
	for i := range MaxRemoteCandidates {
		require.NoError(t, pc.AddICECandidate("0", 0, candidate(i)), "candidate %d", i)
	}
	err := pc.AddICECandidate("0", 0, candidate(MaxRemoteCandidates))
	assert.Equal(t, ErrInvalidData, Code(err), "%v", err)
	assert.Contains(t, err.Error(), "wait for the remote description")

	warnings, err := pc.Initialize(map[string]any{})
	require.NoError(t, err)
	assert.Equal(t, []string{fmt.Sprintf("initialize(): %d remote candidates given to add_ice_candidate() were dropped: no remote description was set before", MaxRemoteCandidates)}, warnings)

	require.NoError(t, pc.AddICECandidate("0", 0, candidate(0)), "the new connection keeps its own")
	require.NoError(t, pc.AddICECandidate("0", 0, candidate(1)))
	assert.Equal(t, []string{"close(): 2 remote candidates given to add_ice_candidate() were dropped: no remote description was set before"}, pc.Close())
	assert.Empty(t, pc.Close(), "nothing more to drop")
	assert.Equal(t, ErrUnconfigured, Code(pc.AddICECandidate("0", 0, candidate(0))), "closed")
}
