//go:build integration

package main

import (
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

var lifetimeLine = regexp.MustCompile(`(?m)^LIFETIME (\S+) cycles=(\d+) leaked=(\d+)$`)

// TestLifetimesOfHandlerForms runs tests/projects/core/lifetimes_test.gd:
// connect/close cycles for each way of writing a connection's handler.
// Member variables of a Node, bound methods and weakref() in a lambda return
// get_stats().runtime.live_connections to where it was; a lambda capturing
// its own connection, or using a member of a RefCounted holder, keeps both
// connections of every cycle alive (a reference cycle Godot never frees).
func TestLifetimesOfHandlerForms(t *testing.T) {
	out := runScript(t, project(t, "core"), "lifetimes_test.gd", 3*time.Minute)
	leaks := map[string]bool{"node-member": false, "bound-method": false, "weakref": false,
		"capturing-lambda": true, "refcounted-member": true}
	seen := 0
	for _, m := range lifetimeLine.FindAllStringSubmatch(out, -1) {
		cycles, _ := strconv.Atoi(m[2])
		leaked, _ := strconv.Atoi(m[3])
		t.Logf("%-18s %d cycles: %d connections left", m[1], cycles, leaked)
		want, known := leaks[m[1]]
		if !assert.True(t, known, "unknown form %s", m[1]) {
			continue
		}
		seen++
		assert.Positive(t, cycles)
		if want {
			assert.Equal(t, 2*cycles, leaked, "%s keeps both connections of every cycle", m[1])
		} else {
			assert.Zero(t, leaked, "%s must leave no connection behind", m[1])
		}
	}
	assert.Equal(t, len(leaks), seen, "a LIFETIME line for every form")
}
