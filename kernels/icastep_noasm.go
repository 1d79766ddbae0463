//go:build purego || !(amd64 || arm64)

package kernels

func icaStep32(f Contrast, alpha float32, m, k, n int, w []float32, ldw int, x []float32, ldx int, out []float32, ldo int, gpMean []float32) {
	icaStepGeneric(f, alpha, m, k, n, w, ldw, x, ldx, out, ldo, gpMean)
}

func icaStep64(f Contrast, alpha float64, m, k, n int, w []float64, ldw int, x []float64, ldx int, out []float64, ldo int, gpMean []float64) {
	icaStepGeneric(f, alpha, m, k, n, w, ldw, x, ldx, out, ldo, gpMean)
}

func icaStepRows32(f Contrast, alpha float32, m, k, n int, w []float32, ldw int, x []float32, ldx int, mu, out []float32, ldo int, gpMean []float32) {
	icaStepRowsGeneric(f, alpha, m, k, n, w, ldw, x, ldx, mu, out, ldo, gpMean)
}

func icaStepRows64(f Contrast, alpha float64, m, k, n int, w []float64, ldw int, x []float64, ldx int, mu, out []float64, ldo int, gpMean []float64) {
	icaStepRowsGeneric(f, alpha, m, k, n, w, ldw, x, ldx, mu, out, ldo, gpMean)
}
