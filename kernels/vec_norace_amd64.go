//go:build !race && !purego

package kernels

func ewRaceRead[T Float](x []T)  {}
func ewRaceWrite[T Float](x []T) {}
