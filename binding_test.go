package main

// Integration tests: build the library, load it into headless Godot, and run
// the GDScript test projects in tests/projects. Every Godot process runs
// inside a network namespace made for the test run, so WebRTC traffic stays
// on addresses the test owns. Needs root (namespaces, and the chroot that runs
// Debian's Godot); without Godot these tests fail, never skip.

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/internal/netns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	repoRoot  string
	addonDir  string // the built addon folder (dist/addons/webrtc_go)
	namespace string // the namespace every Godot process runs in
)

func TestMain(m *testing.M) {
	code, err := setUp(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration setup failed:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func setUp(m *testing.M) (int, error) {
	wd, err := os.Getwd()
	if err != nil {
		return 0, err
	}
	repoRoot = wd
	addonDir = os.Getenv("WEBRTC_GO_ADDON")
	if addonDir == "" {
		dist, err := os.MkdirTemp("", "webrtc-go-dist-")
		if err != nil {
			return 0, err
		}
		defer os.RemoveAll(dist)
		cmd := exec.Command("./build.sh", "--all")
		cmd.Env = append(os.Environ(), "DIST="+dist)
		if out, err := cmd.CombinedOutput(); err != nil {
			return 0, fmt.Errorf("./build.sh: %v\n%s", err, out)
		}
		addonDir = filepath.Join(dist, "addons", "webrtc_go")
	}
	if os.Getenv("GODOT") == "" {
		if out, err := exec.Command(filepath.Join(repoRoot, "scripts", "provision-godot.sh")).CombinedOutput(); err != nil {
			return 0, fmt.Errorf("provisioning Godot: %v\n%s", err, out)
		}
	}
	namespace = fmt.Sprintf("webrtc-go-%d", os.Getpid())
	if err := netns.Create(namespace); err != nil {
		return 0, fmt.Errorf("making network namespace %s (needs root): %w", namespace, err)
	}
	defer netns.Delete(namespace)
	code := m.Run()
	if path := os.Getenv("INTEROP_TABLE"); path != "" {
		if err := writeInteropTable(path); err != nil {
			fmt.Fprintln(os.Stderr, "writing the interop table:", err)
		}
	}
	return code, nil
}

// godotCommand runs scripts/godot (which honours $GODOT) inside the namespace.
func godotCommand(ctx context.Context, args ...string) *exec.Cmd {
	full := append([]string{"netns", "exec", namespace, filepath.Join(repoRoot, "scripts", "godot")}, args...)
	return exec.CommandContext(ctx, "ip", full...)
}

// addonDir is the output of ./build.sh --all (every platform and the zip).

// project is a Godot project made for one test: the addon installed as a user
// would (copied into addons/), the extension listed in .godot/extension_list.cfg,
// and the GDScript files of tests/projects/common and of the named folder.
func project(t *testing.T, name string) string {
	t.Helper()
	return projectFrom(t, name, "tests/projects/common", "tests/projects/"+name)
}

// projectFrom makes a project from the given folders of the repository.
func projectFrom(t *testing.T, name string, sources ...string) string {
	t.Helper()
	// Under /tmp: the Godot chroot shares /tmp with the host.
	dir, err := os.MkdirTemp("/tmp", "webrtc-go-"+name+"-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.CopyFS(filepath.Join(dir, "addons", "webrtc_go"), os.DirFS(addonDir)))
	for _, src := range sources {
		require.NoError(t, os.CopyFS(dir, os.DirFS(filepath.Join(repoRoot, src))))
	}
	require.NoError(t, os.MkdirAll(filepath.Join(dir, ".godot"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".godot", "extension_list.cfg"),
		[]byte("res://addons/webrtc_go/webrtc_go.gdextension\n"), 0o644))
	if _, err := os.Stat(filepath.Join(dir, "project.godot")); err != nil {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "project.godot"),
			[]byte("config_version=5\n\n[application]\nconfig/name=\"webrtc-go-"+name+"\"\n"), 0o644))
	}
	return dir
}

// run is one finished Godot process.
type run struct {
	out      string // stdout and stderr, interleaved
	exitCode int
	elapsed  time.Duration
	timedOut bool
}

// runGodot runs headless Godot on dir with args, killing it after timeout
// (a script error can leave Godot running forever).
func runGodot(t *testing.T, dir string, timeout time.Duration, env []string, args ...string) run {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := godotCommand(ctx, append([]string{"--headless", "--path", dir}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	start := time.Now()
	err := cmd.Run()
	r := run{out: buf.String(), elapsed: time.Since(start), timedOut: ctx.Err() != nil}
	if exitErr, ok := err.(*exec.ExitError); ok {
		r.exitCode = exitErr.ExitCode()
	} else if err != nil {
		t.Fatalf("starting Godot: %v", err)
	}
	return r
}

var summaryLine = regexp.MustCompile(`(?m)^SUMMARY: (\d+) passed, (\d+) failed$`)

// runScript runs a GDScript test (built on harness.gd) and requires that it
// finished by itself with every test passing; it returns the output.
func runScript(t *testing.T, dir, script string, timeout time.Duration, env ...string) string {
	t.Helper()
	r := runGodot(t, dir, timeout, env, "-s", "res://"+script)
	logOutput(t, r.out)
	require.False(t, r.timedOut, "Godot did not finish %s within %v", script, timeout)
	m := summaryLine.FindStringSubmatch(r.out)
	require.NotNil(t, m, "no SUMMARY line from %s (exit %d)", script, r.exitCode)
	passed, _ := strconv.Atoi(m[1])
	failed, _ := strconv.Atoi(m[2])
	assert.Zero(t, failed, "GDScript tests failed in %s", script)
	assert.Positive(t, passed)
	assert.Equal(t, 0, r.exitCode, "exit code")
	assertNoCrash(t, r.out)
	return r.out
}

func assertNoCrash(t *testing.T, out string) {
	t.Helper()
	for _, bad := range []string{"Program crashed", "handle_crash", "SIGSEGV", "panic:", "fatal error:", "SCRIPT ERROR"} {
		if i := strings.Index(out, bad); i >= 0 {
			t.Errorf("Godot's output has %q: %s", bad, out[i:min(len(out), i+300)])
		}
	}
}

func logOutput(t *testing.T, out string) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, len(out)+1) // a line may be long (hostile_test.gd passes 1 MiB arguments)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "FAIL") || strings.Contains(line, "CHECK FAILED") || strings.Contains(line, "ERROR") || strings.HasPrefix(line, "SUMMARY") {
			t.Log(line)
		}
	}
}

// libraries returns the [libraries] entries of the built .gdextension:
// feature tag -> path on disk.
func libraries(t *testing.T) map[string]string {
	t.Helper()
	cfg, err := os.ReadFile(filepath.Join(addonDir, "webrtc_go.gdextension"))
	require.NoError(t, err)
	libs := map[string]string{}
	section := ""
	for _, line := range strings.Split(string(cfg), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			section = line
			continue
		}
		if tag, val, ok := strings.Cut(line, " = "); ok && section == "[libraries]" {
			rel := strings.TrimPrefix(strings.Trim(val, `"`), "res://addons/webrtc_go/")
			libs[tag] = filepath.Join(addonDir, rel)
		}
	}
	return libs
}

func TestAddonLayout(t *testing.T) {
	cfg, err := os.ReadFile(filepath.Join(addonDir, "webrtc_go.gdextension"))
	require.NoError(t, err)
	assert.Contains(t, string(cfg), `entry_symbol = "webrtc_go_init"`)
	assert.Contains(t, string(cfg), `compatibility_minimum = "4.5"`)
	assert.Contains(t, string(cfg), `reloadable = false`)
	want := []string{"linux.debug.x86_64", "linux.release.x86_64", "linux.debug.arm64", "linux.release.arm64",
		"windows.debug.x86_64", "windows.release.x86_64"}
	libs := libraries(t)
	for _, tag := range want {
		require.Contains(t, libs, tag)
		assert.FileExists(t, libs[tag])
	}
	assert.Len(t, libs, len(want), "no library listed that was not built")
	assert.FileExists(t, filepath.Join(addonDir, "LICENSE"))
}

func TestOnlyTheEntrySymbolIsExported(t *testing.T) {
	for tag, lib := range libraries(t) {
		if strings.HasPrefix(tag, "windows.") {
			out, err := exec.Command("x86_64-w64-mingw32-objdump", "-p", lib).Output()
			require.NoError(t, err)
			table := regexp.MustCompile(`(?s)\[Ordinal/Name Pointer\] Table\n(.*?)\n\n`).FindSubmatch(out)
			require.NotNil(t, table, "%s has no export table", tag)
			assert.Equal(t, "[   0] webrtc_go_init", strings.TrimSpace(string(table[1])), "%s exports", tag)
			continue
		}
		out, err := exec.Command("nm", "-D", "--defined-only", lib).Output()
		require.NoError(t, err)
		var names []string
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(line)
			names = append(names, f[len(f)-1])
		}
		assert.Equal(t, []string{"webrtc_go_init"}, names, "%s exports", tag)
		dyn, err := exec.Command("readelf", "-d", lib).Output()
		require.NoError(t, err)
		assert.Contains(t, string(dyn), "NODELETE", "%s must never be unloaded", tag)
	}
}

// TestLinuxLibrariesRunWhereGodotDoes checks the glibc symbol versions the
// Linux libraries need against scripts/glibc-max (one line per architecture;
// the figures must not grow), that they need nothing but glibc (no
// libstdc++), and their architecture.
func TestLinuxLibrariesRunWhereGodotDoes(t *testing.T) {
	limits, err := os.ReadFile(filepath.Join(repoRoot, "scripts", "glibc-max"))
	require.NoError(t, err)
	maxAllowed := map[string]string{} // architecture -> version
	for _, line := range strings.Split(strings.TrimSpace(string(limits)), "\n") {
		if f := strings.Fields(line); len(f) == 2 && !strings.HasPrefix(line, "#") {
			maxAllowed[f[0]] = f[1]
		}
	}
	versionRe := regexp.MustCompile(`GLIBC_([0-9.]+)`)
	for tag, lib := range libraries(t) {
		if !strings.HasPrefix(tag, "linux.") {
			continue
		}
		arch := tag[strings.LastIndex(tag, ".")+1:]
		out, err := exec.Command("readelf", "-W", "--dyn-syms", lib).Output()
		require.NoError(t, err)
		highest := "0"
		for _, m := range versionRe.FindAllStringSubmatch(string(out), -1) {
			if versionLess(highest, m[1]) {
				highest = m[1]
			}
		}
		t.Logf("%s needs GLIBC_%s", tag, highest)
		limit, ok := maxAllowed[arch]
		require.True(t, ok, "scripts/glibc-max has no line for %s", arch)
		assert.False(t, versionLess(limit, highest), "%s needs GLIBC_%s, more than scripts/glibc-max (%s)", tag, highest, limit)
		dyn, err := exec.Command("readelf", "-d", lib).Output()
		require.NoError(t, err)
		var needed []string
		for _, m := range regexp.MustCompile(`\(NEEDED\).*\[(.*)\]`).FindAllStringSubmatch(string(dyn), -1) {
			needed = append(needed, m[1])
		}
		assert.ElementsMatch(t, []string{"libc.so.6", "libpthread.so.0"}, needed, "%s must need only glibc (no libstdc++)", tag)
		hdr, err := exec.Command("readelf", "-h", lib).Output()
		require.NoError(t, err)
		machine := map[string]string{"x86_64": "X86-64", "arm64": "AArch64"}[arch]
		assert.Regexp(t, `Machine:\s+.*`+machine, string(hdr), tag)
	}
}

// TestLinuxLibraryLoadsOnOlderGlibc loads the x86_64 libraries in a Debian
// bullseye root (glibc 2.31, where the pthread functions still live in
// libpthread), binding every symbol at load time, and lets the Go runtime
// start its threads. A library linked against the build machine's default
// symbol versions fails here with "version `GLIBC_2.34' not found".
func TestLinuxLibraryLoadsOnOlderGlibc(t *testing.T) {
	out, err := exec.Command(filepath.Join(repoRoot, "scripts", "provision-oldglibc.sh")).CombinedOutput()
	require.NoError(t, err, "provisioning the bullseye root: %s", out)
	oldRoot := os.Getenv("OLDGLIBC_ROOT")
	if oldRoot == "" {
		oldRoot = "/var/cache/godot-webrtc-go/bullseye"
	}
	glibc, err := exec.Command("chroot", oldRoot, "ldd", "--version").Output()
	require.NoError(t, err)
	require.Contains(t, string(glibc), "2.31", "the old root must have glibc 2.31")
	const loader = `use DynaLoader;
my $h = DynaLoader::dl_load_file($ARGV[0], 0) or die DynaLoader::dl_error();
DynaLoader::dl_find_symbol($h, "webrtc_go_init") or die "no entry symbol";
select(undef, undef, undef, 0.5); # let the Go runtime's threads run
print "loaded\n";`
	for tag, lib := range libraries(t) {
		if !strings.HasPrefix(tag, "linux.") || !strings.HasSuffix(tag, ".x86_64") {
			continue
		}
		dir, err := os.MkdirTemp(filepath.Join(oldRoot, "tmp"), "lib")
		require.NoError(t, err)
		defer os.RemoveAll(dir)
		data, err := os.ReadFile(lib)
		require.NoError(t, err)
		inRoot := filepath.Join(dir, filepath.Base(lib))
		require.NoError(t, os.WriteFile(inRoot, data, 0o755))
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		out, err := exec.CommandContext(ctx, "chroot", oldRoot, "env", "LD_BIND_NOW=1", "perl", "-e", loader,
			strings.TrimPrefix(inRoot, oldRoot)).CombinedOutput()
		cancel()
		assert.NoError(t, err, "%s on glibc 2.31: %s", tag, out)
		assert.Equal(t, "loaded\n", string(out), tag)
	}
}

// versionLess compares dotted version numbers.
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}

func TestAssetLibraryZip(t *testing.T) {
	version, err := os.ReadFile(filepath.Join(repoRoot, "VERSION"))
	require.NoError(t, err)
	zipPath := filepath.Join(filepath.Dir(filepath.Dir(addonDir)), "webrtc_go-"+strings.TrimSpace(string(version))+".zip")
	zr, err := zip.OpenReader(zipPath)
	require.NoError(t, err)
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	for _, want := range []string{"addons/webrtc_go/webrtc_go.gdextension", "addons/webrtc_go/LICENSE", "LICENSE", "README.md"} {
		assert.Contains(t, names, want)
	}
	for _, lib := range libraries(t) {
		rel, _ := filepath.Rel(filepath.Dir(filepath.Dir(addonDir)), lib)
		assert.Contains(t, names, filepath.ToSlash(rel))
	}
}

var (
	dumpOnce sync.Once
	dumpDir  string
	dumpErr  error
)

// godotDump returns a folder with gdextension_interface.h and
// extension_api.json dumped by the Godot under test.
func godotDump(t *testing.T) string {
	dumpOnce.Do(func() {
		dumpDir, dumpErr = os.MkdirTemp("/tmp", "webrtc-go-dump-")
		if dumpErr != nil {
			return
		}
		r := runGodot(t, dumpDir, 2*time.Minute, nil, "--dump-gdextension-interface", "--dump-extension-api")
		if r.exitCode != 0 || r.timedOut {
			dumpErr = fmt.Errorf("godot --dump-*: exit %d\n%s", r.exitCode, r.out)
		}
	})
	require.NoError(t, dumpErr)
	return dumpDir
}

func TestGeneratedHashesMatchGodot(t *testing.T) {
	dir := godotDump(t)
	out, err := exec.Command("go", "run", "./scripts/genhashes", "-check", filepath.Join(dir, "extension_api.json")).CombinedOutput()
	assert.NoError(t, err, "regenerate with: go run ./scripts/genhashes extension_api.json\n%s", out)
}

func TestIncludeHeaderMatchesGodot(t *testing.T) {
	dir := godotDump(t)
	theirs, err := os.ReadFile(filepath.Join(dir, "gdextension_interface.h"))
	require.NoError(t, err)
	ours, err := os.ReadFile(filepath.Join(repoRoot, "include", "gdextension_webrtc.h"))
	require.NoError(t, err)
	godot := parseHeader(string(theirs))
	decls := parseHeader(string(ours))
	require.NotEmpty(t, decls)
	for name, decl := range decls {
		want, ok := godot[name]
		if !assert.True(t, ok, "Godot's header has no %s", name) {
			continue
		}
		switch {
		case decl == "opaque struct":
			assert.True(t, strings.HasPrefix(want, "struct{"), "%s is a struct in Godot's header", name)
			continue
		case strings.HasPrefix(decl, "enum{"):
			// Our enums list a subset of Godot's values.
			for _, v := range strings.Split(strings.TrimSuffix(strings.TrimPrefix(decl, "enum{"), "}"), ",") {
				if v != "" {
					assert.Contains(t, want, v+",", "%s: value %s", name, v)
				}
			}
			continue
		}
		assert.Equal(t, want, decl, "declaration of %s", name)
	}
}

var (
	comments    = regexp.MustCompile(`(?s)/\*.*?\*/|//[^\n]*`)
	spaces      = regexp.MustCompile(`\s+`)
	blockDecl   = regexp.MustCompile(`typedef (struct|enum) ?\{([^{}]*)\} ?(\w+) ?;`)
	funcTypedef = regexp.MustCompile(`^typedef .*\(\*(\w+)\)\(.*\)$`)
	plainTypdef = regexp.MustCompile(`^typedef [\w\s*]+?\b(\w+)$`)
)

// parseHeader maps each typedef name in a C header to its normalised text:
// "struct{fields}" and "enum{values}" for blocks, the statement otherwise. An
// opaque "typedef struct X X" maps to "opaque struct".
func parseHeader(src string) map[string]string {
	src = comments.ReplaceAllString(src, "")
	var lines []string
	for _, l := range strings.Split(src, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			lines = append(lines, l)
		}
	}
	src = spaces.ReplaceAllString(strings.Join(lines, " "), " ")
	out := map[string]string{}
	for _, m := range blockDecl.FindAllStringSubmatch(src, -1) {
		body := strings.TrimSpace(m[2])
		if m[1] == "enum" {
			out[m[3]] = "enum{" + strings.ReplaceAll(body, " ", "") + "}"
		} else {
			out[m[3]] = "struct{" + strings.ReplaceAll(body, "; ", ";") + "}"
		}
	}
	src = blockDecl.ReplaceAllString(src, "")
	for _, stmt := range strings.Split(src, ";") {
		if i := strings.Index(stmt, "typedef "); i > 0 {
			stmt = stmt[i:] // drop what precedes, such as extern "C" {
		}
		stmt = strings.TrimSpace(stmt)
		switch {
		case funcTypedef.MatchString(stmt):
			out[funcTypedef.FindStringSubmatch(stmt)[1]] = stmt
		case strings.HasPrefix(stmt, "typedef struct "):
			out[plainTypdef.FindStringSubmatch(stmt)[1]] = "opaque struct"
		case plainTypdef.MatchString(stmt):
			out[plainTypdef.FindStringSubmatch(stmt)[1]] = stmt
		}
	}
	return out
}

func TestCoreBehaviourInGodot(t *testing.T) {
	dir := project(t, "core")
	out := runScript(t, dir, "core_test.gd", 5*time.Minute)
	// Failures print through Godot's error printer, naming what was wrong...
	assert.Contains(t, out, "iceServers[0].urls[0] is not a valid")
	assert.Contains(t, out, "a negotiated channel needs an id")
	assert.Contains(t, out, "m-line index -1 is outside")
	// ...and never a credential.
	assert.NotContains(t, out, "secret-credential")
}

// hostileCall is one call of hostile_test.gd and what Godot printed during it.
type hostileCall struct {
	n             int
	kind          string // error, warning or quiet
	what, expect  string
	errors, warns []string // ERROR: and WARNING: lines printed between the markers
	ended         bool
}

var (
	hostileBegin = regexp.MustCompile(`^HOSTILE BEGIN (\d+) (error|warning|quiet) (.*) \| (.*)$`)
	hostileEnd   = regexp.MustCompile(`^HOSTILE END (\d+)$`)
	hostileTotal = regexp.MustCompile(`(?m)^HOSTILE CALLS (\d+)$`)
)

// parseHostile splits Godot's output at the markers hostile_test.gd prints on
// stderr (where Godot prints errors too, unbuffered, so the order holds).
func parseHostile(out string) []*hostileCall {
	var calls []*hostileCall
	var cur *hostileCall
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimRight(line, "\r")
		if m := hostileBegin.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			cur = &hostileCall{n: n, kind: m[2], what: m[3], expect: m[4]}
			calls = append(calls, cur)
			continue
		}
		if cur == nil {
			continue
		}
		switch {
		case hostileEnd.MatchString(line):
			cur.ended = true
			cur = nil
		case strings.HasPrefix(line, "ERROR:"):
			cur.errors = append(cur.errors, line)
		case strings.HasPrefix(line, "WARNING:"):
			cur.warns = append(cur.warns, line)
		}
	}
	return calls
}

// TestHostileCallsInGodot runs the hostile sweep: every public method of
// WebRTCPeerConnection and WebRTCDataChannel in wrong states and with hostile
// arguments. Each bad call returns an error (checked in GDScript) and prints a
// reason naming the problem (checked here); legal calls print nothing; Godot
// keeps running, and valid use still works at the end.
func TestHostileCallsInGodot(t *testing.T) {
	dir := project(t, "core")
	out := runScript(t, dir, "hostile_test.gd", 3*time.Minute)
	m := hostileTotal.FindStringSubmatch(out)
	require.NotNil(t, m, "hostile_test.gd did not reach its last test")
	total, _ := strconv.Atoi(m[1])
	calls := parseHostile(out)
	require.Len(t, calls, total, "markers of every call")
	kinds := map[string]int{}
	for i, c := range calls {
		kinds[c.kind]++
		assert.Equal(t, i+1, c.n, "calls in order")
		if !assert.True(t, c.ended, "call %d (%s) never returned", c.n, c.what) {
			continue
		}
		switch c.kind {
		case "error":
			if assert.NotEmpty(t, c.errors, "call %d (%s) printed no reason", c.n, c.what) {
				assert.True(t, slices.ContainsFunc(c.errors, func(l string) bool { return strings.Contains(l, c.expect) }),
					"call %d (%s): no error mentions %q: %q", c.n, c.what, c.expect, c.errors)
			}
		case "warning":
			assert.Empty(t, c.errors, "call %d (%s)", c.n, c.what)
			assert.True(t, slices.ContainsFunc(c.warns, func(l string) bool { return strings.Contains(l, c.expect) }),
				"call %d (%s): no warning mentions %q: %q", c.n, c.what, c.expect, c.warns)
		case "quiet":
			assert.Empty(t, c.errors, "call %d (%s) is legal and must print nothing", c.n, c.what)
			assert.Empty(t, c.warns, "call %d (%s) is legal and must print nothing", c.n, c.what)
		}
	}
	for _, secret := range []string{"hostile-secret-1", "hostile-secret-2"} {
		assert.NotContains(t, out, secret, "a credential was printed")
	}
	t.Logf("%d hostile calls: %d refused with a printed reason, %d accepted with a warning, %d legal and silent",
		total, kinds["error"], kinds["warning"], kinds["quiet"])
}

func TestServerModeThirtyTwoClientsOnOnePortInGodot(t *testing.T) {
	runScript(t, project(t, "core"), "server_mode_test.gd", 3*time.Minute)
}

func TestGoPanicIsRecoveredNotFatal(t *testing.T) {
	dir := project(t, "core")
	out := runScript(t, dir, "panic_test.gd", 2*time.Minute, "WEBRTC_GO_TEST_PANIC=_create_offer")
	assert.Contains(t, out, "recovered panic in WebRTCGoPeerConnection._create_offer")
}

// TestQuitWithOpenConnectionsExitsCleanly quits Godot 100 times with 20
// connections mid-transfer: every run must exit 0, promptly, without a crash.
func TestQuitWithOpenConnectionsExitsCleanly(t *testing.T) {
	dir := project(t, "core")
	var slowest time.Duration
	for i := 0; i < 100; i++ {
		r := runGodot(t, dir, time.Minute, []string{"QUIT_PAIRS=20"}, "-s", "res://quit_test.gd")
		require.False(t, r.timedOut, "run %d hung at exit", i)
		require.Contains(t, r.out, "QUITTING with open connections (all open: true)", "run %d", i)
		require.Equal(t, 0, r.exitCode, "run %d exit code:\n%s", i, r.out)
		assertNoCrash(t, r.out)
		slowest = max(slowest, r.elapsed)
	}
	t.Logf("100 runs with 20 busy connections: all exited 0; slowest run %v", slowest.Round(time.Millisecond))
}

func TestMultiplayerPeerMeshAndServerInOneProcess(t *testing.T) {
	dir := project(t, "multiplayer")
	runScript(t, dir, "multiplayer_test.gd", 5*time.Minute)
}

// signalingServer is examples/signaling running inside the namespace.
type signalingServer struct {
	url string // ws://host:port
	mu  sync.Mutex
	log bytes.Buffer
}

// waitFor waits until the server logged text (such as "peer 1 joined"), or
// until abort returns true.
func (s *signalingServer) waitFor(t *testing.T, text string, timeout time.Duration, abort func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) && !abort() {
		s.mu.Lock()
		found := strings.Contains(s.log.String(), text)
		s.mu.Unlock()
		if found {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("signaling server never logged %q", text)
}

func (s *signalingServer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.Write(p)
}

// startSignaling builds and starts examples/signaling inside the namespace and
// returns its ws:// base URL.
func startSignaling(t *testing.T) string { return startSignalingServer(t).url }

func startSignalingServer(t *testing.T) *signalingServer {
	t.Helper()
	s := &signalingServer{}
	bin := filepath.Join(t.TempDir(), "signaling")
	out, err := exec.Command("go", "build", "-o", bin, "./examples/signaling").CombinedOutput()
	require.NoError(t, err, "%s", out)
	cmd := exec.Command("ip", "netns", "exec", namespace, bin, "-addr", "127.0.0.1:0", "-timeout", "10m")
	cmd.Stderr = s
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	s.url = "ws://" + strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
	return s
}

func TestRPCBetweenTwoGodotProcesses(t *testing.T) {
	url := startSignaling(t) + "/rpc-test"
	dir := projectFrom(t, "demo", "examples/demo")
	host := make(chan run, 1)
	go func() { host <- runGodot(t, dir, 2*time.Minute, nil, "-s", "res://main.gd", "--", url, "1") }()
	time.Sleep(time.Second) // the first peer in the room is the host
	client := runGodot(t, dir, 2*time.Minute, nil, "-s", "res://main.gd", "--", url, "1")
	h := <-host
	t.Log("host:\n" + h.out)
	t.Log("client:\n" + client.out)
	for _, r := range []run{h, client} {
		require.False(t, r.timedOut)
		assert.Equal(t, 0, r.exitCode)
		assertNoCrash(t, r.out)
	}
	assert.Contains(t, h.out, "host: hello from client 2 (player-2)")
	assert.Contains(t, h.out, "host: all 5 acks received")
	assert.Regexp(t, `host: stats for client 2: host [0-9.]+:\d+ <-> host [0-9.]+:\d+, rtt [0-9.]+ ms, \d+ bytes sent`, h.out)
	assert.Regexp(t, `host:   channel reliable \(id 1\): \d+ messages sent, \d+ received`, h.out)
	assert.Contains(t, h.out, "host: DEMO OK")
	assert.Contains(t, client.out, "client 2: connected to the host over WebRTC")
	assert.Contains(t, client.out, "client 2: tick 5")
	assert.Contains(t, client.out, "client 2: DEMO OK")
}

var helpPage = regexp.MustCompile(`(?s)HELP BEGIN (\S+)\n(.*?)\nHELP END (\S+)\n`)

// editorHelp is what the doccheck plugin printed from one editor run: the
// text of each help page it opened, and the methods and signals ClassDB
// lists for our classes ("method Class name", "signal Class name").
type editorHelp struct {
	pages      map[string]string
	registered []string
}

// runEditorHelp starts the editor (headless) on dir, where the plugin of
// tests/projects/editorhelp opens our classes' help pages and quits.
func runEditorHelp(t *testing.T, dir string, env ...string) editorHelp {
	t.Helper()
	r := runGodot(t, dir, 3*time.Minute, env, "--editor")
	require.False(t, r.timedOut, "the editor did not quit within 3 minutes:\n%s", r.out)
	require.Contains(t, r.out, "DOCCHECK DONE", "the doccheck plugin did not finish (exit %d):\n%s", r.exitCode, r.out)
	assert.Equal(t, 0, r.exitCode)
	assertNoCrash(t, r.out)
	t.Logf("editor run took %v", r.elapsed.Round(100*time.Millisecond))
	h := editorHelp{pages: map[string]string{}}
	for _, m := range helpPage.FindAllStringSubmatch(r.out, -1) {
		require.Equal(t, m[1], m[3])
		h.pages[m[1]] = strings.Join(strings.Fields(m[2]), " ")
	}
	for _, m := range regexp.MustCompile(`(?m)^REGISTERED (method|signal) (\S+) (\S+)$`).FindAllStringSubmatch(r.out, -1) {
		h.registered = append(h.registered, m[1]+" "+m[2]+" "+m[3])
	}
	return h
}

// TestEditorHelpShowsOurDocs asks a running editor for our classes' help the
// way a user does: a plugin calls ScriptEditor.goto_help for each class,
// method and signal page and prints the text of the EditorHelp page that
// opens. The first sentence of every description in doc_classes/ must be on
// the page; with the XML held back (a test-only switch in the library) none
// of them is, and Godot's "no description" placeholder is shown instead.
func TestEditorHelpShowsOurDocs(t *testing.T) {
	docs := classDocs(t)
	dir := projectFrom(t, "editorhelp", "tests/projects/editorhelp")
	// The editor's settings and help cache, isolated from other runs.
	home, err := os.MkdirTemp("/tmp", "webrtc-go-editorhome-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(home) })
	env := []string{"XDG_CACHE_HOME=" + home + "/cache", "XDG_CONFIG_HOME=" + home + "/config", "XDG_DATA_HOME=" + home + "/data"}

	type want struct{ page, what, text string }
	var wants []want
	var documented []string
	for _, c := range docs {
		classPage := "class_name:" + c.Name
		wants = append(wants, want{classPage, c.Name + " brief", firstSentence(c.Brief)},
			want{classPage, c.Name + " description", firstSentence(c.Description)})
		for _, m := range c.Methods {
			documented = append(documented, "method "+c.Name+" "+m.Name)
			wants = append(wants, want{"class_method:" + c.Name + ":" + m.Name, c.Name + "." + m.Name, firstSentence(m.Description)})
		}
		for _, s := range c.Signals {
			documented = append(documented, "signal "+c.Name+" "+s.Name)
			wants = append(wants, want{"class_signal:" + c.Name + ":" + s.Name, "signal " + c.Name + "." + s.Name, firstSentence(s.Description)})
		}
	}
	const placeholder = "There is currently no description"

	// Godot 4.6 merges extension XML into the help only when it starts from
	// its help cache; the first start (no cache yet) writes the cache.
	first := runEditorHelp(t, dir, env...)
	t.Logf("first editor start (no help cache): our descriptions shown: %v", strings.Contains(first.pages[wants[0].page], wants[0].text))

	shown := runEditorHelp(t, dir, env...)
	assert.ElementsMatch(t, documented, shown.registered, "methods and signals ClassDB lists for our classes vs doc_classes/")
	for _, w := range wants {
		page, ok := shown.pages[w.page]
		if assert.True(t, ok, "no help page %s", w.page) {
			assert.True(t, strings.Contains(page, w.text), "%s: the help page %s lacks %q; it shows:\n%s", w.what, w.page, w.text, page)
		}
	}
	for name, page := range shown.pages {
		assert.NotContains(t, page, placeholder, "help page %s", name)
	}

	// Control: the same editor without our XML shows none of it.
	control := runEditorHelp(t, dir, append(env, testNoEditorHelpEnv+"=1")...)
	for _, w := range wants {
		assert.False(t, strings.Contains(control.pages[w.page], w.text), "%s shown without our XML: %q", w.what, w.text)
	}
	assert.Contains(t, control.pages["class_name:WebRTCGoPeerConnection"], placeholder)
}
