package kernels

import "math"

// contrastGeneric replaces u (rows×cols, leading dimension ld) by g(u) and
// adds Σ_j g'(u_ij) to gpSum[i]. float32 values are evaluated in float64 and
// rounded once, so the reference is correctly rounded up to the accuracy of
// math.Tanh and math.Exp.
func contrastGeneric[T Float](f Contrast, alpha T, rows, cols int, u []T, ld int, gpSum []T) {
	a := float64(alpha)
	for i := 0; i < rows; i++ {
		row := u[i*ld : i*ld+cols]
		var s T
		switch f {
		case LogCosh:
			for j, v := range row {
				t := math.Tanh(a * float64(v))
				row[j] = T(t)
				s += T(a * (1 - t*t))
			}
		case Exp:
			for j, v := range row {
				x := float64(v)
				e := math.Exp(-x * x / 2)
				row[j] = T(x * e)
				s += T((1 - x*x) * e)
			}
		case Cube:
			for j, v := range row {
				row[j] = v * v * v
				s += 3 * v * v
			}
		}
		gpSum[i] += s
	}
}
