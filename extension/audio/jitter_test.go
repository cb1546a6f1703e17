package audio

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

// played runs pop every millisecond from fromMs to toMs and returns what
// played: the first payload byte of each frame, 0 for a concealed frame
// (with FEC from a next packet), -1 for one concealed without, and d for a
// dropped frame.
func played(jb *jitterBuffer, fromMs, toMs int) []int {
	var out []int
	for ms := fromMs; ms <= toMs; ms++ {
		for {
			p, ok := jb.pop(at(ms))
			if !ok {
				break
			}
			switch {
			case p.kind == dropFrame:
				out = append(out, 1000+int(p.payload[0]))
			case p.kind == concealFrame && p.payload != nil:
				out = append(out, 0)
			case p.kind == concealFrame:
				out = append(out, -1)
			default:
				out = append(out, int(p.payload[0]))
			}
		}
	}
	return out
}

func insertAt(jb *jitterBuffer, seq uint16, id byte, ms int) insertResult {
	return jb.insert(seq, []byte{id}, frameSamples, at(ms))
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestJitterBufferPlaysInOrderAfterTheDelay(t *testing.T) {
	jb := newJitterBuffer(40 * time.Millisecond)
	for i := range 5 {
		insertAt(jb, uint16(100+i), byte(i+1), 20*i)
	}
	if got := played(jb, 0, 39); len(got) != 0 {
		t.Fatalf("played %v before the 40 ms delay", got)
	}
	if got := played(jb, 40, 200); !equalInts(got, []int{1, 2, 3, 4, 5}) {
		t.Fatalf("played %v, want 1..5", got)
	}
	if jb.playing {
		t.Fatal("still playing after the last packet: it would invent audio")
	}
}

func TestJitterBufferReordersAndDropsDuplicatesAndLatePackets(t *testing.T) {
	jb := newJitterBuffer(40 * time.Millisecond)
	insertAt(jb, 10, 1, 0)
	insertAt(jb, 12, 3, 5)
	insertAt(jb, 11, 2, 10)
	if r := insertAt(jb, 11, 2, 12); r != insertedDuplicate {
		t.Fatalf("duplicate: result %v", r)
	}
	insertAt(jb, 14, 5, 30)
	got := played(jb, 0, 130) // 13 is missing when due: concealed with 14's FEC
	if !equalInts(got, []int{1, 2, 3, 0, 5}) {
		t.Fatalf("played %v, want 1 2 3 fec 5", got)
	}
	if r := insertAt(jb, 13, 4, 131); r != insertedLate {
		t.Fatalf("packet 13 after its turn: result %v, want late", r)
	}
	if jb.late != 1 || jb.duplicate != 1 || jb.concealed != 1 {
		t.Fatalf("late %d duplicate %d concealed %d", jb.late, jb.duplicate, jb.concealed)
	}
	if jb.lost() != 0 { // 13 came, late, but it came
		t.Fatalf("lost %d, want 0", jb.lost())
	}
}

func TestJitterBufferConcealsShortGapsAndSkipsLongOnes(t *testing.T) {
	jb := newJitterBuffer(20 * time.Millisecond)
	insertAt(jb, 1, 1, 0)
	insertAt(jb, 4, 4, 60) // 2 and 3 lost
	insertAt(jb, 5, 5, 80)
	if got := played(jb, 0, 200); !equalInts(got, []int{1, -1, 0, 4, 5}) {
		t.Fatalf("short gap: played %v, want 1 plc fec 4 5", got)
	}
	jb = newJitterBuffer(20 * time.Millisecond)
	insertAt(jb, 1, 1, 0)
	insertAt(jb, 2, 2, 20)
	insertAt(jb, 30, 30, 30) // 3..29 lost: far more than maxConcealFrames
	if got := played(jb, 0, 200); !equalInts(got, []int{1, 2, 30}) {
		t.Fatalf("long gap: played %v, want 1 2 30", got)
	}
	if jb.lost() != 27 {
		t.Fatalf("lost %d, want 27", jb.lost())
	}
}

func TestJitterBufferInventsNothingWithoutPackets(t *testing.T) {
	jb := newJitterBuffer(40 * time.Millisecond)
	if got := played(jb, 0, 1000); len(got) != 0 {
		t.Fatalf("played %v with no packet", got)
	}
	if _, ok := jb.nextDue(); ok {
		t.Fatal("something due with no packet")
	}
	// One talkspurt, a silence, another: the second starts after its own
	// delay, with nothing played in between.
	insertAt(jb, 1, 1, 0)
	insertAt(jb, 2, 2, 20)
	if got := played(jb, 0, 500); !equalInts(got, []int{1, 2}) {
		t.Fatalf("first talkspurt: %v", got)
	}
	insertAt(jb, 3, 3, 1000)
	if got := played(jb, 501, 1039); len(got) != 0 {
		t.Fatalf("played %v before the second talkspurt's delay", got)
	}
	if got := played(jb, 1040, 1100); !equalInts(got, []int{3}) {
		t.Fatalf("second talkspurt: %v", got)
	}
}

func TestJitterBufferIsBounded(t *testing.T) {
	jb := newJitterBuffer(40 * time.Millisecond)
	for i := range 1000 {
		insertAt(jb, uint16(i), byte(i), 0)
		if jb.count > jitterSlots {
			t.Fatalf("%d packets buffered", jb.count)
		}
	}
	if jb.resets == 0 {
		t.Fatal("a burst of 1000 packets fit a 64-slot buffer")
	}
}

func TestJitterBufferFollowsSequenceWrapAndRestarts(t *testing.T) {
	jb := newJitterBuffer(20 * time.Millisecond)
	for i := range 6 {
		insertAt(jb, uint16(65533+i), byte(i+1), 20*i)
	}
	if got := played(jb, 0, 200); !equalInts(got, []int{1, 2, 3, 4, 5, 6}) {
		t.Fatalf("across the wrap: %v", got)
	}
	// The sender restarts with an unrelated sequence number.
	insertAt(jb, 40000, 7, 300)
	insertAt(jb, 40001, 8, 320)
	if got := played(jb, 300, 400); !equalInts(got, []int{7, 8}) {
		t.Fatalf("after a restart: %v", got)
	}
	if jb.resets != 1 {
		t.Fatalf("resets %d, want 1", jb.resets)
	}
}

func TestJitterBufferDropsFramesWhenTooDeep(t *testing.T) {
	jb := newJitterBuffer(40 * time.Millisecond)
	// 200 ms arrive at once (a sender that stalled), then real time.
	seq := uint16(0)
	for range 10 {
		insertAt(jb, seq, byte(seq), 0)
		seq++
	}
	for ms := 20; ms <= 3000; ms += 20 {
		insertAt(jb, seq, byte(seq), ms)
		seq++
		played(jb, ms-19, ms)
	}
	if jb.drifted == 0 {
		t.Fatal("no frame dropped while 200 ms deep with a 40 ms delay")
	}
	if d := jb.depth(); d > 40*time.Millisecond+2*FrameDuration {
		t.Fatalf("still %v deep after 3 s", d)
	}
}
