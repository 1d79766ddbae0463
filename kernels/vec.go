package kernels

import "fmt"

func checkSameLen(kernel string, a, b int) {
	if a != b {
		panic(fmt.Sprintf("kernels.%s: length mismatch %d != %d", kernel, a, b))
	}
}

// Dot returns Σ x[i]·y[i]. len(x) must equal len(y).
// The sum is accumulated in blocks of fixed width, so the result depends on
// the level but not on anything else.
func Dot[T Float](x, y []T) T {
	checkSameLen("Dot", len(x), len(y))
	if is32[T]() {
		return T(dot32(f32(x), f32(y)))
	}
	return T(dot64(f64(x), f64(y)))
}

// Sum returns Σ x[i].
func Sum[T Float](x []T) T {
	if is32[T]() {
		return T(sum32(f32(x)))
	}
	return T(sum64(f64(x)))
}

// Axpy computes y[i] += alpha·x[i]. len(x) must equal len(y).
func Axpy[T Float](alpha T, x, y []T) {
	checkSameLen("Axpy", len(x), len(y))
	if is32[T]() {
		axpy32(float32(alpha), f32(x), f32(y))
		return
	}
	axpy64(float64(alpha), f64(x), f64(y))
}

// Scale computes x[i] *= alpha.
func Scale[T Float](alpha T, x []T) {
	if is32[T]() {
		scale32(float32(alpha), f32(x))
		return
	}
	scale64(float64(alpha), f64(x))
}

// Mul computes the elementwise product dst[i] = x[i]·y[i]. All three slices
// have the same length; dst may alias x or y.
func Mul[T Float](dst, x, y []T) {
	checkSameLen("Mul", len(x), len(y))
	checkSameLen("Mul", len(dst), len(x))
	if is32[T]() {
		mul32(f32(dst), f32(x), f32(y))
		return
	}
	mul64(f64(dst), f64(x), f64(y))
}
