//go:build !purego

package kernels

// The NEON routines handle whole 128-bit vectors (4 float32, 2 float64);
// these wrappers add the last one to three elements in Go.

func dot32(x, y []float32) float32 {
	if Impl() != NEON {
		return dotGeneric(x, y)
	}
	n := len(x) &^ 3
	neonRaceRead(x[:n])
	neonRaceRead(y[:n])
	s := dotNEON32(x, y)
	for i := n; i < len(x); i++ {
		s += x[i] * y[i]
	}
	return s
}

func dot64(x, y []float64) float64 {
	if Impl() != NEON {
		return dotGeneric(x, y)
	}
	n := len(x) &^ 1
	neonRaceRead(x[:n])
	neonRaceRead(y[:n])
	s := dotNEON64(x, y)
	for i := n; i < len(x); i++ {
		s += x[i] * y[i]
	}
	return s
}

func sum32(x []float32) float32 {
	if Impl() != NEON {
		return sumGeneric(x)
	}
	n := len(x) &^ 3
	neonRaceRead(x[:n])
	s := sumNEON32(x)
	for _, v := range x[n:] {
		s += v
	}
	return s
}

func sum64(x []float64) float64 {
	if Impl() != NEON {
		return sumGeneric(x)
	}
	n := len(x) &^ 1
	neonRaceRead(x[:n])
	s := sumNEON64(x)
	for _, v := range x[n:] {
		s += v
	}
	return s
}

func axpy32(a float32, x, y []float32) {
	if Impl() != NEON {
		axpyGeneric(a, x, y)
		return
	}
	n := len(x) &^ 3
	neonRaceRead(x[:n])
	neonRaceWrite(y[:n])
	axpyNEON32(a, x, y)
	axpyGeneric(a, x[n:], y[n:])
}

func axpy64(a float64, x, y []float64) {
	if Impl() != NEON {
		axpyGeneric(a, x, y)
		return
	}
	n := len(x) &^ 1
	neonRaceRead(x[:n])
	neonRaceWrite(y[:n])
	axpyNEON64(a, x, y)
	axpyGeneric(a, x[n:], y[n:])
}

func scale32(a float32, x []float32) {
	if Impl() != NEON {
		scaleGeneric(a, x)
		return
	}
	n := len(x) &^ 3
	neonRaceWrite(x[:n])
	scaleNEON32(a, x)
	scaleGeneric(a, x[n:])
}

func scale64(a float64, x []float64) {
	if Impl() != NEON {
		scaleGeneric(a, x)
		return
	}
	n := len(x) &^ 1
	neonRaceWrite(x[:n])
	scaleNEON64(a, x)
	scaleGeneric(a, x[n:])
}

func mul32(dst, x, y []float32) {
	if Impl() != NEON {
		mulGeneric(dst, x, y)
		return
	}
	n := len(x) &^ 3
	neonRaceRead(x[:n])
	neonRaceRead(y[:n])
	neonRaceWrite(dst[:n])
	mulNEON32(dst, x, y)
	mulGeneric(dst[n:], x[n:], y[n:])
}

func mul64(dst, x, y []float64) {
	if Impl() != NEON {
		mulGeneric(dst, x, y)
		return
	}
	n := len(x) &^ 1
	neonRaceRead(x[:n])
	neonRaceRead(y[:n])
	neonRaceWrite(dst[:n])
	mulNEON64(dst, x, y)
	mulGeneric(dst[n:], x[n:], y[n:])
}

// The assembly stubs. Each processes len(x) rounded down to whole vectors;
// y and dst must be at least that long (the exported wrappers check lengths).

// dotNEON32 returns Σ x[i]·y[i], i < len(x)&^3, in eight 4-lane partial sums.
//
//go:noescape
func dotNEON32(x, y []float32) float32

// dotNEON64 returns Σ x[i]·y[i], i < len(x)&^1, in eight 2-lane partial sums.
//
//go:noescape
func dotNEON64(x, y []float64) float64

// sumNEON32 returns Σ x[i], i < len(x)&^3.
//
//go:noescape
func sumNEON32(x []float32) float32

// sumNEON64 returns Σ x[i], i < len(x)&^1.
//
//go:noescape
func sumNEON64(x []float64) float64

// axpyNEON32 does y[i] += a·x[i] (fused), i < len(x)&^3.
//
//go:noescape
func axpyNEON32(a float32, x, y []float32)

// axpyNEON64 does y[i] += a·x[i] (fused), i < len(x)&^1.
//
//go:noescape
func axpyNEON64(a float64, x, y []float64)

// scaleNEON32 does x[i] *= a, i < len(x)&^3.
//
//go:noescape
func scaleNEON32(a float32, x []float32)

// scaleNEON64 does x[i] *= a, i < len(x)&^1.
//
//go:noescape
func scaleNEON64(a float64, x []float64)

// mulNEON32 does dst[i] = x[i]·y[i], i < len(x)&^3.
//
//go:noescape
func mulNEON32(dst, x, y []float32)

// mulNEON64 does dst[i] = x[i]·y[i], i < len(x)&^1.
//
//go:noescape
func mulNEON64(dst, x, y []float64)
