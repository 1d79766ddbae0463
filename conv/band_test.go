package conv

import (
	"math/rand/v2"
	"testing"

	"github.com/deepica/deepica/kernels"
)

// withBands runs f with bands of about the given number of output rows for
// the layers of convCases (bandBytes is a size; 1 forces one row per band).
func withBands(t *testing.T, size int, f func(t *testing.T)) {
	old := bandBytes
	bandBytes = size
	defer func() { bandBytes = old }()
	f(t)
}

func TestBandedMatchesWholeImage(t *testing.T) {
	for _, size := range []int{1, 600, 2000} {
		withBands(t, size, func(t *testing.T) {
			t.Run("forward", TestConvForwardMatchesDirectFormula)
			t.Run("gradients", TestConvGradients)
		})
	}
}

// For symmetric padding the band im2col of all rows is kernels.Im2col, an
// independent implementation of the same definition.
func TestIm2colBandMatchesKernels(t *testing.T) {
	for _, c := range []kernels.ConvGeom{
		{C: 2, H: 7, W: 6, KH: 3, KW: 3, PadH: 1, PadW: 1},
		{C: 3, H: 9, W: 10, KH: 5, KW: 3, StrideH: 2, StrideW: 3, PadH: 2, PadW: 1},
		{C: 1, H: 5, W: 5, KH: 2, KW: 4, StrideH: 1, StrideW: 2},
	} {
		g := geom{c: c.C, h: c.H, w: c.W, kh: c.KH, kw: c.KW, sh: max(c.StrideH, 1), sw: max(c.StrideW, 1),
			top: c.PadH, left: c.PadW, oh: c.OutH(), ow: c.OutW()}
		rng := rand.New(rand.NewPCG(1, 1))
		img := randSlice(rng, c.C*c.H*c.W)
		want := make([]float64, c.ColRows()*c.ColCols())
		kernels.Im2col(c, img, want)
		got := make([]float64, len(want))
		im2colBand(&g, img, 0, g.oh, got)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%+v: col[%d] = %g, want %g", c, i, got[i], want[i])
			}
		}
		dimg := make([]float64, len(img))
		wantImg := make([]float64, len(img))
		kernels.Col2im(c, want, wantImg)
		col2imBand(&g, want, 0, g.oh, dimg)
		for i := range wantImg {
			if dimg[i] != wantImg[i] {
				t.Fatalf("%+v: col2im[%d] = %g, want %g", c, i, dimg[i], wantImg[i])
			}
		}
	}
}
