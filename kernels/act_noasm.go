//go:build purego || !(amd64 || arm64)

package kernels

func actForward32(a Activation, alpha float32, x, y []float32) { actForwardGeneric(a, alpha, x, y) }
func actForward64(a Activation, alpha float64, x, y []float64) { actForwardGeneric(a, alpha, x, y) }

func actBackward32(a Activation, alpha float32, x, y, dy, dx []float32) {
	actBackwardGeneric(a, alpha, x, y, dy, dx)
}

func actBackward64(a Activation, alpha float64, x, y, dy, dx []float64) {
	actBackwardGeneric(a, alpha, x, y, dy, dx)
}

func adam32(p, g, m, v []float32, lr, b1, b2, eps float32, t int) {
	adamGeneric(p, g, m, v, lr, b1, b2, eps, t)
}

func adam64(p, g, m, v []float64, lr, b1, b2, eps float64, t int) {
	adamGeneric(p, g, m, v, lr, b1, b2, eps, t)
}
