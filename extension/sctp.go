package extension

import (
	"time"

	"github.com/pion/webrtc/v4"
)

// SCTP tuning (README: Reliability, Bad networks). pion/sctp v1.12 hard-codes RTO.Min at
// 1 s (RFC 4960) and backs the T3-rtx timer off up to 60 s, and lets the
// congestion window fall to one MTU; on a lossy link a reliable channel then
// spends most of its time waiting on timers (measured at 20% loss on a 1 ms
// link: under 0.5 MiB in three minutes).
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
	// sctpFastRtxWnd lets one fast retransmission resend up to this many bytes
	// of chunks reported missing, not only one packet's worth.
	sctpFastRtxWnd = 64 << 10
)

// tuneSCTP sets pion's SCTP retransmission and congestion knobs.
func tuneSCTP(se *webrtc.SettingEngine) {
	se.SetSCTPRTOMax(sctpRTOMax)
	se.SetSCTPMinCwnd(sctpMinCwnd)
	se.SetSCTPFastRtxWnd(sctpFastRtxWnd)
}
