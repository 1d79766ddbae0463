//go:build race && !purego

package kernels

import (
	"runtime"
	"unsafe"
)

// The race detector cannot see the loads and stores of assembly; the NEON
// wrappers report the slices they hand to assembly through these helpers.

func neonRaceRead[T Float](x []T) {
	if len(x) > 0 {
		runtime.RaceReadRange(unsafe.Pointer(unsafe.SliceData(x)), len(x)*int(unsafe.Sizeof(x[0])))
	}
}

func neonRaceWrite[T Float](x []T) {
	if len(x) > 0 {
		runtime.RaceWriteRange(unsafe.Pointer(unsafe.SliceData(x)), len(x)*int(unsafe.Sizeof(x[0])))
	}
}
