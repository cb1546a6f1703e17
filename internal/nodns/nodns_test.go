package nodns

import (
	"context"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOnlyHostsFileNamesResolve(t *testing.T) {
	addrs, err := net.DefaultResolver.LookupHost(context.Background(), "localhost")
	require.NoError(t, err, "localhost is in /etc/hosts")
	assert.NotEmpty(t, addrs)

	// net.DNSError keeps the dial error as text only.
	_, err = net.ResolveUDPAddr("udp", "stun.invalid:3478")
	require.Error(t, err)
	assert.Contains(t, err.Error(), ErrNoDNS.Error(), "the name server is never asked")
}
