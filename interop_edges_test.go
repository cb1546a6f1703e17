//go:build integration

package main

import (
	"testing"
	"time"
)

// Behaviours that real peers and networks expose, through Godot.

// TestMaxSizeTheMomentAChannelOpensInGodot: channels created on a live connection,
// and those the remote opens, take a message of the advertised maximum
// (256 KiB) the moment they say OPEN; one such message on each of eight
// channels at once, both ways, arrives whole.
func TestMaxSizeTheMomentAChannelOpensInGodot(t *testing.T) {
	runScript(t, project(t, "core"), "max_size_test.gd", 3*time.Minute)
}

// TestEarlyCandidatesInGodot: candidates that reach a peer before the remote
// description are kept and applied, whichever side offers.
func TestEarlyCandidatesInGodot(t *testing.T) {
	runScript(t, project(t, "core"), "early_candidates_test.gd", 2*time.Minute)
}
