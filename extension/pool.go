package extension

import (
	"math/bits"
	"sync"
)

// Received messages are copied out of the read buffer into buffers from these
// pools, one per power-of-two size class from 64 bytes up to MaxMessageSize.
// PopInto hands a buffer back once the message has been copied out (the
// Godot path copies every packet into C memory), so a steady stream of
// messages allocates nothing and leaves the garbage collector idle. The pools
// hold *[]byte boxes, each allocated once with its buffer.
var msgPools [maxClass + 1]sync.Pool

func sizeClass(n int) int { return bits.Len(uint(max(n, minPooled) - 1)) }

// getBuffer returns a box holding a buffer of length n, from a pool when one
// is free (nil box: too large to pool).
func getBuffer(n int) (data []byte, box *[]byte) {
	class := sizeClass(n)
	if class >= len(msgPools) {
		return make([]byte, n), nil
	}
	if b, ok := msgPools[class].Get().(*[]byte); ok {
		return (*b)[:n], b
	}
	b := make([]byte, n, 1<<class)
	return b, &b
}

// putBuffer recycles a box from getBuffer whose buffer nobody uses any more.
func putBuffer(box *[]byte) {
	if box == nil {
		return
	}
	msgPools[sizeClass(cap(*box))].Put(box)
}
