//go:build opuseval

package audio

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
)

// A minimal Ogg Opus container (RFC 3533, RFC 7845), so the codec evaluation
// can hand our packets to opus-tools and read theirs back.

var oggCRCTable = func() (t [256]uint32) {
	for i := range t {
		r := uint32(i) << 24
		for range 8 {
			if r&0x80000000 != 0 {
				r = r<<1 ^ 0x04c11db7
			} else {
				r <<= 1
			}
		}
		t[i] = r
	}
	return t
}()

func oggCRC(b []byte) uint32 {
	var crc uint32
	for _, v := range b {
		crc = crc<<8 ^ oggCRCTable[byte(crc>>24)^v]
	}
	return crc
}

type oggWriter struct {
	w       io.Writer
	serial  uint32
	page    uint32
	granule int64
}

// writePage writes one packet as one page.
func (o *oggWriter) writePage(packet []byte, flags byte) error {
	var lacing []byte
	n := len(packet)
	for ; n >= 255; n -= 255 {
		lacing = append(lacing, 255)
	}
	lacing = append(lacing, byte(n))
	if len(lacing) > 255 {
		return fmt.Errorf("packet of %d bytes too long for one page", len(packet))
	}
	h := make([]byte, 27, 27+len(lacing)+len(packet))
	copy(h, "OggS")
	h[5] = flags
	binary.LittleEndian.PutUint64(h[6:], uint64(o.granule))
	binary.LittleEndian.PutUint32(h[14:], o.serial)
	binary.LittleEndian.PutUint32(h[18:], o.page)
	h[26] = byte(len(lacing))
	h = append(append(h, lacing...), packet...)
	binary.LittleEndian.PutUint32(h[22:], oggCRC(h))
	o.page++
	_, err := o.w.Write(h)
	return err
}

// writeOggOpus writes packets (each of samples[i] 48 kHz samples) as an Ogg
// Opus stream with the given pre-skip.
func writeOggOpus(w io.Writer, channels, preSkip int, packets [][]byte, samples []int) error {
	o := &oggWriter{w: w, serial: 0x5eed}
	head := []byte("OpusHead\x01")
	head = append(head, byte(channels))
	head = binary.LittleEndian.AppendUint16(head, uint16(preSkip))
	head = binary.LittleEndian.AppendUint32(head, ClockRate)
	head = append(head, 0, 0, 0) // output gain, mapping family 0
	if err := o.writePage(head, 0x02); err != nil {
		return err
	}
	tags := []byte("OpusTags")
	tags = binary.LittleEndian.AppendUint32(tags, 4)
	tags = append(tags, "eval"...)
	tags = binary.LittleEndian.AppendUint32(tags, 0)
	if err := o.writePage(tags, 0); err != nil {
		return err
	}
	for i, p := range packets {
		o.granule += int64(samples[i])
		flags := byte(0)
		if i == len(packets)-1 {
			flags = 0x04
		}
		if err := o.writePage(p, flags); err != nil {
			return err
		}
	}
	return nil
}

// readOggOpus returns the audio packets of an Ogg Opus stream and its
// channel count.
func readOggOpus(data []byte) (packets [][]byte, channels int, err error) {
	var cur []byte
	var all [][]byte
	for len(data) > 0 {
		if len(data) < 27 || !bytes.Equal(data[:4], []byte("OggS")) {
			return nil, 0, fmt.Errorf("bad Ogg page")
		}
		nseg := int(data[26])
		lacing := data[27 : 27+nseg]
		body := data[27+nseg:]
		for _, l := range lacing {
			cur = append(cur, body[:l]...)
			body = body[l:]
			if l < 255 {
				all = append(all, cur)
				cur = nil
			}
		}
		data = body
	}
	if len(all) < 2 || !bytes.HasPrefix(all[0], []byte("OpusHead")) {
		return nil, 0, fmt.Errorf("no OpusHead")
	}
	return all[2:], int(all[0][9]), nil
}
