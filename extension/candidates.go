package extension

import (
	"fmt"
	"strings"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// AddICECandidate adds a remote candidate for the media section named by mid
// (or, if mid is empty, by its m-line index). An empty candidate marks the end
// of the remote candidates.
func (p *PeerConnection) AddICECandidate(mid string, index int64, candidate string) error {
	if index < 0 || index > 65535 {
		return errorf(ErrInvalidParameter, "add_ice_candidate: m-line index %d is outside 0..65535", index)
	}
	pc, err := p.conn()
	if err != nil {
		return err
	}
	remote := pc.RemoteDescription()
	if remote == nil {
		return errorf(ErrUnavailable, "add_ice_candidate: set the remote description first")
	}
	if err := checkMedia(remote, mid, int(index)); err != nil {
		return err
	}
	line := strings.TrimSpace(candidate)
	line = strings.TrimPrefix(line, "a=")
	if line != "" {
		if err := checkCandidate(remote, line); err != nil {
			return err
		}
	}
	if line != "" && !p.countRemoteCandidate(remote) {
		return errorf(ErrInvalidData, "add_ice_candidate: the remote sent more than %d candidates; the rest are refused", MaxRemoteCandidates)
	}
	idx := uint16(index)
	init := webrtc.ICECandidateInit{Candidate: line, SDPMLineIndex: &idx}
	if mid != "" {
		init.SDPMid = &mid
	}
	if err := pc.AddICECandidate(init); err != nil {
		return &CodeError{Code: ErrInvalidData, Err: fmt.Errorf("add_ice_candidate: invalid candidate: %w", err)}
	}
	return nil
}

// countRemoteCandidate counts one more candidate for the remote description
// and reports whether it is within MaxRemoteCandidates. A new remote
// description (an ICE restart, a new connection) starts a new count.
func (p *PeerConnection) countRemoteCandidate(remote *webrtc.SessionDescription) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.candidatesFor == nil || p.candidatesFor.SDP != remote.SDP {
		p.candidatesFor, p.remoteCands = remote, 0
	}
	if p.remoteCands >= MaxRemoteCandidates {
		return false
	}
	p.remoteCands++
	return true
}

// checkMedia checks that the remote description has the media section a
// candidate names, as the browsers do.
func checkMedia(remote *webrtc.SessionDescription, mid string, index int) error {
	var parsed sdp.SessionDescription
	if err := parsed.UnmarshalString(remote.SDP); err != nil {
		return errorf(ErrUnavailable, "add_ice_candidate: the remote description cannot be parsed: %v", err)
	}
	if mid != "" {
		for _, m := range parsed.MediaDescriptions {
			if v, ok := m.Attribute("mid"); ok && v == mid {
				return nil
			}
		}
		return errorf(ErrInvalidParameter, "add_ice_candidate: the remote description has no media section with mid %q", clip(mid))
	}
	if index >= len(parsed.MediaDescriptions) {
		return errorf(ErrInvalidParameter, "add_ice_candidate: m-line index %d, but the remote description has %d media sections", index, len(parsed.MediaDescriptions))
	}
	return nil
}
