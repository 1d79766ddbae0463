//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestGramBlockedAsm checks the assembly Gram paths (shared panels, split
// reduction, general lower-triangle GEMM, centering) at both assembly levels
// against a float64 naive product.
func TestGramBlockedAsm(t *testing.T) {
	for _, lvl := range asmLevelsHere() {
		t.Run(lvl.String()+"/f32", func(t *testing.T) { testGramAsm[float32](t, lvl) })
		t.Run(lvl.String()+"/f64", func(t *testing.T) { testGramAsm[float64](t, lvl) })
	}
}

func testGramAsm[T Float](t *testing.T, lvl Level) {
	r := rand.New(rand.NewPCG(11, 12))
	bl := blockingFor(lvl, !is32[T]())
	type cas struct{ n, k int }
	cases := []cas{{0, 5}, {1, 0}, {3, 0}, {1, 1}, {5, 7}, {bl.nr - 1, 9}, {bl.nr, bl.kc + 1}, {bl.nr + gramMR(lvl) + 1, 33},
		{2*bl.nr + 5, 2*bl.kc + 3}, {9, 64*bl.kc + 77} /* split reduction */, {70, 300}, /* general path, below */
		{2 * bl.nr, 3}, {2 * bl.nr, 64*bl.kc + 5} /* trans: read in place, one and several chunks */}
	if !testing.Short() && !raceEnabled {
		// n > 256: the reduction in four chunks (from 4 kc-slices here)
		defer func(v int) { gramSplitSlices = v }(gramSplitSlices)
		gramSplitSlices = 4
		cases = append(cases, cas{258, 4*bl.kc + 5})
	}
	for _, trans := range []bool{false, true} {
		for _, cs := range cases {
			for _, centered := range []bool{false, true} {
				n, k := cs.n, cs.k
				pad := r.IntN(3)
				rows, cols := n, k
				if trans {
					rows, cols = k, n
				}
				lda, ldc := cols+pad, n+pad
				a := randSlice[T](r, max(matLen(rows, cols, lda), 0))
				c := randSlice[T](r, max(matLen(n, n, ldc), 0))
				alpha, beta := T(r.Float64()*2-1), T(r.Float64()*2-1)
				var shift []T
				if centered {
					beta = 0
					for i := range c {
						c[i] = T(math.NaN())
					}
					shift = randSlice[T](r, n)
				}
				want, mag := naiveGemm(trans, !trans, n, n, k, alpha, a, lda, a, lda, beta, c, ldc, shift, shift)
				// Gram's upper triangle mirrors the lower one, beta·C included.
				for i := 0; i < n; i++ {
					for j := i + 1; j < n; j++ {
						want[i*n+j], mag[i*n+j] = want[j*n+i], mag[j*n+i]
					}
				}
				if n == 70 {
					defer func(v int) { gramMaxN = v }(gramMaxN)
					gramMaxN = 64
				}
				gramBlocked(lvl, trans, n, k, alpha, a, lda, beta, c, ldc, shift)
				if n == 70 {
					gramMaxN = 4096
				}
				what := fmt.Sprintf("trans=%v n=%d k=%d centered=%v", trans, n, k, centered)
				if want != nil {
					checkClose(t, what, n, n, k, c, ldc, want, mag)
				}
				for i := 0; i < n; i++ {
					for j := 0; j < i; j++ {
						if math.Float64bits(float64(c[j*ldc+i])) != math.Float64bits(float64(c[i*ldc+j])) {
							t.Fatalf("%s: C not symmetric at (%d, %d)", what, i, j)
						}
					}
				}
			}
		}
	}
}

// TestGemmThreadsBitIdentical checks that the assembly GEMM and Gram give
// the same bits for 1, 2 and 3 threads.
func TestGemmThreadsBitIdentical(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	// Several kc-slices, tiles and (for Gram) reduction chunks at every
	// level; smaller under -short, which CI runs under emulation.
	m, n, k, gn, gk := 301, 517, 700, 40, 30000
	if testing.Short() {
		m, n, k, gn, gk = 61, 150, 450, 16, 25000
	}
	a, b := randSlice[float32](r, m*k), randSlice[float32](r, k*n)
	x := randSlice[float64](r, gn*gk)
	x32 := randSlice[float32](r, gn*gk)
	for _, lvl := range asmLevelsHere() {
		var ref []float32
		var refG, refW []float64
		for _, th := range []int{1, 2, 3} {
			c := make([]float32, m*n)
			cg := make([]float64, max(gn*gn, 32*32)) // (32×32 below)
			cw := make([]float64, 4*gn*gn)
			withThreads(th, func() {
				withLevel(lvl, func() {
					GramWide(false, gn, gk, 1, x32, gk, 0, cw[:gn*gn], gn)
					GramWide(true, 2*gn, gk/2, 1, x32, 2*gn, 0, cw, 2*gn) // 80 = 5 panels of 16
				})
				g := gemmArgs[float32]{m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, c: c, ldc: n}
				gemmBlocked(lvl, &g, false)
				gramBlocked(lvl, true, gn, gk, 1, x, gn, 0, cg, gn, nil)
				// n = 32: XᵀX read in place (n a multiple of NR)
				gramBlocked(lvl, true, 32, gk*gn/32, 1, x, 32, 0, cg[:32*32], 32, nil)
			})
			if ref == nil {
				ref, refG, refW = c, cg, cw
				continue
			}
			for i := range cw {
				if math.Float64bits(cw[i]) != math.Float64bits(refW[i]) {
					t.Fatalf("%v: GramWide with %d threads differs at %d", lvl, th, i)
				}
			}
			for i := range c {
				if math.Float32bits(c[i]) != math.Float32bits(ref[i]) {
					t.Fatalf("%v: Gemm with %d threads differs at %d: %v vs %v", lvl, th, i, c[i], ref[i])
				}
			}
			for i := range cg {
				if math.Float64bits(cg[i]) != math.Float64bits(refG[i]) {
					t.Fatalf("%v: Gram with %d threads differs at %d", lvl, th, i)
				}
			}
		}
	}
}

// TestGramWideAsm checks GramWide's paths at both assembly levels (panels
// packed by the widening transpose or run copy, split reduction, the
// four-chunk split above n = 256, the block-widening path above
// gramMaxN, transposed shapes the float64 Gram would read in place)
// against a float64 naive product of the widened data, and, where the
// float64 Gram takes the same path, bit for bit against it: widening is
// exact, so only the packer differs.
func TestGramWideAsm(t *testing.T) {
	for _, lvl := range asmLevelsHere() {
		t.Run(lvl.String(), func(t *testing.T) { testGramWideAsm(t, lvl) })
	}
}

func testGramWideAsm(t *testing.T, lvl Level) {
	r := rand.New(rand.NewPCG(15, 16))
	bl := blockingFor(lvl, true)
	type cas struct{ n, k int }
	cases := []cas{{0, 5}, {1, 0}, {3, 0}, {1, 1}, {5, 7}, {bl.nr - 1, 9}, {bl.nr, bl.kc + 1}, {bl.nr + gramMR(lvl) + 1, 33},
		{2*bl.nr + 5, 2*bl.kc + 3}, {2*bl.nr + 3, 13}, {9, 64*bl.kc + 77} /* split reduction */, {70, 300}, /* block path, below */
		{2 * bl.nr, 3}, {2 * bl.nr, 64*bl.kc + 5} /* in place for float64 */}
	if !testing.Short() && !raceEnabled {
		defer func(v int) { gramSplitSlices = v }(gramSplitSlices)
		gramSplitSlices = 4
		cases = append(cases, cas{258, 4*bl.kc + 5})
	}
	withLevel(lvl, func() {
		for _, trans := range []bool{false, true} {
			for _, cs := range cases {
				n, k := cs.n, cs.k
				pad := r.IntN(3)
				rows, cols := n, k
				if trans {
					rows, cols = k, n
				}
				lda, ldc := max(cols, 1)+pad, max(n, 1)+pad
				a := randSlice[float32](r, max(matLen(rows, cols, lda), 0))
				wide := make([]float64, len(a))
				for i, v := range a {
					wide[i] = float64(v)
				}
				c := randSlice[float64](r, max(matLen(n, n, ldc), 0))
				for i := 0; i < n; i++ { // C's lower triangle mirrored: Gram reads only it
					for j := i + 1; j < n; j++ {
						c[i*ldc+j] = c[j*ldc+i]
					}
				}
				c64 := append([]float64(nil), c...)
				alpha, beta := r.Float64()*2-1, r.Float64()*2-1
				want, mag := naiveGemm(trans, !trans, n, n, k, alpha, wide, lda, wide, lda, beta, c, ldc, nil, nil)
				if n == 70 {
					defer func(v int) { gramMaxN = v }(gramMaxN)
					gramMaxN = 64
				}
				GramWide(trans, n, k, alpha, a, lda, beta, c, ldc)
				gramBlocked(lvl, trans, n, k, alpha, wide, lda, beta, c64, ldc, nil)
				if n == 70 {
					gramMaxN = 4096
				}
				what := fmt.Sprintf("trans=%v n=%d k=%d", trans, n, k)
				if want != nil {
					checkClose(t, what, n, n, k, c, ldc, want, mag)
				}
				samePath := n != 70 && !(trans && n%bl.nr == 0)
				for i := 0; i < n; i++ {
					for j := 0; j < n; j++ {
						if math.Float64bits(c[j*ldc+i]) != math.Float64bits(c[i*ldc+j]) {
							t.Fatalf("%s: C not symmetric at (%d, %d)", what, i, j)
						}
						if samePath && math.Float64bits(c[i*ldc+j]) != math.Float64bits(c64[i*ldc+j]) {
							t.Fatalf("%s: C(%d,%d) = %v, float64 Gram of the widened data %v", what, i, j, c[i*ldc+j], c64[i*ldc+j])
						}
					}
				}
			}
		}
	})
}

// withLevel runs fn with level lvl forced, restoring the previous one.
func withLevel(lvl Level, fn func()) {
	prev := Impl()
	if err := SetLevel(lvl); err != nil {
		panic(err)
	}
	defer func() { _ = SetLevel(prev) }()
	fn()
}
