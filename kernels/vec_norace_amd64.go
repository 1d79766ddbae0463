//go:build !race && !purego

package kernels

func ewRaceRead[T Float](x []T)  {}
func ewRaceWrite[T Float](x []T) {}

// ewRace reports a race-detector build (tests trim their long cases).
const ewRace = false
