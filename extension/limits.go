package extension

import "time"

// Every limit and tuning value of the package, each with its reason. Values
// that a game can change through initialize() have their range here too.

// Messages and channels.
const (
	// MaxMessageSize is the largest message this side accepts, advertised to
	// the remote in the SDP (a=max-message-size). Browsers use the same
	// 256 KiB.
	MaxMessageSize = 256 << 10

	// defaultRemoteMaxMessageSize is what a remote that advertises no
	// a=max-message-size accepts (RFC 8841's default), and what a channel
	// reports until the association tells the remote's value.
	defaultRemoteMaxMessageSize = 65535

	// MaxChannels is how many data channels one connection keeps open.
	// Channels the remote opens beyond it are closed at once (and reported):
	// a hostile peer opening thousands of channels cannot grow memory without
	// bound.
	MaxChannels = 1024

	// SendBudget is how many bytes a channel may have waiting to be sent (its
	// buffered amount) before Send refuses more with ERR_BUSY. pion queues
	// every message a game sends without limit, so a peer that stops reading
	// or stops answering would otherwise make memory grow for as long as the
	// game keeps sending. libwebrtc refuses at the same 16 MiB.
	SendBudget = 16 << 20

	// DefaultReceiveBudget is how many bytes of received messages a channel
	// keeps for the game to read (initialize() key "receiveBudget" changes
	// it). When a channel holds this much, it stops reading from SCTP, whose
	// flow control then holds back the sender: reliable data is never
	// dropped and memory does not grow. A partially reliable channel drops
	// its oldest unread message instead. A message larger than the budget is
	// still accepted when the queue is empty.
	//
	// The budget is only memory held while the game does not read; it is
	// sized so that a game reading once per frame never reaches it at full
	// speed (tens of MB/s, frames of up to about 100 ms). Reaching it costs
	// more than the wait: pion's SCTP does not tell the sender when its
	// window opens again, so after the game reads, the sender idles until
	// its zero-window probe is acknowledged, which pion delays by 200 ms.
	// Measured through Godot, a 1 MiB budget is reached whenever frames
	// stretch: reliable channels stall, and unordered ones drop 16 % of
	// their messages.
	DefaultReceiveBudget = 8 << 20

	// MinReceiveBudget and MaxReceiveBudget are the range of the
	// "receiveBudget" key: at least RFC 8841's default maximum message size,
	// so that any message a peer may send without negotiating fits; at most
	// 1 GiB, per channel.
	MinReceiveBudget = 64 << 10
	MaxReceiveBudget = 1 << 30

	// readBufferStart is the first size of a channel's read buffer; it
	// doubles, up to MaxMessageSize, when a message does not fit (SCTP keeps
	// the message until a read takes it whole). Game messages are small, and
	// a server keeps a buffer per channel of every player: at 16 KiB, these
	// buffers were a quarter of a server's live heap. A channel that carries
	// large messages grows its buffer on the first one and keeps it.
	readBufferStart = 2 << 10

	// maxUnsplitMessage is the largest message that SCTP always sends in
	// one chunk (pion's MTU of 1200 bytes leaves 1168 bytes of data in an
	// I-DATA chunk): it arrives whole or not at all, so the send gate lets
	// it through (see sendGate).
	maxUnsplitMessage = 1024

	// interleavedBudget is how many bytes of split messages the channels of
	// a connection that interleaves messages may have in flight at once
	// (see sendGate): half of SCTPReceiveWindow, so that partial messages
	// never fill the remote's window (ours, or pion's default of 1 MiB).
	// A maximum-size message always fits; a second one on another channel
	// waits until the first is acknowledged.
	interleavedBudget = SCTPReceiveWindow / 2

	// minPooled and maxClass bound the size classes of the received-message
	// pools (see getBuffer): smaller messages share the 64-byte class, and
	// the largest class, 1<<maxClass, holds MaxMessageSize.
	minPooled = 64
	maxClass  = 18
)

// Data channel parameters, fixed by RFC 8831 and RFC 8832 (the DCEP fields
// are 16 bits wide).
const (
	maxChannelID     = 65534 // 65535 is reserved
	maxLabelBytes    = 65535
	maxProtocolBytes = 65535
	maxLifetimeMs    = 65535
	maxRetransmits   = 65535
)

// Audio tracks.
const (
	// MaxAudioTracks is how many audio tracks one connection keeps. Each
	// track the remote adds runs two goroutines once its audio arrives: a
	// hostile peer offering hundreds of audio sections gets the first ones
	// played and the rest ignored (and reported). Voice needs one.
	MaxAudioTracks = 16

	// receiveMTU is the largest RTP packet a track reads; pion's own default
	// receive buffer is smaller.
	receiveMTU = 1500

	// trackCloseTimeout bounds how long closing a track waits for its RTP
	// reader, which ends as soon as pion's track does.
	trackCloseTimeout = 2 * time.Second
)

// Candidates, events and signaling.
const (
	// MaxRemoteCandidates is how many remote candidates one connection
	// accepts per remote description, whether trickled or in the SDP, and
	// how many add_ice_candidate() keeps while it waits for the remote
	// description. Each one makes pion send connectivity checks to its
	// address: a hostile peer must not make us probe thousands of addresses.
	// Real peers send a handful.
	MaxRemoteCandidates = 256

	// maxPendingProblems bounds how many unpolled problems a connection
	// keeps: a repeating failure must not grow memory.
	maxPendingProblems = 32

	// maxPollPasses bounds how many batches one Poll delivers. Events that
	// the handlers cause (the answer set_remote_description creates, the
	// candidates set_local_description gathers) come in the next batch, so
	// that one poll per frame carries a whole exchange: offer, answer and
	// candidates in one frame, the channels open in the next. The bound stops
	// a handler that always causes another event, such as one that
	// renegotiates on every description.
	maxPollPasses = 4

	// gatherWait bounds how long Poll waits for the host candidates that
	// set_local_description started gathering (see SetLocalDescription).
	// Gathering host candidates takes under a millisecond; the bound only
	// matters when the machine stalls.
	gatherWait = 50 * time.Millisecond

	// serverCheckTimeout is how long a STUN server has to answer the binding
	// requests that check it, and a STUN or TURN server's name to resolve
	// (see checkServer): the same as pion's own wait for a STUN answer while
	// gathering, so that the report comes when gathering gives up on it.
	serverCheckTimeout = 5 * time.Second

	// serverCheckRTO is the first retransmission timeout of those binding
	// requests, doubled after each (RFC 8489's default): requests at 0, 0.5,
	// 1.5 and 3.5 s, so that a few lost datagrams do not make a working
	// server look broken.
	serverCheckRTO = 500 * time.Millisecond

	// maxCheckedServers bounds how many server URLs one connection checks: a
	// configuration listing hundreds must not start hundreds of sockets and
	// goroutines.
	maxCheckedServers = 16

	// clipLength is how much of a string the caller gave is echoed in an
	// error message: a hostile argument of a megabyte must not become a
	// megabyte of log.
	clipLength = 64
)

// ICE timers. The defaults are pion's, documented in the README;
// initialize() may set each within (0, maxTimeout].
const (
	DefaultICEDisconnectedTimeout = 5 * time.Second
	DefaultICEFailedTimeout       = 25 * time.Second
	DefaultICEKeepaliveInterval   = 2 * time.Second
	maxTimeout                    = time.Hour
)

// Transport tuning.
const (
	// SocketBufferSize is the kernel send and receive buffer size asked for
	// on every UDP socket a connection opens (and on udpMuxPort sockets).
	// Linux's default (208 KiB) overflows under a burst of SCTP packets: the
	// kernel drops datagrams, which unordered channels lose and reliable ones
	// retransmit after a timeout. The kernel caps the request at
	// net.core.rmem_max/wmem_max.
	SocketBufferSize = 4 << 20

	// SCTPReceiveWindow is the SCTP receive window each connection
	// advertises (pion's default is 1 MiB). pion's UDP demultiplexer and ICE
	// agent buffer at most 1,000,000 bytes each between the socket and SCTP;
	// a larger window lets a sender have more in flight than they hold, and
	// when decryption lags (a busy machine, a game loop spinning on one of
	// two cores) they drop packets: measured, 1.5-2.6 % of unordered messages
	// through Godot with 1 MiB, 0-0.1 % with this window, at the same
	// throughput. It also bounds, per connection, what a remote can make us
	// hold in SCTP's reassembly queue.
	SCTPReceiveWindow = 768 << 10

	// tcpMuxConnections bounds how many TCP connections one tcpMuxPort keeps
	// open at a time, whether they carry a player or have not yet sent their
	// first STUN request. Each costs a socket, two goroutines and its
	// buffers; past the bound the port stops accepting (the kernel's backlog
	// holds new players) until one closes, so a flood of idle connections
	// cannot exhaust the process's file descriptors or memory.
	tcpMuxConnections = 2048

	// tcpMuxFirstSTUN is how long a new TCP connection has to send its first
	// STUN binding request before it is closed. Browsers and pion send it as
	// soon as they connect; pion's default of 30 s would let idle
	// connections hold tcpMuxConnections slots six times longer.
	tcpMuxFirstSTUN = 5 * time.Second

	// tcpMuxUnknownUfrag is how long a connection whose first request names
	// an ICE username no connection of this process gathered (a stale or
	// hostile peer) is kept in case its connection appears.
	tcpMuxUnknownUfrag = 10 * time.Second

	// tcpMuxReadPackets is how many received packets each ICE-TCP connection
	// queues for its ICE agent. When the agent lags, the mux stops reading
	// the socket and TCP's flow control holds the sender back, so a small
	// queue loses nothing; it bounds memory at this many packets of at most
	// 8 KiB per connection.
	tcpMuxReadPackets = 64

	// tcpMuxWriteBuffer is how many bytes each ICE-TCP connection queues for
	// its socket beyond what the kernel's send buffer holds (up to
	// net.ipv4.tcp_wmem's maximum, 4 MiB by default). SCTP keeps no more in
	// flight than the remote's receive window, so the queue fills only when
	// that window is larger than the two together; a packet that would
	// overflow it is dropped, and SCTP resends it as it would a packet lost
	// on UDP. 1 MiB holds a whole SCTPReceiveWindow, so between two
	// connections of this extension nothing is dropped; pion's suggested
	// 4 MiB would let every stalled player hold four times as much of a
	// server's memory.
	tcpMuxWriteBuffer = 1 << 20

	// kickGap is how long after the previous Send a Send kicks pion's writer
	// (see kickWriter): longer than the gap between the sends of a burst.
	kickGap = 50 * time.Microsecond
)

// SCTP retransmission and congestion tuning (README: Reliability, Bad
// networks). pion/sctp hard-codes RTO.Min at 1 s (RFC 4960), backs the T3-rtx
// timer off up to 60 s, and lets the congestion window fall to one MTU; on a
// lossy link a reliable channel then spends most of its time waiting on timers
// (measured at 20% loss on a 1 ms link: under 0.5 MiB in three minutes).
const (
	// sctpRTOMax caps the T3-rtx backoff. With pion's fixed 1 s RTO.Min this
	// pins the retransmission timeout at 1 s: still above dcSCTP's 400 ms
	// rto_min, far below its 60 s rto_max.
	sctpRTOMax = time.Second
	// sctpMinCwnd is the floor of the congestion window, also after a T3-rtx
	// timeout. dcSCTP keeps at least 4 MTUs after loss detected by SACK; this
	// floor is larger (about 55 packets) and is a deliberate departure from
	// RFC 4960's one MTU (documented in the README).
	sctpMinCwnd = 64 << 10
	// sctpFastRtxWnd lets one fast retransmission resend up to this many
	// bytes of chunks reported missing, not only one packet's worth.
	sctpFastRtxWnd = 64 << 10
)

// Shutdown.
const (
	// shutdownWait bounds how long Shutdown waits for pion connections that
	// are still closing in the background. Each normally closes in
	// milliseconds (at worst about 400 ms, pion's SCTP abort); a teardown
	// that hangs must not keep the game from quitting.
	shutdownWait = 10 * time.Second
)
