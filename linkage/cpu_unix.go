//go:build unix

package linkage

import (
	"syscall"
	"time"
)

// CPUTime returns the CPU time (user and system) the process has used,
// for measuring runs.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
