package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"runtime/trace"
	"time"
)

// Profiling a running game (diagnostics, not for shipping games): with
// WEBRTC_GO_CPUPROFILE and/or WEBRTC_GO_TRACE set to file names, the library
// writes a CPU profile (go tool pprof) and/or an execution trace (go tool
// trace) of its Go code, from WEBRTC_GO_PROFILE_AFTER (default 0s) after it is
// loaded, for WEBRTC_GO_PROFILE_FOR (default 30s).
const (
	cpuProfileEnv   = "WEBRTC_GO_CPUPROFILE"
	traceEnv        = "WEBRTC_GO_TRACE"
	profileAfterEnv = "WEBRTC_GO_PROFILE_AFTER"
	profileForEnv   = "WEBRTC_GO_PROFILE_FOR"
)

// startProfiling starts what the environment asks for on a goroutine of its
// own; problems are printed to stderr (Godot's printer may not be loaded yet).
func startProfiling() {
	cpuFile, traceFile := os.Getenv(cpuProfileEnv), os.Getenv(traceEnv)
	if cpuFile == "" && traceFile == "" {
		return
	}
	after, err1 := durationEnv(profileAfterEnv, 0)
	length, err2 := durationEnv(profileForEnv, 30*time.Second)
	if err1 != nil || err2 != nil {
		fmt.Fprintln(os.Stderr, "godot-webrtc-go: profiling:", err1, err2)
		return
	}
	go func() {
		time.Sleep(after)
		stop := func() {}
		if cpuFile != "" {
			if f, err := os.Create(cpuFile); err != nil || pprof.StartCPUProfile(f) != nil {
				fmt.Fprintln(os.Stderr, "godot-webrtc-go: cannot write a CPU profile to", cpuFile, err)
			} else {
				stop = func() { pprof.StopCPUProfile(); f.Close() }
			}
		}
		if traceFile != "" {
			if f, err := os.Create(traceFile); err != nil || trace.Start(f) != nil {
				fmt.Fprintln(os.Stderr, "godot-webrtc-go: cannot write a trace to", traceFile, err)
			} else {
				prev := stop
				stop = func() { trace.Stop(); f.Close(); prev() }
			}
		}
		time.Sleep(length)
		stop()
		fmt.Fprintln(os.Stderr, "godot-webrtc-go: profiling done")
	}()
}

func durationEnv(name string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}
