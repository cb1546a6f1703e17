package extension

import (
	"net"

	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"
)

// bufferedNet is the standard network with larger socket buffers on the UDP
// sockets pion opens: host candidates (ListenUDP) and TURN allocations
// (ListenPacket).
type bufferedNet struct {
	*stdnet.Net
	size int
}

func newBufferedNet(size int) (transport.Net, error) {
	n, err := stdnet.NewNet()
	if err != nil {
		return nil, err
	}
	return &bufferedNet{Net: n, size: size}, nil
}

// ListenUDP opens the socket and sizes its buffers; a refused size is not an
// error (the kernel keeps its default).
func (n *bufferedNet) ListenUDP(network string, addr *net.UDPAddr) (transport.UDPConn, error) {
	c, err := n.Net.ListenUDP(network, addr)
	if err != nil {
		return nil, err
	}
	_ = c.SetReadBuffer(n.size)
	_ = c.SetWriteBuffer(n.size)
	return c, nil
}

// ListenPacket opens a packet socket (pion uses it for TURN over UDP) and
// sizes its buffers when it is a UDP socket.
func (n *bufferedNet) ListenPacket(network, address string) (net.PacketConn, error) {
	c, err := n.Net.ListenPacket(network, address)
	if err != nil {
		return nil, err
	}
	if u, ok := c.(interface {
		SetReadBuffer(int) error
		SetWriteBuffer(int) error
	}); ok {
		_ = u.SetReadBuffer(n.size)
		_ = u.SetWriteBuffer(n.size)
	}
	return c, nil
}
