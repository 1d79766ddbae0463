//go:build purego || !amd64

package kernels

func projectRows32(m, k, n int, w []float32, ldw int, x []float32, ldx int, mu, dst []float32, ldd int) {
	projectRowsGeneric(m, k, n, w, ldw, x, ldx, mu, dst, ldd)
}

func projectRows64(m, k, n int, w []float64, ldw int, x []float64, ldx int, mu, dst []float64, ldd int) {
	projectRowsGeneric(m, k, n, w, ldw, x, ldx, mu, dst, ldd)
}
