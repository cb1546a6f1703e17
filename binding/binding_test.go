package binding

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
)

// These tests cover the parts of binding that touch memory Godot would hand
// over (argument arrays, return slots) without needing Godot itself; the rest
// is exercised in headless Godot by the root package's integration tests.

func TestArgsReadPointerCallArguments(t *testing.T) {
	n := int64(-42)
	var buf [4]byte
	bufPtr := unsafe.Pointer(&buf[0])
	args := []unsafe.Pointer{unsafe.Pointer(&n), unsafe.Pointer(&bufPtr)}
	a := Args{unsafe.Pointer(&args[0])}
	assert.Equal(t, int64(-42), a.Int(0))
	assert.Equal(t, bufPtr, a.Pointer(1))
}

func TestRetWritesGodotsRepresentations(t *testing.T) {
	var slot [8]byte
	r := Ret{unsafe.Pointer(&slot[0])}
	r.SetInt(0x0102030405060708)
	assert.Equal(t, int64(0x0102030405060708), *(*int64)(r.p))
	slot = [8]byte{0xff, 0xff}
	r.SetBool(true)
	assert.Equal(t, byte(1), slot[0], "bool is one byte")
	assert.Equal(t, byte(0xff), slot[1], "and only one byte is written")
}

func TestFailWritesTheErrorValueForTheReturnKind(t *testing.T) {
	var slot int64
	r := Ret{unsafe.Pointer(&slot)}
	r.fail(RetError)
	assert.Equal(t, int64(errFailed), slot)
	slot = 99
	r.fail(RetInt)
	assert.Zero(t, slot)
	slot = 7
	r.fail(RetNone)
	assert.Equal(t, int64(7), slot, "nothing is written for a void virtual")
}

func TestTypeNames(t *testing.T) {
	assert.Equal(t, "Vector2", TypeName(5))
	assert.Equal(t, "Dictionary", TypeName(27))
	assert.Equal(t, "Variant type 99", TypeName(99))
	assert.Equal(t, "Callable", Unsupported{Type: 25}.String())
}
