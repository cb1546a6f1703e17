package audio

// ring is a bounded FIFO of float32 samples. It does no locking: its owner
// holds a lock around every call.
type ring struct {
	buf        []float32
	head, size int // head indexes the oldest sample
}

func newRing(capacity int) *ring { return &ring{buf: make([]float32, capacity)} }

func (r *ring) len() int  { return r.size }
func (r *ring) free() int { return len(r.buf) - r.size }

// write appends p, dropping the oldest samples if p does not fit, and returns
// how many were dropped. Callers that must not lose data check free first.
func (r *ring) write(p []float32) (dropped int) {
	if len(p) > len(r.buf) {
		dropped = len(p) - len(r.buf)
		p = p[dropped:]
	}
	if over := len(p) - r.free(); over > 0 {
		r.discard(over)
		dropped += over
	}
	tail := (r.head + r.size) % len(r.buf)
	n := copy(r.buf[tail:], p)
	copy(r.buf, p[n:])
	r.size += len(p)
	return dropped
}

// read moves up to len(dst) of the oldest samples into dst.
func (r *ring) read(dst []float32) int {
	n := min(len(dst), r.size)
	first := copy(dst[:n], r.buf[r.head:])
	copy(dst[first:n], r.buf)
	r.discard(n)
	return n
}

func (r *ring) discard(n int) {
	r.head = (r.head + n) % len(r.buf)
	r.size -= n
}
