package extension

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCloseDoesNotWaitForPionButShutdownDoes holds pion's teardown back: close()
// must still return, with the connection and its channels CLOSED, and
// Shutdown must not return before the teardown has finished.
func TestCloseDoesNotWaitForPionButShutdownDoes(t *testing.T) {
	teardowns.Wait() // earlier tests' teardowns read closePion
	release := make(chan struct{})
	var finished atomic.Int32
	closePion = func(pc *webrtc.PeerConnection) error {
		<-release
		defer finished.Add(1)
		return pc.Close()
	}
	t.Cleanup(func() { closePion = (*webrtc.PeerConnection).Close })

	p := newPeers(t)
	ach, _ := p.openChannel("c", nil)
	closed := make(chan struct{})
	go func() {
		p.a.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		close(release)
		t.Fatal("close() waited for pion's teardown")
	}
	assert.Equal(t, StateClosed, p.a.ConnectionState())
	assert.Equal(t, ChannelClosed, ach.ReadyState())
	assert.Zero(t, finished.Load(), "the teardown is still held back")

	shutdown := make(chan struct{})
	go func() {
		Shutdown()
		close(shutdown)
	}()
	select {
	case <-shutdown:
		t.Fatal("Shutdown returned while a teardown was still running")
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	select {
	case <-shutdown:
	case <-time.After(shutdownWait + 10*time.Second):
		t.Fatal("Shutdown did not return after the teardowns ended")
	}
	require.Equal(t, int32(2), finished.Load(), "both connections' teardowns ran before Shutdown returned")
}
