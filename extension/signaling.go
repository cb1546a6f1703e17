package extension

import (
	"strings"

	"github.com/pion/webrtc/v4"
)

// CreateOffer creates an offer; it arrives through Poll as a SessionDescription.
func (p *PeerConnection) CreateOffer() error {
	pc, err := p.conn()
	if err != nil {
		return err
	}
	if st := pc.SignalingState(); st != webrtc.SignalingStateStable && st != webrtc.SignalingStateHaveLocalOffer {
		// As the browsers: pion would create one, which could never be applied.
		return errorf(ErrUnavailable, "create_offer: the signaling state is %s; answer the remote offer first", st)
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		return wrapPion(err, "create_offer")
	}
	p.queue.push(pc, SessionDescription{Type: "offer", SDP: offer.SDP})
	return nil
}

// SetLocalDescription applies a description this side created (possibly
// edited by the game); ICE gathering starts here.
//
// Without STUN or TURN servers, gathering finds host candidates only and is
// over in under a millisecond (0.2-0.6 ms measured). The next Poll waits for
// it (at most gatherWait) before its next batch, so that the candidates follow
// the description in the same Poll: when the game calls this from its
// session_description_created handler, both sides start connecting in the
// frame that carried the offer, not one frame later. The wait comes after
// the rest of the handler (sending the description, the other side answering)
// so gathering overlaps with it. With servers, Poll does not wait: server
// candidates take a round trip to the server. The servers are checked here
// too (see checkServer).
func (p *PeerConnection) SetLocalDescription(typ, raw string) error {
	desc, err := parseDescription("set_local_description", typ, raw)
	if err != nil {
		return err
	}
	pc, err := p.conn()
	if err != nil {
		return err
	}
	if err := pc.SetLocalDescription(desc); err != nil {
		return wrapPion(err, "set_local_description")
	}
	if desc.Type != webrtc.SDPTypeRollback {
		p.queue.expectCandidates()
		p.startServerChecks(pc)
	}
	return nil
}

// SetRemoteDescription applies the remote peer's description. For an offer it
// also creates the answer, which arrives through Poll.
func (p *PeerConnection) SetRemoteDescription(typ, raw string) error {
	desc, err := parseDescription("set_remote_description", typ, raw)
	if err != nil {
		return err
	}
	pc, err := p.conn()
	if err != nil {
		return err
	}
	if remoteTransitionAllowed(pc.SignalingState(), desc.Type) { // else pion refuses it, changing nothing
		if err := checkRemoteDescription("set_remote_description", desc); err != nil {
			return err
		}
		if m := p.mediaOf(pc); m != nil && hasAudioSection(raw) {
			if err := m.enable(); err != nil {
				return errorf(Failed, "set_remote_description: %v", err)
			}
		}
	}
	if err := pc.SetRemoteDescription(desc); err != nil {
		return wrapPion(err, "set_remote_description")
	}
	p.applyEarly(pc)
	if desc.Type != webrtc.SDPTypeOffer {
		return nil
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		return wrapPion(err, "set_remote_description: creating the answer")
	}
	p.queue.push(pc, SessionDescription{Type: "answer", SDP: answer.SDP})
	return nil
}

// parseDescription reads a description the game passed to call.
func parseDescription(call, typ, raw string) (webrtc.SessionDescription, error) {
	t := webrtc.NewSDPType(typ)
	if t == webrtc.SDPTypeUnknown {
		return webrtc.SessionDescription{}, errorf(ErrInvalidParameter, "%s: type is %q, want \"offer\", \"answer\", \"pranswer\" or \"rollback\"", call, clip(typ))
	}
	desc := webrtc.SessionDescription{Type: t, SDP: raw}
	if t != webrtc.SDPTypeRollback {
		if strings.TrimSpace(raw) == "" {
			return desc, errorf(ErrInvalidData, "%s: the SDP is empty", call)
		}
		if _, err := desc.Unmarshal(); err != nil {
			return desc, errorf(ErrInvalidData, "%s: the SDP cannot be parsed: %v", call, err)
		}
	}
	return desc, nil
}
