package extension

import (
	"testing"

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
