//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// packA's AVX-512 path for full 14-row float32 panels (packTrans14F32AVX512
// plus a Go tail) must write exactly what packStrided, its scalar twin,
// writes, and nothing outside the panel.
func TestPackTrans14MatchesStrided(t *testing.T) {
	if !Supported(AVX512) {
		t.Skip("no AVX-512")
	}
	rng := rand.New(rand.NewPCG(4, 14))
	const mr = 14
	for _, kc := range []int{16, 17, 31, 32, 48, 100, 256} {
		for _, extra := range []int{0, 3, 16} {
			lda := kc + extra + 5
			i0, p0 := 3, 5
			a := make([]float32, (i0+mr)*lda)
			for i := range a {
				a[i] = float32(rng.NormFloat64())
			}
			g := &gemmArgs[float32]{a: a, lda: lda}
			want := make([]float32, kc*mr)
			packStrided(want, mr, a, lda, i0, p0, mr, kc, nil)
			const guard = 32
			buf := make([]float32, kc*mr+2*guard)
			for i := range buf {
				buf[i] = float32(math.NaN())
			}
			packA(g, buf[guard:guard+kc*mr], i0, mr, p0, kc, mr)
			for i, v := range buf {
				if i < guard || i >= guard+kc*mr {
					if !math.IsNaN(float64(v)) {
						t.Fatalf("kc=%d lda=%d: guard element %d overwritten", kc, lda, i-guard)
					}
					continue
				}
				if math.Float32bits(v) != math.Float32bits(want[i-guard]) {
					t.Fatalf("kc=%d lda=%d: dst[%d] = %v, want %v", kc, lda, i-guard, v, want[i-guard])
				}
			}
		}
	}
}

// packTransB (the AVX-512 register-transpose pack of a full B panel of a
// transposed op(B), plus a Go tail) must write exactly what packStrided
// writes, shift subtracted, and nothing outside the panel.
func TestPackTransBMatchesStrided(t *testing.T) {
	if !Supported(AVX512) {
		t.Skip("no AVX-512")
	}
	testPackTransB[float32](t, 32)
	testPackTransB[float64](t, 16)
}

func testPackTransB[T Float](t *testing.T, nr int) {
	rng := rand.New(rand.NewPCG(5, uint64(nr)))
	for _, kc := range []int{1, 7, 8, 15, 16, 17, 31, 32, 48, 100, 192} {
		for _, extra := range []int{0, 3, 16} {
			for _, shifted := range []bool{false, true} {
				ldb := kc + extra + 5
				j0, p0 := 3, 5
				b := make([]T, (j0+nr)*ldb)
				for i := range b {
					b[i] = T(rng.NormFloat64())
				}
				var shift []T
				if shifted {
					shift = make([]T, j0+nr)
					for i := range shift {
						shift[i] = T(rng.NormFloat64())
					}
				}
				g := &gemmArgs[T]{transB: true, b: b, ldb: ldb, shiftB: shift}
				want := make([]T, kc*nr)
				packStrided(want, nr, b, ldb, j0, p0, nr, kc, shift)
				const guard = 32
				buf := make([]T, kc*nr+2*guard)
				for i := range buf {
					buf[i] = T(math.NaN())
				}
				packTransB(g, buf[guard:guard+kc*nr], j0, p0, kc, nr)
				for i, v := range buf {
					if i < guard || i >= guard+kc*nr {
						if !math.IsNaN(float64(v)) {
							t.Fatalf("nr=%d kc=%d ldb=%d: guard element %d overwritten", nr, kc, ldb, i-guard)
						}
						continue
					}
					if w := want[i-guard]; v != w && !(math.IsNaN(float64(v)) && math.IsNaN(float64(w))) {
						t.Fatalf("nr=%d kc=%d ldb=%d shift=%v: dst[%d] = %v, want %v", nr, kc, ldb, shifted, i-guard, v, w)
					}
				}
			}
		}
	}
}

// TestPackRowsB compares packRowsAsm (packRowsB, and packRowsBTail for
// partial panels at AVX-512) with its Go twin packRowsGo at every level it
// serves: every kc up to 40 and some longer, every panel width cols ≤ NR,
// padded row strides, with and without a shift, NaN and infinities in the
// data, guards around dst, and op(B) placed flush against its buffer's end
// (or a guard page), so a masked-off lane that is read would show.
func TestPackRowsB(t *testing.T) {
	for _, lvl := range []Level{AVX2, AVX512} {
		if !Supported(lvl) {
			continue
		}
		testPackRowsB[float32](t, lvl)
		testPackRowsB[float64](t, lvl)
	}
}

func testPackRowsB[T Float](t *testing.T, lvl Level) {
	nr := packRowsNR[T](lvl)
	r := newRand(uint64(nr) + uint64(lvl))
	kcs := append(sizesUpTo(40), 63, 64, 65, 192)
	places := startOffsets()
	if guardPagesUsable() && !emulated() {
		places = append(places, placement{page: 1}, placement{page: -1})
	}
	colsList := []int{nr}
	if lvl == AVX512 {
		colsList = sizesUpTo(nr)[1:]
	}
	n := 0
	for _, kc := range kcs {
		for _, cols := range colsList {
			for _, shifted := range []bool{false, true} {
				n++
				q0, p0, ldb := 1+n%3, n%4, cols+1+n%3+n%2*5
				// op(B) ends exactly at the last element the packer may read
				B := newGmat[T](t, "B", p0+kc, q0+cols, ldb, places[n%len(places)]).fill(func(int, int) T { return randVal[T](r) })
				if n%5 == 0 {
					B.sprinkle(r, 0.05, specialValues[T](false))
				}
				var shift []T
				if shifted {
					S := newVec[T](t, "shift", q0+cols, places[(n+3)%len(places)]).fill(func(int, int) T { return randVal[T](r) })
					shift = S.data
				}
				g := &gemmArgs[T]{b: B.data, ldb: ldb, shiftB: shift}
				want := make([]T, kc*nr)
				packRowsGo(g, want, q0, p0, kc, nr, cols)
				D := newVec[T](t, "dst", kc*nr, placement{off: n % 8}).randomize(r)
				packRowsAsm(lvl, g, D.data, q0, p0, kc, nr, cols)
				what := fmt.Sprintf("packRowsAsm %s %s kc=%d cols=%d ldb=%d shift=%v %v", lvl, dtypeName[T](), kc, cols, ldb, shifted, places[n%len(places)])
				if !D.checkGuards(t) || !compareExact(t, what, D.data, want) {
					return
				}
			}
		}
	}
}
