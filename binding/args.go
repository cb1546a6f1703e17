package binding

import (
	"fmt"
	"unsafe"

	"github.com/godot-webrtc-go/godot-webrtc-go/capi"
)

// Args are the arguments Godot passed to a virtual method (pointer-call
// convention: each points at its value). They are borrowed for the call.
type Args struct{ p unsafe.Pointer }

func (a Args) at(i int) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Add(a.p, uintptr(i)*unsafe.Sizeof(uintptr(0))))
}

// String returns argument i, a String.
func (a Args) String(i int) string { return capi.StringToGo(a.at(i)) }

// Int returns argument i, an int or enum.
func (a Args) Int(i int) int64 { return *(*int64)(a.at(i)) }

// pointer returns argument i, a native pointer (such as const uint8_t *).
func (a Args) pointer(i int) unsafe.Pointer { return *(*unsafe.Pointer)(a.at(i)) }

// Dictionary returns argument i, a Dictionary, converted to Go.
func (a Args) Dictionary(i int) (map[string]any, error) { return DictionaryToGo(a.at(i)) }

// Bytes returns the buffer passed as argument i (const uint8_t *) and
// argument i+1 (its length, an int), as in _put_packet. The bytes are Godot's
// and borrowed for the call: copy what must outlive it.
func (a Args) Bytes(i int) ([]byte, error) {
	n := a.Int(i + 1)
	switch {
	case n < 0:
		return nil, fmt.Errorf("negative size %d", n)
	case n == 0:
		return nil, nil
	}
	p := a.pointer(i)
	if p == nil {
		return nil, fmt.Errorf("no buffer for %d bytes", n)
	}
	return unsafe.Slice((*byte)(p), n), nil
}

// SetOutBuffer writes the out-parameters i (const uint8_t **) and i+1
// (int32_t *) of a virtual that hands Godot a buffer, as _get_packet does:
// Godot reads the first n bytes of b after the call returns.
func (a Args) SetOutBuffer(i int, b *CBuffer, n int) {
	*(*unsafe.Pointer)(a.pointer(i)) = b.p
	*(*int32)(a.pointer(i + 1)) = int32(n)
}

// Ret is where a virtual method writes its result.
type Ret struct{ p unsafe.Pointer }

// SetInt writes an int or enum result (Error codes too).
func (r Ret) SetInt(v int64) { *(*int64)(r.p) = v }

// SetBool writes a bool result.
func (r Ret) SetBool(v bool) {
	var b uint8
	if v {
		b = 1
	}
	*(*uint8)(r.p) = b
}

// SetString writes a String result over the empty String Godot provides.
func (r Ret) SetString(s string) {
	capi.Destroy(capi.TypeString, r.p)
	capi.StringNew(r.p, s)
}

// SetObject writes a RefCounted object result into the Ref Godot provides,
// which takes a reference to it.
func (r Ret) SetObject(o Object) {
	if !o.IsNil() {
		capi.RefSetObject(r.p, o.ptr)
	}
}

func (r Ret) fail(k RetKind) {
	switch k {
	case RetError:
		r.SetInt(errFailed)
	case RetInt:
		r.SetInt(0)
	case RetBool:
		r.SetBool(false)
	}
}
