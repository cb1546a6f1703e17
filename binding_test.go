//go:build integration

package main

// Integration tests (go test -tags integration; ./build.sh test runs them):
// build the library, load it into headless Godot, and run the GDScript test
// projects in tests/projects. Every Godot process runs inside a network
// namespace made for the test run, so WebRTC traffic stays on addresses the
// test owns. Needs root (namespaces, and the chroot that runs Debian's
// Godot); without Godot these tests fail, never skip.
//
// processes_test.go starts the other processes some tests need (signaling,
// TURN, echo peers).

import (
	"archive/zip"
	"bufio"
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

	"github.com/godot-webrtc-go/godot-webrtc-go/internal/godottest"
	"github.com/godot-webrtc-go/godot-webrtc-go/internal/netns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	repoRoot  string
	addonDir  string          // the built addon folder (dist/addons/webrtc_go)
	namespace string          // the namespace every WebRTC process runs in
	godot     godottest.Godot // scripts/godot inside the namespace
	binDir    string          // the Go programs the tests build (processes_test.go)
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
	if binDir, err = os.MkdirTemp("", "webrtc-go-bin-"); err != nil {
		return 0, err
	}
	defer os.RemoveAll(binDir)
	namespace = fmt.Sprintf("webrtc-go-%d", os.Getpid())
	if err := netns.Create(namespace); err != nil {
		return 0, fmt.Errorf("making network namespace %s (needs root): %w", namespace, err)
	}
	defer netns.Delete(namespace)
	godot = godottest.Godot{Script: filepath.Join(repoRoot, "scripts", "godot"), Namespace: namespace}
	code := m.Run()
	if path := os.Getenv("INTEROP_TABLE"); path != "" {
		if err := writeInteropTable(path); err != nil {
			fmt.Fprintln(os.Stderr, "writing the interop table:", err)
		}
	}
	return code, nil
}

// project is a Godot project made for one test from the GDScript files of
// tests/projects/common and of tests/projects/<name>.
func project(t *testing.T, name string) string {
	t.Helper()
	return projectFrom(t, name, "tests/projects/common", "tests/projects/"+name)
}

// projectFrom makes a project with the addon installed from the given
// folders and files of the repository (godottest.NewProject).
func projectFrom(t *testing.T, name string, sources ...string) string {
	t.Helper()
	// Under /tmp: the Godot chroot shares /tmp with the host.
	dir, err := os.MkdirTemp("/tmp", "webrtc-go-"+name+"-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	paths := make([]string, len(sources))
	for i, s := range sources {
		paths[i] = filepath.Join(repoRoot, s)
	}
	require.NoError(t, godottest.NewProject(dir, addonDir, paths...))
	return dir
}

// runGodot runs headless Godot on dir with args inside the namespace, killed
// after timeout. Safe to call from any goroutine: a Godot that cannot start
// fails the test and returns a result with exit code -1.
func runGodot(t *testing.T, dir string, timeout time.Duration, env []string, args ...string) godottest.Result {
	t.Helper()
	r, err := godot.Run(dir, timeout, env, args...)
	if err != nil {
		t.Errorf("%v", err)
		r.ExitCode = -1
	}
	return r
}

// runScript runs a GDScript test (built on harness.gd) and requires that it
// passed (requirePassed); it returns the output.
func runScript(t *testing.T, dir, script string, timeout time.Duration, env ...string) string {
	t.Helper()
	r := runGodot(t, dir, timeout, env, "-s", "res://"+script)
	requirePassed(t, r, script, 0)
	return r.Output
}

// requirePassed requires that a run of a harness.gd script finished by
// itself with its SUMMARY line, no test failed and want tests passed (if
// want is 0: at least one), and that Godot exited 0 without a crash.
func requirePassed(t *testing.T, r godottest.Result, script string, want int) {
	t.Helper()
	logOutput(t, r.Output)
	require.False(t, r.TimedOut, "Godot did not finish %s within %v", script, r.Elapsed.Round(time.Second))
	passed, failed, ok := godottest.Summary(r.Output)
	require.True(t, ok, "no SUMMARY line from %s (exit %d)", script, r.ExitCode)
	assert.Zero(t, failed, "GDScript tests failed in %s", script)
	if want > 0 {
		assert.Equal(t, want, passed, "GDScript tests passed in %s", script)
	} else {
		assert.Positive(t, passed)
	}
	assert.Equal(t, 0, r.ExitCode, "exit code")
	assertNoCrash(t, r.Output)
}

func assertNoCrash(t *testing.T, out string) {
	t.Helper()
	for _, c := range godottest.Crashes(out) {
		t.Errorf("Godot's output has a crash or error: %s", c)
	}
}

// logOutput logs the lines of Godot's output that say what failed.
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
	assert.Contains(t, string(cfg), `compatibility_minimum = "4.3"`)
	assert.Contains(t, string(cfg), `reloadable = false`)
	want := []string{"linux.debug.x86_64", "linux.release.x86_64", "linux.debug.x86_32", "linux.release.x86_32",
		"linux.debug.arm64", "linux.release.arm64", "linux.debug.arm32", "linux.release.arm32",
		"windows.debug.x86_64", "windows.release.x86_64", "windows.debug.x86_32", "windows.release.x86_32"}
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
		machine := map[string]string{"x86_64": "X86-64", "x86_32": "Intel 80386", "arm64": "AArch64", "arm32": "ARM"}[arch]
		require.NotEmpty(t, machine, "no ELF machine known for %s", arch)
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

// TestThirdPartyLicensesCoverEveryLinkedModule checks that the addon carries
// the license of every module each library links (as the library's own build
// information lists them, `go version -m`) and Go's.
func TestThirdPartyLicensesCoverEveryLinkedModule(t *testing.T) {
	notices, err := os.ReadFile(filepath.Join(addonDir, "THIRD_PARTY_LICENSES.txt"))
	require.NoError(t, err)
	titles := map[string]bool{}
	for _, line := range strings.Split(string(notices), "\n") {
		titles[line] = true
	}
	assert.Contains(t, string(notices), "\nGo (runtime and standard library) go")
	for tag, lib := range libraries(t) {
		info, err := exec.Command("go", "version", "-m", lib).Output()
		require.NoError(t, err, tag)
		deps := 0
		for _, line := range strings.Split(string(info), "\n") {
			f := strings.Fields(line)
			if len(f) >= 3 && f[0] == "dep" {
				deps++
				assert.True(t, titles[f[1]+" "+f[2]], "%s links %s %s, whose license THIRD_PARTY_LICENSES.txt lacks", tag, f[1], f[2])
			}
		}
		assert.Positive(t, deps, "%s: no build information", tag)
	}
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
	// The README links into docs/, so every page of it ships too.
	docs, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	require.NoError(t, err)
	require.NotEmpty(t, docs)
	for _, doc := range docs {
		assert.Contains(t, names, "docs/"+filepath.Base(doc))
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
		if r.ExitCode != 0 || r.TimedOut {
			dumpErr = fmt.Errorf("godot --dump-*: exit %d\n%s", r.ExitCode, r.Output)
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
	assertCoreOutput(t, runScript(t, project(t, "core"), "core_test.gd", 5*time.Minute))
}

// assertCoreOutput checks what core_test.gd printed: failures name what was
// wrong through Godot's error printer, and never a credential.
func assertCoreOutput(t *testing.T, out string) {
	t.Helper()
	assert.Contains(t, out, "iceServers[0].urls[0] is not a valid")
	assert.Contains(t, out, "a negotiated channel needs an id")
	assert.Contains(t, out, "m-line index -1 is outside")
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
	out := runScript(t, project(t, "core"), "hostile_test.gd", 3*time.Minute)
	assertHostileOutput(t, out)
}

// assertHostileOutput checks what hostile_test.gd's markers enclose: every
// call returned, in order; each refused call printed its reason, each legal
// one nothing; no credential was printed.
func assertHostileOutput(t *testing.T, out string) {
	t.Helper()
	m := hostileTotal.FindStringSubmatch(out)
	require.NotNil(t, m, "hostile_test.gd did not reach its last test")
	total, _ := strconv.Atoi(m[1])
	calls := parseHostile(out)
	require.Len(t, calls, total, "markers of every call")
	mentions := func(lines []string, s string) bool {
		return slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, s) })
	}
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
				assert.True(t, mentions(c.errors, c.expect), "call %d (%s): no error mentions %q: %q", c.n, c.what, c.expect, c.errors)
			}
		case "warning":
			assert.Empty(t, c.errors, "call %d (%s)", c.n, c.what)
			assert.True(t, mentions(c.warns, c.expect), "call %d (%s): no warning mentions %q: %q", c.n, c.what, c.expect, c.warns)
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
	assertQuitsCleanly(t, project(t, "core"), 100, time.Minute)
}

// assertQuitsCleanly quits Godot runs times on dir with 20 connections
// mid-transfer: every run must exit 0 within timeout, without a crash. env
// goes to every run (e.g. GODOT= for another Godot).
func assertQuitsCleanly(t *testing.T, dir string, runs int, timeout time.Duration, env ...string) {
	t.Helper()
	var slowest time.Duration
	for i := 0; i < runs; i++ {
		r := runGodot(t, dir, timeout, append([]string{"QUIT_PAIRS=20"}, env...), "-s", "res://quit_test.gd")
		require.False(t, r.TimedOut, "run %d hung at exit", i)
		require.Contains(t, r.Output, "QUITTING with open connections (all open: true)", "run %d", i)
		require.Equal(t, 0, r.ExitCode, "run %d exit code:\n%s", i, r.Output)
		assertNoCrash(t, r.Output)
		slowest = max(slowest, r.Elapsed)
	}
	t.Logf("%d runs with 20 busy connections: all exited 0; slowest run %v", runs, slowest.Round(time.Millisecond))
}

func TestMultiplayerPeerMeshAndServerInOneProcess(t *testing.T) {
	dir := project(t, "multiplayer")
	runScript(t, dir, "multiplayer_test.gd", 5*time.Minute)
}

func TestRPCBetweenTwoGodotProcesses(t *testing.T) {
	sig := startSignaling(t)
	url := sig.url + "/rpc-test"
	dir := projectFrom(t, "demo", "examples/demo")
	// The first peer in the room is the host.
	host := sig.runGodotFirst(t, "the host", dir, 2*time.Minute, nil, "-s", "res://main.gd", "--", url, "1")
	client := runGodot(t, dir, 2*time.Minute, nil, "-s", "res://main.gd", "--", url, "1")
	h := <-host
	t.Log("host:\n" + h.Output)
	t.Log("client:\n" + client.Output)
	for _, r := range []godottest.Result{h, client} {
		require.False(t, r.TimedOut)
		assert.Equal(t, 0, r.ExitCode)
		assertNoCrash(t, r.Output)
	}
	assert.Contains(t, h.Output, "host: hello from client 2 (player-2)")
	assert.Contains(t, h.Output, "host: all 5 acks received")
	assert.Regexp(t, `host: stats for client 2: host [0-9.]+:\d+ <-> host [0-9.]+:\d+, rtt [0-9.]+ ms, \d+ bytes sent`, h.Output)
	assert.Regexp(t, `host:   channel reliable \(id 1\): \d+ messages sent, \d+ received`, h.Output)
	assert.Contains(t, h.Output, "host: DEMO OK")
	assert.Contains(t, client.Output, "client 2: connected to the host over WebRTC")
	assert.Contains(t, client.Output, "client 2: tick 5")
	assert.Contains(t, client.Output, "client 2: DEMO OK")
	// Voice crossed both ways: each heard the other's pitch (330 Hz + 110 Hz
	// per peer id).
	assertPitch(t, h.Output, `host: voice from peer 2: (\d+) Hz`, 550)
	assertPitch(t, client.Output, `client 2: voice from peer 1: (\d+) Hz`, 440)
}

// assertPitch finds the pitch that pattern's group captures in out and
// checks it is want ± 10 Hz.
func assertPitch(t *testing.T, out, pattern string, want float64) {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(out)
	if assert.NotNil(t, m, "no %q in the output", pattern) {
		got, err := strconv.ParseFloat(m[1], 64)
		require.NoError(t, err)
		assert.InDelta(t, want, got, 10, pattern)
	}
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
	require.False(t, r.TimedOut, "the editor did not quit within 3 minutes:\n%s", r.Output)
	require.Contains(t, r.Output, "DOCCHECK DONE", "the doccheck plugin did not finish (exit %d):\n%s", r.ExitCode, r.Output)
	assert.Equal(t, 0, r.ExitCode)
	assertNoCrash(t, r.Output)
	t.Logf("editor run took %v", r.Elapsed.Round(100*time.Millisecond))
	h := editorHelp{pages: map[string]string{}}
	for _, m := range helpPage.FindAllStringSubmatch(r.Output, -1) {
		require.Equal(t, m[1], m[3])
		h.pages[m[1]] = strings.Join(strings.Fields(m[2]), " ")
	}
	for _, m := range regexp.MustCompile(`(?m)^REGISTERED (method|signal) (\S+) (\S+)$`).FindAllStringSubmatch(r.Output, -1) {
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
