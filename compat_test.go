//go:build integration

package main

// Integration tests of one library across Godot versions. Only Godot 4.6.3
// runs here, so the Godot 4.3 and 4.4 code paths run in it through
// capi.ActAsEnv, which makes the library treat every interface function
// newer than that version as missing, as that Godot would. In that mode the
// library reports the functions it chose at load and, at exit, how Godot
// asked for virtuals and whether it sent NOTIFICATION_POSTINITIALIZE itself:
// the tests read both to see that the restricted path was taken.

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/capi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// interfacePath is what the library must do through one Godot's interface.
type interfacePath struct {
	version   string
	functions []string // class registration, object construction, version query
	byName    bool     // Godot asks for virtuals by name only
	postinit  bool     // the library sends NOTIFICATION_POSTINITIALIZE itself
}

var (
	godot43 = interfacePath{"4.3", []string{"classdb_register_extension_class3", "classdb_construct_object", "get_godot_version"}, true, false}
	godot44 = interfacePath{"4.4", []string{"classdb_register_extension_class4", "classdb_construct_object2", "get_godot_version"}, false, true}

	actingAsLine   = regexp.MustCompile(`godot-webrtc-go: Godot \d+\.\d+\.\d+ acting as Godot (\S+) \(` + capi.ActAsEnv + `=\S+\) uses (\w+), (\w+) and (\w+)`)
	pathTakenLine  = regexp.MustCompile(`through Godot (\S+)'s interface: Godot asked for (\d+) virtuals by name only and (\d+) by name and hash; this library sent NOTIFICATION_POSTINITIALIZE to (\d+) objects`)
	probeLine      = regexp.MustCompile(`(?m)^PROBE registered: (true|false)$`)
	missingFuncMsg = regexp.MustCompile(`ERROR: godot-webrtc-go cannot load: Godot \d+\.\d+\.\d+ acting as Godot 4\.2 \(` + capi.ActAsEnv + `=4\.2\) lacks the GDExtension function (\w+), which Godot (\S+) and newer have`)
)

func (p interfacePath) env() string { return capi.ActAsEnv + "=" + p.version }

// assertPathTaken checks, from what the library printed in one Godot run,
// that it went through p.
func assertPathTaken(t *testing.T, out string, p interfacePath) {
	t.Helper()
	m := actingAsLine.FindStringSubmatch(out)
	if !assert.NotNil(t, m, "the library did not say which interface it uses (was %s ignored?)", capi.ActAsEnv) {
		return
	}
	assert.Equal(t, p.version, m[1])
	assert.Equal(t, p.functions, m[2:5], "interface functions chosen")
	n := pathTakenLine.FindStringSubmatch(out)
	if !assert.NotNil(t, n, "no report of how Godot called the library at exit") {
		return
	}
	assert.Equal(t, p.version, n[1])
	byName, _ := strconv.Atoi(n[2])
	byHash, _ := strconv.Atoi(n[3])
	sent, _ := strconv.Atoi(n[4])
	t.Logf("through %s: %d virtual lookups by name, %d by name and hash; NOTIFICATION_POSTINITIALIZE sent by the library to %d objects", p.version, byName, byHash, sent)
	if p.byName {
		assert.Positive(t, byName, "Godot asked for virtuals by name")
		assert.Zero(t, byHash, "and never with a hash")
	} else {
		assert.Zero(t, byName, "Godot never asked for a virtual without its hash")
		assert.Positive(t, byHash, "Godot asked for virtuals by name and hash")
	}
	if p.postinit {
		assert.Positive(t, sent, "the library sent NOTIFICATION_POSTINITIALIZE")
	} else {
		assert.Zero(t, sent, "Godot's classdb_construct_object sent NOTIFICATION_POSTINITIALIZE, the library none")
	}
}

// runSuitesThrough runs the core, hostile, multiplayer and voice suites with
// the library restricted to p's interface.
func runSuitesThrough(t *testing.T, p interfacePath) {
	t.Run("core", func(t *testing.T) {
		out := runScript(t, project(t, "core"), "core_test.gd", 5*time.Minute, p.env())
		assertCoreOutput(t, out)
		assertPathTaken(t, out, p)
	})
	t.Run("hostile", func(t *testing.T) {
		out := runScript(t, project(t, "core"), "hostile_test.gd", 3*time.Minute, p.env())
		assertHostileOutput(t, out)
		assertPathTaken(t, out, p)
	})
	t.Run("multiplayer", func(t *testing.T) {
		out := runScript(t, project(t, "multiplayer"), "multiplayer_test.gd", 5*time.Minute, p.env())
		assertPathTaken(t, out, p)
	})
	t.Run("voice", func(t *testing.T) {
		out := runScript(t, voiceProject(t), "voice_test.gd", 5*time.Minute, p.env())
		assertPathTaken(t, out, p)
	})
}

func TestCompatSuitesThroughGodot43Interface(t *testing.T) { runSuitesThrough(t, godot43) }

func TestCompatSuitesThroughGodot44Interface(t *testing.T) { runSuitesThrough(t, godot44) }

// probe runs a script in dir that prints whether WebRTCGoPeerConnection is
// registered, that is whether Godot loaded the library.
func probe(t *testing.T, dir string, env ...string) (registered bool, out string) {
	t.Helper()
	script := "extends SceneTree\n\nfunc _initialize():\n\tprint(\"PROBE registered: \", ClassDB.class_exists(\"WebRTCGoPeerConnection\"))\n\tquit()\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "probe.gd"), []byte(script), 0o644))
	r := runGodot(t, dir, time.Minute, env, "-s", "res://probe.gd")
	require.False(t, r.TimedOut, "Godot did not finish the probe:\n%s", r.Output)
	assertNoCrash(t, r.Output)
	m := probeLine.FindStringSubmatch(r.Output)
	require.NotNil(t, m, "the probe printed nothing (exit %d):\n%s", r.ExitCode, r.Output)
	return m[1] == "true", r.Output
}

// TestCompatRefusesGodot42Interface: Godot 4.2 has no
// classdb_register_extension_class3 (nor string_new_with_utf8_chars_and_len2);
// the library must refuse to load and say what is missing and which Godot has it.
func TestCompatRefusesGodot42Interface(t *testing.T) {
	dir := project(t, "core")
	registered, _ := probe(t, dir, godot43.env())
	require.True(t, registered, "control: through the 4.3 interface the library loads")

	registered, out := probe(t, dir, capi.ActAsEnv+"=4.2")
	assert.False(t, registered, "acting as 4.2, the library must not load")
	m := missingFuncMsg.FindStringSubmatch(out)
	require.NotNil(t, m, "no message naming the missing function:\n%s", out)
	assert.Equal(t, "classdb_register_extension_class3", m[1], "the first function 4.2 lacks")
	assert.Equal(t, "4.3", m[2], "the Godot version that has it")
	assert.Contains(t, out, "GDExtension initialization function 'webrtc_go_init' returned an error", "Godot's own report")
}

// TestCompatOlderGodotRefusesANewerMinimum shows how a Godot older than the
// addon's compatibility_minimum refuses it: with Godot's own message, before
// loading the library. Godot 4.6.3 plays the older Godot against a copy of
// the addon that asks for 4.7. The library runs acting as 4.4 so that it
// announces itself whenever it is loaded.
func TestCompatOlderGodotRefusesANewerMinimum(t *testing.T) {
	dir := project(t, "core")
	cfgPath := filepath.Join(dir, "addons", "webrtc_go", "webrtc_go.gdextension")
	cfg, err := os.ReadFile(cfgPath)
	require.NoError(t, err)
	require.Contains(t, string(cfg), `compatibility_minimum = "4.3"`)

	registered, out := probe(t, dir, godot44.env())
	require.True(t, registered, "control: the addon as built loads")
	require.Regexp(t, actingAsLine, out, "control: a loaded library announces itself")

	newer := strings.Replace(string(cfg), `compatibility_minimum = "4.3"`, `compatibility_minimum = "4.7"`, 1)
	require.NoError(t, os.WriteFile(cfgPath, []byte(newer), 0o644))
	registered, out = probe(t, dir, godot44.env())
	assert.False(t, registered, "Godot 4.6.3 must refuse an addon for 4.7")
	assert.Regexp(t, `GDExtension only compatible with Godot version 4\.7(\.0)? or later`, out, "Godot's own message")
	assert.NotRegexp(t, actingAsLine, out, "the library was never loaded")
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "compatible with Godot version") {
			t.Logf("Godot said: %s", strings.TrimSpace(line))
		}
	}
}

// TestGeneratedInterfaceVersionsMatchGodot checks capi/since_gen.go, the
// version that introduced each interface function, against the @since tags
// of the Godot under test.
func TestGeneratedInterfaceVersionsMatchGodot(t *testing.T) {
	dir := godotDump(t)
	out, err := exec.Command("go", "run", "./scripts/gensince", "-check", filepath.Join(dir, "gdextension_interface.h")).CombinedOutput()
	assert.NoError(t, err, "regenerate with: go run ./scripts/gensince gdextension_interface.h\n%s", out)
}
