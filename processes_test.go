//go:build integration

package main

// The processes the multi-process tests start inside the namespace: Go
// programs of this repository (the signaling server, the TURN server), Godot
// running the interop echo peer, and the interop peers of other stacks.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/internal/godottest"
	"github.com/godot-webrtc-go/godot-webrtc-go/internal/netns"
	"github.com/stretchr/testify/require"
)

// lockedBuffer collects a running process's output for a test that reads it
// meanwhile.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// process is a command started by start, its stdout and stderr collected.
type process struct {
	name string // for messages
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{} // closed once the process has exited and err is set
	err  error         // Wait's result
}

// start starts cmd in a process group of its own, so that SIGKILL to the
// group reaches the program whatever wrappers (ip netns exec, chroot) stand
// in between; when the test ends, whatever is left of the group is killed.
func start(t *testing.T, name string, cmd *exec.Cmd) *process {
	t.Helper()
	p := &process{name: name, cmd: cmd, out: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start(), "starting %s", name)
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.kill()
		p.wait(10 * time.Second)
	})
	return p
}

// kill sends SIGKILL to the process's group.
func (p *process) kill() { _ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL) }

// wait returns the process's exit error, killing it if it has not exited
// within timeout.
func (p *process) wait(timeout time.Duration) error {
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		p.kill()
		return errors.New("did not exit in time (killed)")
	}
}

// exited reports whether the process has ended, without waiting.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// printed waits until the process printed text and reports whether it did;
// it gives up after timeout, once abort returns true, or when the process
// has exited.
func (p *process) printed(text string, timeout time.Duration, abort func() bool) bool {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if strings.Contains(p.out.String(), text) {
			return true
		}
		if abort() || p.exited() {
			break
		}
	}
	return strings.Contains(p.out.String(), text)
}

// inNamespace is name with args, run inside the test's namespace.
func inNamespace(name string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", namespace, name}, args...)...)
}

var (
	buildMu sync.Mutex
	built   = map[string]string{} // package -> binary
)

// program builds a main package of this repository, once per test run, and
// returns the binary.
func program(t *testing.T, pkg string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if bin, ok := built[pkg]; ok {
		return bin
	}
	bin := filepath.Join(binDir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", bin, "./"+pkg)
	cmd.Dir = repoRoot
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build ./%s: %s", pkg, out)
	built[pkg] = bin
	return bin
}

var listening = regexp.MustCompile(`(?m)^listening on (\S+)$`)

// server is a Go program of this repository serving inside the namespace.
type server struct {
	*process
	addr string // from its "listening on ADDR" line
}

// startServer builds pkg, runs it inside the namespace with args, and waits
// for its "listening on ADDR" line.
func startServer(t *testing.T, pkg string, args ...string) *server {
	t.Helper()
	p := start(t, pkg, inNamespace(program(t, pkg), args...))
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if m := listening.FindStringSubmatch(p.out.String()); m != nil {
			return &server{process: p, addr: m[1]}
		}
		require.False(t, p.exited(), "%s exited before listening: %s", pkg, p.out.String())
		require.True(t, time.Now().Before(deadline), "%s did not say where it listens within 30 s: %s", pkg, p.out.String())
	}
}

// signalingServer is examples/signaling running inside the namespace; its
// log says who joined.
type signalingServer struct {
	*server
	url string // ws://host:port
}

func startSignaling(t *testing.T) *signalingServer {
	t.Helper()
	s := startServer(t, "examples/signaling", "-addr", "127.0.0.1:0", "-timeout", "10m")
	return &signalingServer{server: s, url: "ws://" + s.addr}
}

// runGodotFirst runs Godot (runGodot) on a goroutine of its own and waits
// until it has joined a room as peer 1, so that whatever starts next joins
// second; the result arrives on the channel. If Godot never joins, the test
// fails with its output; who names it in that message.
func (s *signalingServer) runGodotFirst(t *testing.T, who, dir string, timeout time.Duration, env []string, args ...string) <-chan godottest.Result {
	t.Helper()
	done := make(chan godottest.Result, 1)
	go func() { done <- runGodot(t, dir, timeout, env, args...) }()
	if !s.printed("peer 1 joined", time.Minute, func() bool { return len(done) > 0 }) {
		r := <-done
		t.Fatalf("%s never joined signaling:\n%s", who, r.Output)
	}
	return done
}

// againstRemote runs script in the Godot project dir against the remote
// command: Godot joins the room of that name on a fresh signaling server
// first, then the remote starts with the room's URL as its first argument.
// Godot's environment is SIGNALING_URL and env. It returns Godot's result and
// how the remote ended; if the test fails, both outputs are logged.
func againstRemote(t *testing.T, room, dir, script string, env []string, remote func(url string) *exec.Cmd) (godottest.Result, error) {
	t.Helper()
	sig := startSignaling(t)
	url := sig.url + "/" + room
	godotDone := sig.runGodotFirst(t, "Godot", dir, 3*time.Minute, append([]string{"SIGNALING_URL=" + url}, env...), "-s", "res://"+script)
	peer := start(t, "the remote peer", remote(url))
	g := <-godotDone
	remoteErr := peer.wait(30 * time.Second)
	t.Cleanup(func() {
		if t.Failed() {
			t.Log("godot:\n" + g.Output)
			t.Log("remote:\n" + peer.out.String())
		}
	})
	return g, remoteErr
}

// turnIP is where the test TURN server listens and relays: 198.18.0.2, the
// veth end Chromium uses. Chromium binds its sockets to that device, so its
// packets to the other end (198.18.0.1) leave through the veth and arrive with
// a source address local to the namespace, which the kernel drops; a relay on
// the same address is reached directly. (Real hosts have distinct addresses.)
const turnIP = netns.AddrB

// turnServer is tests/turnserver running inside the namespace.
type turnServer struct {
	*server
	url string // turn:host:port?transport=udp
}

func startTURN(t *testing.T, password string) *turnServer {
	t.Helper()
	s := startServer(t, "tests/turnserver", "-listen", turnIP+":0", "-relay-ip", turnIP, "-user", "player", "-password", password)
	return &turnServer{server: s, url: "turn:" + s.addr + "?transport=udp"}
}

var turnTotals = regexp.MustCompile(`allocations (\d+), relayed (\d+) packets (\d+) bytes`)

// stop ends the server and returns the allocations it made and the bytes it
// relayed.
func (s *turnServer) stop(t *testing.T) (allocations, bytes int64) {
	t.Helper()
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, s.wait(10*time.Second), "turnserver: %s", s.out.String())
	m := turnTotals.FindStringSubmatch(s.out.String())
	require.NotNil(t, m, "turnserver said %q", s.out.String())
	var packets int64
	_, err := fmt.Sscan(m[1]+" "+m[2]+" "+m[3], &allocations, &packets, &bytes)
	require.NoError(t, err)
	return allocations, bytes
}

// echoPeerCommand is tests/projects/interop/echo_peer.gd in a Godot process
// of its own, signaling through url in the given role ("offer" or "answer").
func echoPeerCommand(t *testing.T, url, role string) *exec.Cmd {
	t.Helper()
	dir := projectFrom(t, "interop-echo", "tests/projects/interop", signalingClient)
	cmd := godot.Command(context.Background(), "--headless", "--path", dir, "-s", "res://echo_peer.gd")
	cmd.Env = append(os.Environ(), "SIGNALING_URL="+url, "ROLE="+role)
	return cmd
}

// signalingClient is the demo's WebSocket signaling client, which the interop
// projects use as a game would.
const signalingClient = "examples/demo/signaling_client.gd"

// nodeCommand runs a Node script of tests/peers inside the namespace, with
// the provisioned npm packages.
func nodeCommand(cache string, args ...string) *exec.Cmd {
	cmd := inNamespace("node", args...)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(cache, "node_modules"))
	return cmd
}
