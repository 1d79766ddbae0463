package fastica

import (
	"math"
	"testing"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
	"github.com/deepica/deepica/whiten"
)

// TestInPlaceMatchesWhitenedCopy: with all features kept, the iterations
// run on the samples in place (kernels.ICAStepRows with the whitening
// folded into W); they must give what iterating on the whitened copy X1
// gives (forced here with the Gram solver, which forms X1), for both
// algorithms and both types, with a mean far larger than the spread for
// float64 and one of a few standard deviations for float32 (larger means
// take X1 there, see meanFitsFloat32).
func TestInPlaceMatchesWhitenedCopy(t *testing.T) {
	x, _, _ := mixture(31, 600, 5, 5, laplace)
	x32 := matrix.New[float32](x.Rows, x.Cols)
	for i := 0; i < x.Rows; i++ {
		for j, v := range x.Row(i) {
			x.Row(i)[j] = v + 1e3*float64(j+1)
			x32.Row(i)[j] = float32(v + 3*float64(j+1))
		}
	}
	for _, alg := range []Algorithm{Parallel, Deflation} {
		for _, fun := range []kernels.Contrast{kernels.LogCosh, kernels.Exp, kernels.Cube} {
			opt := Options{Algorithm: alg, Fun: fun, Seed: 3, Tol: 1e-8, MaxIter: 400}
			t.Run(alg.String()+"/"+fun.String()+"/f64", func(t *testing.T) { compareInPlace(t, x, opt, 1e-10) })
			t.Run(alg.String()+"/"+fun.String()+"/f32", func(t *testing.T) { compareInPlace(t, x32, opt, 1e-4) })
		}
	}
}

// compareInPlace fits x both ways. The two paths round differently (2⁻⁵³ or
// 2⁻²⁴ per operation); the fixed point moves by about the rounding of the
// step's n-term sums, √n·eps (2.7e-15 / 1.5e-6 here), times the iteration's
// conditioning, which tol bounds with a margin of about 100.
func compareInPlace[T kernels.Float](t *testing.T, x *matrix.Dense[T], opt Options, tol float64) {
	ro, err := opt.resolve()
	if err != nil {
		t.Fatal(err)
	}
	if !squareWhitening(ro, x.Rows, x.Cols) {
		t.Fatal("the default options do not take the in-place path")
	}
	wh, err := whitenData(x, ro, nil)
	if err != nil || wh.rows == nil {
		t.Fatalf("whitening did not choose the in-place path (err %v)", err)
	}
	mIn, sIn, err := Fit(x, opt)
	if err != nil {
		t.Fatal(err)
	}
	copyOpt := opt
	copyOpt.WhitenSolver = whiten.SolverGram
	mCp, sCp, err := Fit(x, copyOpt)
	if err != nil {
		t.Fatal(err)
	}
	if !mIn.Converged || !mCp.Converged {
		t.Fatalf("not converged: in place %v, copy %v", mIn.Converged, mCp.Converged)
	}
	worst := 0.0
	for i, v := range sIn.Data {
		worst = math.Max(worst, math.Abs(float64(v)-float64(sCp.Data[i])))
	}
	t.Logf("n_iter %d / %d, max |Δsource| %.3g (unit-variance sources)", mIn.NIter, mCp.NIter, worst)
	if !(worst <= tol) {
		t.Errorf("sources differ by %.3g > %g between the in-place iterations and the whitened copy", worst, tol)
	}
}
