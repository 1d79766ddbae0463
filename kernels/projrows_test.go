package kernels

import (
	"math"
	"testing"
)

// projRowsCase is one ProjectRows problem: shapes, padding of the leading
// dimensions, where the matrices start, the mean's scale and whether
// non-finite values are sprinkled in.
type projRowsCase struct {
	m, k, n          int
	padW, padX, padD int
	pw, px, pd       placement
	muScale          float64
	special          bool
	seed             uint64
}

func (c projRowsCase) String() string {
	return caseName("m", c.m, "k", c.k, "n", c.n, "pad", [3]int{c.padW, c.padX, c.padD}, "mu", c.muScale, "special", c.special, "seed", c.seed)
}

// projRowsCases: every n up to two blocks of the widest level (so every
// tail), around the blocks and chunks of each level, the engine's shape,
// component counts that fill the vector lanes exactly (the direct path)
// or not, padded and unpadded leading dimensions, means up to 1e4 times the
// spread.
func projRowsCases() []projRowsCase {
	var cs []projRowsCase
	offs := startOffsets()
	seed := uint64(1)
	add := func(m, k, n, pad int, mu float64, special bool) {
		o := offs[int(seed)%len(offs)]
		cs = append(cs, projRowsCase{m: m, k: k, n: n, padW: pad, padX: pad, padD: (pad + 1) % 3,
			pw: o, px: offs[int(seed+1)%len(offs)], pd: offs[int(seed+2)%len(offs)],
			muScale: mu, special: special, seed: seed})
		seed++
	}
	for n := 0; n <= 130; n++ {
		add(1+n%9, 1+n%7, n, n%3, muScales[n%3], false)
	}
	for _, n := range around(24, 32, 48, 64, 24*32, 32*32, 48*32, 64*32, ProjectRowsBlock, 3*ProjectRowsBlock) {
		for _, mk := range [][2]int{{40, 40}, {8, 40}, {16, 5}, {41, 40}, {3, 17}} {
			add(mk[0], mk[1], n, int(seed%2), muScales[seed%3], false)
		}
	}
	if bigCases() {
		add(40, 40, 20000, 0, 3, false)
		add(40, 40, 20001, 1, 1e4, false)
	}
	for _, n := range []int{5, 64, 100, 777} {
		add(40, 40, n, 1, 3, true)
		add(7, 9, n, 0, 0, true)
	}
	add(0, 5, 10, 0, 0, false)
	add(5, 0, 10, 0, 0, false)
	return cs
}

// verifyProjectRows runs ProjectRows on one case and checks it element by
// element against the exact sum of w[i,l]·fl(x[j,l] − mu[l]) (the centred
// value rounded once in T, as the kernel forms it), within the bound of k
// products and k additions in T: tolerance(2k+1, Σ|w·xc|). Non-finite
// inputs must give the IEEE class of the exact sum.
func verifyProjectRows[T Float](t *testing.T, c projRowsCase) bool {
	t.Helper()
	r := newRand(c.seed)
	ldw, ldx, ldd := max(c.k, 1)+c.padW, max(c.k, 1)+c.padX, max(c.m, 1)+c.padD
	W := newGmat[T](t, "W", c.m, c.k, ldw, c.pw).fill(func(int, int) T { return T(2*r.Float64() - 1) })
	var mu []T
	if c.muScale != 0 {
		mu = make([]T, c.k)
		for l := range mu {
			mu[l] = T(c.muScale * (2*r.Float64() - 1))
		}
	}
	X := newGmat[T](t, "X", c.n, c.k, ldx, c.px).fill(func(_, l int) T {
		v := T(r.NormFloat64())
		if mu != nil {
			v += mu[l]
		}
		return v
	})
	if c.special {
		sv := specialValues[T](false)
		W.sprinkle(r, 0.02, sv)
		X.sprinkle(r, 0.01, sv)
	}
	D := newGmat[T](t, "dst", c.n, c.m, ldd, c.pd).randomize(r)
	ws, xs := W.plain(), X.plain()
	what := "ProjectRows " + c.String()
	if !callGuarded(t, what, func() { ProjectRows(c.m, c.k, c.n, W.data, ldw, X.data, ldx, mu, D.data, ldd) }) {
		return false
	}
	ok := W.checkUnchanged(t, ws) && X.checkUnchanged(t, xs) && D.checkGuards(t)
	want := make([]T, c.n*c.m)
	tol := make([]float64, c.n*c.m)
	xc := make([]T, c.k)
	for j := 0; j < c.n; j++ {
		for l := range xc {
			xc[l] = xs[j*ldx+l]
			if mu != nil {
				xc[l] -= mu[l]
			}
		}
		for i := 0; i < c.m; i++ {
			var s xsum
			for l, v := range xc {
				s.addProd(float64(ws[i*ldw+l]), float64(v))
			}
			want[j*c.m+i] = T(s.value())
			tol[j*c.m+i] = tolerance[T](2*c.k+1, s.abs)
		}
	}
	return compareMat(t, what, c.n, c.m, D.data, ldd, want, c.m, func(j, i int) float64 { return tol[j*c.m+i] }) && ok
}

func TestProjectRows(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		for _, c := range projRowsCases() {
			if !verifyProjectRows[float64](t, c) || !verifyProjectRows[float32](t, c) {
				return
			}
		}
	})
}

// TestProjectRowsSplit checks the promises of ProjectRows' comment: the
// same bits whatever the thread count, and when the rows are split into
// calls at multiples of ProjectRowsBlock.
func TestProjectRowsSplit(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		testProjectRowsSplit[float64](t)
		testProjectRowsSplit[float32](t)
	})
}

func testProjectRowsSplit[T Float](t *testing.T) {
	const m, k = 40, 40
	n := 5*ProjectRowsBlock + 37
	r := newRand(7)
	w, x, mu := make([]T, m*k), make([]T, n*k), make([]T, k)
	for i := range w {
		w[i] = T(r.NormFloat64())
	}
	for l := range mu {
		mu[l] = T(100 * r.NormFloat64())
	}
	for i := range x {
		x[i] = T(r.NormFloat64()) + mu[i%k]
	}
	one := make([]T, n*m)
	withThreads(1, func() { ProjectRows(m, k, n, w, k, x, k, mu, one, m) })
	two := make([]T, n*m)
	withThreads(2, func() { ProjectRows(m, k, n, w, k, x, k, mu, two, m) })
	compareExact(t, "ProjectRows, 2 threads against 1 "+dtypeName[T](), two, one)
	split := make([]T, n*m)
	for _, b := range [][2]int{{0, ProjectRowsBlock}, {ProjectRowsBlock, 3 * ProjectRowsBlock}, {3 * ProjectRowsBlock, n}} {
		ProjectRows(m, k, b[1]-b[0], w, k, x[b[0]*k:], k, mu, split[b[0]*m:], m)
	}
	compareExact(t, "ProjectRows, split at multiples of ProjectRowsBlock "+dtypeName[T](), split, one)
	if t.Failed() {
		return
	}
	// The check is not vacuous: the rows are not all equal.
	if math.Abs(float64(one[0]-one[m])) == 0 {
		t.Errorf("degenerate test data")
	}
}

func TestProjectRowsBadShapes(t *testing.T) {
	w, x, d := make([]float64, 4), make([]float64, 6), make([]float64, 6)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"short X", func() { ProjectRows(2, 2, 4, w, 2, x, 2, nil, d, 2) }},
		{"short dst", func() { ProjectRows(2, 2, 3, w, 2, x, 2, nil, d[:5], 2) }},
		{"ldw < k", func() { ProjectRows(2, 2, 3, w, 1, x, 2, nil, d, 2) }},
		{"mu length", func() { ProjectRows(2, 2, 3, w, 2, x, 2, []float64{1}, d, 2) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tc.name)
				}
			}()
			tc.f()
		}()
	}
}
