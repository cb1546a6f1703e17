// Package procstat reads what /proc says about another process: its CPU time,
// resident memory and open file descriptors, and how long a thread ran and
// waited for a CPU. The server benchmark and the churn test sample game
// servers with it.
package procstat

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Sample is what /proc says about a process at one moment.
type Sample struct {
	At     time.Time
	CPU    float64 // user plus system seconds
	RSSKiB int64
	FDs    int
}

// clockTicks is the unit of /proc/PID/stat's times (USER_HZ, 100 on Linux).
const clockTicks = 100

// Read samples process pid: CPU time from /proc/PID/stat, RSS from
// /proc/PID/status, descriptors from /proc/PID/fd.
func Read(pid int) (Sample, error) {
	s := Sample{At: time.Now()}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, err
	}
	// Fields after the command name, which is in parentheses and may hold
	// spaces: state is field 3, utime 14, stime 15.
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(f) < 13 {
		return s, fmt.Errorf("/proc/%d/stat: %q", pid, stat)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return s, fmt.Errorf("/proc/%d/stat: %q", pid, stat)
	}
	s.CPU = float64(utime+stime) / clockTicks
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	for _, l := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			if fields := strings.Fields(v); len(fields) > 0 {
				s.RSSKiB, _ = strconv.ParseInt(fields[0], 10, 64)
			}
		}
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return s, err
	}
	s.FDs = len(fds)
	return s, nil
}

// CPUPercent is the CPU used between two samples, in percent of one core.
func CPUPercent(from, to Sample) float64 {
	return 100 * (to.CPU - from.CPU) / to.At.Sub(from.At).Seconds()
}

// Thread is what /proc/PID/task/TID/schedstat says about one thread: how long
// it ran and how long it was ready to run but waited for a CPU.
type Thread struct {
	At              time.Time
	Running, Queued time.Duration
}

// ReadThread reads thread tid of process pid (the main thread's tid is pid).
func ReadThread(pid, tid int) (Thread, error) {
	th := Thread{At: time.Now()}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/schedstat", pid, tid))
	if err != nil {
		return th, err
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return th, fmt.Errorf("/proc/%d/task/%d/schedstat: %q", pid, tid, b)
	}
	run, err1 := strconv.ParseInt(f[0], 10, 64)
	wait, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil {
		return th, fmt.Errorf("/proc/%d/task/%d/schedstat: %q", pid, tid, b)
	}
	th.Running, th.Queued = time.Duration(run), time.Duration(wait)
	return th, nil
}
