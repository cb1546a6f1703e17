package extension

import (
	"encoding/json"
	"testing"
)

// Fuzz targets for the entry points that take untrusted input. ./build.sh test
// runs each for a few seconds after replaying the corpus in testdata/fuzz.

// fromJSON turns fuzz input into the Go values Godot's Dictionary conversion
// produces (JSON numbers become float64, as in Godot's JSON parser).
func fromJSON(data []byte) (map[string]any, bool) {
	var m map[string]any
	if json.Unmarshal(data, &m) != nil {
		return nil, false
	}
	return m, true
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"iceServers":[{"urls":["turn:a:3478?transport=tcp"],"username":"u","credential":"c"}],"iceTransportPolicy":"relay"}`))
	f.Add([]byte(`{"iceServers":[{"urls":"stun:[::1]:99999"}],"iceFailedTimeout":1e308}`))
	f.Add([]byte(`{"iceServers":[{"urls":[1,null,{}]}],"iceCandidatePoolSize":-1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fromJSON(data)
		if !ok {
			return
		}
		cfg, _, err := ParseConfig(m)
		if err != nil {
			if Code(err) != ErrInvalidParameter {
				t.Fatalf("config error with code %d: %v", Code(err), err)
			}
			return
		}
		for _, s := range cfg.Pion.ICEServers {
			if len(s.URLs) == 0 {
				t.Fatal("accepted an ICE server without URLs")
			}
		}
	})
}

func FuzzParseChannelOptions(f *testing.F) {
	f.Add("label", []byte(`{"negotiated":true,"id":1,"maxPacketLifetime":100}`))
	f.Add("", []byte(`{"maxRetransmits":65535,"ordered":false,"protocol":"p"}`))
	f.Add("x", []byte(`{"id":1.5,"negotiated":true,"maxPacketLifeTime":1,"maxPacketLifetime":1}`))
	f.Fuzz(func(t *testing.T, label string, data []byte) {
		m, ok := fromJSON(data)
		if !ok {
			return
		}
		init, _, err := ParseChannelOptions(label, m)
		if err != nil {
			if Code(err) != ErrInvalidParameter {
				t.Fatalf("options error with code %d: %v", Code(err), err)
			}
			return
		}
		if init.MaxPacketLifeTime != nil && init.MaxRetransmits != nil {
			t.Fatal("accepted both a lifetime and a retransmit limit")
		}
		if init.Negotiated != nil && *init.Negotiated && (init.ID == nil || *init.ID > maxChannelID) {
			t.Fatal("accepted a negotiated channel without a valid id")
		}
	})
}

// FuzzRemoteDescriptionAndCandidates feeds hostile SDP and candidate lines to a
// peer connection: every call must return, with an error or not, and never
// panic, and a refused description must leave the signaling state as it was.
func FuzzRemoteDescriptionAndCandidates(f *testing.F) {
	f.Add("offer", minimalOffer, "0", int64(0), "candidate:1 1 udp 2130706431 127.0.0.1 9 typ host")
	f.Add("answer", "v=0\r\n", "", int64(7), "a=candidate:x")
	f.Add("pranswer", "v=0\r\no=- 0 0 IN IP4 0\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n", "\x00", int64(-1), "candidate:1 1 tcp 1 ::1 1 typ srflx raddr")
	f.Fuzz(func(t *testing.T, typ, sdp, mid string, index int64, candidate string) {
		pc := NewPeerConnection(loopbackOnly())
		defer pc.Free()
		_ = pc.AddICECandidate(mid, index, candidate) // before the description: kept for it
		before := pc.SignalingState()
		if err := pc.SetRemoteDescription(typ, sdp); err != nil && pc.SignalingState() != before {
			t.Fatalf("set_remote_description failed (%v) but moved the signaling state from %d to %d", err, before, pc.SignalingState())
		}
		_ = pc.AddICECandidate(mid, index, candidate)
		pc.Poll(func(Event) {})
	})
}

const minimalOffer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n" +
	"m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n" +
	"a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n" +
	"a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n" +
	"a=setup:actpass\r\na=sctp-port:5000\r\n"
