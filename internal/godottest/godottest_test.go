package godottest

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func write(t *testing.T, path, text string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

func TestNewProjectInstallsTheAddonAndCopiesSources(t *testing.T) {
	src := t.TempDir()
	addon := filepath.Join(src, "addon")
	write(t, filepath.Join(addon, "webrtc_go.gdextension"), "[configuration]\n")
	write(t, filepath.Join(addon, "bin", "lib.so"), "ELF")
	write(t, filepath.Join(src, "common", "harness.gd"), "extends SceneTree\n")
	write(t, filepath.Join(src, "suite", "sub", "x_test.gd"), "# x\n")
	write(t, filepath.Join(src, "client.gd"), "# client\n")

	dir := filepath.Join(t.TempDir(), "core")
	require.NoError(t, NewProject(dir, addon, filepath.Join(src, "common"), filepath.Join(src, "suite"), filepath.Join(src, "client.gd")))
	assert.Equal(t, "[configuration]\n", read(t, filepath.Join(dir, "addons", "webrtc_go", "webrtc_go.gdextension")))
	assert.Equal(t, "ELF", read(t, filepath.Join(dir, "addons", "webrtc_go", "bin", "lib.so")))
	assert.Equal(t, "res://addons/webrtc_go/webrtc_go.gdextension\n", read(t, filepath.Join(dir, ".godot", "extension_list.cfg")))
	assert.Equal(t, "extends SceneTree\n", read(t, filepath.Join(dir, "harness.gd")), "a folder's contents land in the root")
	assert.Equal(t, "# x\n", read(t, filepath.Join(dir, "sub", "x_test.gd")))
	assert.Equal(t, "# client\n", read(t, filepath.Join(dir, "client.gd")), "a file lands in the root")
	assert.Contains(t, read(t, filepath.Join(dir, "project.godot")), `config/name="webrtc-go-core"`)
}

func TestNewProjectKeepsAProjectFileFromItsSources(t *testing.T) {
	src := t.TempDir()
	write(t, filepath.Join(src, "addon", "webrtc_go.gdextension"), "")
	write(t, filepath.Join(src, "demo", "project.godot"), "ours\n")
	dir := filepath.Join(t.TempDir(), "demo")
	require.NoError(t, NewProject(dir, filepath.Join(src, "addon"), filepath.Join(src, "demo")))
	assert.Equal(t, "ours\n", read(t, filepath.Join(dir, "project.godot")))
}

func TestNewProjectRefusesAFolderWithoutTheAddon(t *testing.T) {
	err := NewProject(filepath.Join(t.TempDir(), "p"), t.TempDir())
	assert.ErrorContains(t, err, "no built addon")
	src := t.TempDir()
	write(t, filepath.Join(src, "webrtc_go.gdextension"), "")
	assert.ErrorContains(t, NewProject(filepath.Join(t.TempDir(), "p"), src, filepath.Join(src, "missing")), "project source")
}

func TestSummaryReadsTheHarnessLine(t *testing.T) {
	passed, failed, ok := Summary("RUN test_a\nPASS test_a\nSUMMARY: 7 passed, 2 failed\n")
	assert.True(t, ok)
	assert.Equal(t, 7, passed)
	assert.Equal(t, 2, failed)
	_, _, ok = Summary("RUN test_a\n  CHECK FAILED in test_a: SUMMARY: 1 passed, 0 failed was printed\n")
	assert.False(t, ok, "only a line of its own counts")
	_, _, ok = Summary("")
	assert.False(t, ok)
}

func TestCrashesFindsEveryMarker(t *testing.T) {
	assert.Empty(t, Crashes("Godot Engine v4.6\nSUMMARY: 1 passed, 0 failed\n"))
	found := Crashes("ok\npanic: boom\ngoroutine 1\nSCRIPT ERROR: Parse Error\n")
	require.Len(t, found, 2)
	assert.Contains(t, found[0], "panic: boom")
	assert.Contains(t, found[1], "SCRIPT ERROR: Parse Error")
}

// fakeGodot writes a shell script that stands in for scripts/godot.
func fakeGodot(t *testing.T, body string) Godot {
	t.Helper()
	path := filepath.Join(t.TempDir(), "godot")
	require.NoError(t, os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755))
	return Godot{Script: path}
}

func TestRunPassesArgumentsAndEnvironmentAndReportsTheExitCode(t *testing.T) {
	g := fakeGodot(t, `echo "args: $*"; echo "env: $SUITE" >&2; exit 3`)
	r, err := g.Run("/tmp/project", 30*time.Second, []string{"SUITE=core"}, "-s", "res://x.gd")
	require.NoError(t, err)
	assert.Equal(t, "args: --headless --path /tmp/project -s res://x.gd\nenv: core\n", r.Output)
	assert.Equal(t, 3, r.ExitCode)
	assert.False(t, r.TimedOut)
}

func TestRunKillsGodotAtTheTimeout(t *testing.T) {
	g := fakeGodot(t, `echo started; exec sleep 60`)
	start := time.Now()
	r, err := g.Run(t.TempDir(), 300*time.Millisecond, nil)
	require.NoError(t, err)
	assert.True(t, r.TimedOut)
	assert.Equal(t, "started\n", r.Output)
	assert.Less(t, time.Since(start), 30*time.Second)
}

func TestRunReportsAGodotThatCannotStart(t *testing.T) {
	_, err := Godot{Script: filepath.Join(t.TempDir(), "none")}.Run(t.TempDir(), 10*time.Second, nil)
	assert.Error(t, err)
}
