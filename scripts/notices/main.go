// Command notices writes the license texts of everything linked into the
// library: Go's own (its runtime and standard library are in every build) and
// each module the root package imports on any target platform. Their licenses
// (MIT, BSD) ask that the text travel with the binary, so build.sh puts the
// output in the addon next to the libraries.
//
//	go run ./scripts/notices OUT.txt
package main

import (
	"bytes"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// targets are the GOOS values whose imports may differ; each architecture
// of one GOOS links the same modules.
var targets = []string{"linux", "windows"}

// licenseFiles are the names a module's license goes by, in order of preference.
var licenseFiles = []string{"LICENSE", "LICENSE.md", "LICENSE.txt", "COPYING", "LICENCE"}

type module struct{ path, version, dir string }

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: notices OUT.txt")
	}
	mods, err := linkedModules()
	if err != nil {
		log.Fatal(err)
	}
	var out bytes.Buffer
	out.WriteString("godot-webrtc-go links the following software into its libraries.\n" +
		"Each part is under its own license, reproduced here.\n")
	goLicense, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "LICENSE"))
	if err != nil {
		log.Fatalf("Go's license: %v", err)
	}
	section(&out, "Go (runtime and standard library) "+runtime.Version(), goLicense)
	for _, m := range mods {
		text, err := license(m.dir)
		if err != nil {
			log.Fatalf("%s %s: %v", m.path, m.version, err)
		}
		section(&out, m.path+" "+m.version, text)
	}
	if err := os.WriteFile(os.Args[1], out.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}

func section(out *bytes.Buffer, title string, text []byte) {
	fmt.Fprintf(out, "\n%s\n%s\n\n", strings.Repeat("=", 78), title)
	out.Write(bytes.TrimSpace(text))
	out.WriteString("\n")
}

// linkedModules lists the modules the root package imports, on every target,
// sorted by path.
func linkedModules() ([]module, error) {
	seen := map[string]module{}
	for _, goos := range targets {
		cmd := exec.Command("go", "list", "-deps", "-tags", "netgo,osusergo",
			"-f", "{{with .Module}}{{if not .Main}}{{.Path}}\t{{.Version}}\t{{.Dir}}{{end}}{{end}}", ".")
		cmd.Env = append(os.Environ(), "GOOS="+goos, "CGO_ENABLED=1")
		cmd.Stderr = os.Stderr
		list, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("go list for %s: %w", goos, err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(list)), "\n") {
			if f := strings.Split(line, "\t"); len(f) == 3 {
				seen[f[0]] = module{f[0], f[1], f[2]}
			}
		}
	}
	var mods []module
	for _, m := range seen {
		mods = append(mods, m)
	}
	slices.SortFunc(mods, func(a, b module) int { return strings.Compare(a.path, b.path) })
	return mods, nil
}

func license(dir string) ([]byte, error) {
	for _, name := range licenseFiles {
		if text, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
			return text, nil
		}
	}
	return nil, errors.New("no license file in " + dir)
}
