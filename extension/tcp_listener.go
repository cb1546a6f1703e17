package extension

import (
	"errors"
	"net"
	"sync"
	"time"
)

// boundedListener is the listener of a tcpMuxPort: it keeps at most a fixed
// number of accepted connections open, closes them all when it is closed,
// and survives the errors after which pion's mux would stop accepting for
// good.
//
// pion's TCP mux ends its accept loop at the first error. Accept fails for
// passing reasons too (EMFILE when the process is out of file descriptors,
// ECONNABORTED when a client resets before it is accepted): one burst of
// them would leave the port open but unserved until the game restarts. Here
// Accept returns an error only once the listener is closed, and waits out
// the others.
type boundedListener struct {
	net.Listener
	slots  chan struct{} // one token per open connection
	closed chan struct{}

	mu    sync.Mutex
	open  map[*slotConn]struct{}
	ended bool
}

func newBoundedListener(l net.Listener, max int) *boundedListener {
	return &boundedListener{Listener: l, slots: make(chan struct{}, max), closed: make(chan struct{}),
		open: map[*slotConn]struct{}{}}
}

// Accept waits for a free slot, then for a connection.
func (l *boundedListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.closed:
		return nil, net.ErrClosed
	}
	backoff := 5 * time.Millisecond
	for {
		c, err := l.Listener.Accept()
		if err == nil {
			return l.adopt(c)
		}
		if errors.Is(err, net.ErrClosed) {
			<-l.slots
			return nil, err
		}
		select {
		case <-time.After(backoff):
		case <-l.closed:
			<-l.slots
			return nil, net.ErrClosed
		}
		backoff = min(2*backoff, time.Second)
	}
}

// adopt tracks c, which holds a slot, until it is closed.
func (l *boundedListener) adopt(c net.Conn) (net.Conn, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended {
		_ = c.Close() // accepted as the listener closed
		<-l.slots
		return nil, net.ErrClosed
	}
	sc := &slotConn{Conn: c, l: l}
	l.open[sc] = struct{}{}
	return sc, nil
}

func (l *boundedListener) release(c *slotConn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.open[c]; ok {
		delete(l.open, c)
		<-l.slots
	}
}

// Close stops accepting and closes every connection still open: pion's mux
// would otherwise wait, when it closes, for connections that have not yet
// sent their first request.
func (l *boundedListener) Close() error {
	l.mu.Lock()
	if !l.ended {
		l.ended = true
		close(l.closed)
	}
	open := make([]*slotConn, 0, len(l.open))
	for c := range l.open {
		open = append(open, c)
	}
	l.mu.Unlock()
	err := l.Listener.Close()
	for _, c := range open {
		_ = c.Close() // shutting down: nothing to report to
	}
	return err
}

// slotConn gives its listener's slot back when it is closed.
type slotConn struct {
	net.Conn
	l *boundedListener
}

func (c *slotConn) Close() error {
	defer c.l.release(c)
	return c.Conn.Close()
}
