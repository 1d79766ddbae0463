//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// These tests check the assembly GEMM driver (packing, blocking, register
// tiles, edge tiles, Gram's triangle and centering) at both assembly levels
// directly, against a float64 naive product computed here; the shared
// harness checks the exported kernels on top.

func asmLevelsHere() []Level {
	var ls []Level
	for _, l := range []Level{AVX2, AVX512} {
		if Supported(l) {
			ls = append(ls, l)
		}
	}
	return ls
}

// naiveGemm returns alpha·op(A)·op(B) + beta·C in float64 (beta = 0
// ignoring C) with, for each element, the bound Σ|terms| used for the
// tolerance.
func naiveGemm[T Float](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int, shA, shB []T) (want, mag []float64) {
	want, mag = make([]float64, m*n), make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, abs float64
			for p := 0; p < k; p++ {
				var x, y float64
				if tA {
					x = float64(a[p*lda+i])
				} else {
					x = float64(a[i*lda+p])
				}
				if tB {
					y = float64(b[j*ldb+p])
				} else {
					y = float64(b[p*ldb+j])
				}
				if shA != nil {
					x -= float64(shA[i])
				}
				if shB != nil {
					y -= float64(shB[j])
				}
				s += x * y
				abs += math.Abs(x * y)
			}
			v := float64(alpha) * s
			abs = math.Abs(float64(alpha)) * abs
			if beta != 0 {
				v += float64(beta) * float64(c[i*ldc+j])
				abs += math.Abs(float64(beta) * float64(c[i*ldc+j]))
			}
			want[i*n+j], mag[i*n+j] = v, abs
		}
	}
	return want, mag
}

func randSlice[T Float](r *rand.Rand, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(r.Float64()*2 - 1)
	}
	return s
}

// checkClose compares C (m×n, ld ldc) with want: the float32/64 results
// carry one rounding per term of the reduction and the shift (k+3 ops), so
// the error is at most (k+4)·eps·Σ|terms| (+ an extra eps for the shifted
// operands' own rounding, folded in the factor 2).
func checkClose[T Float](t *testing.T, what string, m, n, k int, c []T, ldc int, want, mag []float64) {
	t.Helper()
	eps := 0x1p-52
	if is32[T]() {
		eps = 0x1p-23
	}
	bad := 0
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			got, w := float64(c[i*ldc+j]), want[i*n+j]
			tol := 2 * float64(k+4) * eps * mag[i*n+j]
			if math.IsNaN(w) != math.IsNaN(got) || (!math.IsNaN(w) && math.Abs(got-w) > tol) {
				if bad < 5 {
					t.Errorf("%s: C[%d][%d] = %v, want %v (tol %.3g)", what, i, j, got, w, tol)
				}
				bad++
			}
		}
	}
}

func testGemmAsm[T Float](t *testing.T, lvl Level) {
	r := rand.New(rand.NewPCG(1, 2))
	bl := blockingFor(lvl, !is32[T]())
	// 16 and 32 take the short tile at AVX-512 (see gemmBlocked).
	sizes := []int{0, 1, 2, bl.mr - 1, bl.mr, bl.mr + 1, 16, bl.nr - 1, 32, bl.nr + 1, 2*bl.nr + 3}
	ks := []int{0, 1, 3, 17, bl.kc, bl.kc + 5}
	for _, tA := range []bool{false, true} {
		for _, tB := range []bool{false, true} {
			for _, m := range sizes {
				for _, n := range sizes {
					for _, k := range ks {
						if (m*n*k > 20000 && r.IntN(4) != 0) || (m > 20 && n > 20 && r.IntN(3) != 0) {
							continue
						}
						pad := r.IntN(3)
						ar, ac := m, k
						if tA {
							ar, ac = k, m
						}
						br, bc := k, n
						if tB {
							br, bc = n, k
						}
						lda, ldb, ldc := ac+pad, bc+pad, n+pad
						a := randSlice[T](r, max(matLen(ar, ac, lda), 0))
						b := randSlice[T](r, max(matLen(br, bc, ldb), 0))
						c := randSlice[T](r, max(matLen(m, n, ldc), 0))
						alpha, beta := T(r.Float64()*2-1), T(0)
						if r.IntN(2) == 0 {
							beta = T(r.Float64()*2 - 1)
						} else {
							for i := range c {
								c[i] = T(math.NaN()) // beta = 0 must ignore C, even NaN
							}
						}
						want, mag := naiveGemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, nil, nil)
						g := gemmArgs[T]{transA: tA, transB: tB, m: m, n: n, k: k, alpha: alpha, beta: beta,
							a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc}
						gemmBlocked(lvl, &g, false)
						checkClose(t, fmt.Sprintf("tA=%v tB=%v m=%d n=%d k=%d", tA, tB, m, n, k), m, n, k, c, ldc, want, mag)
					}
				}
			}
		}
	}
}

func TestGemmBlockedAsm(t *testing.T) {
	for _, lvl := range asmLevelsHere() {
		t.Run(lvl.String()+"/f32", func(t *testing.T) { testGemmAsm[float32](t, lvl) })
		t.Run(lvl.String()+"/f64", func(t *testing.T) { testGemmAsm[float64](t, lvl) })
	}
}

// TestGemmNonTemporal runs products whose C is stored non-temporally (one
// reduction slice, beta = 0, 64-byte aligned C) on small sizes, checking
// the values and that the padding between C's rows is left alone.
func TestGemmNonTemporal(t *testing.T) {
	prev := ntMinBytes
	ntMinBytes = 0
	defer func() { ntMinBytes = prev }()
	for _, lvl := range asmLevelsHere() {
		t.Run(lvl.String()+"/f32", func(t *testing.T) { testGemmNT[float32](t, lvl) })
		t.Run(lvl.String()+"/f64", func(t *testing.T) { testGemmNT[float64](t, lvl) })
	}
}

func testGemmNT[T Float](t *testing.T, lvl Level) {
	r := rand.New(rand.NewPCG(11, 12))
	var z T
	size := int(unsafe.Sizeof(z))
	for _, tB := range []bool{false, true} {
		for _, m := range []int{1, 8, 14, 16, 29, 40, 64, 70} {
			for _, n := range []int{1, 16, 32, 33, 100} {
				for _, k := range []int{1, 17, 40} {
					ldc := ceilDiv(n, 64/size)*(64/size) + 64/size // a multiple of 64 bytes, with padding
					br, bc := k, n
					if tB {
						br, bc = n, k
					}
					a, b := randSlice[T](r, m*k), randSlice[T](r, br*bc)
					c := alignedSlice[T](m * ldc)
					for i := range c {
						c[i] = T(math.NaN())
					}
					alpha := T(r.Float64()*2 - 1)
					want, mag := naiveGemm(false, tB, m, n, k, alpha, a, k, b, bc, 0, c, ldc, nil, nil)
					g := gemmArgs[T]{transB: tB, m: m, n: n, k: k, alpha: alpha, a: a, lda: k, b: b, ldb: bc, c: c, ldc: ldc}
					gemmBlocked(lvl, &g, false)
					what := fmt.Sprintf("tB=%v m=%d n=%d k=%d", tB, m, n, k)
					checkClose(t, what, m, n, k, c, ldc, want, mag)
					for i := 0; i < m; i++ {
						for j := n; j < ldc; j++ {
							if v := c[i*ldc+j]; !math.IsNaN(float64(v)) {
								t.Fatalf("%s: padding C[%d][%d] written (%v)", what, i, j, v)
							}
						}
					}
				}
			}
		}
	}
}

// TestGemmRowSplit checks the several-thread path that splits C's rows into
// blocks with their own A (m ≥ 8·threads·MR), against the float64 naive
// product and bit for bit against one thread: both transposes, one and two
// reduction slices (and the longer slices of a long reduction), beta = 0
// (NaN C) and not, partial last blocks and tiles, and the non-temporal
// stores.
func TestGemmRowSplit(t *testing.T) {
	for _, lvl := range asmLevelsHere() {
		t.Run(lvl.String()+"/f32", func(t *testing.T) { testGemmRowSplit[float32](t, lvl) })
		t.Run(lvl.String()+"/f64", func(t *testing.T) { testGemmRowSplit[float64](t, lvl) })
	}
}

func testGemmRowSplit[T Float](t *testing.T, lvl Level) {
	r := rand.New(rand.NewPCG(21, 22))
	bl := blockingFor(lvl, !is32[T]())
	for _, th := range []int{2, 3} {
		cases := []struct{ m, n, k int }{
			{8*th*bl.mr + 3, 37, bl.kc + 5}, {451, 70, 40}, {8 * th * 16, 33, 2*bl.kc + 1},
			{8*th*bl.mr + 5, 21, 8*bl.kc + 7}, // a long reduction: longer slices
		}
		if raceEnabled {
			cases = cases[:1] // the naive reference is slow under the detector
		}
		for _, cs := range cases {
			for tr := 0; tr < 4; tr++ {
				for _, nt := range []bool{false, true} {
					checkThreadedGemm[T](t, r, lvl, th, cs.m, cs.n, cs.k, tr&1 != 0, tr&2 != 0, nt)
				}
			}
		}
	}
}

// TestGemmDirectParallel checks the several-thread path for few rows of C
// (m ≤ directMaxM, B read in place, one parallel section over chunks of
// B panels, directParallel) the same way: against the float64 naive
// product and bit for bit against one thread (the general loop), with
// short and tall tiles, partial last tiles and panels (so chunk edges and
// the packed last panel), one and several reduction slices, beta = 0 and
// not, and the non-temporal stores. The path's work threshold is lowered
// so that these sizes (several column blocks each) reach it.
func TestGemmDirectParallel(t *testing.T) {
	for _, lvl := range asmLevelsHere() {
		t.Run(lvl.String()+"/f32", func(t *testing.T) { testGemmDirectParallel[float32](t, lvl) })
		t.Run(lvl.String()+"/f64", func(t *testing.T) { testGemmDirectParallel[float64](t, lvl) })
	}
}

func testGemmDirectParallel[T Float](t *testing.T, lvl Level) {
	prev := minDirectParallelFlops
	minDirectParallelFlops = 0
	defer func() { minDirectParallelFlops = prev }()
	r := rand.New(rand.NewPCG(23, 24))
	bl := blockingFor(lvl, !is32[T]())
	cases := []struct{ m, n, k int }{
		{32, 2*bl.nc + 37, 27}, {40, bl.nc + 5, 40}, {3, 4*bl.nc + 1, 90}, {64, bl.nc/4 + 3, bl.kc + 9}, {14, bl.nc + 16, 2*bl.kc + 3},
	}
	if raceEnabled || testing.Short() {
		cases = cases[:2] // the naive reference is slow under the detector and emulation
	}
	for _, th := range []int{2, 3} {
		for _, cs := range cases {
			for _, nt := range []bool{false, true} {
				checkThreadedGemm[T](t, r, lvl, th, cs.m, cs.n, cs.k, false, false, nt)
			}
		}
	}
}

// checkThreadedGemm runs one product on th threads and checks it against
// the naive product and bit for bit against one thread; nt stores C
// non-temporally where the product allows it (beta = 0).
func checkThreadedGemm[T Float](t *testing.T, r *rand.Rand, lvl Level, th, m, n, k int, tA, tB, nt bool) {
	t.Helper()
	prev := ntMinBytes
	defer func() { ntMinBytes = prev }()
	if nt {
		ntMinBytes = 0
	}
	var z T
	size := int(unsafe.Sizeof(z))
	ar, ac := m, k
	if tA {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB {
		br, bc = n, k
	}
	a, b := randSlice[T](r, ar*ac), randSlice[T](r, br*bc)
	ldc := ceilDiv(n, 64/size)*(64/size) + 64/size
	c0 := make([]T, m*ldc)
	alpha, beta := T(r.Float64()*2-1), T(r.Float64()*2-1)
	if nt {
		beta = 0
	}
	for i := range c0 {
		c0[i] = randVal[T](r)
		if beta == 0 {
			c0[i] = T(math.NaN())
		}
	}
	want, mag := naiveGemm(tA, tB, m, n, k, alpha, a, ac, b, bc, beta, c0, ldc, nil, nil)
	run := func(threads int) []T {
		c := alignedSlice[T](len(c0)) // the non-temporal path wants C 64-byte aligned
		copy(c, c0)
		withThreads(threads, func() {
			g := gemmArgs[T]{transA: tA, transB: tB, m: m, n: n, k: k, alpha: alpha, beta: beta,
				a: a, lda: ac, b: b, ldb: bc, c: c, ldc: ldc}
			gemmBlocked(lvl, &g, false)
		})
		return c
	}
	what := fmt.Sprintf("threads=%d tA=%v tB=%v m=%d n=%d k=%d nt=%v", th, tA, tB, m, n, k, nt)
	got := run(th)
	checkClose(t, what, m, n, k, got, ldc, want, mag)
	compareExact(t, what+" vs one thread", got, run(1))
}

// alignedSlice returns n elements starting on a 64-byte boundary.
func alignedSlice[T Float](n int) []T {
	var z T
	buf := make([]T, n+64/int(unsafe.Sizeof(z)))
	off := 0
	for uintptr(unsafe.Pointer(&buf[off]))%64 != 0 {
		off++
	}
	return buf[off : off+n]
}
