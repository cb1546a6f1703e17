//go:build !linux

package audio

import "time"

var wallStart = time.Now()

// threadCPU falls back to wall time where no per-thread CPU clock is read.
func threadCPU() time.Duration { return time.Since(wallStart) }

func lockThread() (unlock func()) { return func() {} }
