//go:build integration

package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRunnersSmoke runs the setup figure once through every runner (needs
// root and the built addon in $WEBRTC_GO_ADDON or dist/; provisions Node's
// libwebrtc): each must report it, and nothing may fail. About 30 s.
func TestRunnersSmoke(t *testing.T) {
	addon := os.Getenv("WEBRTC_GO_ADDON")
	t.Chdir("..")
	if addon == "" {
		addon = "dist/addons/webrtc_go"
	}
	npm, err := exec.Command("scripts/provision-interop.sh").Output()
	require.NoError(t, err, "provisioning the npm packages")
	res, err := measure(context.Background(), config{runs: 1, dur: time.Second, figures: "setup",
		addon: addon, npm: strings.TrimSpace(string(npm)), timeout: 2 * time.Minute})
	require.NoError(t, err)
	assert.Empty(t, res.problems)
	for _, r := range []string{"godot", "ext", "pion", "wrtc"} {
		v := res.values[r]["setup_ms"]
		if assert.Len(t, v, 1, r) {
			assert.Positive(t, v[0], r)
		}
	}
	assert.NotEmpty(t, res.values["godot"]["setup_frames"])
}

// TestServerRunnersSmoke runs every server of the server benchmark with 4
// players for 2 s (needs root and the built addon, like TestRunnersSmoke):
// each must have every player join, measure its frames and CPU, and lose
// no reliable event. About 60 s.
func TestServerRunnersSmoke(t *testing.T) {
	addon := os.Getenv("WEBRTC_GO_ADDON")
	t.Chdir("..")
	if addon == "" {
		addon = "dist/addons/webrtc_go"
	}
	npm, err := exec.Command("scripts/provision-interop.sh").Output()
	require.NoError(t, err, "provisioning the npm packages")
	c := serverConfig{clients: []int{4}, stacks: []string{"godot", "ext", "pion", "wrtc"}, runs: 1,
		warmup: time.Second, measure: 2 * time.Second, joinTimeout: time.Minute}
	res, err := measureServers(context.Background(), c, addon, strings.TrimSpace(string(npm)))
	require.NoError(t, err)
	assert.Empty(t, res.problems)
	for _, s := range c.stacks {
		f := res.values[s][4]
		assert.EqualValues(t, []float64{4}, f["joined"], s)
		assert.NotEmpty(t, f["frame_p99_ms"], s)
		assert.NotEmpty(t, f["cpu_pct"], s)
		assert.EqualValues(t, []float64{0}, f["events_c2s_lost"], s)
		assert.EqualValues(t, []float64{0}, f["events_s2c_lost"], s)
		assert.NotEmpty(t, f["events_s2c_received"], s)
	}
}
