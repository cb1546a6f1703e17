package binding

import (
	"unsafe"

	"github.com/godot-webrtc-go/godot-webrtc-go/capi"
)

// packedArray is storage for a Packed*Array constructed by Godot in Go
// memory: 16 bytes on 64-bit builds (8 on 32-bit), no Go pointers inside.
type packedArray [2]uint64

// Vector2Frames is a method result written straight into a new
// PackedVector2Array, with no Godot call per element: Fill receives the
// array's memory, Frames Vector2s as x and y interleaved, and returns how
// many Vector2s it wrote (the array is shortened to that).
type Vector2Frames struct {
	Frames int
	Fill   func(dst []float32) int
}

// packedVector2Len returns the size of the PackedVector2Array at p.
func packedVector2Len(p unsafe.Pointer) int {
	var v, ret variant
	capi.VariantFrom(TypePackedVector2Array, unsafe.Pointer(&v), p)
	capi.VariantCall0(unsafe.Pointer(&v), Name("size").ptr, unsafe.Pointer(&ret))
	n := int64(0)
	if capi.VariantGetType(unsafe.Pointer(&ret)) == TypeInt {
		capi.VariantTo(TypeInt, unsafe.Pointer(&n), unsafe.Pointer(&ret))
	}
	capi.VariantDestroy(unsafe.Pointer(&ret))
	capi.VariantDestroy(unsafe.Pointer(&v))
	return int(n)
}

// packedVector2Slice returns the memory of the PackedVector2Array at p as
// float32s, read in place (Vector2 is two float32s in the single-precision
// builds this library is built for).
func packedVector2Slice(p unsafe.Pointer) []float32 {
	n := packedVector2Len(p)
	if n <= 0 {
		return nil
	}
	return unsafe.Slice((*float32)(capi.PackedVector2ArrayConstData(p)), 2*n)
}

// writePackedVector2 fills the PackedVector2Array at dst as f says.
func writePackedVector2(dst unsafe.Pointer, f Vector2Frames) {
	n := max(f.Frames, 0)
	resizePackedVector2(dst, n)
	if n == 0 {
		return
	}
	// The array was just resized and is not shared: writing does not copy it.
	data := unsafe.Slice((*float32)(capi.PackedVector2ArrayData(dst)), 2*n)
	if got := min(max(f.Fill(data), 0), n); got < n {
		resizePackedVector2(dst, got)
	}
}

// resizePackedVector2 resizes the PackedVector2Array at p to n elements.
// Godot's interface has no resize for a typed value; a Variant holding the
// only reference to the array resizes it in place.
func resizePackedVector2(p unsafe.Pointer, n int) {
	var v, arg, ret variant
	capi.VariantFrom(TypePackedVector2Array, unsafe.Pointer(&v), p)
	capi.Destroy(TypePackedVector2Array, p) // v holds the only reference now
	size := int64(n)
	capi.VariantFrom(TypeInt, unsafe.Pointer(&arg), unsafe.Pointer(&size))
	capi.VariantCall1(unsafe.Pointer(&v), Name("resize").ptr, unsafe.Pointer(&arg), unsafe.Pointer(&ret))
	capi.VariantDestroy(unsafe.Pointer(&ret))
	capi.VariantTo(TypePackedVector2Array, p, unsafe.Pointer(&v))
	capi.VariantDestroy(unsafe.Pointer(&v)) // p holds the only reference again
}
