package conv

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/deepica/deepica/conv/gradcheck"
	"github.com/deepica/deepica/kernels"
)

func randSlice(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

// naiveConv is the defining formula of Conv2D, written independently of
// im2col: explicit loops over every output, channel and kernel tap, with
// the asymmetric padding given as (top, left) and the output shape taken
// from the layer. It returns y and Σ|terms| per output for the tolerance.
func naiveConv(x []float64, n int, in Shape, w, b []float64, out Shape, kh, kw, sh, sw, top, left int) (y, mag []float64) {
	y = make([]float64, n*out.Size())
	mag = make([]float64, len(y))
	for i := 0; i < n; i++ {
		for o := 0; o < out.C; o++ {
			for r := 0; r < out.H; r++ {
				for c := 0; c < out.W; c++ {
					var s, m float64
					if b != nil {
						s, m = b[o], math.Abs(b[o])
					}
					for ch := 0; ch < in.C; ch++ {
						for p := 0; p < kh; p++ {
							for q := 0; q < kw; q++ {
								ih, iw := r*sh-top+p, c*sw-left+q
								if ih < 0 || ih >= in.H || iw < 0 || iw >= in.W {
									continue
								}
								t := w[((o*in.C+ch)*kh+p)*kw+q] * x[((i*in.C+ch)*in.H+ih)*in.W+iw]
								s += t
								m += math.Abs(t)
							}
						}
					}
					idx := ((i*out.C+o)*out.H+r)*out.W + c
					y[idx], mag[idx] = s, m
				}
			}
		}
	}
	return y, mag
}

type convCase struct {
	name string
	in   Shape
	cfg  ConvConfig
	// expected output shape from the padding rules, worked out by hand
	out Shape
}

var convCases = []convCase{
	{"3x3 same", Shape{3, 7, 6}, ConvConfig{OutC: 4, KH: 3, KW: 3, Pad: PadSame}, Shape{4, 7, 6}},
	{"3x3 valid", Shape{2, 7, 6}, ConvConfig{OutC: 3, KH: 3, KW: 3, Pad: PadValid}, Shape{3, 5, 4}},
	{"3x3 explicit1 nobias", Shape{2, 5, 5}, ConvConfig{OutC: 3, KH: 3, KW: 3, Pad: PadExplicit, PadH: 1, PadW: 1, NoBias: true}, Shape{3, 5, 5}},
	{"3x3 stride2 same", Shape{2, 7, 8}, ConvConfig{OutC: 3, KH: 3, KW: 3, StrideH: 2, StrideW: 2, Pad: PadSame}, Shape{3, 4, 4}},
	{"2x2 same (asymmetric)", Shape{2, 5, 6}, ConvConfig{OutC: 3, KH: 2, KW: 2, Pad: PadSame}, Shape{3, 5, 6}},
	{"4x2 same stride (2,1)", Shape{1, 9, 5}, ConvConfig{OutC: 2, KH: 4, KW: 2, StrideH: 2, StrideW: 1, Pad: PadSame}, Shape{2, 5, 5}},
	{"5x3 explicit (2,1) stride (2,3)", Shape{2, 9, 10}, ConvConfig{OutC: 3, KH: 5, KW: 3, StrideH: 2, StrideW: 3, Pad: PadExplicit, PadH: 2, PadW: 1}, Shape{3, 5, 4}},
	{"1x1 direct", Shape{4, 3, 5}, ConvConfig{OutC: 3, KH: 1, KW: 1}, Shape{3, 3, 5}},
	{"5x3 explicit (3,4) wider than the kernel", Shape{2, 6, 5}, ConvConfig{OutC: 3, KH: 5, KW: 3, Pad: PadExplicit, PadH: 3, PadW: 4}, Shape{3, 8, 11}},
	{"1x1 padded", Shape{2, 4, 3}, ConvConfig{OutC: 3, KH: 1, KW: 1, Pad: PadExplicit, PadH: 1}, Shape{3, 6, 3}},
	{"7x7 valid stride3", Shape{1, 10, 11}, ConvConfig{OutC: 2, KH: 7, KW: 7, StrideH: 3, StrideW: 3}, Shape{2, 2, 2}},
}

func newTestConv(t *testing.T, c convCase, seed uint64) *Conv2D[float64] {
	t.Helper()
	l, err := NewConv2D[float64](c.in, c.cfg, seed)
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	if l.OutShape() != c.out {
		t.Fatalf("%s: output shape %v, want %v", c.name, l.OutShape(), c.out)
	}
	if l.bias != nil {
		rng := rand.New(rand.NewPCG(seed, 9))
		for i := range l.bias.Value {
			l.bias.Value[i] = rng.NormFloat64()
		}
	}
	return l
}

func TestConvForwardMatchesDirectFormula(t *testing.T) {
	for _, c := range convCases {
		l := newTestConv(t, c, 1)
		const n = 3
		rng := rand.New(rand.NewPCG(2, 2))
		x := randSlice(rng, n*c.in.Size())
		y, err := l.Forward(x, n)
		if err != nil {
			t.Fatal(err)
		}
		top, _, left, _ := l.Padding()
		var b []float64
		if l.bias != nil {
			b = l.bias.Value
		}
		want, mag := naiveConv(x, n, c.in, l.weight.Value, b, c.out, c.cfg.KH, c.cfg.KW, max(c.cfg.StrideH, 1), max(c.cfg.StrideW, 1), top, left)
		k := float64(c.in.C*c.cfg.KH*c.cfg.KW + 1)
		for i := range want {
			// two different summation orders of k+1 terms: each within k·ε·Σ|terms|
			if d := math.Abs(y[i] - want[i]); d > 2*k*0x1p-52*mag[i] {
				t.Fatalf("%s: y[%d] = %g, want %g (diff %g)", c.name, i, y[i], want[i], d)
			}
		}
	}
}

// convLoss returns a loss closure L = Σ r·Conv(x) over live x and params.
func linearLoss(l Layer[float64], x []float64, n int, r []float64) gradcheck.Loss {
	return func() (float64, float64) {
		y, err := l.Forward(x, n)
		if err != nil {
			panic(err)
		}
		return gradcheck.Dot(r, y)
	}
}

// checkLayer runs Forward and Backward on random data and compares ∂L/∂x
// and every parameter gradient with central differences at random points.
func checkLayer(t *testing.T, name string, l Layer[float64], x []float64, n int, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 77))
	y, err := l.Forward(x, n)
	if err != nil {
		t.Fatal(err)
	}
	r := randSlice(rng, len(y))
	ZeroGrad(l)
	dx, err := l.Backward(r)
	if err != nil {
		t.Fatal(err)
	}
	dx = append([]float64(nil), dx...)
	grads := map[string][]float64{}
	for _, p := range l.Params() {
		grads[p.Name] = append([]float64(nil), p.Grad...)
	}
	loss := linearLoss(l, x, n, r)
	worst := 0.0
	report := func(res []gradcheck.Result, err error) {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		for _, r := range res {
			worst = math.Max(worst, r.RelError)
		}
	}
	if dx != nil {
		report(gradcheck.Check(loss, x, dx, gradcheck.Pick(rng, len(x), 25)))
	}
	for _, p := range l.Params() {
		report(gradcheck.Check(loss, p.Value, grads[p.Name], gradcheck.Pick(rng, len(p.Value), 25)))
	}
	t.Logf("%s: worst relative error %.2g", name, worst)
}

func TestConvGradients(t *testing.T) {
	for ci, c := range convCases {
		for _, seed := range []uint64{1, 2} {
			l := newTestConv(t, c, seed+uint64(10*ci))
			rng := rand.New(rand.NewPCG(seed, 3))
			const n = 2
			checkLayer(t, c.name, l, randSlice(rng, n*c.in.Size()), n, seed)
		}
	}
}

func TestConvSkipInputGrad(t *testing.T) {
	c := convCases[0]
	c.cfg.SkipInputGrad = true
	l := newTestConv(t, c, 5)
	ref := newTestConv(t, convCases[0], 5)
	rng := rand.New(rand.NewPCG(1, 1))
	x := randSlice(rng, 2*c.in.Size())
	r := randSlice(rng, 2*c.out.Size())
	for _, m := range []*Conv2D[float64]{l, ref} {
		if _, err := m.Forward(x, 2); err != nil {
			t.Fatal(err)
		}
	}
	dx, err := l.Backward(r)
	if err != nil || dx != nil {
		t.Fatalf("SkipInputGrad: dx = %v, err = %v; want nil, nil", dx, err)
	}
	if _, err := ref.Backward(r); err != nil {
		t.Fatal(err)
	}
	for i := range ref.weight.Grad {
		if ref.weight.Grad[i] != l.weight.Grad[i] {
			t.Fatalf("weight gradient differs without the input gradient at %d", i)
		}
	}
}

func TestActivationGradients(t *testing.T) {
	s := Shape{2, 3, 4}
	for _, a := range []kernels.Activation{kernels.ELU, kernels.ReLU, kernels.Tanh, kernels.Sigmoid} {
		l, err := NewAct[float64](s, a, 1)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(uint64(a), 4))
		x := randSlice(rng, 3*s.Size())
		// keep away from the kinks of ReLU and ELU at 0 (further than the step)
		for i := range x {
			if math.Abs(x[i]) < 0.01 {
				x[i] = 0.5
			}
		}
		checkLayer(t, a.String(), l, x, 3, uint64(a))
	}
}

func TestPoolGradients(t *testing.T) {
	for _, s := range []Shape{{2, 4, 6}, {3, 5, 7}} {
		for _, m := range []PoolMode{PoolAvg, PoolMax} {
			l, err := NewPool[float64](s, m)
			if err != nil {
				t.Fatal(err)
			}
			want := Shape{s.C, s.H / 2, s.W / 2}
			if l.OutShape() != want {
				t.Fatalf("pool out shape %v, want %v", l.OutShape(), want)
			}
			rng := rand.New(rand.NewPCG(uint64(s.H), uint64(m)))
			// distinct values on a grid of spacing 1e-3 ≫ the step: the
			// maximum of a window never changes under perturbation
			x := make([]float64, 2*s.Size())
			for i, p := range rng.Perm(len(x)) {
				x[i] = float64(p)*1e-3 + 0.1*float64(i%3)
			}
			checkLayer(t, m.String()+"pool "+s.String(), l, x, 2, 7)
		}
	}
}

func TestPoolValues(t *testing.T) {
	// one 1×2×4 image: windows [1 2; 5 6] and [3 -4; 7 8]
	x := []float64{1, 2, 3, -4, 5, 6, 7, 8}
	s := Shape{1, 2, 4}
	mx, _ := NewPool[float64](s, PoolMax)
	av, _ := NewPool[float64](s, PoolAvg)
	ym, _ := mx.Forward(x, 1)
	ya, _ := av.Forward(x, 1)
	if ym[0] != 6 || ym[1] != 8 || ya[0] != 3.5 || ya[1] != 3.5 {
		t.Fatalf("max %v avg %v, want [6 8] [3.5 3.5]", ym, ya)
	}
	nan := []float64{1, math.NaN(), 3, 4, 5, 6, 7, 8}
	ym, _ = mx.Forward(nan, 1)
	if !math.IsNaN(ym[0]) || ym[1] != 8 {
		t.Fatalf("max pool with NaN gives %v, want [NaN 8]", ym)
	}
	dx, _ := mx.Backward([]float64{1, 2})
	if want := []float64{0, 1, 0, 0, 0, 0, 0, 2}; !equal(dx, want) {
		t.Fatalf("max pool gradient with NaN %v, want %v", dx, want)
	}
	// ties go to the first maximum in row-major order
	ym, _ = mx.Forward([]float64{7, 7, 1, 1, 7, 7, 1, 1}, 1)
	dx, _ = mx.Backward([]float64{1, 1})
	if want := []float64{1, 0, 1, 0, 0, 0, 0, 0}; ym[0] != 7 || !equal(dx, want) {
		t.Fatalf("max pool ties: y %v dx %v, want dx %v", ym, dx, want)
	}
}

func TestDeterministicAcrossThreads(t *testing.T) {
	defer kernels.SetThreads(0)
	// the second shape takes the kernels' implicit weight gradient too
	for _, sh := range []struct {
		in   Shape
		outC int
	}{{Shape{3, 12, 12}, 5}, {Shape{8, 12, 40}, 32}} {
		testDeterministic(t, sh.in, sh.outC)
	}
}

func testDeterministic(t *testing.T, in Shape, outC int) {
	var ref [][]float32
	for _, th := range []int{1, 2, 3} {
		kernels.SetThreads(th)
		l, err := NewConv2D[float32](in, ConvConfig{OutC: outC, KH: 3, KW: 3, Pad: PadSame}, 1)
		if err != nil {
			t.Fatal(err)
		}
		const n = 7
		rng := rand.New(rand.NewPCG(1, 2))
		x := make([]float32, n*in.Size())
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		y, _ := l.Forward(x, n)
		dy := make([]float32, len(y))
		for i := range dy {
			dy[i] = float32(rng.NormFloat64())
		}
		dx, _ := l.Backward(dy)
		got := [][]float32{append([]float32(nil), y...), append([]float32(nil), dx...), l.weight.Grad, l.bias.Grad}
		if ref == nil {
			ref = got
			continue
		}
		for k := range got {
			for i := range got[k] {
				if math.Float32bits(got[k][i]) != math.Float32bits(ref[k][i]) {
					t.Fatalf("threads=%d: output %d differs at %d", th, k, i)
				}
			}
		}
	}
}

func TestInit(t *testing.T) {
	in := Shape{16, 8, 8}
	for _, c := range []struct {
		init Init
		std  float64
	}{
		{InitHe, math.Sqrt(2.0 / (16 * 9))},
		{InitGlorot, math.Sqrt(6.0/(16*9+32*9)) / math.Sqrt(3)},
		{InitNormal005, 0.05},
	} {
		a, _ := NewConv2D[float64](in, ConvConfig{OutC: 32, KH: 3, KW: 3, Init: c.init}, 42)
		b, _ := NewConv2D[float64](in, ConvConfig{OutC: 32, KH: 3, KW: 3, Init: c.init}, 42)
		w := a.weight.Value
		var s2 float64
		for i, v := range w {
			if v != b.weight.Value[i] {
				t.Fatalf("%v: same seed, different weights", c.init)
			}
			s2 += v * v
		}
		std := math.Sqrt(s2 / float64(len(w)))
		// the sample standard deviation of 4608 draws is within 5 of its
		// standard errors (≈ std/√(2·4608) for the normal) of the truth
		if math.Abs(std-c.std) > 5*c.std/math.Sqrt(2*float64(len(w))) {
			t.Errorf("%v: std %g, want %g", c.init, std, c.std)
		}
	}
}

func TestErrors(t *testing.T) {
	if _, err := NewConv2D[float32](Shape{3, 2, 2}, ConvConfig{OutC: 1, KH: 3, KW: 3}, 0); err == nil {
		t.Error("3×3 valid kernel on 2×2 image accepted")
	}
	if _, err := NewConv2D[float32](Shape{0, 2, 2}, ConvConfig{OutC: 1, KH: 1, KW: 1}, 0); err == nil {
		t.Error("empty input accepted")
	}
	if _, err := NewConv2D[float32](Shape{1, 4, 4}, ConvConfig{OutC: 0, KH: 1, KW: 1}, 0); err == nil {
		t.Error("zero output channels accepted")
	}
	if _, err := NewConv2D[float32](Shape{1, 4, 4}, ConvConfig{OutC: 1, KH: 1, KW: 1, Init: 9}, 0); err == nil {
		t.Error("unknown init accepted")
	}
	if _, err := NewPool[float32](Shape{1, 1, 4}, PoolMax); err == nil {
		t.Error("pooling a 1-row image accepted")
	}
	l, _ := NewConv2D[float32](Shape{1, 4, 4}, ConvConfig{OutC: 2, KH: 3, KW: 3, Pad: PadSame}, 0)
	if _, err := l.Backward(make([]float32, 32)); err == nil {
		t.Error("Backward before Forward accepted")
	}
	if _, err := l.Forward(make([]float32, 15), 1); err == nil {
		t.Error("short input accepted")
	}
	if _, err := l.Forward(make([]float32, 16), 1); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Backward(make([]float32, 31)); err == nil {
		t.Error("short gradient accepted")
	}
	if _, err := ParsePadMode("full"); err == nil {
		t.Error("unknown padding parsed")
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
