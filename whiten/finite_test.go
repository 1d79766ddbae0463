package whiten

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// TestNonFiniteAnywhere puts NaN, +Inf, −Inf and an +Inf/−Inf pair (which
// cancel in a column sum) at every position of small matrices, for both
// solvers and both element types, and checks that PCA and ICA whitening
// report the first offending element: the fits detect non-finite data from
// their moments (checkMoments), not by a separate scan.
func TestNonFiniteAnywhere(t *testing.T) {
	testNonFinite[float64](t)
	testNonFinite[float32](t)
}

func testNonFinite[T kernels.Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, shape := range [][2]int{{7, 3}, {3, 7}} {
		n, p := shape[0], shape[1]
		base := matrix.New[T](n, p)
		for i := range base.Data {
			base.Data[i] = T(rng.NormFloat64())
		}
		bad := map[string][2]float64{
			"NaN": {math.NaN(), 0}, "+Inf": {math.Inf(1), 0}, "-Inf": {math.Inf(-1), 0},
			"+Inf/-Inf": {math.Inf(1), math.Inf(-1)},
		}
		for name, vals := range bad {
			for i := 0; i < n; i++ {
				for j := 0; j < p; j++ {
					x := base.Clone()
					x.Set(i, j, T(vals[0]))
					want := fmt.Sprintf("element (%d, %d)", i, j)
					if vals[1] != 0 {
						i2 := (i + 1) % n // same column, so the column sum is NaN, not Inf
						x.Set(i2, j, T(vals[1]))
						want = fmt.Sprintf("element (%d, %d)", min(i, i2), j)
					}
					for _, solver := range []Solver{SolverCovariance, SolverGram} {
						_, err := FitPCA(x, PCAOptions{Solver: solver})
						if err == nil || !strings.Contains(err.Error(), want) {
							t.Errorf("%s %dx%d %s at (%d,%d), PCA %v: error %v, want one naming %q", dtypeName[T](), n, p, name, i, j, solver, err, want)
						}
						_, err = ForICA(x, ICAOptions{Solver: solver})
						if err == nil || !strings.Contains(err.Error(), want) {
							t.Errorf("%s %dx%d %s at (%d,%d), ForICA %v: error %v, want one naming %q", dtypeName[T](), n, p, name, i, j, solver, err, want)
						}
					}
				}
			}
		}
	}
}

func dtypeName[T kernels.Float]() string {
	if epsOf[T]() == 0x1p-24 {
		return "float32"
	}
	return "float64"
}

// TestMomentOverflow: finite data whose second moments overflow get the
// overflow error, not a NaN fit or a claim of non-finite input. float32
// data whose squares overflow float32 only do so on the covariance route:
// the Gram route sums in float64 (rawGram) and whitens them.
func TestMomentOverflow(t *testing.T) {
	x := matrix.New[float32](6, 2)
	x64 := matrix.New[float64](6, 2)
	for i := range x.Data {
		x.Data[i] = float32(i%3) * 1e30 // squares overflow float32
		x64.Data[i] = float64(i%3) * 1e160
	}
	for _, solver := range []Solver{SolverCovariance, SolverGram} {
		_, err := ForICA(x64, ICAOptions{Solver: solver})
		if err == nil || !strings.Contains(err.Error(), "overflows") {
			t.Errorf("float64 %v: error %v, want an overflow error", solver, err)
		}
	}
	if _, err := ForICA(x, ICAOptions{Solver: SolverCovariance}); err == nil || !strings.Contains(err.Error(), "overflows") {
		t.Errorf("float32 covariance: error %v, want an overflow error", err)
	}
	w, err := ForICA(x, ICAOptions{Solver: SolverGram})
	if err != nil {
		t.Fatalf("float32 Gram: %v", err)
	}
	if err := w.K.CheckFinite(); err != nil {
		t.Errorf("float32 Gram: K %v", err)
	}
	if err := w.White.CheckFinite(); err != nil {
		t.Errorf("float32 Gram: White %v", err)
	}
	// White·Whiteᵀ/n = I: whitened, not just finite (White's entries are
	// rounded to float32 once: 2 roundings per product, n products).
	k, n := w.NComponents, w.NSamples
	tol := 4 * float64(n) * 0x1p-24
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			var s float64
			for c := 0; c < n; c++ {
				s += float64(w.White.At(i, c)) * float64(w.White.At(j, c))
			}
			want := 0.0
			if i == j {
				want = 1
			}
			if d := math.Abs(s/float64(n) - want); d > tol {
				t.Errorf("float32 Gram: (White·Whiteᵀ/n)[%d][%d] = %v, want %v", i, j, s/float64(n), want)
			}
		}
	}
}
