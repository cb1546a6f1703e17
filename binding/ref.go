package binding

import (
	"unsafe"

	"github.com/godot-webrtc-go/godot-webrtc-go/capi"
)

// Ref is a reference Go holds to a RefCounted object, so that Godot does not
// free it while Go needs it: a Variant holding the object, in C memory. The
// zero Ref holds nothing.
type Ref struct{ v unsafe.Pointer }

// NewRef takes a reference to o. A new object (from NewObject) is adopted:
// the Ref holds its first reference.
func NewRef(o Object) Ref {
	v := capi.Malloc(capi.VariantSize)
	_ = newVariant(v, o) // an Object always converts
	return Ref{v}
}

// Release drops the reference; Godot frees the object if it was the last.
// A second Release does nothing.
func (r *Ref) Release() {
	if r.v == nil {
		return
	}
	capi.VariantDestroy(r.v)
	capi.Free(r.v)
	r.v = nil
}
