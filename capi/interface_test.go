package capi

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryLookedUpFunctionHasAVersion checks that acting as an older Godot
// covers every function capi.c looks up: one missing from interfaceSince
// would be found even when that Godot lacks it.
func TestEveryLookedUpFunctionHasAVersion(t *testing.T) {
	src, err := os.ReadFile("capi.c")
	require.NoError(t, err)
	lookups := regexp.MustCompile(`(?:LOAD\(\w+, |try_load\(|lookup\()"(\w+)"`).FindAllStringSubmatch(string(src), -1)
	require.Greater(t, len(lookups), 30, "capi.c's lookups were not found")
	for _, m := range lookups {
		assert.Contains(t, interfaceSince, m[1], "run: go run ./scripts/gensince gdextension_interface.h")
	}
}

func TestNewerThanHidesWhatAnOlderGodotLacks(t *testing.T) {
	assert.Equal(t, []string{
		"classdb_construct_object2", "classdb_register_extension_class4", "classdb_register_extension_class5", "get_godot_version2",
	}, newerThan(godotVersion{4, 3}))
	assert.Equal(t, []string{"classdb_register_extension_class5", "get_godot_version2"}, newerThan(godotVersion{4, 4}))
	assert.Empty(t, newerThan(godotVersion{4, 6}))
	assert.Contains(t, newerThan(godotVersion{4, 2}), "classdb_register_extension_class3")
	assert.Contains(t, newerThan(godotVersion{4, 2}), "string_new_with_utf8_chars_and_len2")
	assert.NotContains(t, newerThan(godotVersion{4, 2}), "classdb_construct_object")
}

func TestParseGodotVersion(t *testing.T) {
	v, err := parseGodotVersion("4.3")
	require.NoError(t, err)
	assert.Equal(t, godotVersion{4, 3}, v)
	assert.Equal(t, "4.3", v.String())
	assert.True(t, godotVersion{4, 10}.after(godotVersion{4, 9}))
	assert.True(t, godotVersion{5, 0}.after(godotVersion{4, 9}))
	assert.False(t, godotVersion{4, 3}.after(godotVersion{4, 3}))
	for _, bad := range []string{"", "4", "4.x", "3.6", "four.three", "4.-1"} {
		_, err := parseGodotVersion(bad)
		assert.Error(t, err, bad)
	}
}
