//go:build integration

package main

// ICE over TCP: a Godot server that offers no UDP candidate, only a passive
// ICE-TCP candidate on its tcpMuxPort, as a dedicated server reached by
// players whose networks block UDP. The other stacks of the interop matrix
// reach it over TCP, and its echo matrix runs over TCP.

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// iceTCPPort is the server's tcpMuxPort inside the test's namespace; each
// case runs a new Godot process, which frees it when it exits.
const iceTCPPort = 39100

// tcpOnlyServer is the Godot side's initialize() configuration.
var tcpOnlyServer = fmt.Sprintf(`{"tcpMuxPort": %d, "iceNetworkTypes": ["tcp"]}`, iceTCPPort)

// iceTCPColumn is the interop table's column for these cases.
const iceTCPColumn = "ICE-TCP (Godot offers only tcpMuxPort)"

type candidateStats struct {
	Type, Address, Protocol string
	Port                    int
}

// assertConnectedOverTCP checks the selected pair interop_test.gd printed:
// TCP on both ends, the server's end on its tcpMuxPort. It returns the
// connect time printed.
func assertConnectedOverTCP(t *testing.T, out string) time.Duration {
	t.Helper()
	m := selectedPairLine.FindStringSubmatch(out)
	require.NotNil(t, m, "interop_test.gd printed no selected pair")
	var pair struct{ Local, Remote candidateStats }
	require.NoError(t, json.Unmarshal([]byte(m[1]), &pair), m[1])
	assert.Equal(t, "tcp", pair.Local.Protocol, "Godot's end of the selected pair: %s", m[1])
	assert.Equal(t, iceTCPPort, pair.Local.Port, "Godot's end is its tcpMuxPort: %s", m[1])
	assert.Equal(t, "tcp", pair.Remote.Protocol, "the remote's end of the selected pair: %s", m[1])
	assert.NotRegexp(t, `(?m)^local candidate: .* udp `, out, "Godot offered no UDP candidate")
	c := connectedInLine.FindStringSubmatch(out)
	require.NotNil(t, c, "interop_test.gd printed no connect time")
	ms, _ := strconv.Atoi(c[1])
	return time.Duration(ms) * time.Millisecond
}

// TestICETCPInterop: headless Chromium and Firefox, libwebrtc in Node and a
// second Godot process with the default configuration, each offering and
// answering, connect to Godot over TCP and pass the echo matrix. Host
// candidates are the browsers' defaults (mDNS names): Godot learns the
// remote's address from its connection (a peer-reflexive candidate).
// Browsers gather only active TCP candidates and dial Godot's port; libwebrtc
// in Node also offers passive ones, which Godot dials in turn.
func TestICETCPInterop(t *testing.T) {
	cache := interopPeers(t)
	for _, peer := range []string{"chromium", "firefox", "libwebrtc-node", "godot"} {
		for _, offerer := range []string{"godot", "remote"} {
			t.Run(peer+"-"+offerer+"-offers", func(t *testing.T) {
				env := []string{"ICE_CONFIG=" + tcpOnlyServer, "DEBUG_CANDIDATES=1"}
				role := map[string]string{"godot": "answer", "remote": "offer"}[offerer]
				remote := func(script string, args ...string) func(url string) *exec.Cmd {
					return func(url string) *exec.Cmd {
						return nodeCommand(cache, append([]string{filepath.Join(repoRoot, "tests", "peers", script), url, role}, args...)...)
					}
				}
				var out string
				switch peer {
				case "chromium":
					recordInterop(t, interopPeerRow[0], iceTCPColumn)
					out = interopCase(t, offerer, remote("run_chromium.js", "trickle", "mdns"), env...)
				case "firefox":
					recordInterop(t, firefoxRow(t), iceTCPColumn)
					out = firefoxCase(t, cache, offerer, []string{"trickle", "mdns"}, env...)
					assert.Regexp(t, firefoxTCPActive, out, "Firefox trickles active TCP candidates")
				case "libwebrtc-node":
					recordInterop(t, interopPeerRow[1], iceTCPColumn)
					out = interopCase(t, offerer, remote("run_wrtc.js", "trickle"), env...)
				case "godot":
					recordInterop(t, interopPeerRow[3], iceTCPColumn)
					out = interopCase(t, offerer, func(url string) *exec.Cmd { return echoPeerCommand(t, url, role) }, env...)
				}
				t.Logf("connected over TCP in %v", assertConnectedOverTCP(t, out))
			})
		}
	}
}

// TestICETCPThirtyTwoClientsOnOnePortInGodot runs
// tests/projects/core/ice_tcp_server_test.gd: 32 server-side connections in
// one Godot process share one tcpMuxPort, each client on its own TCP
// connection, a message each way.
func TestICETCPThirtyTwoClientsOnOnePortInGodot(t *testing.T) {
	runScript(t, project(t, "core"), "ice_tcp_server_test.gd", 3*time.Minute)
}
