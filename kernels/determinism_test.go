package kernels

import (
	"fmt"
	"testing"
)

// determinismThreads are the thread counts whose results must agree bit for
// bit: one, the machine's two cores, and counts that do not divide the work.
var determinismThreads = []int{1, 2, 3, 7}

// checkDeterministic runs fn (which fills and returns a fresh result) once
// per thread count, twice for the first, and requires every result to be
// bit-identical to the first.
func checkDeterministic[T Float](t testing.TB, what string, fn func() []T) {
	t.Helper()
	var first []T
	withThreads(determinismThreads[0], func() { first = fn() })
	for _, th := range append([]int{determinismThreads[0]}, determinismThreads...) {
		var got []T
		withThreads(th, func() { got = fn() })
		compareExact(t, fmt.Sprintf("%s threads=%d vs threads=%d", what, th, determinismThreads[0]), got, first)
	}
}

func randSliceOf[T Float](seed uint64, n int) []T {
	r := newRand(seed)
	s := make([]T, n)
	for i := range s {
		s[i] = randVal[T](r)
	}
	return s
}

// detShapes are big enough that every kernel splits its work over several
// tiles or chunks at any level (several mcBlock×ncBlock tiles, several
// reduction slices, several ICA chunks), yet fast under -race.
type detShape struct{ m, n, k int }

func testDeterminism[T Float](t *testing.T) {
	gemmShapes := []detShape{{2*mcBlock + 5, ncBlock + 9, kcBlock + 3}, {300, 40, 70}}
	gramShapes := []detShape{{n: 2*mcBlock + 7, k: kcBlock + 5}, {n: ncBlock + 11, k: 37}}
	contrasts := []Contrast{LogCosh, Exp, Cube}
	if Impl() != Generic && !testing.Short() {
		// n > 256 with a long reduction (over 32 slices at any kc ≤ 512):
		// the assembly Gram's four chunks
		gramShapes = append(gramShapes, detShape{n: 300, k: 32*512 + 77})
	}
	if raceEnabled {
		// Still several tiles, slices and chunks, at a tenth of the work.
		gemmShapes = []detShape{{2*mcBlock + 5, ncBlock + 9, 20}}
		gramShapes = []detShape{{n: 2*mcBlock + 7, k: 20}}
		contrasts = contrasts[:1]
	}
	for _, s := range gemmShapes {
		for tr := 0; tr < 4; tr++ {
			tA, tB := tr&1 != 0, tr&2 != 0
			a, b := randSliceOf[T](1, s.m*s.k), randSliceOf[T](2, s.k*s.n)
			c0 := randSliceOf[T](3, s.m*s.n)
			lda, ldb := s.k, s.n
			if tA {
				lda = s.m
			}
			if tB {
				ldb = s.k
			}
			checkDeterministic(t, fmt.Sprintf("Gemm %v tA=%v tB=%v", s, tA, tB), func() []T {
				c := append([]T(nil), c0...)
				Gemm(tA, tB, s.m, s.n, s.k, 1.25, a, lda, b, ldb, -0.5, c, s.n)
				return c
			})
		}
	}
	for _, s := range gramShapes {
		for _, trans := range []bool{false, true} {
			a := randSliceOf[T](4, s.n*s.k)
			for i := range a {
				a[i] += 3 // make centering do something
			}
			lda := s.k
			if trans {
				lda = s.n
			}
			checkDeterministic(t, fmt.Sprintf("Gram n=%d k=%d trans=%v", s.n, s.k, trans), func() []T {
				c := randSliceOf[T](5, s.n*s.n)
				Gram(trans, s.n, s.k, 0.5, a, lda, 1, c, s.n)
				return c
			})
			checkDeterministic(t, fmt.Sprintf("CenteredGram n=%d k=%d trans=%v", s.n, s.k, trans), func() []T {
				c := make([]T, s.n*s.n+s.n)
				CenteredGram(trans, s.n, s.k, 1/T(s.k-1), a, lda, c[:s.n*s.n], s.n, c[s.n*s.n:])
				return c
			})
		}
	}
	icaN := 3*icaChunk + 77
	for _, k := range []int{5, 16} {
		x := randSliceOf[T](6, k*icaN)
		w := randSliceOf[T](7, k*k)
		for _, m := range []int{k, 1} {
			for _, f := range contrasts {
				if k == 16 && (f != LogCosh || raceEnabled) {
					continue
				}
				checkDeterministic(t, fmt.Sprintf("ICAStep %v m=%d k=%d n=%d", f, m, k, icaN), func() []T {
					out := make([]T, m*k+m)
					ICAStep(f, 1, m, k, icaN, w, k, x, icaN, out[:m*k], k, out[m*k:])
					return out
				})
			}
		}
	}
}

// TestDeterminism proves the promise of the package documentation: for a
// given level, Gemm, Gram, CenteredGram and ICAStep give bit-identical
// results across runs and across thread counts 1, 2, 3 and 7.
func TestDeterminism(t *testing.T) {
	forEachLevel(t, func(t *testing.T, _ Level) {
		forTypes(t, testDeterminism[float32], testDeterminism[float64])
	})
}
