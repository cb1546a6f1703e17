package extension

import (
	"io"
	"net"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// acceptLoop accepts from l until it fails, handing out each connection.
func acceptLoop(t *testing.T, l net.Listener) <-chan net.Conn {
	conns := make(chan net.Conn, 16)
	go func() {
		defer close(conns)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns <- c
		}
	}()
	t.Cleanup(func() {
		l.Close()
		for c := range conns {
			c.Close()
		}
	})
	return conns
}

// next returns the next connection accepted within wait, or nil.
func next(conns <-chan net.Conn, wait time.Duration) net.Conn {
	select {
	case c := <-conns:
		return c
	case <-time.After(wait):
		return nil
	}
}

func TestBoundedListenerKeepsAtMostItsConnections(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	l := newBoundedListener(inner, 2)
	conns := acceptLoop(t, l)
	var clients []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", l.Addr().String())
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		clients = append(clients, c)
	}
	first := next(conns, 5*time.Second)
	require.NotNil(t, first)
	require.NotNil(t, next(conns, 5*time.Second))
	assert.Nil(t, next(conns, 200*time.Millisecond), "a third connection waits while two are open")
	require.NoError(t, first.Close())
	_ = first.Close() // a second Close gives back nothing more
	require.NotNil(t, next(conns, 5*time.Second), "the third is accepted once one closes")
	c, err := net.Dial("tcp", l.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	assert.Nil(t, next(conns, 200*time.Millisecond), "still at most two")

	// Closing the listener closes what it accepted: their clients read EOF.
	require.NoError(t, l.Close())
	for _, c := range clients[1:] {
		require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
		_, err := c.Read(make([]byte, 1))
		assert.ErrorIs(t, err, io.EOF)
	}
	_, err = l.Accept()
	assert.ErrorIs(t, err, net.ErrClosed)
}

// failingListener fails its first Accepts as a process out of file
// descriptors does, then behaves.
type failingListener struct {
	net.Listener
	failures atomic.Int32
}

func (l *failingListener) Accept() (net.Conn, error) {
	if l.failures.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: syscall.EMFILE}
	}
	return l.Listener.Accept()
}

func TestBoundedListenerOutlastsAcceptErrors(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	failing := &failingListener{Listener: inner}
	failing.failures.Store(5)
	l := newBoundedListener(failing, 4)
	defer l.Close()
	c, err := net.Dial("tcp", l.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	require.NotNil(t, next(acceptLoop(t, l), 10*time.Second), "accepted after five EMFILE errors")
}
