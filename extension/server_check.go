package extension

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"

	"github.com/pion/stun/v3"
	"github.com/pion/webrtc/v4"
)

// A misconfigured STUN server is silent in pion: a name that does not resolve
// is logged at debug level, and a server that does not answer is one more
// warning per network and local address, with nothing that tells which
// server failed for good. A game must learn of it (players behind NAT would
// fail to connect), as browsers report it with icecandidateerror. So each
// connection checks its servers itself, beside pion's gathering, which it
// does not delay: every server's name must resolve, and every STUN server
// must answer a binding request. TURN servers that do not answer or refuse
// the credentials are reported from pion's log (see problemLogger): a TURN
// server need not answer binding requests.

// serversToCheck returns the ICE server URLs to check (see checkServer): the
// TURN servers, and the STUN servers unless only relays are used, once each,
// at most maxCheckedServers.
func (c Config) serversToCheck() []*stun.URI {
	var out []*stun.URI
	seen := map[string]bool{}
	for _, s := range c.Pion.ICEServers {
		for _, raw := range s.URLs {
			u, err := stun.ParseURI(raw) // cannot fail: ParseConfig parsed it
			if err != nil || seen[u.String()] || len(out) == maxCheckedServers {
				continue
			}
			isSTUN := u.Scheme == stun.SchemeTypeSTUN || u.Scheme == stun.SchemeTypeSTUNS
			if isSTUN && c.Pion.ICETransportPolicy == webrtc.ICETransportPolicyRelay {
				continue
			}
			seen[u.String()] = true
			out = append(out, u)
		}
	}
	return out
}

// startServerChecks checks the servers of pc, once: when its gathering starts.
func (p *PeerConnection) startServerChecks(pc *webrtc.PeerConnection) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pc != pc || len(p.servers) == 0 {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	for _, u := range p.servers {
		go p.checkServer(ctx, pc, u)
	}
	p.servers, p.stopChecks = nil, cancel
}

// checkServer reports server u of pc as an ERR_CANT_CONNECT Problem if its
// name does not resolve or, for a STUN server, it does not answer within
// serverCheckTimeout. It ends by then, or when pc closes (ctx is cancelled).
func (p *PeerConnection) checkServer(ctx context.Context, pc *webrtc.PeerConnection, u *stun.URI) {
	defer p.recoverPion("server check")
	checkCtx, cancel := context.WithTimeout(ctx, serverCheckTimeout)
	defer cancel()
	failure := serverFailure(checkCtx, u)
	if failure == "" || ctx.Err() != nil {
		return
	}
	kind := "STUN"
	if u.Scheme == stun.SchemeTypeTURN || u.Scheme == stun.SchemeTypeTURNS {
		kind = "TURN"
	}
	// u.String() is scheme, host, port and transport: never credentials.
	p.queue.push(pc, Problem{Code: ErrCantConnect, Scope: "ice", Message: fmt.Sprintf("%s server %s %s", kind, u, failure)})
}

// serverFailure says what is wrong with server u, or "" if nothing is.
func serverFailure(ctx context.Context, u *stun.URI) string {
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", u.Host)
	if err != nil || len(addrs) == 0 {
		if ctx.Err() != nil {
			return fmt.Sprintf("could not be resolved within %v", serverCheckTimeout)
		}
		return fmt.Sprintf("could not be resolved: %v", err)
	}
	if u.Scheme != stun.SchemeTypeSTUN {
		return ""
	}
	switch err := askBinding(ctx, addrs, u.Port); {
	case err == nil:
		return ""
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("did not answer within %v", serverCheckTimeout)
	default:
		return fmt.Sprintf("did not answer: %v", err)
	}
}

// askBinding sends binding requests to port on the first IPv4 and the first
// IPv6 address of addrs at once; nil as soon as one answers.
func askBinding(ctx context.Context, addrs []netip.Addr, port int) error {
	var targets []netip.AddrPort
	for _, is4 := range []bool{true, false} {
		for _, a := range addrs {
			if a.Unmap().Is4() == is4 {
				targets = append(targets, netip.AddrPortFrom(a.Unmap(), uint16(port)))
				break
			}
		}
	}
	results := make(chan error, len(targets))
	for _, t := range targets {
		go func() { results <- bindingRequest(ctx, t) }()
	}
	var err error
	for range targets {
		e := <-results
		if e == nil {
			return nil // the other request ends with ctx
		}
		if err == nil || !errors.Is(e, context.DeadlineExceeded) {
			err = e // a refusal says more than silence
		}
	}
	return err
}

// bindingRequest asks server for this side's reflexive address, retransmitting
// from serverCheckRTO on (doubling) until it answers or ctx ends. A connected
// socket learns at once when nothing listens on a reachable host (ICMP port
// unreachable, "connection refused"), which is an answer too: a failure.
func bindingRequest(ctx context.Context, server netip.AddrPort) error {
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(server))
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	req, err := stun.Build(stun.TransactionID, stun.BindingRequest, stun.Fingerprint)
	if err != nil {
		return err
	}
	buf := make([]byte, 1500)
	for rto := serverCheckRTO; ; rto *= 2 {
		if _, err := conn.Write(req.Raw); err != nil {
			return checkErr(ctx, err)
		}
		if err := conn.SetReadDeadline(earliest(ctx, rto)); err != nil {
			return checkErr(ctx, err)
		}
		for {
			n, err := conn.Read(buf)
			if errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() == nil {
				break // retransmit
			}
			if err != nil {
				return checkErr(ctx, err)
			}
			res := stun.Message{Raw: buf[:n]}
			if res.Decode() == nil && res.TransactionID == req.TransactionID {
				return nil
			}
		}
	}
}

// earliest returns the time rto from now, or ctx's deadline if that is sooner.
func earliest(ctx context.Context, rto time.Duration) time.Time {
	t := time.Now().Add(rto)
	if d, ok := ctx.Deadline(); ok && d.Before(t) {
		return d
	}
	return t
}

// checkErr returns ctx's error if ctx ended (which closed the socket), else
// the system's error without the socket addresses net puts before it.
func checkErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}
