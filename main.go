// Command godot-webrtc-go is built with -buildmode=c-shared into the
// GDExtension library that gives Godot 4 desktop and server builds a WebRTC
// implementation on pion/webrtc. Godot calls its entry symbol webrtc_go_init
// (package capi); at the scene level it registers WebRTCGoDataChannel,
// WebRTCGoAudioTrack and WebRTCGoPeerConnection and makes the last the
// default WebRTC extension, so WebRTCPeerConnection.new() in any script
// returns one. In the editor it also loads the class reference of
// doc_classes/ into the editor's help.
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/godot-webrtc-go/godot-webrtc-go/binding"
	"github.com/godot-webrtc-go/godot-webrtc-go/extension"
	"github.com/godot-webrtc-go/godot-webrtc-go/internal/gcpace"
)

// Class names scripts see (get_class()).
const (
	peerConnectionClassName = "WebRTCGoPeerConnection"
	dataChannelClassName    = "WebRTCGoDataChannel"
	audioTrackClassName     = "WebRTCGoAudioTrack"
)

func init() {
	// Only hooks here: init functions run at dlopen, before Godot is callable.
	binding.OnInitialize(register)
	binding.OnEditorInitialize(loadEditorHelp)
	binding.OnDeinitialize(extension.Shutdown)
	if _, set := os.LookupEnv("GOGC"); !set {
		gcpace.Start(time.Second)
	}
	startProfiling()
}

func register() error {
	registerDataChannel()
	registerAudioTrack()
	registerPeerConnection()
	m, err := binding.LookupMethod("WebRTCPeerConnection", "set_default_extension", hashSetDefaultExtension)
	if err != nil {
		return fmt.Errorf("cannot become the default WebRTC implementation: %w", err)
	}
	m.CallStatic(binding.Name(peerConnectionClassName))
	return nil
}

// testPanicEnv names a virtual method that panics instead of running, so the
// integration tests can prove a Go panic never aborts the game. Testing only.
const testPanicEnv = "WEBRTC_GO_TEST_PANIC"

// implement pairs the generated (name, hash) of each virtual with its Go
// implementation and the way it may answer without calling Go (fast, for
// some); a virtual without an implementation is a programming error.
func implement[T any](table map[string]binding.VirtualID, impls map[string]func(T, binding.Args, binding.Ret), fast map[string]binding.Fast) []binding.Virtual[T] {
	out := make([]binding.Virtual[T], 0, len(table))
	panicIn := os.Getenv(testPanicEnv)
	for name, id := range table {
		call, ok := impls[name]
		if !ok {
			panic("no implementation of virtual " + name)
		}
		if name == panicIn {
			call = func(T, binding.Args, binding.Ret) { panic(testPanicEnv + " asked for a panic in " + name) }
		}
		v := binding.Virtual[T]{VirtualID: id, Call: call, Fast: fast[name]}
		if name == panicIn {
			v.Fast = binding.Fast{} // the panic must run
		}
		out = append(out, v)
	}
	for name := range impls {
		if _, ok := table[name]; !ok {
			panic("implementation of unknown virtual " + name)
		}
	}
	for name := range fast {
		if _, ok := table[name]; !ok {
			panic("fast path for unknown virtual " + name)
		}
	}
	return out
}

// result prints err (if any) through Godot and returns its Error code.
func result(ret binding.Ret, err error) {
	if err != nil {
		binding.PrintError(err)
	}
	ret.SetInt(int64(extension.Code(err)))
}

func warn(warnings []string) {
	for _, w := range warnings {
		binding.PrintWarning("%s", w)
	}
}

func main() {}
