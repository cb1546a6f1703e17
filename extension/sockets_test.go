//go:build linux

// The buffer sizes checked here are Linux's: net.core.rmem_max and the
// doubled value getsockopt reports.

package extension

import (
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSocketsGetLargerBuffers: the sockets pion opens through our network
// get SocketBufferSize, or as much of it as net.core.rmem_max allows.
func TestSocketsGetLargerBuffers(t *testing.T) {
	n, err := newBufferedNet(SocketBufferSize)
	require.NoError(t, err)
	c, err := n.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer c.Close()
	pc, err := n.ListenPacket("udp4", "127.0.0.1:0")
	require.NoError(t, err)
	defer pc.Close()
	max, err := os.ReadFile("/proc/sys/net/core/rmem_max")
	require.NoError(t, err)
	limit, err := strconv.Atoi(strings.TrimSpace(string(max)))
	require.NoError(t, err)
	want := min(limit, SocketBufferSize)
	for _, conn := range []any{c, pc} {
		raw, err := conn.(syscall.Conn).SyscallConn()
		require.NoError(t, err)
		var size int
		require.NoError(t, raw.Control(func(fd uintptr) {
			size, err = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF)
		}))
		require.NoError(t, err)
		// Linux doubles the value asked for (bookkeeping overhead), so
		// this is over the default even where rmem_max is the default.
		assert.GreaterOrEqual(t, size, 2*want, "receive buffer of %T", conn)
	}
}
