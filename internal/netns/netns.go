// Package netns makes the network namespaces the tests and benchmarks run
// WebRTC in: lo up and a veth pair whose two ends both live inside, addressed
// from the benchmarking range 198.18.0.0/15, with a default route (Chromium
// picks its address by routing and gathers nothing without one). Every stack
// finds a host address there, and nothing leaves the namespace. Needs root.
package netns

import (
	"fmt"
	"os/exec"
	"strings"
)

// The addresses of the two veth ends inside a namespace.
const (
	AddrA = "198.18.0.1"
	AddrB = "198.18.0.2"
)

// Create makes the namespace name. On failure nothing is left behind.
func Create(name string) error {
	steps := [][]string{
		{"netns", "add", name},
		{"-n", name, "link", "set", "lo", "up"},
		{"-n", name, "link", "add", "wgo0", "type", "veth", "peer", "name", "wgo1"},
		{"-n", name, "addr", "add", AddrA + "/24", "dev", "wgo0"},
		{"-n", name, "addr", "add", AddrB + "/24", "dev", "wgo1"},
		{"-n", name, "link", "set", "wgo0", "up"},
		{"-n", name, "link", "set", "wgo1", "up"},
		{"-n", name, "route", "add", "default", "via", AddrB},
	}
	for _, s := range steps {
		if out, err := exec.Command("ip", s...).CombinedOutput(); err != nil {
			Delete(name)
			return fmt.Errorf("ip %s: %v: %s", strings.Join(s, " "), err, out)
		}
	}
	return nil
}

// Delete removes the namespace name (and the veth pair inside it).
func Delete(name string) error {
	if out, err := exec.Command("ip", "netns", "del", name).CombinedOutput(); err != nil {
		return fmt.Errorf("ip netns del %s: %v: %s", name, err, out)
	}
	return nil
}
