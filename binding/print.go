package binding

import (
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/debug"

	"github.com/godot-webrtc-go/godot-webrtc-go/capi"
)

// PrintError prints err through Godot's error printer, so that it shows in the
// editor's Output panel and on stderr, naming the Go function that called it.
func PrintError(err error) {
	fn, file, line := caller(2)
	capi.PrintError("godot-webrtc-go: "+err.Error(), "", fn, file, line)
}

// PrintWarning prints a formatted warning through Godot's warning printer.
func PrintWarning(format string, args ...any) {
	fn, file, line := caller(2)
	capi.PrintWarning("godot-webrtc-go: "+fmt.Sprintf(format, args...), "", fn, file, line)
}

func caller(skip int) (fn, file string, line int) {
	pc, file, line, ok := runtime.Caller(skip)
	if !ok {
		return "?", "?", 0
	}
	if f := runtime.FuncForPC(pc); f != nil {
		fn = filepath.Base(f.Name())
	}
	return fn, filepath.Base(file), line
}

// recoverTo recovers a panic in a callback named name and prints it with its
// stack through Godot. Deferred directly, so that recover sees the panic.
func recoverTo(name string) {
	if r := recover(); r != nil {
		reportPanic(name, r)
	}
}

func reportPanic(name string, r any) {
	summary := fmt.Sprintf("godot-webrtc-go: recovered panic in %s: %v", name, r)
	capi.PrintError(summary, summary+"\n"+string(debug.Stack()), name, "binding", 0)
}
