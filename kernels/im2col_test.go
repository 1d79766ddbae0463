package kernels

import (
	"fmt"
	"math"
	"testing"
)

type im2colFunc[T Float] func(g ConvGeom, img, col []T)

// im2colSource returns the image index that column-matrix entry (row, pos)
// copies, or −1 where it falls in the padding: the definition in Im2col's
// documentation, evaluated directly.
func im2colSource(g ConvGeom, row, pos int) int {
	ow := g.OutW()
	c, kh, kw := row/(g.KH*g.KW), row/g.KW%g.KH, row%g.KW
	oh, ox := pos/ow, pos%ow
	iy := oh*orOne(g.StrideH) - g.PadH + kh*orOne(g.DilH)
	ix := ox*orOne(g.StrideW) - g.PadW + kw*orOne(g.DilW)
	if iy < 0 || iy >= g.H || ix < 0 || ix >= g.W {
		return -1
	}
	return (c*g.H+iy)*g.W + ix
}

// exactIm2col is the naive Im2col: one lookup per entry.
func exactIm2col[T Float](g ConvGeom, img, col []T) {
	rows, cols := g.ColRows(), g.ColCols()
	for r := 0; r < rows; r++ {
		for p := 0; p < cols; p++ {
			if s := im2colSource(g, r, p); s >= 0 {
				col[r*cols+p] = img[s]
			} else {
				col[r*cols+p] = 0
			}
		}
	}
}

// exactCol2im is the naive Col2im: each image element gets the exact sum
// of its own old value and the entries that came from it, rounded once.
// abs receives, per image element, Σ|terms| and cnt the number of terms.
func exactCol2im[T Float](g ConvGeom, col, img []T) (abs []float64, cnt []int) {
	n := g.C * g.H * g.W
	sums := make([]xsum, n)
	for i := 0; i < n; i++ {
		sums[i].add(float64(img[i]))
	}
	rows, cols := g.ColRows(), g.ColCols()
	for r := 0; r < rows; r++ {
		for p := 0; p < cols; p++ {
			if s := im2colSource(g, r, p); s >= 0 {
				sums[s].add(float64(col[r*cols+p]))
			}
		}
	}
	abs, cnt = make([]float64, n), make([]int, n)
	for i := range sums {
		img[i] = T(sums[i].value())
		abs[i], cnt[i] = sums[i].abs, sums[i].n
	}
	return abs, cnt
}

type convCase struct {
	g       ConvGeom
	pi, pc  placement
	seed    uint64
	special bool
	raw     []byte
}

func (c convCase) String() string {
	return fmt.Sprintf("%+v place=%v,%v seed=%d special=%v", c.g, c.pi, c.pc, c.seed, c.special)
}

// convInputs builds a guarded image and column matrix of random values.
func convInputs[T Float](tb testing.TB, c convCase) (img, col *gmat[T]) {
	tb.Helper()
	r := newRand(c.seed)
	n := c.g.C * c.g.H * c.g.W
	img = newVec[T](tb, "img", n, c.pi).randomize(r)
	col = newVec[T](tb, "col", c.g.ColRows()*c.g.ColCols(), c.pc).randomize(r)
	if c.special {
		img.sprinkle(r, 0.05, specialValues[T](true))
		col.sprinkle(r, 0.05, specialValues[T](false))
	}
	img.overlay(c.raw, 0, 20)
	col.overlay(c.raw, 1, 20)
	return img, col
}

// verifyIm2col checks that impl writes exactly what ref writes (a copy is
// exact), over a column matrix prefilled with NaN so that any entry left
// unwritten shows, with guards and an unchanged image.
func verifyIm2col[T Float](tb testing.TB, impl, ref im2colFunc[T], c convCase) bool {
	tb.Helper()
	img, col := convInputs[T](tb, c)
	col.fill(func(int, int) T { return T(math.NaN()) })
	is := img.plain()
	want := make([]T, len(col.data))
	what := "Im2col " + c.String()
	if !callGuarded(tb, what, func() { impl(c.g, img.data, col.data) }) {
		return false
	}
	ref(c.g, is, want)
	ok := img.checkUnchanged(tb, is) && col.checkGuards(tb)
	return compareExact(tb, what, col.data, want) && ok
}

// verifyCol2im checks Col2im (which accumulates into img) against ref
// within (terms+1)·eps·Σ|terms| per image element, guards, an unchanged
// column matrix, and NaN propagation into every element a NaN entry feeds.
func verifyCol2im[T Float](tb testing.TB, impl, ref im2colFunc[T], c convCase) bool {
	tb.Helper()
	img, col := convInputs[T](tb, c)
	is, cs := img.plain(), col.plain()
	want := append([]T(nil), is...)
	what := "Col2im " + c.String()
	if !callGuarded(tb, what, func() { impl(c.g, col.data, img.data) }) {
		return false
	}
	ref(c.g, cs, want)
	exact := append([]T(nil), is...)
	abs, cnt := exactCol2im(c.g, cs, exact)
	ok := col.checkUnchanged(tb, cs) && img.checkGuards(tb)
	ok = compareMat(tb, what, 1, len(is), img.data, len(is), want, len(is), func(_, i int) float64 {
		return tolerance[T](cnt[i]+1, abs[i])
	}) && ok
	var nan []int
	for i, v := range exact {
		if v != v {
			nan = append(nan, i)
		}
	}
	return checkNaNAt(tb, what, img.data, nan) && ok
}

// convCases: a seeded random sample of small valid geometries (channels,
// sizes, kernels, strides, padding, dilation, including the zero = 1
// convention), special values, the engine's 3×3 convolutions on 96×96, and
// guard pages.
func convCases() []convCase {
	var cs []convCase
	r := newRand(42)
	for len(cs) < 400 {
		g := ConvGeom{C: 1 + r.IntN(3), H: 1 + r.IntN(8), W: 1 + r.IntN(11), KH: 1 + r.IntN(4), KW: 1 + r.IntN(4),
			StrideH: r.IntN(4), StrideW: r.IntN(4), PadH: r.IntN(3), PadW: r.IntN(3), DilH: r.IntN(3), DilW: r.IntN(3)}
		if g.Validate() != nil {
			continue
		}
		i := len(cs)
		cs = append(cs, convCase{g: g, seed: uint64(i), pi: placement{off: i % 8}, pc: placement{off: (i / 8) % 8}, special: i%7 == 3})
	}
	named := []ConvGeom{
		{C: 3, H: 96, W: 96, KH: 3, KW: 3, PadH: 1, PadW: 1},
		{C: 3, H: 33, W: 35, KH: 5, KW: 5, StrideH: 2, StrideW: 2, PadH: 2, PadW: 2, DilH: 2, DilW: 2},
		{C: 2, H: 20, W: 70, KH: 3, KW: 7, StrideW: 3, PadW: 3},
		{C: 1, H: 1, W: 200, KH: 1, KW: 9, PadW: 4},
		// Found by FuzzIm2col: taps that miss the image entirely (the
		// kernel is as wide as the padded image) made the reference slice
		// at a negative index.
		{C: 2, H: 18, W: 2, KH: 2, KW: 6, PadW: 2, DilH: 2},
		{C: 1, H: 3, W: 1, KH: 1, KW: 7, PadW: 3},
	}
	for i, g := range named {
		cs = append(cs, convCase{g: g, seed: uint64(1000 + i), pi: placement{off: 3}, pc: placement{off: i}})
	}
	if guardPagesUsable() {
		for i, g := range []ConvGeom{{C: 1, H: 3, W: 3, KH: 3, KW: 3}, {C: 2, H: 5, W: 7, KH: 3, KW: 3, PadH: 1, PadW: 1},
			{C: 3, H: 9, W: 17, KH: 2, KW: 3, StrideW: 2}, {C: 1, H: 4, W: 33, KH: 1, KW: 1}} {
			for _, pg := range []int{1, -1} {
				cs = append(cs, convCase{g: g, seed: uint64(2000 + i), pi: placement{page: pg}, pc: placement{page: pg}})
			}
		}
	}
	return cs
}

func testIm2col[T Float](t *testing.T, im2col, im2colRef, col2im, col2imRef im2colFunc[T]) {
	cs := convCases()
	t.Run("Im2col", func(t *testing.T) {
		runCases(t, cs, func(tb testing.TB, c convCase) bool { return verifyIm2col(tb, im2col, im2colRef, c) })
	})
	t.Run("Col2im", func(t *testing.T) {
		runCases(t, cs, func(tb testing.TB, c convCase) bool { return verifyCol2im(tb, col2im, col2imRef, c) })
	})
}

func exactCol2imFunc[T Float](g ConvGeom, col, img []T) { exactCol2im(g, col, img) }

// TestIm2colReference checks the pure-Go Im2col/Col2im against direct
// evaluation of their definitions.
func TestIm2colReference(t *testing.T) {
	skipReferenceUnderRace(t)
	forTypes(t, func(t *testing.T) {
		testIm2col(t, im2colGeneric[float32], exactIm2col[float32], col2imGeneric[float32], exactCol2imFunc[float32])
	}, func(t *testing.T) {
		testIm2col(t, im2colGeneric[float64], exactIm2col[float64], col2imGeneric[float64], exactCol2imFunc[float64])
	})
}

// TestIm2col checks every level's Im2col and Col2im against the reference.
func TestIm2col(t *testing.T) {
	forEachLevel(t, func(t *testing.T, _ Level) {
		forTypes(t, func(t *testing.T) {
			testIm2col(t, Im2col[float32], im2colGeneric[float32], Col2im[float32], col2imGeneric[float32])
		}, func(t *testing.T) {
			testIm2col(t, Im2col[float64], im2colGeneric[float64], Col2im[float64], col2imGeneric[float64])
		})
	})
}

// verifyAdjoint checks <Im2col(x), y> = <x, Col2im(y)>: the left side is
// exact (Im2col copies), the right carries Col2im's rounding, at most
// KH·KW terms per image element: KH·KW·eps·Σ|col·y|.
func verifyAdjoint[T Float](tb testing.TB, im2col, col2im im2colFunc[T], c convCase) bool {
	tb.Helper()
	x, y := convInputs[T](tb, convCase{g: c.g, seed: c.seed})
	col := make([]T, len(y.data))
	img := make([]T, len(x.data))
	im2col(c.g, x.data, col)
	col2im(c.g, y.data, img)
	var lhs, rhs xsum
	for i := range col {
		lhs.addProd(float64(col[i]), float64(y.data[i]))
	}
	for i := range img {
		rhs.addProd(float64(x.data[i]), float64(img[i]))
	}
	tol := tolerance[T](c.g.KH*c.g.KW+1, lhs.abs)
	if !closeTo(rhs.value(), lhs.value(), tol) {
		tb.Errorf("adjoint %s: <Im2col(x),y> = %v, <x,Col2im(y)> = %v (tolerance %.3g)", c, lhs.value(), rhs.value(), tol)
		return false
	}
	return true
}

func TestIm2colAdjoint(t *testing.T) {
	forEachLevel(t, func(t *testing.T, _ Level) {
		cs := convCases()
		forTypes(t, func(t *testing.T) {
			runCases(t, cs, func(tb testing.TB, c convCase) bool { return verifyAdjoint(tb, Im2col[float32], Col2im[float32], c) })
		}, func(t *testing.T) {
			runCases(t, cs, func(tb testing.TB, c convCase) bool { return verifyAdjoint(tb, Im2col[float64], Col2im[float64], c) })
		})
	})
}

// TestConvViaIm2col checks the way the conv layer uses the kernels —
// out = Wmat·Im2col(x) with Gemm — against a direct convolution
// out[o][y][x] = Σ_{c,kh,kw} w[o][c][kh][kw]·img[c][y·s−p+kh·d][x·s−p+kw·d],
// summed exactly, within gemmOps(C·KH·KW)·eps·Σ|terms|.
func TestConvViaIm2col(t *testing.T) {
	geoms := []ConvGeom{
		{C: 3, H: 12, W: 10, KH: 3, KW: 3, PadH: 1, PadW: 1},
		{C: 2, H: 9, W: 13, KH: 3, KW: 2, StrideH: 2, StrideW: 1, PadH: 0, PadW: 1, DilH: 2},
		{C: 4, H: 7, W: 7, KH: 1, KW: 1},
		{C: 3, H: 24, W: 24, KH: 5, KW: 5, StrideH: 2, StrideW: 2, PadH: 2, PadW: 2},
	}
	forEachLevel(t, func(t *testing.T, _ Level) {
		for gi, g := range geoms {
			convDirect[float32](t, g, 5, uint64(gi))
			convDirect[float64](t, g, 4, uint64(gi))
		}
	})
}

func convDirect[T Float](t *testing.T, g ConvGeom, cout int, seed uint64) {
	r := newRand(seed)
	img := make([]T, g.C*g.H*g.W)
	for i := range img {
		img[i] = randVal[T](r)
	}
	w := make([]T, cout*g.ColRows())
	for i := range w {
		w[i] = randVal[T](r)
	}
	col := make([]T, g.ColRows()*g.ColCols())
	Im2col(g, img, col)
	out := make([]T, cout*g.ColCols())
	Gemm(NoTrans, NoTrans, cout, g.ColCols(), g.ColRows(), 1, w, g.ColRows(), col, g.ColCols(), 0, out, g.ColCols())
	oh, ow := g.OutH(), g.OutW()
	rep := reporter{tb: t, what: fmt.Sprintf("conv %s %+v", dtypeName[T](), g)}
	for o := 0; o < cout; o++ {
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				var s xsum
				for c := 0; c < g.C; c++ {
					for kh := 0; kh < g.KH; kh++ {
						for kw := 0; kw < g.KW; kw++ {
							iy := y*orOne(g.StrideH) - g.PadH + kh*orOne(g.DilH)
							ix := x*orOne(g.StrideW) - g.PadW + kw*orOne(g.DilW)
							if iy < 0 || iy >= g.H || ix < 0 || ix >= g.W {
								continue
							}
							s.addProd(float64(w[((o*g.C+c)*g.KH+kh)*g.KW+kw]), float64(img[(c*g.H+iy)*g.W+ix]))
						}
					}
				}
				got := float64(out[(o*oh+y)*ow+x])
				if tol := tolerance[T](gemmOps(g.ColRows()), s.abs); !closeTo(got, s.value(), tol) {
					rep.errorf("out[%d][%d][%d] = %v, direct %v (tolerance %.3g)", o, y, x, got, s.value(), tol)
				}
			}
		}
	}
	rep.done()
}

func TestConvGeom(t *testing.T) {
	g := ConvGeom{C: 3, H: 96, W: 96, KH: 3, KW: 3, PadH: 1, PadW: 1}
	if g.OutH() != 96 || g.OutW() != 96 || g.ColRows() != 27 || g.ColCols() != 9216 {
		t.Errorf("%+v: out %d×%d, col %d×%d", g, g.OutH(), g.OutW(), g.ColRows(), g.ColCols())
	}
	g = ConvGeom{C: 1, H: 7, W: 8, KH: 3, KW: 2, StrideH: 2, StrideW: 3, DilH: 2}
	// (7 − 2·2 − 1)/2 + 1 = 2, (8 − 1 − 1)/3 + 1 = 3
	if g.OutH() != 2 || g.OutW() != 3 {
		t.Errorf("%+v: out %d×%d, want 2×3", g, g.OutH(), g.OutW())
	}
	for _, bad := range []ConvGeom{{}, {C: 1, H: 2, W: 2}, {C: 1, H: 2, W: 2, KH: 3, KW: 3}, {C: 1, H: 2, W: 2, KH: 1, KW: 1, StrideH: -1}} {
		if bad.Validate() == nil {
			t.Errorf("%+v: Validate accepted it", bad)
		}
	}
	if !panics(func() { Im2col(g, make([]float32, 3), make([]float32, 100)) }) {
		t.Error("Im2col with a short image did not panic")
	}
	if !panics(func() { Col2im(g, make([]float32, 3), make([]float32, 56)) }) {
		t.Error("Col2im with a short column matrix did not panic")
	}
}
