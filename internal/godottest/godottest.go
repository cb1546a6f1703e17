// Package godottest runs headless Godot with the built addon, for the
// integration tests and the benchmark suite: it makes a project with the
// addon installed, starts Godot (through the repository's scripts/godot,
// optionally inside a network namespace) and always with a timeout, and reads
// what the GDScript test harness prints.
package godottest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// extensionList is what a -s run needs to load the addon: Godot loads
// extensions only when .godot/extension_list.cfg lists them, and running the
// importer to write it crashes once our classes are registered.
const extensionList = "res://addons/webrtc_go/webrtc_go.gdextension\n"

// NewProject makes a Godot project in dir: the addon folder copied into
// addons/webrtc_go as a user would install it, the extension listed in
// .godot/extension_list.cfg, then each source: a folder's contents, or a
// single file, copied into the project's root. A project.godot is written if
// no source brought one.
func NewProject(dir, addon string, sources ...string) error {
	if _, err := os.Stat(filepath.Join(addon, "webrtc_go.gdextension")); err != nil {
		return fmt.Errorf("no built addon in %s (run ./build.sh): %w", addon, err)
	}
	if err := os.CopyFS(filepath.Join(dir, "addons", "webrtc_go"), os.DirFS(addon)); err != nil {
		return fmt.Errorf("installing the addon: %w", err)
	}
	for _, src := range sources {
		if err := copyInto(dir, src); err != nil {
			return err
		}
	}
	if err := writeFile(filepath.Join(dir, ".godot", "extension_list.cfg"), extensionList); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, "project.godot")); errors.Is(err, os.ErrNotExist) {
		name := "webrtc-go-" + filepath.Base(dir)
		return writeFile(filepath.Join(dir, "project.godot"), "config_version=5\n\n[application]\nconfig/name=\""+name+"\"\n")
	}
	return nil
}

func copyInto(dir, src string) error {
	info, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("project source: %w", err)
	}
	if info.IsDir() {
		if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
			return fmt.Errorf("copying %s: %w", src, err)
		}
		return nil
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("project source: %w", err)
	}
	return writeFile(filepath.Join(dir, filepath.Base(src)), string(data))
}

func writeFile(path, text string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(text), 0o644)
}

// Godot starts headless Godot through the repository's scripts/godot, which
// runs $GODOT if set, else the provisioned one.
type Godot struct {
	Script    string // path of scripts/godot
	Namespace string // network namespace to run in; empty for none
}

// Command is Godot with args (the caller adds --headless and --path),
// killed when ctx ends.
func (g Godot) Command(ctx context.Context, args ...string) *exec.Cmd {
	if g.Namespace == "" {
		return exec.CommandContext(ctx, g.Script, args...)
	}
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", g.Namespace, g.Script}, args...)...)
}

// Result is one finished Godot process.
type Result struct {
	Output   string // stdout and stderr, interleaved
	ExitCode int
	Elapsed  time.Duration
	TimedOut bool
}

// Run runs headless Godot on the project dir with args and the extra
// environment env, killing it after timeout: a script error can leave Godot
// running forever. The error is only for a process that could not start.
func (g Godot) Run(dir string, timeout time.Duration, env []string, args ...string) (Result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := g.Command(ctx, append([]string{"--headless", "--path", dir}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// Output pipes held open by something Godot started must not keep Run
	// waiting past the timeout.
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	err := cmd.Run()
	r := Result{Output: out.String(), Elapsed: time.Since(start), TimedOut: ctx.Err() != nil}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		r.ExitCode = exitErr.ExitCode()
	case err != nil && !r.TimedOut:
		return r, fmt.Errorf("running Godot: %w", err)
	}
	return r, nil
}

var summaryLine = regexp.MustCompile(`(?m)^SUMMARY: (\d+) passed, (\d+) failed\r?$`)

// Summary reads the last line of tests/projects/common/harness.gd,
// "SUMMARY: <passed> passed, <failed> failed"; ok is false without one.
func Summary(out string) (passed, failed int, ok bool) {
	all := summaryLine.FindAllStringSubmatch(out, -1)
	if len(all) == 0 {
		return 0, 0, false
	}
	m := all[len(all)-1]
	passed, _ = strconv.Atoi(m[1])
	failed, _ = strconv.Atoi(m[2])
	return passed, failed, true
}

// crashMarkers are what Godot, the Go runtime or GDScript print when
// something went wrong that no check would report by itself.
var crashMarkers = []string{"Program crashed", "handle_crash", "SIGSEGV", "panic:", "fatal error:", "SCRIPT ERROR"}

// Crashes returns, for each crash marker found in out, the output from there
// (at most 300 bytes).
func Crashes(out string) []string {
	var found []string
	for _, m := range crashMarkers {
		if i := strings.Index(out, m); i >= 0 {
			found = append(found, out[i:min(len(out), i+300)])
		}
	}
	return found
}
