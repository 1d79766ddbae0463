package kernels

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
)

// Level is an implementation level: a set of instructions the kernels use.
type Level int32

// Levels, in increasing order of capability within an architecture.
const (
	Generic Level = iota // pure Go, every machine
	AVX2                 // amd64 AVX2 + FMA3, 256-bit vectors
	AVX512               // amd64 AVX-512 F/VL/DQ/BW, 512-bit vectors and masks
	NEON                 // arm64 Advanced SIMD, 128-bit vectors
)

var levelNames = [...]string{Generic: "generic", AVX2: "avx2", AVX512: "avx512", NEON: "neon"}

func (l Level) String() string {
	if l >= 0 && int(l) < len(levelNames) {
		return levelNames[l]
	}
	return fmt.Sprintf("Level(%d)", int32(l))
}

// ParseLevel parses a level name as printed by String.
func ParseLevel(s string) (Level, error) {
	for i, n := range levelNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return Level(i), nil
		}
	}
	return Generic, fmt.Errorf("kernels: unknown level %q (want generic, avx2, avx512 or neon)", s)
}

// EnvForce is the environment variable that forces a lower level.
const EnvForce = "DEEPICA_KERNELS"

var (
	// available lists the levels this binary can run on this machine, best
	// last. It is fixed at start-up by detect (one per architecture).
	available []Level
	// best is what detection chose before any DEEPICA_KERNELS override.
	best Level
	// selectionNote says why the current level was chosen (for deepica info).
	selectionNote string
	current       atomic.Int32
)

func init() {
	var why string
	available, why = detect()
	best = available[len(available)-1]
	lvl := best
	selectionNote = why
	if s, ok := os.LookupEnv(EnvForce); ok && s != "" {
		want, err := ParseLevel(s)
		switch {
		case err != nil:
			selectionNote = fmt.Sprintf("%s; %s=%q ignored: %v", why, EnvForce, s, err)
		case !Supported(want):
			selectionNote = fmt.Sprintf("%s; %s=%s ignored: not available on this machine/build", why, EnvForce, want)
		default:
			lvl = want
			selectionNote = fmt.Sprintf("%s; forced to %s by %s", why, want, EnvForce)
		}
	}
	current.Store(int32(lvl))
}

// Impl reports the implementation level in use.
func Impl() Level { return Level(current.Load()) }

// Best reports the best level the machine and this build support, whatever
// DEEPICA_KERNELS says.
func Best() Level { return best }

// Why explains the choice of level in one line (CPU features found, overrides).
func Why() string { return selectionNote }

// Available lists the levels this build can run on this machine, from
// generic up to the best.
func Available() []Level { return append([]Level(nil), available...) }

// Supported reports whether level l can run here.
func Supported(l Level) bool {
	for _, a := range available {
		if a == l {
			return true
		}
	}
	return false
}

// SetLevel switches every kernel to level l, for tests and benchmarks that
// compare levels in one process. It returns an error if l cannot run here.
// Calls already in flight finish on the level they started with; do not
// switch levels while other goroutines are running kernels if their results
// must come from one level.
func SetLevel(l Level) error {
	if !Supported(l) {
		return fmt.Errorf("kernels: level %s not available here (available: %v)", l, available)
	}
	current.Store(int32(l))
	return nil
}
