package extension

import (
	"fmt"
	"strings"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// remoteCandidate is a candidate the game passed to add_ice_candidate.
type remoteCandidate struct {
	mid   string
	index uint16
	line  string // trimmed, without "a="; "" ends the candidates
}

// AddICECandidate adds a remote candidate for the media section named by mid
// (or, if mid is empty, by its m-line index). An empty candidate marks the end
// of the remote candidates.
//
// A candidate that comes before the remote description (some stacks send
// candidates while their description is still being set, and signaling may
// reorder messages) is kept, up to MaxRemoteCandidates, and added when
// SetRemoteDescription applies the description; only its syntax is checked
// now. One that does not fit the description then is reported as a Problem.
// Kept candidates are dropped, with a warning, if the connection closes or is
// initialised again first.
func (p *PeerConnection) AddICECandidate(mid string, index int64, candidate string) error {
	if index < 0 || index > 65535 {
		return errorf(ErrInvalidParameter, "add_ice_candidate: m-line index %d is outside 0..65535", index)
	}
	pc, err := p.conn()
	if err != nil {
		return err
	}
	c := remoteCandidate{mid: mid, index: uint16(index), line: strings.TrimPrefix(strings.TrimSpace(candidate), "a=")}
	if c.line != "" {
		if _, err := parseCandidate(c.line); err != nil {
			return err
		}
	}
	remote, err := p.keepEarly(pc, c)
	if remote == nil || err != nil {
		return err
	}
	return p.addRemoteCandidate(pc, remote, c)
}

// keepEarly keeps c if pc has no remote description yet and returns nil;
// otherwise it returns the remote description. It decides under mu, where
// SetRemoteDescription takes the kept ones (see applyEarly), so that no
// candidate is kept after they were taken.
func (p *PeerConnection) keepEarly(pc *webrtc.PeerConnection, c remoteCandidate) (*webrtc.SessionDescription, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if remote := pc.RemoteDescription(); remote != nil {
		return remote, nil
	}
	if p.pc != pc {
		return nil, errorf(ErrUnconfigured, "add_ice_candidate: the peer connection was closed meanwhile")
	}
	if len(p.early) >= MaxRemoteCandidates {
		return nil, errorf(ErrInvalidData, "add_ice_candidate: %d candidates already wait for the remote description; the rest are refused", MaxRemoteCandidates)
	}
	p.early = append(p.early, c)
	return nil, nil
}

// applyEarly adds the candidates kept by keepEarly to pc, whose remote
// description was just set. One that does not fit it is reported.
func (p *PeerConnection) applyEarly(pc *webrtc.PeerConnection) {
	p.mu.Lock()
	remote := pc.RemoteDescription()
	if p.pc != pc || remote == nil { // nil: a rollback
		p.mu.Unlock()
		return
	}
	early := p.early
	p.early = nil
	p.mu.Unlock()
	for _, c := range early {
		if err := p.addRemoteCandidate(pc, remote, c); err != nil {
			p.queue.push(pc, Problem{Code: Code(err), Scope: "ice", Message: fmt.Sprintf(
				"a candidate given before the remote description does not fit it: %v", err)})
		}
	}
}

// dropEarlyLocked drops the kept candidates of a connection that goes away
// and says so in a warning ("" if there were none); mu is held.
func (p *PeerConnection) dropEarlyLocked(call string) string {
	n := len(p.early)
	p.early = nil
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%s: %d remote candidates given to add_ice_candidate() were dropped: no remote description was set before", call, n)
}

// addRemoteCandidate checks c against the remote description and adds it.
func (p *PeerConnection) addRemoteCandidate(pc *webrtc.PeerConnection, remote *webrtc.SessionDescription, c remoteCandidate) error {
	if err := checkMedia(remote, c.mid, int(c.index)); err != nil {
		return err
	}
	if c.line != "" {
		if err := checkCandidate(remote, c.line); err != nil {
			return err
		}
		if !p.countRemoteCandidate(remote) {
			return errorf(ErrInvalidData, "add_ice_candidate: the remote sent more than %d candidates; the rest are refused", MaxRemoteCandidates)
		}
	}
	init := webrtc.ICECandidateInit{Candidate: c.line, SDPMLineIndex: &c.index}
	if c.mid != "" {
		init.SDPMid = &c.mid
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
