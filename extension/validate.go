package extension

import (
	"crypto"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/pion/ice/v4"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// checkRemoteDescription refuses a remote offer, answer or pranswer that pion
// would reject only after committing the signaling state change: pion checks
// the mids, the ICE credentials and candidates and the fingerprint after
// moving to the new state, and cannot roll back. Without this, a game whose
// set_remote_description() failed would find the connection in
// have-remote-offer, unable to offer or take another offer. The checks follow
// pion's own (same media section, same rules), and the fingerprint is also
// checked for a known algorithm and a value of the right length, as browsers
// do, instead of failing the DTLS handshake later.
func checkRemoteDescription(call string, desc webrtc.SessionDescription) error {
	if desc.Type == webrtc.SDPTypeRollback {
		return nil
	}
	var parsed sdp.SessionDescription
	if err := parsed.UnmarshalString(desc.SDP); err != nil {
		return errorf(ErrInvalidData, "%s: the SDP cannot be parsed: %v", call, err)
	}
	for i, m := range parsed.MediaDescriptions {
		if v, _ := m.Attribute("mid"); v == "" {
			return errorf(ErrInvalidData, "%s: media section %d has no a=mid", call, i)
		}
	}
	ufrag, _ := parsed.Attribute("ice-ufrag")
	pwd, _ := parsed.Attribute("ice-pwd")
	if media := candidateMedia(&parsed); media != nil {
		if ufrag == "" {
			ufrag, _ = media.Attribute("ice-ufrag")
			pwd, _ = media.Attribute("ice-pwd")
		}
		if n := countCandidates(media); n > MaxRemoteCandidates {
			return errorf(ErrInvalidData, "%s: %d a=candidate lines, more than the %d accepted", call, n, MaxRemoteCandidates)
		}
		if err := checkCandidates(media); err != nil {
			return errorf(ErrInvalidData, "%s: no usable a=candidate line: %v", call, err)
		}
	}
	if ufrag == "" || pwd == "" {
		return errorf(ErrInvalidData, "%s: the description has no ICE credentials (a=ice-ufrag and a=ice-pwd)", call)
	}
	return checkFingerprint(call, &parsed)
}

// remoteTransitionAllowed reports whether a remote description of type t may
// be applied in signaling state s.
func remoteTransitionAllowed(s webrtc.SignalingState, t webrtc.SDPType) bool {
	switch t {
	case webrtc.SDPTypeOffer:
		return s == webrtc.SignalingStateStable || s == webrtc.SignalingStateHaveRemoteOffer
	case webrtc.SDPTypeAnswer, webrtc.SDPTypePranswer:
		return s == webrtc.SignalingStateHaveLocalOffer || s == webrtc.SignalingStateHaveRemotePranswer
	}
	return true
}

// bundleTag returns the first mid of a=group:BUNDLE, or "".
func bundleTag(d *sdp.SessionDescription) string {
	group, _ := d.Attribute(sdp.AttrKeyGroup)
	if !strings.Contains(group, "BUNDLE") {
		return ""
	}
	fields := strings.Split(group, " ")
	if len(fields) < 2 {
		return ""
	}
	return fields[1]
}

// candidateMedia returns the media section pion takes ICE details from: the
// BUNDLE tag's, or the first one.
func candidateMedia(d *sdp.SessionDescription) *sdp.MediaDescription {
	tag := bundleTag(d)
	for _, m := range d.MediaDescriptions {
		if tag == "" {
			return m
		}
		if mid, _ := m.Attribute("mid"); mid == tag {
			return m
		}
	}
	return nil
}

// countCandidates counts a media section's a=candidate lines.
func countCandidates(m *sdp.MediaDescription) (n int) {
	for _, a := range m.Attributes {
		if a.IsICECandidate() {
			n++
		}
	}
	return n
}

// checkCandidates fails, as pion does, when a media section lists candidates
// and none of them parses (unknown types and networks are skipped silently).
func checkCandidates(m *sdp.MediaDescription) error {
	var last error
	for _, a := range m.Attributes {
		if !a.IsICECandidate() {
			continue
		}
		_, err := ice.UnmarshalCandidate(a.Value)
		if err == nil {
			return nil
		}
		if !errors.Is(err, ice.ErrUnknownCandidateTyp) && !errors.Is(err, ice.ErrDetermineNetworkType) {
			last = err
		}
	}
	return last
}

// fingerprintSizes maps the hash names pion verifies to their digest sizes.
var fingerprintSizes = map[string]int{
	"md5": crypto.MD5.Size(), "sha-1": crypto.SHA1.Size(), "sha-224": crypto.SHA224.Size(),
	"sha-256": crypto.SHA256.Size(), "sha-384": crypto.SHA384.Size(), "sha-512": crypto.SHA512.Size(),
}

// checkFingerprint checks the a=fingerprint pion will use (session level, else
// the BUNDLE tag's section, else the first section that has one).
func checkFingerprint(call string, d *sdp.SessionDescription) error {
	fp, _ := d.Attribute("fingerprint")
	tag := bundleTag(d)
	for _, m := range d.MediaDescriptions {
		if fp != "" {
			break
		}
		if mid, _ := m.Attribute("mid"); tag == "" || mid == tag {
			fp, _ = m.Attribute("fingerprint")
		}
	}
	if fp == "" {
		return errorf(ErrInvalidData, "%s: the description has no a=fingerprint", call)
	}
	algo, value, ok := strings.Cut(fp, " ")
	size, known := fingerprintSizes[strings.ToLower(algo)]
	if !ok || strings.Contains(value, " ") || !known {
		return errorf(ErrInvalidData, "%s: a=fingerprint:%s is not \"<hash> <hex>\" with a hash of %s", call, clip(fp),
			"md5, sha-1, sha-224, sha-256, sha-384 or sha-512")
	}
	digest, err := hex.DecodeString(strings.ReplaceAll(value, ":", ""))
	if err != nil || len(digest) != size || len(value) != 3*size-1 {
		return errorf(ErrInvalidData, "%s: a=fingerprint:%s is not a %s digest (%d bytes as colon-separated hex)", call, clip(fp), algo, size)
	}
	return nil
}

// clip shortens a string the caller gave before it is echoed in a message
// (see clipLength).
func clip(s string) string {
	if len(s) <= clipLength {
		return s
	}
	return fmt.Sprintf("%s... (%d bytes)", strings.ToValidUTF8(s[:clipLength], ""), len(s))
}

// parseCandidate refuses a candidate line that pion would silently drop
// (returning success): an unknown type or transport (browsers refuse those
// too), or "candidate:" with nothing after it. line is trimmed and non-empty.
func parseCandidate(line string) (ice.Candidate, error) {
	value := strings.TrimPrefix(line, "candidate:")
	if value == "" {
		return nil, errorf(ErrInvalidData, "add_ice_candidate: invalid candidate: nothing after \"candidate:\" (an empty string ends the candidates)")
	}
	cand, err := ice.UnmarshalCandidate(value)
	if err != nil {
		return nil, errorf(ErrInvalidData, "add_ice_candidate: invalid candidate %q: %v", clip(line), err)
	}
	return cand, nil
}

// checkCandidate refuses, besides what parseCandidate refuses, a candidate
// whose ufrag is not the remote description's (a candidate from another
// session), which pion would also drop silently.
func checkCandidate(remote *webrtc.SessionDescription, line string) error {
	cand, err := parseCandidate(line)
	if err != nil {
		return err
	}
	ufrag, ok := cand.GetExtension("ufrag")
	if !ok {
		return nil
	}
	var parsed sdp.SessionDescription
	if err := parsed.UnmarshalString(remote.SDP); err != nil {
		return errorf(ErrUnavailable, "add_ice_candidate: the remote description cannot be parsed: %v", err)
	}
	if v, _ := parsed.Attribute("ice-ufrag"); v == ufrag.Value {
		return nil
	}
	for _, m := range parsed.MediaDescriptions {
		if v, _ := m.Attribute("ice-ufrag"); v == ufrag.Value {
			return nil
		}
	}
	return errorf(ErrInvalidParameter, "add_ice_candidate: the candidate's ufrag %q is not the remote description's (a candidate of another session?)", clip(ufrag.Value))
}
