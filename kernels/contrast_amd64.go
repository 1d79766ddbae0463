//go:build !purego

package kernels

func contrast32(f Contrast, alpha float32, rows, cols int, u []float32, ld int, gpSum []float32) {
	contrastGeneric(f, alpha, rows, cols, u, ld, gpSum)
}

func contrast64(f Contrast, alpha float64, rows, cols int, u []float64, ld int, gpSum []float64) {
	contrastGeneric(f, alpha, rows, cols, u, ld, gpSum)
}
