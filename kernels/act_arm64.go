//go:build !purego

package kernels

import "math"

// actNEON64 computes y[i] = act(x[i]) for i < len(x)&^3 (contrast_arm64.s).
//
//go:noescape
func actNEON64(act Activation, alpha float64, x, y []float64)

// actNEON32 is actNEON64 for float32; ELU, tanh and sigmoid are evaluated in
// float64 and rounded once.
//
//go:noescape
func actNEON32(act Activation, alpha float64, x, y []float32)

// actBackNEON64 computes dx[i] = dy[i]·act'(x[i]) for i < len(x)&^1
// (act_arm64.s).
//
//go:noescape
func actBackNEON64(act Activation, alpha float64, x, y, dy, dx []float64)

// actBackNEON32 is actBackNEON64 in float32 arithmetic, for i < len(x)&^3.
//
//go:noescape
func actBackNEON32(act Activation, alpha float32, x, y, dy, dx []float32)

// adamNEON64 applies the Adam update to i < len(p)&^1 with the constants
// c = {β₁, 1−β₁, β₂, 1−β₂, lr, c₁, c₂, ε} (act_arm64.s).
//
//go:noescape
func adamNEON64(p, g, m, v []float64, c *[8]float64)

// adamNEON32 is adamNEON64 in float32 arithmetic, for i < len(p)&^3.
//
//go:noescape
func adamNEON32(p, g, m, v []float32, c *[8]float32)

func actForward32(a Activation, alpha float32, x, y []float32) {
	if Impl() != NEON {
		actForwardGeneric(a, alpha, x, y)
		return
	}
	n := len(x) &^ 3
	neonRaceRead(x[:n])
	neonRaceWrite(y[:n])
	actNEON32(a, float64(alpha), x[:n], y[:n])
	actForwardGeneric(a, alpha, x[n:], y[n:])
}

func actForward64(a Activation, alpha float64, x, y []float64) {
	if Impl() != NEON {
		actForwardGeneric(a, alpha, x, y)
		return
	}
	n := len(x) &^ 3
	neonRaceRead(x[:n])
	neonRaceWrite(y[:n])
	actNEON64(a, alpha, x[:n], y[:n])
	actForwardGeneric(a, alpha, x[n:], y[n:])
}

func actBackward32(a Activation, alpha float32, x, y, dy, dx []float32) {
	if Impl() != NEON {
		actBackwardGeneric(a, alpha, x, y, dy, dx)
		return
	}
	n := len(x) &^ 3
	neonRaceRead(x[:n])
	neonRaceRead(y[:n])
	neonRaceRead(dy[:n])
	neonRaceWrite(dx[:n])
	actBackNEON32(a, alpha, x[:n], y[:n], dy[:n], dx[:n])
	actBackwardGeneric(a, alpha, x[n:], y[n:], dy[n:], dx[n:])
}

func actBackward64(a Activation, alpha float64, x, y, dy, dx []float64) {
	if Impl() != NEON {
		actBackwardGeneric(a, alpha, x, y, dy, dx)
		return
	}
	n := len(x) &^ 1
	neonRaceRead(x[:n])
	neonRaceRead(y[:n])
	neonRaceRead(dy[:n])
	neonRaceWrite(dx[:n])
	actBackNEON64(a, alpha, x[:n], y[:n], dy[:n], dx[:n])
	actBackwardGeneric(a, alpha, x[n:], y[n:], dy[n:], dx[n:])
}

// adamConsts computes the per-step constants exactly as adamGeneric does.
func adamConsts[T Float](lr, beta1, beta2, eps T, t int) [8]T {
	c1 := 1 / (1 - T(math.Pow(float64(beta1), float64(t))))
	c2 := 1 / (1 - T(math.Pow(float64(beta2), float64(t))))
	return [8]T{beta1, 1 - beta1, beta2, 1 - beta2, lr, c1, c2, eps}
}

func adam32(p, g, m, v []float32, lr, b1, b2, eps float32, t int) {
	if Impl() != NEON {
		adamGeneric(p, g, m, v, lr, b1, b2, eps, t)
		return
	}
	n := len(p) &^ 3
	neonRaceRead(g[:n])
	neonRaceWrite(p[:n])
	neonRaceWrite(m[:n])
	neonRaceWrite(v[:n])
	c := adamConsts(lr, b1, b2, eps, t)
	adamNEON32(p[:n], g[:n], m[:n], v[:n], &c)
	adamGeneric(p[n:], g[n:], m[n:], v[n:], lr, b1, b2, eps, t)
}

func adam64(p, g, m, v []float64, lr, b1, b2, eps float64, t int) {
	if Impl() != NEON {
		adamGeneric(p, g, m, v, lr, b1, b2, eps, t)
		return
	}
	n := len(p) &^ 1
	neonRaceRead(g[:n])
	neonRaceWrite(p[:n])
	neonRaceWrite(m[:n])
	neonRaceWrite(v[:n])
	c := adamConsts(lr, b1, b2, eps, t)
	adamNEON64(p[:n], g[:n], m[:n], v[:n], &c)
	adamGeneric(p[n:], g[n:], m[n:], v[n:], lr, b1, b2, eps, t)
}
