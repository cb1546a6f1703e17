//go:build integration

package main

// Tests that run what ships for the targets no native Godot here can load:
// the arm64 libraries in Debian's arm64 Godot under qemu user-mode
// emulation; every library through tests/loader, which plays Godot's part at
// load and initialisation (32-bit Linux natively or under qemu, Windows under
// Wine); and the extension package's tests built for 32-bit x86, 32-bit Arm
// (under qemu) and Windows (under Wine), where struct layout, 64-bit atomics
// and the socket API differ from Linux x86_64. 32-bit x86 programs, Wine's
// included, run natively where the kernel runs them, else under qemu-i386
// (scripts/provision-i386.sh); each test says which.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// quitRunsUnderQemu is how many times the quit test runs the arm64 Godot
// (natively it is 100): each start costs seconds under emulation.
const quitRunsUnderQemu = 10

// extensionSkippedOffNative are the extension tests left out of the runs
// for other architectures and Windows: transfers through impaired links and
// a link cut, which take minutes of timers, exercise pion's SCTP more than
// anything that differs per target, and run natively with the race detector.
const extensionSkippedOffNative = "^(TestImpair|TestLinkCut)"

// extensionSkippedUnderQemu adds the test that needs pion's mDNS resolver
// running: qemu's user mode does not emulate joining a multicast group
// (MCAST_JOIN_GROUP), so the resolver never starts there ("no usable
// interfaces found for mDNS"); natively and under Wine it runs.
const extensionSkippedUnderQemu = "^(TestImpair|TestLinkCut|TestServerModeRunsNoMDNS$)"

// provisionI386 runs scripts/provision-i386.sh once per test binary: its
// probe briefly switches off a binfmt_misc entry, which must not happen
// while 32-bit programs (Wine's) are starting.
var provisionI386 = sync.OnceValues(func() (string, error) { return runProvisioning("provision-i386.sh") })

// how32BitX86Runs provisions what runs 32-bit x86 programs here and logs how
// they run: "native", or "qemu-i386" where the kernel refuses them.
func how32BitX86Runs(t *testing.T) string {
	t.Helper()
	how, err := provisionI386()
	require.NoError(t, err)
	t.Logf("32-bit x86 programs run: %s", how)
	return how
}

// skippedOn32BitX86 is what the extension tests built for 32-bit x86 leave out.
func skippedOn32BitX86(how string) string {
	if how == "native" {
		return extensionSkippedOffNative
	}
	return extensionSkippedUnderQemu
}

// provision runs scripts/NAME and returns what it printed on stdout.
func provision(t *testing.T, name string) string {
	t.Helper()
	start := time.Now()
	out, err := runProvisioning(name)
	require.NoError(t, err)
	if d := time.Since(start); d > 5*time.Second {
		t.Logf("scripts/%s took %v", name, d.Round(time.Second))
	}
	return out
}

// runProvisioning runs scripts/NAME and returns what it printed on stdout; its
// error carries what it printed on stderr.
func runProvisioning(name string) (string, error) {
	cmd := exec.Command(filepath.Join(repoRoot, "scripts", name))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("scripts/%s: %w: %s", name, err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}

// qemuBinary returns the provisioned qemu user-mode emulator for arch
// ("aarch64" or "arm").
func qemuBinary(t *testing.T, arch string) string {
	t.Helper()
	return filepath.Join(provision(t, "provision-qemu.sh"), "bin", "qemu-"+arch)
}

// inNamespaceFor is a command run inside the test namespace with extra
// environment variables, killed after timeout.
func inNamespaceFor(t *testing.T, timeout time.Duration, env []string, dir string, args ...string) *exec.Cmd {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", namespace}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Dir = dir
	return cmd
}

// arm64Project is project(t, name) with only the variant's arm64 library in
// its addon, under the tag linux.debug.arm64: Debian's Godot is an editor
// build, which loads the debug entry, and with no other arm64 library there
// it can load nothing else.
func arm64Project(t *testing.T, name, variant string) string {
	t.Helper()
	dir := project(t, name)
	addon := filepath.Join(dir, "addons", "webrtc_go")
	keep := "libwebrtc_go.linux.template_" + variant + ".arm64.so"
	files, err := os.ReadDir(filepath.Join(addon, "bin"))
	require.NoError(t, err)
	for _, f := range files {
		if f.Name() != keep {
			require.NoError(t, os.Remove(filepath.Join(addon, "bin", f.Name())))
		}
	}
	require.FileExists(t, filepath.Join(addon, "bin", keep))
	cfgPath := filepath.Join(addon, "webrtc_go.gdextension")
	cfg, err := os.ReadFile(cfgPath)
	require.NoError(t, err)
	entry := regexp.MustCompile(`(?m)^linux\.debug\.arm64 = .*$`)
	require.True(t, entry.Match(cfg), "no linux.debug.arm64 entry")
	cfg = entry.ReplaceAll(cfg, []byte(`linux.debug.arm64 = "res://addons/webrtc_go/bin/`+keep+`"`))
	require.NoError(t, os.WriteFile(cfgPath, cfg, 0o644))
	return dir
}

// TestArm64LibrariesInGodotUnderQemu runs the core, server-mode, multiplayer
// and quit suites in Debian sid's arm64 Godot under qemu-aarch64, once with
// the debug and once with the release library.
func TestArm64LibrariesInGodotUnderQemu(t *testing.T) {
	godot := "GODOT=" + filepath.Join(repoRoot, "scripts", "godot-arm64")
	provision(t, "provision-qemu.sh")
	provision(t, "provision-arm64-godot.sh")
	for _, variant := range []string{"debug", "release"} {
		t.Run(variant, func(t *testing.T) {
			core := arm64Project(t, "core", variant)
			t.Run("core", func(t *testing.T) {
				assertCoreOutput(t, runScript(t, core, "core_test.gd", 10*time.Minute, godot))
			})
			t.Run("server mode", func(t *testing.T) {
				runScript(t, core, "server_mode_test.gd", 10*time.Minute, godot)
			})
			t.Run("multiplayer", func(t *testing.T) {
				runScript(t, arm64Project(t, "multiplayer", variant), "multiplayer_test.gd", 10*time.Minute, godot)
			})
			t.Run("quit", func(t *testing.T) {
				assertQuitsCleanly(t, core, quitRunsUnderQemu, 3*time.Minute, godot)
			})
		})
	}
}

// loaderTarget builds tests/loader for one platform and architecture and
// says how to run it.
type loaderTarget struct {
	cc     string                                          // C compiler
	runner func(t *testing.T, loader, lib string) []string // the command line
}

var loaderTargets = map[string]loaderTarget{
	"linux.x86_64": {"gcc", func(t *testing.T, loader, lib string) []string { return []string{loader, lib} }},
	// The cross compiler's C library, run by its own dynamic loader,
	// natively or under qemu-i386.
	"linux.x86_32": {"i686-linux-gnu-gcc", func(t *testing.T, loader, lib string) []string {
		how32BitX86Runs(t)
		return []string{"/usr/i686-linux-gnu/lib/ld-linux.so.2", "--library-path", "/usr/i686-linux-gnu/lib", loader, lib}
	}},
	"linux.arm64": {"aarch64-linux-gnu-gcc", func(t *testing.T, loader, lib string) []string {
		return []string{qemuBinary(t, "aarch64"), "-L", "/usr/aarch64-linux-gnu", loader, lib}
	}},
	"linux.arm32": {"arm-linux-gnueabihf-gcc", func(t *testing.T, loader, lib string) []string {
		return []string{qemuBinary(t, "arm"), "-L", "/usr/arm-linux-gnueabihf", loader, lib}
	}},
	"windows.x86_64": {"x86_64-w64-mingw32-gcc", func(t *testing.T, loader, lib string) []string { return []string{"wine", loader, lib} }},
	"windows.x86_32": {"i686-w64-mingw32-gcc", func(t *testing.T, loader, lib string) []string { return []string{"wine", loader, lib} }},
}

// buildLoader compiles tests/loader with cc into dir (once) and returns the
// program.
func buildLoader(t *testing.T, cc, dir string) string {
	t.Helper()
	out := filepath.Join(dir, "loader-"+cc)
	var libs []string
	if strings.Contains(cc, "mingw") {
		out += ".exe"
	} else {
		libs = []string{"-ldl"}
	}
	if _, err := os.Stat(out); err == nil {
		return out
	}
	args := append([]string{"-std=c11", "-O1", "-Wall", "-Wextra", "-Werror", "-I", filepath.Join(repoRoot, "include"),
		"-o", out, filepath.Join(repoRoot, "tests", "loader", "loader.c")}, libs...)
	msg, err := exec.Command(cc, args...).CombinedOutput()
	require.NoError(t, err, "%s: %s", cc, msg)
	return out
}

var loaderClassLine = regexp.MustCompile(`(?m)^CLASS .*$`)

// runLoader loads each library of platform through tests/loader and checks
// that it initialised and deinitialised as in Godot: every class registered
// with the same methods and signals as the reference output (the native
// library's), WebRTCGoPeerConnection made the default, the editor help
// loaded, every class unregistered, no error printed, no fault seen.
func runLoader(t *testing.T, platform string, env []string, reference string) {
	t.Helper()
	dir := t.TempDir()
	for _, tag := range sortedTags(t, platform+".") {
		lib := libraries(t)[tag]
		arch := tag[strings.LastIndex(tag, ".")+1:]
		target, ok := loaderTargets[platform+"."+arch]
		require.True(t, ok, "no loader for %s", tag)
		t.Run(tag, func(t *testing.T) {
			loader := buildLoader(t, target.cc, dir)
			cmd := inNamespaceFor(t, 2*time.Minute, env, dir, target.runner(t, loader, lib)...)
			start := time.Now()
			raw, err := cmd.CombinedOutput()
			out := strings.ReplaceAll(string(raw), "\r\n", "\n") // Windows programs end lines with CR LF
			t.Logf("%s (%v):\n%s", tag, time.Since(start).Round(time.Millisecond), out)
			require.NoError(t, err, "the loader failed")
			checkLoaderOutput(t, out)
			if reference != "" {
				assert.Equal(t, loaderClassLine.FindAllString(reference, -1), loaderClassLine.FindAllString(out, -1),
					"classes, methods and signals as the native library registers them")
			}
		})
	}
}

func checkLoaderOutput(t *testing.T, out string) {
	t.Helper()
	assert.Contains(t, out, "LOADER DONE 0 faults")
	assert.NotContains(t, out, "LOADER FAIL")
	assert.Regexp(t, `(?m)^CLASS WebRTCGoDataChannel WebRTCDataChannelExtension \d+ \d+$`, out)
	assert.Regexp(t, `(?m)^CLASS WebRTCGoPeerConnection WebRTCPeerConnectionExtension \d+ \d+$`, out)
	assert.Regexp(t, `(?m)^CLASS WebRTCGoAudioTrack RefCounted \d+ 0$`, out)
	assert.Contains(t, out, "DEFAULT_EXTENSION WebRTCGoPeerConnection\n")
	assert.Regexp(t, `(?m)^EDITOR_HELP [1-9]\d*$`, out)
	assert.Contains(t, out, "UNREGISTERED WebRTCGoPeerConnection\n")
	assert.Contains(t, out, "UNREGISTERED WebRTCGoDataChannel\n")
	assert.Contains(t, out, "UNREGISTERED WebRTCGoAudioTrack\n")
	assert.NotContains(t, out, "ERROR:")
	assert.NotContains(t, out, "WARNING:")
	assertNoCrash(t, out)
}

// sortedTags returns the feature tags of the built libraries that start with prefix.
func sortedTags(t *testing.T, prefix string) []string {
	t.Helper()
	var tags []string
	for tag := range libraries(t) {
		if strings.HasPrefix(tag, prefix) {
			tags = append(tags, tag)
		}
	}
	slices.Sort(tags)
	require.NotEmpty(t, tags, "no %s* library built", prefix)
	return tags
}

// nativeLoaderOutput is the loader's output for the Linux x86_64 debug
// library, the reference for the others.
func nativeLoaderOutput(t *testing.T) string {
	t.Helper()
	loader := buildLoader(t, "gcc", t.TempDir())
	out, err := exec.Command(loader, libraries(t)["linux.debug.x86_64"]).CombinedOutput()
	require.NoError(t, err, "%s", out)
	checkLoaderOutput(t, string(out))
	return string(out)
}

// TestLinuxLibrariesInitialiseWithoutGodot loads every Linux library through
// tests/loader: x86_64 natively, x86_32 natively or under qemu-i386 (with
// the cross compiler's glibc), arm64 and arm32 under qemu with the cross
// compilers'.
func TestLinuxLibrariesInitialiseWithoutGodot(t *testing.T) {
	runLoader(t, "linux", nil, nativeLoaderOutput(t))
}

// TestArm32LibrariesAreArmv7HardFloat: Godot's arm32 builds are ARMv7 with
// floating-point arguments in VFP registers (armhf); a soft-float library
// would load and then pass every float wrong.
func TestArm32LibrariesAreArmv7HardFloat(t *testing.T) {
	for _, tag := range sortedTags(t, "linux.") {
		if !strings.HasSuffix(tag, ".arm32") {
			continue
		}
		out, err := exec.Command("readelf", "-A", libraries(t)[tag]).Output()
		require.NoError(t, err)
		assert.Regexp(t, `Tag_CPU_arch: v7\b`, string(out), tag)
		assert.Contains(t, string(out), "Tag_ABI_VFP_args: VFP registers", tag)
	}
}

// TestWindowsLibrariesNeedOnlySystemDLLs checks each DLL's architecture and
// that it imports from nothing but KERNEL32 and the C runtime every Windows
// has.
func TestWindowsLibrariesNeedOnlySystemDLLs(t *testing.T) {
	formats := map[string]string{"x86_64": "pei-x86-64", "x86_32": "pei-i386"}
	for _, tag := range sortedTags(t, "windows.") {
		arch := tag[strings.LastIndex(tag, ".")+1:]
		out, err := exec.Command("x86_64-w64-mingw32-objdump", "-p", libraries(t)[tag]).Output()
		require.NoError(t, err)
		require.NotEmpty(t, formats[arch], "no PE format known for %s", arch)
		assert.Contains(t, string(out), "file format "+formats[arch], tag)
		var imports []string
		for _, m := range regexp.MustCompile(`DLL Name: (\S+)`).FindAllStringSubmatch(string(out), -1) {
			imports = append(imports, m[1])
		}
		assert.ElementsMatch(t, []string{"KERNEL32.dll", "msvcrt.dll"}, imports, "%s imports", tag)
	}
}

// wineEnv makes a fresh Wine prefix for one test (inside the test
// namespace, where its wineserver then runs, so that the sockets it opens
// for Windows programs are the namespace's) and returns the environment
// that selects it. The prefix gets the ProcessPrng stand-in of
// tests/loader/processprng.c: Go's runtime needs that function, which
// bookworm's Wine 8 lacks.
func wineEnv(t *testing.T) []string {
	t.Helper()
	provision(t, "provision-wine.sh")
	how32BitX86Runs(t) // Wine's loader is a 32-bit program
	prefix := filepath.Join(t.TempDir(), "prefix")
	env := []string{"WINEPREFIX=" + prefix, "WINEDEBUG=-all", "DISPLAY=",
		"WINEDLLOVERRIDES=mscoree,mshtml="} // no Mono or Gecko installer
	start := time.Now()
	out, err := inNamespaceFor(t, 5*time.Minute, env, "", "wine", "wineboot", "--init").CombinedOutput()
	require.NoError(t, err, "wineboot: %s", out)
	t.Cleanup(func() { inNamespaceFor(t, time.Minute, env, "", "wineserver", "-k").Run() })
	t.Logf("Wine prefix made in %v", time.Since(start).Round(100*time.Millisecond))
	for cc, system := range map[string]string{"x86_64-w64-mingw32-gcc": "system32", "i686-w64-mingw32-gcc": "syswow64"} {
		dll := filepath.Join(prefix, "drive_c", "windows", system, "bcryptprimitives.dll")
		msg, err := exec.Command(cc, "-shared", "-O1", "-Wall", "-Werror", "-o", dll,
			filepath.Join(repoRoot, "tests", "loader", "processprng.c"), "-ladvapi32", "-Wl,--kill-at").CombinedOutput()
		require.NoError(t, err, "%s: %s", cc, msg)
	}
	return env
}

// TestWindowsUnderWine loads each Windows library through tests/loader and
// runs the extension package's tests as Windows programs, both under
// Debian's Wine, for x86_64 and x86_32. No Windows Godot exists here.
func TestWindowsUnderWine(t *testing.T) {
	reference := nativeLoaderOutput(t)
	env := wineEnv(t)
	t.Run("loader", func(t *testing.T) { runLoader(t, "windows", env, reference) })
	overlay := wineUDPOverlay(t)
	t.Run("extension/amd64", func(t *testing.T) {
		runExtensionTests(t, []string{"GOOS=windows", "GOARCH=amd64"}, []string{"-overlay", overlay}, []string{"wine"}, env, extensionSkippedOffNative)
	})
	t.Run("extension/386", func(t *testing.T) {
		runExtensionTests(t, []string{"GOOS=windows", "GOARCH=386"}, []string{"-overlay", overlay}, []string{"wine"}, env, skippedOn32BitX86(how32BitX86Runs(t)))
	})
}

// wineUDPOverlay returns a go build -overlay file that replaces the installed
// Go's net/fd_windows.go with a copy that ignores WSAEOPNOTSUPP (10045) from
// the SIO_UDP_NETRESET ioctl Go applies to every UDP socket: Wine 8 does not
// implement that ioctl, so without this no UDP socket opens under Wine. For
// these test binaries only; the shipped DLLs use the standard library as is.
func wineUDPOverlay(t *testing.T) string {
	t.Helper()
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	require.NoError(t, err)
	original := filepath.Join(strings.TrimSpace(string(goroot)), "src", "net", "fd_windows.go")
	src, err := os.ReadFile(original)
	require.NoError(t, err)
	check := regexp.MustCompile(`(windows\.SIO_UDP_NETRESET[^\n]*\n\s*if err != nil) \{`)
	require.Len(t, check.FindAll(src, -1), 1, "%s changed: find where it sets SIO_UDP_NETRESET", original)
	patched := check.ReplaceAll(src, []byte(`$1 && err != syscall.Errno(10045) {`))
	dir := t.TempDir()
	copyPath := filepath.Join(dir, "fd_windows.go")
	require.NoError(t, os.WriteFile(copyPath, patched, 0o644))
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": {original: copyPath}})
	require.NoError(t, err)
	path := filepath.Join(dir, "overlay.json")
	require.NoError(t, os.WriteFile(path, overlay, 0o644))
	return path
}

// runExtensionTests builds the extension package's tests with goEnv (GOOS,
// GOARCH...) and buildFlags, and runs them (but those skip matches) inside
// the test namespace through runner (qemu, Wine, or nothing).
func runExtensionTests(t *testing.T, goEnv, buildFlags, runner, env []string, skip string) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "extension.test")
	build := exec.Command("go", append(append([]string{"test", "-c", "-o", bin}, buildFlags...), "./extension")...)
	build.Env = append(append(os.Environ(), "CGO_ENABLED=0"), goEnv...)
	start := time.Now()
	out, err := build.CombinedOutput()
	require.NoError(t, err, "building the extension tests (%v): %s", goEnv, out)
	built := time.Since(start)
	args := append(append(runner, bin), "-test.v", "-test.timeout", "9m", "-test.skip", skip)
	start = time.Now()
	out, err = inNamespaceFor(t, 10*time.Minute, env, filepath.Join(repoRoot, "extension"), args...).CombinedOutput()
	passed := regexp.MustCompile(`(?m)^--- PASS: `).FindAll(out, -1)
	failed := regexp.MustCompile(`(?m)^\s*--- FAIL: .*$`).FindAll(out, -1)
	t.Logf("%v: built in %v, %d tests passed in %v, %d failed %s", goEnv, built.Round(time.Second),
		len(passed), time.Since(start).Round(time.Second), len(failed), bytes.Join(failed, []byte("; ")))
	if err != nil {
		t.Logf("output:\n%s", out)
	}
	require.NoError(t, err, "the extension tests failed (%v)", goEnv)
	assert.Regexp(t, `(?m)^PASS$`, string(out))
	assert.GreaterOrEqual(t, len(passed), 40, "the extension tests that ran")
}

// TestExtensionOn32BitX86 runs the extension package's tests built for
// GOARCH=386, natively or under qemu-i386: 4-byte alignment of 64-bit fields
// shows there.
func TestExtensionOn32BitX86(t *testing.T) {
	runExtensionTests(t, []string{"GOARCH=386"}, nil, nil, nil, skippedOn32BitX86(how32BitX86Runs(t)))
}

// TestExtensionOn32BitArmUnderQemu runs the extension package's tests built
// for GOARCH=arm GOARM=7 (armhf, Godot's arm32) under qemu-arm.
func TestExtensionOn32BitArmUnderQemu(t *testing.T) {
	runExtensionTests(t, []string{"GOARCH=arm", "GOARM=7"}, nil, []string{qemuBinary(t, "arm")}, nil, extensionSkippedUnderQemu)
}
