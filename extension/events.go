package extension

// Event is something a peer connection reports through Poll: one of
// SessionDescription, ICECandidate, DataChannelReceived, TrackReceived or
// Problem.
type Event interface{ event() }

// SessionDescription is a local offer or answer, ready for
// set_local_description and for sending to the remote peer
// (Godot's session_description_created signal).
type SessionDescription struct {
	Type string // "offer" or "answer"
	SDP  string
}

// ICECandidate is a local candidate to send to the remote peer (Godot's
// ice_candidate_created signal).
type ICECandidate struct {
	Mid        string // media stream id
	MLineIndex int    // index of the m-line the candidate belongs to
	Candidate  string // the candidate line, "candidate:..."
}

// DataChannelReceived is a channel the remote peer opened in-band (Godot's
// data_channel_received signal). It is OPEN when delivered, as in browsers.
type DataChannelReceived struct {
	Channel *DataChannel
}

// TrackReceived is the remote's audio track of a transceiver, arrived (the
// track_received signal). If the game added a track on that transceiver, it
// is the same *AudioTrack.
type TrackReceived struct {
	Track *AudioTrack
}

// Problem is something pion reported that the game should see, such as a TURN
// server refusing the credentials. Poll delivers it; the Godot glue prints it
// through Godot's error printer. Credentials are never part of Message.
type Problem struct {
	Code    Error  // ERR_CANT_CONNECT for STUN/TURN and connection failures, FAILED otherwise
	Scope   string // the pion component ("ice", "dtls", ...)
	Message string
}

func (SessionDescription) event()  {}
func (ICECandidate) event()        {}
func (DataChannelReceived) event() {}
func (TrackReceived) event()       {}
func (Problem) event()             {}
