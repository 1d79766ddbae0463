//go:build !purego

package kernels

func dot32(x, y []float32) float32     { return dotGeneric(x, y) }
func dot64(x, y []float64) float64     { return dotGeneric(x, y) }
func sum32(x []float32) float32        { return sumGeneric(x) }
func sum64(x []float64) float64        { return sumGeneric(x) }
func axpy32(a float32, x, y []float32) { axpyGeneric(a, x, y) }
func axpy64(a float64, x, y []float64) { axpyGeneric(a, x, y) }
func scale32(a float32, x []float32)   { scaleGeneric(a, x) }
func scale64(a float64, x []float64)   { scaleGeneric(a, x) }
func mul32(dst, x, y []float32)        { mulGeneric(dst, x, y) }
func mul64(dst, x, y []float64)        { mulGeneric(dst, x, y) }
