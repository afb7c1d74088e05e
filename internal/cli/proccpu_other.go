//go:build !unix

package cli

import "time"

// processCPU is 0 (unknown) where there is no getrusage, e.g. Windows: the
// release builds for it, and bench reports no CPU per request there.
func processCPU() time.Duration { return 0 }
