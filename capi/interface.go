package capi

/*
#include "capi.h"
*/
import "C"

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"unsafe"
)

// ActAsEnv names the environment variable that makes the library use an
// older Godot's GDExtension interface: set to a version such as "4.3", every
// interface function newer than that version counts as missing, as it would
// in that Godot, and the library takes the path it would take there. It lets
// a newer Godot run the 4.3 and 4.4 code paths; it is for testing only.
const ActAsEnv = "WEBRTC_GO_GDEXTENSION_API"

// godotVersion is a Godot release, major.minor.
type godotVersion struct{ major, minor int }

func (v godotVersion) String() string { return fmt.Sprintf("%d.%d", v.major, v.minor) }

func (v godotVersion) after(w godotVersion) bool {
	return v.major > w.major || v.major == w.major && v.minor > w.minor
}

func parseGodotVersion(s string) (godotVersion, error) {
	major, minor, ok := strings.Cut(s, ".")
	var v godotVersion
	var err1, err2 error
	v.major, err1 = strconv.Atoi(major)
	v.minor, err2 = strconv.Atoi(minor)
	if !ok || err1 != nil || err2 != nil || v.major < 4 || v.minor < 0 {
		return godotVersion{}, fmt.Errorf("%q is not a Godot 4 version such as 4.3", s)
	}
	return v, nil
}

// actingAs is the version ActAsEnv names; empty (zero) when it is not set.
var actingAs godotVersion

// ActingAs returns the Godot version whose interface the library restricts
// itself to (ActAsEnv), or "" when it uses everything this Godot has.
func ActingAs() string {
	if actingAs == (godotVersion{}) {
		return ""
	}
	return actingAs.String()
}

// newerThan returns the interface functions this library may look up that
// Godot v does not have yet.
func newerThan(v godotVersion) []string {
	var names []string
	for name, since := range interfaceSince {
		if since.after(v) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// load resolves Godot's interface functions, restricted to the version
// ActAsEnv names if it is set.
func load(getProcAddress C.GDExtensionInterfaceGetProcAddress, library C.GDExtensionClassLibraryPtr) error {
	actingAs = godotVersion{}
	if s := os.Getenv(ActAsEnv); s != "" {
		v, err := parseGodotVersion(s)
		if err != nil {
			return fmt.Errorf("%s: %w", ActAsEnv, err)
		}
		actingAs = v
	}
	var hidden []string
	if ActingAs() != "" {
		hidden = newerThan(actingAs)
	}
	cHidden := make([]*C.char, len(hidden)+1) // NULL-terminated
	for i, name := range hidden {
		cHidden[i] = C.CString(name)
	}
	// cHidden holds C pointers only, which cgo allows; C keeps no reference
	// after gdw_load returns.
	missing := C.gdw_load(getProcAddress, library, (**C.char)(unsafe.Pointer(&cHidden[0])))
	for _, p := range cHidden {
		C.free(unsafe.Pointer(p))
	}
	if missing != nil {
		name := C.GoString(missing)
		msg := fmt.Sprintf("%s lacks the GDExtension function %s", describeGodot(), name)
		if since, ok := interfaceSince[name]; ok {
			msg += fmt.Sprintf(", which Godot %s and newer have", since)
		}
		return fmt.Errorf("%s", msg)
	}
	if ActingAs() != "" {
		PrintWarning(fmt.Sprintf("godot-webrtc-go: %s uses %s, %s and %s", describeGodot(),
			C.GoString(C.gdw.register_class_name), C.GoString(C.gdw.construct_object_name), C.GoString(C.gdw.get_godot_version_name)),
			"", "load", "capi/interface.go", 0)
	}
	return nil
}

// describeGodot names the running Godot for messages, and the interface
// version the library acts as, if any.
func describeGodot() string {
	s := "this Godot"
	var major, minor, patch C.uint32_t
	if C.gdw_godot_version(&major, &minor, &patch) != 0 {
		s = fmt.Sprintf("Godot %d.%d.%d", major, minor, patch)
	}
	if v := ActingAs(); v != "" {
		s += fmt.Sprintf(" acting as Godot %s (%s=%s)", v, ActAsEnv, v)
	}
	return s
}
