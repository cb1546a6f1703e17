package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGeneratedFilesHoldForGodot47 generates the tables from Godot 4.7's
// extension_api.json (the part of it kept in testdata) and compares them with
// the files generated from the Godot under test: every virtual's name, hash
// and return kind, and the hashes of the engine methods called, are the same
// in 4.7, so one library serves it.
func TestGeneratedFilesHoldForGodot47(t *testing.T) {
	a, err := readAPI(filepath.Join("testdata", "extension_api_4.7_subset.json"))
	require.NoError(t, err)
	require.Equal(t, []int{4, 7}, []int{a.Header.Major, a.Header.Minor}, "test data from Godot 4.7")
	files, err := generate(a)
	require.NoError(t, err)
	require.Len(t, files, 2)
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join("..", "..", name))
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "%s differs from what Godot 4.7's API gives", name)
	}
}

// TestGenerateFailsOnAMissingMethod shows that a Godot without one of the
// methods called is reported, not skipped.
func TestGenerateFailsOnAMissingMethod(t *testing.T) {
	a, err := readAPI(filepath.Join("testdata", "extension_api_4.7_subset.json"))
	require.NoError(t, err)
	for i, c := range a.Classes {
		if c.Name == "Object" {
			a.Classes[i].Methods = a.Classes[i].Methods[:1] // notification only
		}
	}
	_, err = generate(a)
	assert.ErrorContains(t, err, "no method Object.emit_signal")
}
