//go:build !purego

package kernels

//go:generate go -C ../asm run ./vec -out ../kernels/vec_amd64.s -stubs ../kernels/vec_stubs_amd64.go -pkg kernels

// The assembly handles the whole vectors (len &^ (lanes−1) elements); the
// reference loop finishes the rest. The reductions' order is fixed per level
// (see asm/vec), so Dot and Sum depend on the level only.

func dot32(x, y []float32) float32 {
	y = y[:len(x)]
	var s float32
	var n int
	switch Impl() {
	case AVX512:
		n = len(x) &^ 15
		ewRaceRead(x[:n])
		ewRaceRead(y[:n])
		s = dotF32AVX512(x, y)
	case AVX2:
		n = len(x) &^ 7
		ewRaceRead(x[:n])
		ewRaceRead(y[:n])
		s = dotF32AVX2(x, y)
	default:
		return dotGeneric(x, y)
	}
	for i := n; i < len(x); i++ {
		s += x[i] * y[i]
	}
	return s
}

func dot64(x, y []float64) float64 {
	y = y[:len(x)]
	var s float64
	var n int
	switch Impl() {
	case AVX512:
		n = len(x) &^ 7
		ewRaceRead(x[:n])
		ewRaceRead(y[:n])
		s = dotF64AVX512(x, y)
	case AVX2:
		n = len(x) &^ 3
		ewRaceRead(x[:n])
		ewRaceRead(y[:n])
		s = dotF64AVX2(x, y)
	default:
		return dotGeneric(x, y)
	}
	for i := n; i < len(x); i++ {
		s += x[i] * y[i]
	}
	return s
}

func sum32(x []float32) float32 {
	var s float32
	var n int
	switch Impl() {
	case AVX512:
		n = len(x) &^ 15
		ewRaceRead(x[:n])
		s = sumF32AVX512(x)
	case AVX2:
		n = len(x) &^ 7
		ewRaceRead(x[:n])
		s = sumF32AVX2(x)
	default:
		return sumGeneric(x)
	}
	for _, v := range x[n:] {
		s += v
	}
	return s
}

func sum64(x []float64) float64 {
	var s float64
	var n int
	switch Impl() {
	case AVX512:
		n = len(x) &^ 7
		ewRaceRead(x[:n])
		s = sumF64AVX512(x)
	case AVX2:
		n = len(x) &^ 3
		ewRaceRead(x[:n])
		s = sumF64AVX2(x)
	default:
		return sumGeneric(x)
	}
	for _, v := range x[n:] {
		s += v
	}
	return s
}

func axpy32(a float32, x, y []float32) {
	y = y[:len(x)]
	n := 0
	switch Impl() {
	case AVX512:
		n = len(x) &^ 15
		ewRaceRead(x[:n])
		ewRaceWrite(y[:n])
		axpyF32AVX512(a, x, y)
	case AVX2:
		n = len(x) &^ 7
		ewRaceRead(x[:n])
		ewRaceWrite(y[:n])
		axpyF32AVX2(a, x, y)
	}
	axpyGeneric(a, x[n:], y[n:])
}

func axpy64(a float64, x, y []float64) {
	y = y[:len(x)]
	n := 0
	switch Impl() {
	case AVX512:
		n = len(x) &^ 7
		ewRaceRead(x[:n])
		ewRaceWrite(y[:n])
		axpyF64AVX512(a, x, y)
	case AVX2:
		n = len(x) &^ 3
		ewRaceRead(x[:n])
		ewRaceWrite(y[:n])
		axpyF64AVX2(a, x, y)
	}
	axpyGeneric(a, x[n:], y[n:])
}

func scale32(a float32, x []float32) {
	n := 0
	switch Impl() {
	case AVX512:
		n = len(x) &^ 15
		ewRaceWrite(x[:n])
		scaleF32AVX512(a, x)
	case AVX2:
		n = len(x) &^ 7
		ewRaceWrite(x[:n])
		scaleF32AVX2(a, x)
	}
	scaleGeneric(a, x[n:])
}

func scale64(a float64, x []float64) {
	n := 0
	switch Impl() {
	case AVX512:
		n = len(x) &^ 7
		ewRaceWrite(x[:n])
		scaleF64AVX512(a, x)
	case AVX2:
		n = len(x) &^ 3
		ewRaceWrite(x[:n])
		scaleF64AVX2(a, x)
	}
	scaleGeneric(a, x[n:])
}

func mul32(dst, x, y []float32) {
	y, dst = y[:len(x)], dst[:len(x)]
	n := 0
	switch Impl() {
	case AVX512:
		n = len(x) &^ 15
		ewRaceRead(x[:n])
		ewRaceRead(y[:n])
		ewRaceWrite(dst[:n])
		mulF32AVX512(dst, x, y)
	case AVX2:
		n = len(x) &^ 7
		ewRaceRead(x[:n])
		ewRaceRead(y[:n])
		ewRaceWrite(dst[:n])
		mulF32AVX2(dst, x, y)
	}
	mulGeneric(dst[n:], x[n:], y[n:])
}

func mul64(dst, x, y []float64) {
	y, dst = y[:len(x)], dst[:len(x)]
	n := 0
	switch Impl() {
	case AVX512:
		n = len(x) &^ 7
		ewRaceRead(x[:n])
		ewRaceRead(y[:n])
		ewRaceWrite(dst[:n])
		mulF64AVX512(dst, x, y)
	case AVX2:
		n = len(x) &^ 3
		ewRaceRead(x[:n])
		ewRaceRead(y[:n])
		ewRaceWrite(dst[:n])
		mulF64AVX2(dst, x, y)
	}
	mulGeneric(dst[n:], x[n:], y[n:])
}
