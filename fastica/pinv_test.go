package fastica

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/deepica/deepica/matrix"
	"gonum.org/v1/gonum/mat"
)

// whitenedFactors returns a k×k W (standard normal) and K = D⁻¹·Vᵀ (k×p)
// with V's columns orthonormal up to a perturbation of size skew and σ
// spread over 10^spread.
func whitenedFactors(rng *rand.Rand, k, p int, spread, skew float64) (w, kk *matrix.Dense[float64], sigma []float64) {
	g := mat.NewDense(p, k, nil)
	for i := 0; i < p; i++ {
		for j := 0; j < k; j++ {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q mat.Dense
	qr.QTo(&q)
	sigma = make([]float64, k)
	kk = matrix.New[float64](k, p)
	for j := 0; j < k; j++ {
		sigma[j] = math.Pow(10, spread*float64(k-1-j)/float64(max(k-1, 1)))
		for i := 0; i < p; i++ {
			kk.Set(j, i, (q.At(i, j)+skew*rng.NormFloat64())/sigma[j])
		}
	}
	w = matrix.New[float64](k, k)
	for i := range w.Data {
		w.Data[i] = rng.NormFloat64()
	}
	return w, kk, sigma
}

// TestPinvWhitened compares the factored pseudo-inverse with the SVD one
// (scipy's definition) on components W·K. Both are backward stable, so they
// agree to about max(k, p)·eps·cond(A) relative (the bound used, with a
// factor 8 for the few extra k×k products of the factored route).
func TestPinvWhitened(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, c := range []struct {
		k, p         int
		spread, skew float64
	}{{1, 1, 0, 0}, {3, 3, 1, 0}, {5, 40, 2, 1e-12}, {40, 40, 3.5, 1e-14}, {10, 500, 6, 1e-9}, {40, 2000, 2, 0}} {
		w, kk, sigma := whitenedFactors(rng, c.k, c.p, c.spread, c.skew)
		a := mul(w, kk)
		want, err := pinv(a)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := pinvWhitened(w, kk, sigma)
		if !ok {
			t.Fatalf("k=%d p=%d: factored route refused a full-rank case", c.k, c.p)
		}
		var svd mat.SVD
		svd.Factorize(matrix.Gonum(a), mat.SVDNone)
		sv := svd.Values(nil)
		cond := sv[0] / sv[len(sv)-1]
		var diff, norm float64
		for i, v := range want.Data {
			diff += (got.Data[i] - v) * (got.Data[i] - v)
			norm += v * v
		}
		rel := math.Sqrt(diff / norm)
		tol := 8 * float64(max(c.k, c.p)) * 0x1p-52 * cond
		t.Logf("k=%d p=%d cond %.3g rel %.3g tol %.3g", c.k, c.p, cond, rel, tol)
		if rel > tol {
			t.Errorf("k=%d p=%d cond %.3g: ‖A⁺ − pinv(A)‖/‖pinv(A)‖ = %.3g > %.3g", c.k, c.p, cond, rel, tol)
		}
	}
}

// TestPinvWhitenedDegenerate: an unmixing with two equal rows makes A
// rank-deficient; scipy's pinv cuts that direction, so the factored route
// must decline and leave it to the SVD.
func TestPinvWhitenedDegenerate(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	w, kk, sigma := whitenedFactors(rng, 6, 30, 1, 0)
	copy(w.Row(3), w.Row(1))
	if _, ok := pinvWhitened(w, kk, sigma); ok {
		t.Fatal("rank-deficient components: factored pseudo-inverse accepted")
	}
}
