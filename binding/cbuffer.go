package binding

import (
	"fmt"
	"unsafe"

	"github.com/godot-webrtc-go/godot-webrtc-go/capi"
)

// CBuffer is a growable byte buffer in C memory, for bytes Godot reads through
// a pointer after the call that handed it out has returned (the packet
// _get_packet returns must stay valid until the next call). Go memory cannot
// be used: Godot would hold a Go pointer. The zero value is an empty buffer;
// Free releases it.
type CBuffer struct {
	p unsafe.Pointer
	n int
}

// Bytes returns the buffer's memory, valid until the next Grow or Free.
func (b *CBuffer) Bytes() []byte {
	if b.p == nil {
		return nil
	}
	return unsafe.Slice((*byte)(b.p), b.n)
}

// Grow makes the buffer at least n bytes long, keeping its contents.
func (b *CBuffer) Grow(n int) error {
	if n <= b.n {
		return nil
	}
	p := capi.Realloc(b.p, n)
	if p == nil {
		return fmt.Errorf("cannot allocate %d bytes", n)
	}
	b.p, b.n = p, n
	return nil
}

// Free releases the buffer's memory; the buffer is empty afterwards.
func (b *CBuffer) Free() {
	if b.p != nil {
		capi.Free(b.p)
	}
	b.p, b.n = nil, 0
}
