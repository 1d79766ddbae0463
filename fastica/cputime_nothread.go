//go:build !linux

package fastica

import "time"

// ThreadCPU is not measured on this platform (see the Linux version).
func ThreadCPU() time.Duration { return 0 }
