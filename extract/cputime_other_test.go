//go:build !unix

package extract_test

import "time"

// cpuTime is not measured on this system; the CPU-second rates are left
// out.
func cpuTime() time.Duration { return 0 }
