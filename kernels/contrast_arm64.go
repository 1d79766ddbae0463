//go:build !purego

package kernels

// contrastNEON64 replaces u[i] by g(u[i]) for i < len(u)&^3 and returns the
// sum of g'(u[i]) over those elements. See contrast_arm64.s for the
// algorithms and their accuracy.
//
//go:noescape
func contrastNEON64(f Contrast, alpha float64, u []float64) float64

// contrastNEON32 is contrastNEON64 for float32 data; logcosh and exp are
// evaluated in float64 and rounded once, and g' is summed in float64.
//
//go:noescape
func contrastNEON32(f Contrast, alpha float64, u []float32) float64

func contrast32(f Contrast, alpha float32, rows, cols int, u []float32, ld int, gpSum []float32) {
	if Impl() != NEON {
		contrastGeneric(f, alpha, rows, cols, u, ld, gpSum)
		return
	}
	contrastRowsNEON(f, alpha, rows, cols, u, ld, gpSum)
}

func contrast64(f Contrast, alpha float64, rows, cols int, u []float64, ld int, gpSum []float64) {
	if Impl() != NEON {
		contrastGeneric(f, alpha, rows, cols, u, ld, gpSum)
		return
	}
	contrastRowsNEON(f, alpha, rows, cols, u, ld, gpSum)
}

// contrastRowsNEON runs the NEON contrast over each row's whole 4-element
// groups and the reference over the last cols%4 elements.
func contrastRowsNEON[T Float](f Contrast, alpha T, rows, cols int, u []T, ld int, gpSum []T) {
	n4 := cols &^ 3
	var tail [1]T
	for i := 0; i < rows; i++ {
		row := u[i*ld : i*ld+cols]
		var s float64
		if n4 > 0 {
			neonRaceWrite(row[:n4])
			if is32[T]() {
				s = contrastNEON32(f, float64(alpha), f32(row[:n4]))
			} else {
				s = contrastNEON64(f, float64(alpha), f64(row[:n4]))
			}
		}
		if n4 < cols {
			tail[0] = 0
			contrastGeneric(f, alpha, 1, cols-n4, row[n4:], cols-n4, tail[:])
			s += float64(tail[0])
		}
		gpSum[i] += T(s)
	}
}

// mathNEON64 applies, in place to x[i] for i < len(x)&^3, exp (fn 0),
// expm1 of min(x, 0) (fn 1) or tanh (fn 2): the vector elementary functions
// on their own, for the accuracy tests.
//
//go:noescape
func mathNEON64(fn int, x []float64)
