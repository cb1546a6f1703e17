package extension

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// framingBudget is the receive budget of FuzzPacketFraming's channels: small,
// so that fuzzed message sizes cross it in both directions.
const framingBudget = 4096

// framingPair is two connected peer connections with a reliable and a
// partially reliable channel (negotiated, so both ends are known at once).
// FuzzPacketFraming makes one per fuzzing process and reuses it for every input.
type framingPair struct {
	rel, relIn, lossy, lossyIn *DataChannel
}

func newFramingPair(tb testing.TB) *framingPair {
	p := newPeers(tb, WithReceiveBudget(framingBudget))
	// A lifetime long enough that loopback never loses a message, so the
	// only drops are the receive queue's own.
	lossy := map[string]any{"negotiated": true, "id": int64(2), "maxPacketLifeTime": int64(20000)}
	fp := framingPair{
		rel:     p.channel(p.a, "reliable", map[string]any{"negotiated": true, "id": int64(1)}),
		relIn:   p.channel(p.b, "reliable", map[string]any{"negotiated": true, "id": int64(1)}),
		lossy:   p.channel(p.a, "lossy", lossy),
		lossyIn: p.channel(p.b, "lossy", lossy),
	}
	require.NoError(tb, p.a.CreateOffer())
	p.until("the framing pair's channels open", 20*time.Second, func() bool {
		for _, ch := range []*DataChannel{fp.rel, fp.relIn, fp.lossy, fp.lossyIn} {
			if ch.ReadyState() != ChannelOpen {
				return false
			}
		}
		return true
	})
	return &fp
}

type framed struct {
	data []byte
	text bool
}

// framingMessages turns fuzz input into at most 64 messages (1 MiB in all):
// each byte of sizes is a length, shifted left by shift%11 (so up to 255 KiB,
// within MaxMessageSize), filled from payload; bit i%64 of textMask makes
// message i text. Without sizes, payload is one message.
func framingMessages(payload, sizes []byte, textMask uint64, shift uint8) []framed {
	if len(sizes) == 0 {
		return []framed{{data: payload[:min(len(payload), MaxMessageSize)], text: textMask&1 != 0}}
	}
	var out []framed
	total := 0
	for i, s := range sizes[:min(len(sizes), 64)] {
		n := int(s) << (shift % 11)
		if total+n > 1<<20 {
			break
		}
		total += n
		data := make([]byte, n)
		for j := range data {
			data[j] = byte(j*31 + i)
			if len(payload) > 0 {
				data[j] ^= payload[j%len(payload)]
			}
		}
		out = append(out, framed{data: data, text: textMask&(1<<(i%64)) != 0})
	}
	return out
}

// FuzzPacketFraming sends fuzzed messages (any bytes, any size up to the
// maximum, empty ones included, text or binary) through an open connection
// whose channels keep only 4 KiB of unread data. On the reliable channel every
// message arrives identical, flag kept, in order, with the queue never over
// its budget (or one larger message). On the partially reliable channel, what
// arrives is an in-order subsequence ending with the last message, and the
// received and dropped counts add up to what was sent.
func FuzzPacketFraming(f *testing.F) {
	f.Add([]byte("hello"), []byte{5, 0, 255}, uint64(0b010), uint8(0))
	f.Add([]byte{0xff, 0xfe, 0x00, 0xc3}, []byte{255, 255, 1, 0, 16}, uint64(5), uint8(10))
	f.Add([]byte{}, []byte{}, uint64(1), uint8(0))
	f.Add([]byte("\xc3\x28 invalid UTF-8 as text"), []byte{40, 40, 40, 40, 40, 40, 40, 40}, ^uint64(0), uint8(7))
	fp := newFramingPair(f)
	f.Fuzz(func(t *testing.T, payload, sizes []byte, textMask uint64, shift uint8) {
		msgs := framingMessages(payload, sizes, textMask, shift)
		largest := 0
		for _, m := range msgs {
			largest = max(largest, len(m.data))
		}
		limit := max(framingBudget, largest)
		send := func(ch *DataChannel) {
			for i, m := range msgs {
				mode := WriteBinary
				if m.text {
					mode = WriteText
				}
				ch.SetWriteMode(mode)
				if err := ch.Send(m.data); err != nil {
					t.Fatalf("send %d (%d bytes): %v", i, len(m.data), err)
				}
			}
		}
		// pop returns the next message of ch, or false after a short wait;
		// it checks the queue stays within its budget.
		pop := func(ch *DataChannel) (framed, bool) {
			if q := ch.QueuedBytes(); q > limit {
				t.Fatalf("%d bytes queued, over the budget of %d (largest message %d)", q, framingBudget, largest)
			}
			data, text, ok := ch.Pop()
			if !ok {
				time.Sleep(20 * time.Microsecond)
			}
			return framed{data, text}, ok
		}
		deadline := time.Now().Add(20 * time.Second)

		send(fp.rel)
		for i := 0; i < len(msgs); {
			got, ok := pop(fp.relIn)
			if !ok {
				if time.Now().After(deadline) {
					t.Fatalf("reliable: message %d of %d never arrived", i, len(msgs))
				}
				continue
			}
			if !bytes.Equal(got.data, msgs[i].data) || got.text != msgs[i].text {
				t.Fatalf("reliable: message %d arrived as %d bytes (text %v), sent %d bytes (text %v)",
					i, len(got.data), got.text, len(msgs[i].data), msgs[i].text)
			}
			i++
		}
		if n, q := fp.relIn.AvailablePacketCount(), fp.relIn.QueuedBytes(); n != 0 || q != 0 {
			t.Fatalf("reliable: %d packets (%d bytes) left after reading everything sent", n, q)
		}

		droppedBefore := fp.lossyIn.Dropped()
		send(fp.lossy)
		var got []framed
		for int(fp.lossyIn.Dropped()-droppedBefore)+len(got) < len(msgs) {
			m, ok := pop(fp.lossyIn)
			if ok {
				got = append(got, m)
			} else if time.Now().After(deadline) {
				t.Fatalf("partially reliable: %d received and %d dropped of %d sent", len(got), fp.lossyIn.Dropped()-droppedBefore, len(msgs))
			}
		}
		if extra := int(fp.lossyIn.Dropped()-droppedBefore) + len(got) - len(msgs); extra != 0 {
			t.Fatalf("partially reliable: %d more received or dropped than sent", extra)
		}
		// Match from the end: the newest message must have arrived, and what
		// arrived must be an in-order subsequence of what was sent. (Matching
		// from the start would pair a received message with an older equal
		// one and then miss the end.)
		same := func(g framed, m framed) bool { return bytes.Equal(g.data, m.data) && g.text == m.text }
		if len(msgs) > 0 && (len(got) == 0 || !same(got[len(got)-1], msgs[len(msgs)-1])) {
			t.Fatal("partially reliable: the last message sent was dropped (only older ones may be)")
		}
		j := len(msgs) - 1
		for k := len(got) - 1; k >= 0; k-- {
			for j >= 0 && !same(got[k], msgs[j]) {
				j--
			}
			if j < 0 {
				t.Fatalf("partially reliable: received message %d (%d bytes) was not sent, or out of order", k, len(got[k].data))
			}
			j--
		}
	})
}
