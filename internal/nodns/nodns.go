// Package nodns keeps a test binary from sending DNS queries. Tests may send
// traffic only to loopback and to network namespaces they create, and the
// system's name server is another machine; yet a test that configures a name
// that cannot resolve (a STUN server at stun.invalid) makes the standard
// resolver ask it. Importing this package for its side effect replaces
// net.DefaultResolver, which every lookup in the binary goes through (net.Dial,
// net.ResolveUDPAddr, and so pion's STUN and TURN lookups), with Go's own
// resolver whose connections to name servers fail before a packet is sent.
// Names in /etc/hosts, such as localhost, still resolve; any other name fails
// at once, its error saying ErrNoDNS.
package nodns

import (
	"context"
	"errors"
	"net"
)

// ErrNoDNS is why a lookup that needs a name server fails.
var ErrNoDNS = errors.New("DNS queries are disabled in tests")

func init() {
	net.DefaultResolver = Resolver()
}

// Resolver returns a resolver that answers from /etc/hosts only.
func Resolver() *net.Resolver {
	return &net.Resolver{
		PreferGo: true, // the system's resolver (cgo) would not use Dial
		Dial: func(context.Context, string, string) (net.Conn, error) {
			return nil, ErrNoDNS
		},
	}
}
