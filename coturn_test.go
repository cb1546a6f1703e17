//go:build integration

package main

// TURN as games deploy it: coturn (Debian's package, provisioned by
// scripts/provision-coturn.sh) as the only way between two peers
// (iceTransportPolicy "relay"), reached over UDP, TCP and TLS, with the
// time-limited credentials of the TURN REST API (coturn's static-auth-secret).
// Each test starts its own coturn inside the namespace on turnIP, with a
// configuration file it writes, a certificate from a CA it makes, and a log it
// reads for what coturn relayed.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ports of the test coturn inside the namespace: 443 for TLS, as deployments
// use to pass firewalls that allow only web traffic.
const (
	coturnPort       = 3478 // UDP and TCP
	coturnTLSPort    = 443
	coturnDeadPort   = 3479 // nothing listens here
	coturnRealm      = "godot-webrtc-go.test"
	coturnAuthSecret = "rest-api-shared-secret"
)

var (
	coturnOnce    sync.Once
	coturnBinary  string
	coturnVersion string
	coturnErr     error
)

// provisionCoturn installs Debian's coturn (once) and returns turnserver's path.
func provisionCoturn(t *testing.T) string {
	coturnOnce.Do(func() {
		out, err := exec.Command(filepath.Join(repoRoot, "scripts", "provision-coturn.sh")).Output()
		if err != nil {
			coturnErr = fmt.Errorf("scripts/provision-coturn.sh: %w", err)
			return
		}
		f := strings.Fields(string(out))
		if len(f) != 2 {
			coturnErr = fmt.Errorf("scripts/provision-coturn.sh printed %q, want the path and the version", out)
			return
		}
		coturnBinary, coturnVersion = f[0], f[1]
	})
	require.NoError(t, coturnErr, "provisioning coturn")
	t.Logf("coturn %s (Debian's package)", coturnVersion)
	return coturnBinary
}

// restCredential mints a TURN REST API credential, as a game backend does for
// each player: the user name carries its expiry time, the password is the
// HMAC-SHA1 of the user name under the secret shared with coturn.
func restCredential(secret, user string, expires time.Time) (username, credential string) {
	username = strconv.FormatInt(expires.Unix(), 10) + ":" + user
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(username))
	return username, base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// iceServer is one entry of iceServers, as initialize() and browsers take it.
type iceServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username"`
	Credential string   `json:"credential"`
}

// restServer is the URLs with a fresh credential for user, valid for an hour.
func restServer(user string, urls ...string) iceServer {
	name, cred := restCredential(coturnAuthSecret, user, time.Now().Add(time.Hour))
	return iceServer{URLs: urls, Username: name, Credential: cred}
}

// relayOnly is an ICE configuration that connects through the servers only.
func relayOnly(servers ...iceServer) map[string]any {
	return map[string]any{"iceServers": servers, "iceTransportPolicy": "relay"}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

var (
	turnUDP = fmt.Sprintf("turn:%s:%d?transport=udp", turnIP, coturnPort)
	turnTCP = fmt.Sprintf("turn:%s:%d?transport=tcp", turnIP, coturnPort)
	turnTLS = fmt.Sprintf("turns:%s:%d?transport=tcp", turnIP, coturnTLSPort)
)

// testCA is a certificate authority made for one test; its certificate is in
// file, which SSL_CERT_FILE points Go's TLS (the extension's) at.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	file string
}

func newTestCA(t *testing.T, dir, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	ca := &testCA{cert: cert, key: key, file: filepath.Join(dir, name+".pem")}
	writePEM(t, ca.file, "CERTIFICATE", der)
	return ca
}

// serverCert is a TLS server certificate and key in PEM files, and the
// base64 SHA-256 of its public key (what Chromium's
// --ignore-certificate-errors-spki-list takes).
type serverCert struct {
	certFile, keyFile string
	spki              string
}

// issue makes a server certificate for ip, signed by ca.
func (ca *testCA) issue(t *testing.T, dir, name string, ip string) serverCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: ip},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.ParseIP(ip)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	spkiDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	require.NoError(t, err)
	sum := sha256.Sum256(spkiDER)
	c := serverCert{certFile: filepath.Join(dir, name+".pem"), keyFile: filepath.Join(dir, name+".key"),
		spki: base64.StdEncoding.EncodeToString(sum[:])}
	writePEM(t, c.certFile, "CERTIFICATE", der)
	writePEM(t, c.keyFile, "PRIVATE KEY", keyDER)
	return c
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600))
}

// tempDirUnderTmp is a test folder under /tmp, which the Godot chroot shares,
// so SSL_CERT_FILE names the same file inside it.
func tempDirUnderTmp(t *testing.T, name string) string {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", "webrtc-go-"+name+"-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// coturn is one turnserver process inside the namespace.
type coturn struct {
	log  string // its log file
	proc *process
}

// coturnConfig is what a test varies between coturn instances.
type coturnConfig struct {
	port, tlsPort int        // 0: no TLS listener
	cert          serverCert // for the TLS listener
	relayPorts    [2]int     // the range relayed allocations use
}

// startCoturn writes a configuration (no system file is read: coturn reads
// only the file given with -c), starts turnserver in the foreground and
// waits until its log shows every listener open.
func startCoturn(t *testing.T, dir string, c coturnConfig) *coturn {
	t.Helper()
	bin := provisionCoturn(t)
	s := &coturn{log: filepath.Join(dir, "turnserver.log")}
	conf := []string{
		"listening-ip=" + turnIP,
		"relay-ip=" + turnIP,
		fmt.Sprintf("listening-port=%d", c.port),
		fmt.Sprintf("min-port=%d", c.relayPorts[0]),
		fmt.Sprintf("max-port=%d", c.relayPorts[1]),
		"realm=" + coturnRealm,
		"use-auth-secret",
		"static-auth-secret=" + coturnAuthSecret,
		"fingerprint",
		"no-dtls", // pion reaches turns: over TLS; DTLS is not under test
		"no-tlsv1",
		"no-tlsv1_1",
		"no-cli",
		"no-rfc5780",
		"no-software-attribute",
		"verbose", // listener and session lines, with each session's byte counts
		"userdb=" + filepath.Join(dir, "turndb"),
		"pidfile=" + filepath.Join(dir, "turnserver.pid"),
		"log-file=" + s.log,
		"simple-log",
		"no-stdout-log",
	}
	want := []string{fmt.Sprintf("UDP listener opened on: %s:%d", turnIP, c.port), fmt.Sprintf("TLS/TCP listener opened on : %s:%d", turnIP, c.port)}
	if c.tlsPort != 0 {
		conf = append(conf, fmt.Sprintf("tls-listening-port=%d", c.tlsPort), "cert="+c.cert.certFile, "pkey="+c.cert.keyFile)
		want = append(want, fmt.Sprintf("TLS/TCP listener opened on : %s:%d", turnIP, c.tlsPort))
	} else {
		conf = append(conf, "no-tls")
	}
	confFile := filepath.Join(dir, "turnserver.conf")
	require.NoError(t, os.WriteFile(confFile, []byte(strings.Join(conf, "\n")+"\n"), 0o600))
	s.proc = start(t, "turnserver", inNamespace(bin, "-c", confFile))
	t.Cleanup(s.stop)
	deadline := time.Now().Add(20 * time.Second)
	for {
		log := s.logText()
		missing := ""
		for _, w := range want {
			if !strings.Contains(log, w) {
				missing = w
			}
		}
		if missing == "" {
			return s
		}
		if s.proc.exited() {
			t.Fatalf("turnserver exited (%v) before %q:\n%s\n%s", s.proc.err, missing, s.proc.out, log)
		}
		if time.Now().After(deadline) {
			t.Fatalf("turnserver did not log %q within 20 s:\n%s", missing, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *coturn) logText() string {
	b, _ := os.ReadFile(s.log)
	return string(b)
}

// stop ends turnserver (SIGTERM, then SIGKILL) and waits for it.
func (s *coturn) stop() {
	_ = syscall.Kill(-s.proc.cmd.Process.Pid, syscall.SIGTERM)
	s.proc.wait(5 * time.Second)
}

// coturnSession is what coturn logged about one allocation.
type coturnSession struct {
	user   string // the REST user name: "<expiry>:<user>"
	closed bool
	// Bytes coturn received from the client and sent to it, summed over
	// the usage lines it logs while the session lasts and when it ends.
	fromClient, toClient int64
}

var (
	sessionNew    = regexp.MustCompile(`session (\d+): new, realm=<[^>]*>, username=<([^>]*)>`)
	sessionClosed = regexp.MustCompile(`session (\d+): closed \(2nd stage\)`)
	sessionUsage  = regexp.MustCompile(`session (\d+): usage: realm=<[^>]*>, username=<[^>]*>, rp=\d+, rb=(\d+), sp=\d+, sb=(\d+)`)
)

// sessions reads coturn's log for the allocations of authenticated users.
func (s *coturn) sessions() map[string]*coturnSession {
	out := map[string]*coturnSession{}
	for _, line := range strings.Split(s.logText(), "\n") {
		if m := sessionNew.FindStringSubmatch(line); m != nil {
			out[m[1]] = &coturnSession{user: m[2]}
		} else if m := sessionClosed.FindStringSubmatch(line); m != nil && out[m[1]] != nil {
			out[m[1]].closed = true
		} else if m := sessionUsage.FindStringSubmatch(line); m != nil && out[m[1]] != nil {
			from, _ := strconv.ParseInt(m[2], 10, 64)
			to, _ := strconv.ParseInt(m[3], 10, 64)
			out[m[1]].fromClient += from
			out[m[1]].toClient += to
		}
	}
	return out
}

// endedSessions waits until coturn has logged the end, and so the last byte
// counts, of every allocation (the clients release them when they close).
func (s *coturn) endedSessions(t *testing.T) map[string]*coturnSession {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		sessions := s.sessions()
		open := 0
		for _, ss := range sessions {
			if !ss.closed {
				open++
			}
		}
		if open == 0 {
			return sessions
		}
		if time.Now().After(deadline) {
			t.Errorf("coturn still has %d allocations 15 s after the clients closed", open)
			return sessions
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// relayed sums what coturn received from and sent to the clients of user
// (the REST user name's part after the expiry).
func relayed(sessions map[string]*coturnSession, user string) (allocations int, fromClients, toClients int64) {
	for _, ss := range sessions {
		if _, name, _ := strings.Cut(ss.user, ":"); name == user {
			allocations++
			fromClients += ss.fromClient
			toClients += ss.toClient
		}
	}
	return allocations, fromClients, toClients
}

// transportOf names how a TURN URL reaches its server, as relay_protocol does.
func transportOf(url string) string {
	switch {
	case strings.HasPrefix(url, "turns:"):
		return "tls"
	case strings.HasSuffix(url, "transport=tcp"):
		return "tcp"
	}
	return "udp"
}

// turnCase is one case of turn_transport_test.gd.
type turnCase struct {
	Name   string         `json:"name"`
	Config map[string]any `json:"config"`
	// The transports each peer's selected relay may use to reach its TURN
	// server: the offerer's (ICE's controlling side, which chooses the pair)
	// and the answerer's.
	offerer, answerer []string
}

// transportCase is a relay-only case with one server per URL, each with a
// credential for user "<name>.<transport>", so coturn's log tells which
// server the data went through. Both peers must relay over expect.
func transportCase(name, expect string, urls ...string) turnCase {
	var servers []iceServer
	for _, u := range urls {
		servers = append(servers, restServer(name+"."+transportOf(u), u))
	}
	return turnCase{Name: name, Config: relayOnly(servers...), offerer: []string{expect}, answerer: []string{expect}}
}

// turnCaseLine is what turn_transport_test.gd prints for each case.
var turnCaseLine = regexp.MustCompile(`(?m)^TURN CASE (\S+): connected in (\d+) ms, relay (\S+) (\S+), (\d+) and (\d+) bytes moved`)

// TestCoturnTransportsAndFallback connects two peers of one Godot process
// through coturn over each transport, then with two servers: UDP and TLS (UDP
// must win), and a UDP server that does not answer next to a TCP or TLS one
// (the connection must fall back). get_stats() must name the transport, and
// coturn's log must show the data went through that server.
func TestCoturnTransportsAndFallback(t *testing.T) {
	dir := tempDirUnderTmp(t, "coturn")
	ca := newTestCA(t, dir, "test-ca")
	server := startCoturn(t, dir, coturnConfig{port: coturnPort, tlsPort: coturnTLSPort,
		cert: ca.issue(t, dir, "turn-server", turnIP), relayPorts: [2]int{49152, 49407}})
	turnDead := fmt.Sprintf("turn:%s:%d?transport=udp", turnIP, coturnDeadPort)
	// With a UDP and a TLS server the offerer relays over UDP. The answerer
	// does too unless its TLS relay candidate reached the offerer first in a
	// connectivity check rather than through signaling: pion then keeps the
	// pair priority a peer-reflexive candidate has, which outranks the pair
	// of the two UDP relays (measured: 4 connections in 15).
	preferUDP := transportCase("udp-and-tls", "udp", turnUDP, turnTLS)
	preferUDP.answerer = []string{"udp", "tls"}
	cases := []turnCase{
		transportCase("udp", "udp", turnUDP),
		transportCase("tcp", "tcp", turnTCP),
		transportCase("tls", "tls", turnTLS),
		preferUDP,
		transportCase("dead-udp-then-tcp", "tcp", turnDead, turnTCP),
		transportCase("dead-udp-then-tls", "tls", turnDead, turnTLS),
	}
	project := projectFrom(t, "coturn", "tests/projects/common", "tests/projects/interop")
	out := runScript(t, project, "turn_transport_test.gd", 4*time.Minute,
		"TURN_CASES="+mustJSON(t, cases), "SSL_CERT_FILE="+ca.file)
	sessions := server.endedSessions(t)

	reported := map[string][]string{}
	for _, m := range turnCaseLine.FindAllStringSubmatch(out, -1) {
		reported[m[1]] = m
	}
	for _, c := range cases {
		m := reported[c.Name]
		if !assert.NotNil(t, m, "turn_transport_test.gd reported nothing for %s", c.Name) {
			continue
		}
		offerer, answerer := m[3], m[4]
		assert.Contains(t, c.offerer, offerer, "%s: relay_protocol of the offerer", c.Name)
		assert.Contains(t, c.answerer, answerer, "%s: relay_protocol of the answerer", c.Name)
		a, _ := strconv.ParseInt(m[5], 10, 64)
		b, _ := strconv.ParseInt(m[6], 10, 64)
		t.Logf("%-18s connected in %5s ms, relays over %s and %s", c.Name, m[2], offerer, answerer)
		// Each server must have received from its clients what the peers
		// relaying through it sent, and a server no peer relays through
		// only ICE's checks.
		for _, srv := range c.Config["iceServers"].([]iceServer) {
			assert.NotContains(t, out, srv.Credential, "a credential was printed")
			transport := transportOf(srv.URLs[0])
			var sent int64
			if offerer == transport {
				sent += a
			}
			if answerer == transport {
				sent += b
			}
			allocations, from, to := relayed(sessions, c.Name+"."+transport)
			t.Logf("  %s server: %d allocations, got %d bytes from its clients and sent them %d", transport, allocations, from, to)
			if sent == 0 {
				assert.Less(t, from, (a+b)/10, "%s: the %s server carried only ICE checks", c.Name, transport)
				continue
			}
			assert.Greater(t, from, sent, "%s: the data went through the %s server", c.Name, transport)
			assert.Greater(t, to, sent, "%s: the data went through the %s server", c.Name, transport)
		}
	}
	assert.NotContains(t, out, "no suitable address found", "pion's attempt over IPv6 is not the game's problem")
	if t.Failed() {
		t.Log("Godot's output:\n" + out)
	}
}

// echoMatrixBytes is what interop_test.gd's echo matrix sends each way at
// least: on 4 negotiated channels, text and binary messages of 1, 1000,
// 16384, 65535 and 262144 bytes (the remote's maximum, 256 KiB for Godot and
// Chromium).
const echoMatrixBytes = 4 * 2 * (1 + 1000 + 16384 + 65535 + 262144)

// selectedPairLine is what interop_test.gd prints once connected.
var (
	selectedPairLine = regexp.MustCompile(`(?m)^selected pair: (\{.*\})$`)
	connectedInLine  = regexp.MustCompile(`(?m)^connected in (\d+) ms$`)
)

// TestCoturnInterop runs the interop echo matrix (several MiB both ways)
// between Godot and a second Godot process, and between Godot and Chromium,
// both sides relay-only through coturn over UDP, TCP and TLS.
func TestCoturnInterop(t *testing.T) {
	cache := interopPeers(t)
	dir := tempDirUnderTmp(t, "coturn-interop")
	ca := newTestCA(t, dir, "test-ca")
	cert := ca.issue(t, dir, "turn-server", turnIP)
	server := startCoturn(t, dir, coturnConfig{port: coturnPort, tlsPort: coturnTLSPort, cert: cert, relayPorts: [2]int{49152, 49407}})
	for _, peer := range []string{"godot", "chromium"} {
		for _, url := range []string{turnUDP, turnTCP, turnTLS} {
			transport := transportOf(url)
			name := peer + "-" + transport
			t.Run(name, func(t *testing.T) {
				godotServer, remoteServer := restServer(name+".godot", url), restServer(name+".remote", url)
				godotConfig, remoteConfig := mustJSON(t, relayOnly(godotServer)), mustJSON(t, relayOnly(remoteServer))
				start := time.Now()
				out := interopCase(t, "godot", func(signaling string) *exec.Cmd {
					if peer == "chromium" {
						cmd := nodeCommand(cache, filepath.Join(repoRoot, "tests", "peers", "run_chromium.js"), signaling, "answer", "trickle", "plain")
						// Chromium verifies the TURN server's certificate against its
						// own trust store; this flag trusts the test server's key.
						flags := []string{"--ignore-certificate-errors-spki-list=" + cert.spki}
						cmd.Env = append(cmd.Env, "ICE_CONFIG="+remoteConfig, "CHROMIUM_FLAGS="+mustJSON(t, flags))
						return cmd
					}
					cmd := echoPeerCommand(t, signaling, "answer")
					cmd.Env = append(cmd.Env, "ICE_CONFIG="+remoteConfig, "SSL_CERT_FILE="+ca.file)
					return cmd
				}, "ICE_CONFIG="+godotConfig, "SSL_CERT_FILE="+ca.file)
				elapsed := time.Since(start)

				var pair struct {
					Local, Remote struct {
						Type          string `json:"type"`
						RelayProtocol string `json:"relay_protocol"`
					}
				}
				m := selectedPairLine.FindStringSubmatch(out)
				require.NotNil(t, m, "interop_test.gd printed no selected pair")
				require.NoError(t, json.Unmarshal([]byte(m[1]), &pair))
				assert.Equal(t, "relay", pair.Local.Type)
				assert.Equal(t, transport, pair.Local.RelayProtocol)
				assert.Equal(t, "relay", pair.Remote.Type, "the remote is relay-only too")
				for _, cred := range []string{godotServer.Credential, remoteServer.Credential} {
					assert.NotContains(t, out, cred, "a credential was printed")
				}
				connected := connectedInLine.FindStringSubmatch(out)
				require.NotNil(t, connected)
				// interopCase has waited for both processes: their allocations end now.
				sessions := server.endedSessions(t)
				for _, side := range []string{"godot", "remote"} {
					allocations, from, to := relayed(sessions, name+"."+side)
					t.Logf("%s side: %d allocations, coturn got %d bytes from it and sent %d", side, allocations, from, to)
					assert.Positive(t, allocations)
					assert.Greater(t, from, int64(echoMatrixBytes), "the echo matrix went through coturn")
					assert.Greater(t, to, int64(echoMatrixBytes), "the echo matrix went through coturn")
				}
				t.Logf("%s: connected in %s ms over %s; the case took %v", name, connected[1], transport, elapsed.Round(100*time.Millisecond))
			})
		}
	}
}

// TestCoturnRefusals: a TURN REST credential past its expiry, a TLS server
// whose certificate names another address, and one whose certificate comes
// from a CA the client does not trust. Each relay-only connection must fail,
// coturn must never allocate for it, and the reason must reach the game
// through error_occurred without the credential.
func TestCoturnRefusals(t *testing.T) {
	dir := tempDirUnderTmp(t, "coturn-refusals")
	trusted := newTestCA(t, dir, "trusted-ca")
	unknown := newTestCA(t, dir, "unknown-ca")
	const wrongNamePort, unknownCAPort = 5349, 5350
	servers := []*coturn{
		startCoturn(t, mkdir(t, dir, "good"), coturnConfig{port: coturnPort, tlsPort: coturnTLSPort,
			cert: trusted.issue(t, dir, "good", turnIP), relayPorts: [2]int{49152, 49407}}),
		startCoturn(t, mkdir(t, dir, "wrong-name"), coturnConfig{port: 3480, tlsPort: wrongNamePort,
			cert: trusted.issue(t, dir, "wrong-name", "198.18.0.99"), relayPorts: [2]int{49408, 49663}}),
		startCoturn(t, mkdir(t, dir, "unknown-ca"), coturnConfig{port: 3481, tlsPort: unknownCAPort,
			cert: unknown.issue(t, dir, "unknown-ca", turnIP), relayPorts: [2]int{49664, 49919}}),
	}
	type refusal struct {
		Name       string `json:"name"` // also the REST user
		URLs       string `json:"urls"`
		Username   string `json:"username"`
		Credential string `json:"credential"`
		Expect     string `json:"expect"` // in the error_occurred message
	}
	refused := func(name, url string, expires time.Time, expect string) refusal {
		user, cred := restCredential(coturnAuthSecret, name, expires)
		return refusal{name, url, user, cred, expect}
	}
	later := time.Now().Add(time.Hour)
	cases := []refusal{
		refused("expired", turnUDP, time.Now().Add(-time.Minute), "401"),
		refused("wrong-name", fmt.Sprintf("turns:%s:%d?transport=tcp", turnIP, wrongNamePort), later,
			"certificate is valid for 198.18.0.99, not "+turnIP),
		refused("unknown-ca", fmt.Sprintf("turns:%s:%d?transport=tcp", turnIP, unknownCAPort), later,
			"certificate signed by unknown authority"),
	}
	project := projectFrom(t, "coturn-refusals", "tests/projects/common", "tests/projects/interop")
	out := runScript(t, project, "turn_fail_test.gd", 2*time.Minute, "TURN_CASES="+mustJSON(t, cases), "SSL_CERT_FILE="+trusted.file)
	for _, c := range cases {
		assert.Regexp(t, `ERROR: godot-webrtc-go: ice: .*`+regexp.QuoteMeta(c.Expect), out, "%s: printed through Godot's error printer", c.Name)
		assert.NotContains(t, out, c.Credential, "%s: a credential was printed", c.Name)
	}
	for _, s := range servers {
		for id, ss := range s.sessions() {
			t.Errorf("coturn allocated for %s (session %s)", ss.user, id)
		}
	}
	// coturn takes a REST user name past its expiry for an unknown user.
	assert.Contains(t, servers[0].logText(), "Cannot find credentials of user <"+cases[0].Username+">", "coturn refused the expired credential")
}

func mkdir(t *testing.T, parent, name string) string {
	t.Helper()
	dir := filepath.Join(parent, name)
	require.NoError(t, os.Mkdir(dir, 0o755))
	return dir
}
