package kernels

import (
	"fmt"
	"math"
	"testing"
)

// convShapes covers the accelerated paths' edges: channel counts below,
// at and above the tile sizes (8 output channels per A tile, 32 pixels per
// forward tile, 32 channels per weight-gradient row), partial tiles, one
// and several bands, kernels of 1×1 to 5×3, padding of zero, the usual,
// wider than the kernel, and negative (a crop).
func convShapes(short bool) []ConvShape {
	mk := func(c, h, w, o, kh, kw, top, left, bottom, right int) ConvShape {
		return ConvShape{C: c, H: h, W: w, O: o, KH: kh, KW: kw, Top: top, Left: left,
			OH: h + top + bottom - kh + 1, OW: w + left + right - kw + 1}
	}
	s := []ConvShape{
		mk(1, 1, 1, 1, 1, 1, 0, 0, 0, 0),
		mk(3, 9, 11, 16, 3, 3, 1, 1, 1, 1),
		mk(3, 7, 40, 5, 3, 3, 1, 1, 1, 1),
		mk(8, 6, 33, 32, 3, 3, 1, 1, 1, 1),
		mk(16, 10, 31, 32, 3, 3, 1, 1, 1, 1),
		mk(32, 5, 32, 32, 3, 3, 1, 1, 1, 1),
		mk(32, 6, 35, 16, 3, 3, 1, 1, 1, 1),
		mk(24, 4, 12, 64, 2, 3, 0, 2, 1, 0),
		mk(40, 5, 9, 32, 5, 3, 4, 3, 4, 3),
		mk(8, 8, 10, 32, 3, 3, -1, -1, -1, -1),
		mk(64, 3, 20, 33, 1, 1, 0, 0, 0, 0),
		mk(5, 4, 65, 9, 3, 5, 2, 2, 0, 2),
		mk(16, 40, 40, 32, 3, 3, 1, 1, 1, 1), // several bands
	}
	if !short {
		s = append(s, mk(32, 30, 70, 32, 3, 3, 1, 1, 1, 1), mk(3, 50, 96, 16, 3, 3, 1, 1, 1, 1))
	}
	return s
}

func shapeName(s ConvShape) string {
	return fmt.Sprintf("%dx%dx%d-o%d-k%dx%d-pad%d,%d-out%dx%d", s.C, s.H, s.W, s.O, s.KH, s.KW, s.Top, s.Left, s.OH, s.OW)
}

// convExact computes the forward output and the HWIO weight gradient
// exactly (compensated float64 sums) with Σ|terms| for the bounds.
func convExact[T Float](s ConvShape, w, bias, img, dy []T) (y, yAbs, dw, dwAbs []float64) {
	at := func(c, r, x int) (float64, bool) {
		if r < 0 || r >= s.H || x < 0 || x >= s.W {
			return 0, false
		}
		return float64(img[(c*s.H+r)*s.W+x]), true
	}
	k := s.C * s.KH * s.KW
	y, yAbs = make([]float64, s.O*s.OH*s.OW), make([]float64, s.O*s.OH*s.OW)
	for o := 0; o < s.O; o++ {
		for i := 0; i < s.OH; i++ {
			for j := 0; j < s.OW; j++ {
				var acc xsum
				if bias != nil {
					acc.add(float64(bias[o]))
				}
				for c := 0; c < s.C; c++ {
					for p := 0; p < s.KH; p++ {
						for q := 0; q < s.KW; q++ {
							if v, ok := at(c, i+p-s.Top, j+q-s.Left); ok {
								acc.addProd(float64(w[o*k+(c*s.KH+p)*s.KW+q]), v)
							}
						}
					}
				}
				y[(o*s.OH+i)*s.OW+j], yAbs[(o*s.OH+i)*s.OW+j] = acc.value(), acc.abs
			}
		}
	}
	dw, dwAbs = make([]float64, k*s.O), make([]float64, k*s.O)
	for p := 0; p < s.KH; p++ {
		for q := 0; q < s.KW; q++ {
			for c := 0; c < s.C; c++ {
				for o := 0; o < s.O; o++ {
					var acc xsum
					for i := 0; i < s.OH; i++ {
						for j := 0; j < s.OW; j++ {
							if v, ok := at(c, i+p-s.Top, j+q-s.Left); ok {
								acc.addProd(float64(dy[(o*s.OH+i)*s.OW+j]), v)
							}
						}
					}
					e := ((p*s.KW+q)*s.C+c)*s.O + o
					dw[e], dwAbs[e] = acc.value(), acc.abs
				}
			}
		}
	}
	return
}

func testConv[T Float](t *testing.T, lvl Level) {
	r := newRand(7)
	for si, s := range convShapes(!bigCases()) {
		for _, withBias := range []bool{true, false} {
			p := startOffsets()[si%8]
			k := s.C * s.KH * s.KW
			name := fmt.Sprintf("%s/%s/bias=%v/%v", dtypeName[T](), shapeName(s), withBias, p)
			fwd, wg := ConvAccelerated[T](s)
			if lvl == Generic && (fwd || wg) {
				t.Fatalf("%s: ConvAccelerated true at the generic level", name)
			}
			w := newVec[T](t, "w", s.O*k, p).randomize(r)
			img := newVec[T](t, "img", s.C*s.H*s.W, p).randomize(r)
			dy := newVec[T](t, "dy", s.O*s.OH*s.OW, p).randomize(r)
			var bias *gmat[T]
			var bv []T
			if withBias {
				bias = newVec[T](t, "bias", s.O, p).randomize(r)
				bv = bias.data
			}
			y := newVec[T](t, "y", s.O*s.OH*s.OW, p).fill(func(int, int) T { return T(math.NaN()) })
			dw := newVec[T](t, "dw", k*s.O, p).fill(func(int, int) T { return T(math.NaN()) })
			w0, img0, dy0 := w.plain(), img.plain(), dy.plain()
			ConvForward(s, w.data, bv, img.data, y.data)
			ConvWeightGrad(s, img.data, dy.data, dw.data)
			w.checkUnchanged(t, w0)
			img.checkUnchanged(t, img0)
			dy.checkUnchanged(t, dy0)
			if bias != nil {
				bias.checkGuards(t)
			}
			y.checkGuards(t)
			dw.checkGuards(t)
			ey, eyAbs, edw, edwAbs := convExact(s, w.data, bv, img.data, dy.data)
			for e, want := range ey {
				if got := float64(y.data[e]); !(math.Abs(got-want) <= tolerance[T](k+2, eyAbs[e])) {
					t.Fatalf("%s: y[%d] = %v, want %v (±%.3g)", name, e, got, want, tolerance[T](k+2, eyAbs[e]))
				}
			}
			for e, want := range edw {
				if got := float64(dw.data[e]); !(math.Abs(got-want) <= tolerance[T](s.OH*s.OW+2, edwAbs[e])) {
					t.Fatalf("%s: dw[%d] = %v, want %v (±%.3g)", name, e, got, want, tolerance[T](s.OH*s.OW+2, edwAbs[e]))
				}
			}
		}
	}
}

func TestConvForwardWeightGrad(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		t.Run("f32", func(t *testing.T) { testConv[float32](t, l) })
		t.Run("f64", func(t *testing.T) { testConv[float64](t, l) })
	})
}

// TestConvAcceleratedShapes pins down which shapes the AVX-512 kernels
// take, so that the accelerated paths above are known to have run.
func TestConvAcceleratedShapes(t *testing.T) {
	if Best() != AVX512 {
		t.Skip("no AVX-512 here")
	}
	prev := Impl()
	defer SetLevel(prev)
	if err := SetLevel(AVX512); err != nil {
		t.Fatal(err)
	}
	for _, s := range convShapes(true) {
		fwd, wg := ConvAccelerated[float32](s)
		if want := s.O%32 == 0 && s.C%8 == 0; !fwd || wg != want {
			t.Errorf("%s: ConvAccelerated = %v, %v; want true, %v", shapeName(s), fwd, wg, want)
		}
		if f, g := ConvAccelerated[float64](s); f || g {
			t.Errorf("%s: float64 reported accelerated", shapeName(s))
		}
	}
}

func TestConvShapePanics(t *testing.T) {
	s := ConvShape{C: 2, H: 4, W: 4, O: 3, KH: 3, KW: 3, Top: 1, Left: 1, OH: 4, OW: 4}
	w, img, y := make([]float32, 3*18), make([]float32, 32), make([]float32, 48)
	if panics(func() { ConvForward(s, w, nil, img, y) }) {
		t.Fatal("valid call panicked")
	}
	for _, f := range []func(){
		func() { ConvForward(s, w[:10], nil, img, y) },
		func() { ConvForward(s, w, make([]float32, 2), img, y) },
		func() { ConvForward(s, w, nil, img[:31], y) },
		func() { ConvForward(s, w, nil, img, y[:47]) },
		func() { ConvForward(ConvShape{C: 2, H: 4, W: 4, O: 3, KH: 3, KW: 3}, w, nil, img, y) },
		func() { ConvWeightGrad(s, img, y, w[:53]) },
	} {
		if !panics(f) {
			t.Error("bad arguments did not panic")
		}
	}
}
