package audio

import "time"

// jitterBuffer orders received packets and decides, as playout time passes,
// what plays next: a packet, a concealed frame for a packet that did not come
// in time, or nothing. It holds no lock and reads no clock; the Receiver
// passes the time in.
//
// Playout of a talkspurt starts delay after its first packet arrived, then
// advances one packet duration per packet. When the next packet is missing
// but later ones are here, up to maxConcealFrames frames are concealed; a
// longer gap is skipped. When nothing at all is buffered, playout stops (no
// audio is invented) and the next packet starts a new talkspurt with the same
// delay. If the buffer stays deeper than delay plus a frame for a whole
// second (clock drift, a burst after a stall), frames are dropped until it is
// not, so latency does not creep up.
type jitterBuffer struct {
	delay time.Duration
	slots [jitterSlots]jitterSlot

	count      int   // packets buffered
	highest    int64 // highest extended sequence number received
	first      int64 // first extended sequence number received
	haveSeq    bool
	received   uint64 // distinct packets received (RFC 3550 loss count)
	playing    bool
	haveNext   bool
	next       int64     // extended sequence number that plays next
	due        time.Time // when next plays (while playing)
	startAt    time.Time // when playout starts (while not playing)
	frame      int       // samples per channel of the last packet played
	concealRun int       // consecutive frames concealed

	windowTicks int
	windowMin   time.Duration
	dropBudget  int

	// Counters, read by the Receiver under its lock.
	late, duplicate, concealed, drifted, resets uint64
	avgDelay                                    time.Duration
}

type jitterSlot struct {
	used    bool
	seq     int64
	samples int
	arrival time.Time
	payload []byte
}

const (
	// jitterSlots bounds the buffer: 1.28 s of 20 ms packets.
	jitterSlots = 64
	// maxConcealFrames bounds a concealed gap: 100 ms of 20 ms frames.
	// Opus concealment fades out over about that long anyway.
	maxConcealFrames = 5
	// maxLateness is how far behind schedule playout may fall (a starved
	// goroutine, a suspended machine) before it re-anchors to now instead
	// of catching up in a burst.
	maxLateness = 200 * time.Millisecond
	// driftWindow is how many frames the buffer must stay too deep before
	// frames are dropped.
	driftWindow = 50
)

type insertResult int

const (
	inserted insertResult = iota
	insertedLate
	insertedDuplicate
	insertedReset // far outside the window: the buffer restarted from it
)

type frameKind int

const (
	playFrame    frameKind = iota // decode payload and play it
	concealFrame                  // play concealment; payload is the next packet (for FEC) or nil
	dropFrame                     // decode payload to keep decoder state, play nothing
)

// playout is one decision of pop. Payload aliases the buffer's storage and
// is valid until the next insert.
type playout struct {
	kind    frameKind
	payload []byte
	samples int
}

func newJitterBuffer(delay time.Duration) *jitterBuffer {
	return &jitterBuffer{delay: delay, frame: frameSamples}
}

// extend maps a 16-bit sequence number to the extended one closest to the
// highest received so far.
func (jb *jitterBuffer) extend(seq uint16) int64 {
	if !jb.haveSeq {
		return 1<<32 + int64(seq) // far from zero, so it never wraps negative
	}
	return jb.highest + int64(int16(seq-uint16(jb.highest)))
}

func (jb *jitterBuffer) insert(seq uint16, payload []byte, samples int, now time.Time) insertResult {
	ext := jb.extend(seq)
	result := inserted
	switch {
	case !jb.haveSeq || (!jb.haveNext && jb.count == 0):
		jb.haveSeq, jb.first, jb.highest = true, ext, ext
	case jb.haveNext && ext < jb.next && ext > jb.next-jitterSlots:
		jb.late++
		jb.received++ // too late to play, but not lost
		return insertedLate
	case jb.outsideWindow(ext):
		// Nothing legitimate lands this far away: the sender restarted
		// its sequence, or the network lost a second of audio.
		jb.reset()
		jb.resets++
		jb.first, jb.highest = ext, ext
		result = insertedReset
	}
	s := &jb.slots[ext%jitterSlots]
	if s.used && s.seq == ext {
		jb.duplicate++
		return insertedDuplicate
	}
	if !s.used {
		jb.count++
	}
	*s = jitterSlot{used: true, seq: ext, samples: samples, arrival: now, payload: append(s.payload[:0], payload...)}
	jb.highest = max(jb.highest, ext)
	jb.received++
	if !jb.playing && jb.count == 1 {
		jb.startAt = now.Add(jb.delay)
	}
	return result
}

// outsideWindow reports whether ext is too far from the playout point (or,
// before playout, from the packets buffered) to fit the buffer.
func (jb *jitterBuffer) outsideWindow(ext int64) bool {
	if jb.haveNext {
		return ext < jb.next || ext >= jb.next+jitterSlots
	}
	return ext <= jb.highest-jitterSlots || ext >= jb.lowest()+jitterSlots
}

// reset forgets every buffered packet and the playout position.
func (jb *jitterBuffer) reset() {
	for i := range jb.slots {
		jb.slots[i].used = false
	}
	jb.count, jb.playing, jb.haveNext = 0, false, false
	jb.received = 0
	jb.dropBudget, jb.windowTicks = 0, 0
}

// lowest returns the lowest buffered extended sequence number; count > 0.
func (jb *jitterBuffer) lowest() int64 {
	low := int64(-1)
	for i := range jb.slots {
		if s := &jb.slots[i]; s.used && (low < 0 || s.seq < low) {
			low = s.seq
		}
	}
	return low
}

func (jb *jitterBuffer) slot(seq int64) *jitterSlot {
	if s := &jb.slots[seq%jitterSlots]; s.used && s.seq == seq {
		return s
	}
	return nil
}

// nextDue returns when pop next has something to do, if anything is pending.
func (jb *jitterBuffer) nextDue() (time.Time, bool) {
	switch {
	case jb.playing:
		return jb.due, true
	case jb.count > 0:
		return jb.startAt, true
	}
	return time.Time{}, false
}

// pop returns the next playout decision due at now, if one is.
func (jb *jitterBuffer) pop(now time.Time) (playout, bool) {
	if !jb.playing {
		if jb.count == 0 || now.Before(jb.startAt) {
			return playout{}, false
		}
		if low := jb.lowest(); !jb.haveNext || low > jb.next {
			jb.next = low
		}
		jb.playing, jb.haveNext = true, true
		jb.due, jb.concealRun = jb.startAt, 0
	}
	if now.Before(jb.due) {
		return playout{}, false
	}
	if now.Sub(jb.due) > maxLateness {
		jb.due = now
	}
	if s := jb.slot(jb.next); s != nil {
		kind := playFrame
		if jb.dropBudget > 0 && jb.slot(jb.next+1) != nil {
			kind = jb.drop()
		}
		return jb.take(s, kind), true
	}
	if jb.count == 0 {
		jb.playing = false // underrun: wait for the next talkspurt
		return playout{}, false
	}
	if gap := jb.lowest() - jb.next; gap > maxConcealFrames || jb.concealRun >= maxConcealFrames {
		jb.next += gap
		return jb.take(jb.slot(jb.next), playFrame), true
	}
	var fec []byte
	if s := jb.slot(jb.next + 1); s != nil {
		fec = s.payload
	}
	jb.next++
	jb.concealRun++
	jb.concealed++
	jb.due = jb.due.Add(samplesDuration(jb.frame))
	return playout{kind: concealFrame, payload: fec, samples: jb.frame}, true
}

// drop spends one frame of the drop budget.
func (jb *jitterBuffer) drop() frameKind {
	jb.dropBudget--
	jb.drifted++
	return dropFrame
}

// take removes s from the buffer as the frame played now.
func (jb *jitterBuffer) take(s *jitterSlot, kind frameKind) playout {
	s.used = false
	jb.count--
	jb.next = s.seq + 1
	jb.concealRun = 0
	jb.frame = s.samples
	if kind == dropFrame {
		return playout{kind: kind, payload: s.payload, samples: s.samples}
	}
	jb.avgDelay += (jb.due.Sub(s.arrival) - jb.avgDelay) / 16
	jb.due = jb.due.Add(samplesDuration(s.samples))
	jb.trackDepth()
	return playout{kind: kind, payload: s.payload, samples: s.samples}
}

// trackDepth keeps the minimum depth over driftWindow frames and plans drops
// when even that minimum exceeds the delay by more than a frame.
func (jb *jitterBuffer) trackDepth() {
	depth := time.Duration(0)
	if jb.highest >= jb.next {
		depth = time.Duration(jb.highest-jb.next+1) * samplesDuration(jb.frame)
	}
	if jb.windowTicks == 0 || depth < jb.windowMin {
		jb.windowMin = depth
	}
	jb.windowTicks++
	if jb.windowTicks < driftWindow {
		return
	}
	jb.windowTicks = 0
	if excess := jb.windowMin - jb.delay; excess > samplesDuration(jb.frame) {
		jb.dropBudget = int(excess / samplesDuration(jb.frame))
	}
}

// lost is the RFC 3550 cumulative loss: expected minus received.
func (jb *jitterBuffer) lost() uint64 {
	if !jb.haveSeq {
		return 0
	}
	expected := uint64(jb.highest - jb.first + 1)
	if expected < jb.received {
		return 0
	}
	return expected - jb.received
}

// depth is the audio buffered ahead of the playout point, counting gaps.
func (jb *jitterBuffer) depth() time.Duration {
	if jb.count == 0 {
		return 0
	}
	base := jb.lowest()
	if jb.haveNext {
		base = min(base, jb.next)
	}
	return time.Duration(jb.highest-base+1) * samplesDuration(jb.frame)
}

func samplesDuration(samples int) time.Duration {
	return time.Duration(samples) * time.Second / ClockRate
}
