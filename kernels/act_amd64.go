//go:build !purego

package kernels

//go:generate go -C ../asm run ./act -out ../kernels/act_amd64.s -stubs ../kernels/act_stubs_amd64.go -pkg kernels

import "math"

// The assembly handles the whole vectors; the reference finishes the tail.
// See asm/act for how each routine matches the reference's roundings.

// sigmoidCut is the argument below which the reference sigmoid is 0
// because math.Exp(−x) overflows: the least x with math.Exp(−x) finite,
// found by bisection since math.Exp's overflow point depends on the
// platform's implementation.
var sigmoidCut = func() float64 {
	lo, hi := 700.0, 720.0 // math.Exp(lo) finite, math.Exp(hi) = +Inf
	for i := 0; i < 200; i++ {
		mid := lo + (hi-lo)/2
		if mid == lo || mid == hi {
			break
		}
		if math.IsInf(math.Exp(mid), 1) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return -lo
}()

// actLanes is the number of elements the level's routines process at a
// time (0 for generic).
func actLanes(size int) int {
	switch Impl() {
	case AVX512:
		return 64 / size
	case AVX2:
		return 32 / size
	}
	return 0
}

func actForward32(a Activation, alpha float32, x, y []float32) {
	l := actLanes(4)
	if l == 0 {
		actForwardGeneric(a, alpha, x, y)
		return
	}
	y = y[:len(x)]
	n := len(x) &^ (l - 1)
	ewRaceRead(x[:n])
	ewRaceWrite(y[:n])
	if Impl() == AVX512 {
		switch a {
		case ELU:
			actFwdELUF32AVX512(alpha, x, y)
		case ReLU:
			actFwdReLUF32AVX512(x, y)
		case Tanh:
			actFwdTanhF32AVX512(x, y)
		default:
			actFwdSigmoidF32AVX512(sigmoidCut, x, y)
		}
	} else {
		switch a {
		case ELU:
			actFwdELUF32AVX2(alpha, x, y)
		case ReLU:
			actFwdReLUF32AVX2(x, y)
		case Tanh:
			actFwdTanhF32AVX2(x, y)
		default:
			actFwdSigmoidF32AVX2(sigmoidCut, x, y)
		}
	}
	actForwardGeneric(a, alpha, x[n:], y[n:])
}

func actBackward32(a Activation, alpha float32, x, y, dy, dx []float32) {
	l := actLanes(4)
	if l == 0 {
		actBackwardGeneric(a, alpha, x, y, dy, dx)
		return
	}
	y, dy, dx = y[:len(x)], dy[:len(x)], dx[:len(x)]
	n := len(x) &^ (l - 1)
	ewRaceRead(x[:n])
	ewRaceRead(y[:n])
	ewRaceRead(dy[:n])
	ewRaceWrite(dx[:n])
	if Impl() == AVX512 {
		switch a {
		case ELU:
			actBwdELUF32AVX512(alpha, x[:n], y, dy, dx)
		case ReLU:
			actBwdReLUF32AVX512(x[:n], dy, dx)
		case Tanh:
			actBwdTanhF32AVX512(y[:n], dy, dx)
		default:
			actBwdSigmoidF32AVX512(y[:n], dy, dx)
		}
	} else {
		switch a {
		case ELU:
			actBwdELUF32AVX2(alpha, x[:n], y, dy, dx)
		case ReLU:
			actBwdReLUF32AVX2(x[:n], dy, dx)
		case Tanh:
			actBwdTanhF32AVX2(y[:n], dy, dx)
		default:
			actBwdSigmoidF32AVX2(y[:n], dy, dx)
		}
	}
	actBackwardGeneric(a, alpha, x[n:], y[n:], dy[n:], dx[n:])
}

func adam32(p, g, m, v []float32, lr, b1, b2, eps float32, t int) {
	l := actLanes(4)
	if l == 0 {
		adamGeneric(p, g, m, v, lr, b1, b2, eps, t)
		return
	}
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	n := len(p) &^ (l - 1)
	// The bias corrections exactly as adamGeneric computes them.
	c1 := 1 / (1 - float32(math.Pow(float64(b1), float64(t))))
	c2 := 1 / (1 - float32(math.Pow(float64(b2), float64(t))))
	ewRaceRead(g[:n])
	ewRaceWrite(p[:n])
	ewRaceWrite(m[:n])
	ewRaceWrite(v[:n])
	if Impl() == AVX512 {
		adamF32AVX512(p[:n], g, m, v, lr, b1, 1-b1, b2, 1-b2, eps, c1, c2)
	} else {
		adamF32AVX2(p[:n], g, m, v, lr, b1, 1-b1, b2, 1-b2, eps, c1, c2)
	}
	adamGeneric(p[n:], g[n:], m[n:], v[n:], lr, b1, b2, eps, t)
}

func actForward64(a Activation, alpha float64, x, y []float64) {
	l := actLanes(8)
	if l == 0 {
		actForwardGeneric(a, alpha, x, y)
		return
	}
	y = y[:len(x)]
	n := len(x) &^ (l - 1)
	ewRaceRead(x[:n])
	ewRaceWrite(y[:n])
	if Impl() == AVX512 {
		switch a {
		case ELU:
			actFwdELUF64AVX512(alpha, x, y)
		case ReLU:
			actFwdReLUF64AVX512(x, y)
		case Tanh:
			actFwdTanhF64AVX512(x, y)
		default:
			actFwdSigmoidF64AVX512(sigmoidCut, x, y)
		}
	} else {
		switch a {
		case ELU:
			actFwdELUF64AVX2(alpha, x, y)
		case ReLU:
			actFwdReLUF64AVX2(x, y)
		case Tanh:
			actFwdTanhF64AVX2(x, y)
		default:
			actFwdSigmoidF64AVX2(sigmoidCut, x, y)
		}
	}
	actForwardGeneric(a, alpha, x[n:], y[n:])
}

func actBackward64(a Activation, alpha float64, x, y, dy, dx []float64) {
	l := actLanes(8)
	if l == 0 {
		actBackwardGeneric(a, alpha, x, y, dy, dx)
		return
	}
	y, dy, dx = y[:len(x)], dy[:len(x)], dx[:len(x)]
	n := len(x) &^ (l - 1)
	ewRaceRead(x[:n])
	ewRaceRead(y[:n])
	ewRaceRead(dy[:n])
	ewRaceWrite(dx[:n])
	if Impl() == AVX512 {
		switch a {
		case ELU:
			actBwdELUF64AVX512(alpha, x[:n], y, dy, dx)
		case ReLU:
			actBwdReLUF64AVX512(x[:n], dy, dx)
		case Tanh:
			actBwdTanhF64AVX512(y[:n], dy, dx)
		default:
			actBwdSigmoidF64AVX512(y[:n], dy, dx)
		}
	} else {
		switch a {
		case ELU:
			actBwdELUF64AVX2(alpha, x[:n], y, dy, dx)
		case ReLU:
			actBwdReLUF64AVX2(x[:n], dy, dx)
		case Tanh:
			actBwdTanhF64AVX2(y[:n], dy, dx)
		default:
			actBwdSigmoidF64AVX2(y[:n], dy, dx)
		}
	}
	actBackwardGeneric(a, alpha, x[n:], y[n:], dy[n:], dx[n:])
}

func adam64(p, g, m, v []float64, lr, b1, b2, eps float64, t int) {
	l := actLanes(8)
	if l == 0 {
		adamGeneric(p, g, m, v, lr, b1, b2, eps, t)
		return
	}
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	n := len(p) &^ (l - 1)
	// The bias corrections exactly as adamGeneric computes them.
	c1 := 1 / (1 - float64(math.Pow(float64(b1), float64(t))))
	c2 := 1 / (1 - float64(math.Pow(float64(b2), float64(t))))
	ewRaceRead(g[:n])
	ewRaceWrite(p[:n])
	ewRaceWrite(m[:n])
	ewRaceWrite(v[:n])
	if Impl() == AVX512 {
		adamF64AVX512(p[:n], g, m, v, lr, b1, 1-b1, b2, 1-b2, eps, c1, c2)
	} else {
		adamF64AVX2(p[:n], g, m, v, lr, b1, 1-b1, b2, 1-b2, eps, c1, c2)
	}
	adamGeneric(p[n:], g[n:], m[n:], v[n:], lr, b1, b2, eps, t)
}
