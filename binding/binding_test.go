package binding

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	assert.Equal(t, bufPtr, a.pointer(1))
}

func TestArgsBytesReadsABufferAndItsLength(t *testing.T) {
	data := []byte("packet")
	dataPtr := unsafe.Pointer(&data[0])
	n := int64(len(data))
	args := []unsafe.Pointer{unsafe.Pointer(&dataPtr), unsafe.Pointer(&n)}
	a := Args{unsafe.Pointer(&args[0])}
	got, err := a.Bytes(0)
	require.NoError(t, err)
	assert.Equal(t, data, got)

	n = 0
	got, err = a.Bytes(0)
	require.NoError(t, err)
	assert.Empty(t, got)

	n = -1
	_, err = a.Bytes(0)
	assert.ErrorContains(t, err, "negative size -1")

	n, dataPtr = 3, nil
	_, err = a.Bytes(0)
	assert.ErrorContains(t, err, "no buffer for 3 bytes")
}

func TestSetOutBufferWritesPointerAndLength(t *testing.T) {
	var b CBuffer
	defer b.Free()
	require.NoError(t, b.Grow(16))
	copy(b.Bytes(), "hello")
	var outPtr unsafe.Pointer
	outLen := int32(-1)
	outPtrPtr, outLenPtr := unsafe.Pointer(&outPtr), unsafe.Pointer(&outLen)
	// Godot passes pointers to its const uint8_t ** and int32_t * arguments.
	args := []unsafe.Pointer{unsafe.Pointer(&outPtrPtr), unsafe.Pointer(&outLenPtr)}
	Args{unsafe.Pointer(&args[0])}.SetOutBuffer(0, &b, 5)
	assert.Equal(t, int32(5), outLen)
	assert.Equal(t, "hello", string(unsafe.Slice((*byte)(outPtr), outLen)))
}

func TestCBufferGrowsAndKeepsItsContents(t *testing.T) {
	var b CBuffer
	assert.Nil(t, b.Bytes(), "the zero value is empty")
	require.NoError(t, b.Grow(4))
	copy(b.Bytes(), "abcd")
	require.NoError(t, b.Grow(2), "a smaller size keeps the buffer")
	assert.Len(t, b.Bytes(), 4)
	require.NoError(t, b.Grow(1<<20))
	assert.Len(t, b.Bytes(), 1<<20)
	assert.Equal(t, "abcd", string(b.Bytes()[:4]))
	b.Free()
	assert.Nil(t, b.Bytes())
	b.Free() // a second Free is harmless
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
