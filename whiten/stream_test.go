package whiten

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// offsetData returns n×p data with decaying variances around a large mean,
// the case where uncentered running sums lose digits.
func offsetData[T kernels.Float](seed uint64, n, p int, offset float64) *matrix.Dense[T] {
	rng := rand.New(rand.NewPCG(seed, 99))
	x := matrix.New[T](n, p)
	mix := make([]float64, p*p)
	for i := range mix {
		mix[i] = rng.NormFloat64() / math.Sqrt(float64(p))
	}
	z := make([]float64, p)
	for i := 0; i < n; i++ {
		for j := range z {
			z[j] = rng.NormFloat64() * 3 / float64(j+1)
		}
		for j := 0; j < p; j++ {
			s := offset * float64(j%3+1)
			for l := 0; l < p; l++ {
				s += mix[j*p+l] * z[l]
			}
			x.Set(i, j, T(s))
		}
	}
	return x
}

func TestStreamingPCAEqualsInMemory(t *testing.T) {
	t.Run("f64", func(t *testing.T) { testStreamingPCA[float64](t, 0x1p-53) })
	t.Run("f32", func(t *testing.T) { testStreamingPCA[float32](t, 0x1p-24) })
}

func testStreamingPCA[T kernels.Float](t *testing.T, eps float64) {
	n, p, k := 500, 12, 5
	x := offsetData[T](7, n, p, 100)
	ref, err := FitPCA(x, PCAOptions{NComponents: k, Whiten: true})
	if err != nil {
		t.Fatal(err)
	}
	ev := make([]float64, p)
	full, err := FitPCA(x, PCAOptions{NComponents: p})
	if err != nil {
		t.Fatal(err)
	}
	copy(ev, full.ExplainedVariance)
	// Both fits round the data's second moments in T: each scatter entry
	// carries an error of order √n·ε·|mean|·spread from centering (the
	// offset is 100, the spread about 1), hence the factor 100.
	tol := 100 * eigTol(ev, k, p, n, eps)
	for _, rows := range []int{1, 7, 64, 499, 500, 1000} {
		m, err := FitPCAStream(SliceBlocks(x, rows), PCAOptions{NComponents: k, Whiten: true})
		if err != nil {
			t.Fatal(err)
		}
		want := ref.Components.Clone()
		compareMat(t, "components", m.Components, matrix.Convert[float64](want), tol)
		compareVec(t, "explained_variance", m.ExplainedVariance, ref.ExplainedVariance, tol)
		compareVec(t, "ratio", m.ExplainedVarianceRatio, ref.ExplainedVarianceRatio, tol)
		mean := make([]float64, p)
		refMean := make([]float64, p)
		for j := range mean {
			mean[j], refMean[j] = float64(m.Mean[j]), float64(ref.Mean[j])
		}
		// Both means are sums of n values (merged or sequential): n·ε.
		compareVec(t, "mean", mean, refMean, float64(n)*eps)
		if m.NSamples != n || m.Solver != SolverCovariance {
			t.Errorf("NSamples %d solver %v", m.NSamples, m.Solver)
		}
		w1, err := ForICA(x, ICAOptions{NComponents: k})
		if err != nil {
			t.Fatal(err)
		}
		w2, err := ForICAStream(SliceBlocks(x, rows), ICAOptions{NComponents: k})
		if err != nil {
			t.Fatal(err)
		}
		compareMat(t, "K", w2.K, matrix.Convert[float64](w1.K), tol)
	}
}

// The scatter merged by Chan's update equals the two-pass float64 scatter.
func TestMomentsMatchTwoPass(t *testing.T) {
	n, p := 301, 5
	x := offsetData[float64](3, n, p, 1e6)
	mean := columnMeans(x)
	want := make([]float64, p*p)
	for i := 0; i < n; i++ {
		for a := 0; a < p; a++ {
			for b := 0; b < p; b++ {
				want[a*p+b] += (x.At(i, a) - mean[a]) * (x.At(i, b) - mean[b])
			}
		}
	}
	for _, rows := range []int{1, 10, 300} {
		var parts []*Moments[float64]
		src := SliceBlocks(x, rows)
		for {
			b, err := src.Next()
			if err != nil {
				break
			}
			m, _ := NewMoments[float64](p)
			if err := m.Add(b); err != nil {
				t.Fatal(err)
			}
			parts = append(parts, m)
		}
		total, _ := NewMoments[float64](p)
		for _, m := range parts {
			if err := total.Merge(m); err != nil {
				t.Fatal(err)
			}
		}
		cov := total.Covariance(0)
		for i := range cov {
			cov[i] *= float64(n)
		}
		// Error bound: the data's values are 1e6 with unit spread; centering
		// each block in float64 leaves ε·1e6 per value, so scatter entries
		// carry about n·ε·1e6·spread.
		compareVec(t, "scatter", cov, want, float64(n)*0x1p-53*1e6)
		compareVec(t, "mean", total.Mean(), mean, float64(n)*0x1p-53)
		if total.N() != n {
			t.Errorf("N = %d", total.N())
		}
	}
}
