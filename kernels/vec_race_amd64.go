//go:build race && !purego

package kernels

import (
	"runtime"
	"unsafe"
)

// The race detector cannot see the loads and stores of assembly; the
// elementwise families (vec, contrast, icastep, act) report the slices they
// hand to assembly through these two helpers.

func ewRaceRead[T Float](x []T) {
	if len(x) > 0 {
		runtime.RaceReadRange(unsafe.Pointer(unsafe.SliceData(x)), len(x)*int(unsafe.Sizeof(x[0])))
	}
}

func ewRaceWrite[T Float](x []T) {
	if len(x) > 0 {
		runtime.RaceWriteRange(unsafe.Pointer(unsafe.SliceData(x)), len(x)*int(unsafe.Sizeof(x[0])))
	}
}

// ewRace reports a race-detector build (tests trim their long cases).
const ewRace = true
