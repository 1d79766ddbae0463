package whiten

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// symWithSpectrum returns Q·diag(lam)·Qᵀ for a random orthogonal Q.
func symWithSpectrum(rng *rand.Rand, lam []float64) []float64 {
	n := len(lam)
	g := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q mat.Dense
	qr.QTo(&q)
	a := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			var s float64
			for l := 0; l < n; l++ {
				s += q.At(i, l) * lam[l] * q.At(j, l)
			}
			a[i*n+j], a[j*n+i] = s, s
		}
	}
	return a
}

// checkEigenpairs verifies residuals ‖A·v − λ·v‖ ≤ c·N·ε·‖A‖ and
// orthonormality |VᵀV − I| ≤ c·N·ε: properties of any backward-stable
// symmetric eigensolver, independent of how the vectors were computed.
func checkEigenpairs(t *testing.T, name string, a []float64, n int, vals, vecs []float64, k int) {
	t.Helper()
	anorm := 0.0
	for i := 0; i < n; i++ {
		var s float64
		for j := 0; j < n; j++ {
			s += math.Abs(a[i*n+j])
		}
		anorm = math.Max(anorm, s)
	}
	tol := 64 * float64(n) * 0x1p-53
	for j := 0; j < k; j++ {
		var res float64
		for i := 0; i < n; i++ {
			var s float64
			for l := 0; l < n; l++ {
				s += a[i*n+l] * vecs[l*k+j]
			}
			r := s - vals[j]*vecs[i*k+j]
			res += r * r
		}
		if r := math.Sqrt(res); r > tol*anorm {
			t.Errorf("%s: residual of pair %d is %.3g, tolerance %.3g", name, j, r, tol*anorm)
		}
		for l := 0; l <= j; l++ {
			var s float64
			for i := 0; i < n; i++ {
				s += vecs[i*k+j] * vecs[i*k+l]
			}
			if l == j {
				s--
			}
			if math.Abs(s) > tol {
				t.Errorf("%s: vᵀv for (%d,%d) off by %.3g, tolerance %.3g", name, j, l, s, tol)
			}
		}
	}
}

func TestSymEigTopKMatchesFull(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	spectra := map[string]func(n int) []float64{
		"distinct": func(n int) []float64 {
			l := make([]float64, n)
			for i := range l {
				l[i] = math.Pow(0.9, float64(i)) * 10
			}
			return l
		},
		"clustered": func(n int) []float64 { // repeated eigenvalues, incl. the leading one
			l := make([]float64, n)
			for i := range l {
				l[i] = float64(3 - i*3/n)
			}
			return l
		},
		"rankdeficient": func(n int) []float64 {
			l := make([]float64, n)
			for i := 0; i < (n+1)/2; i++ {
				l[i] = float64(n - i)
			}
			return l
		},
		"tight": func(n int) []float64 { // relative gaps of 1e-10
			l := make([]float64, n)
			for i := range l {
				l[i] = 1 - 1e-10*float64(i)
			}
			return l
		},
	}
	for name, spec := range spectra {
		sizes := []int{1, 2, 3, 7, 40, 150}
		if testing.Short() {
			sizes = sizes[:5]
		}
		for _, n := range sizes {
			lam := spec(n)
			a := symWithSpectrum(rng, lam)
			k := max(1, n/3)
			choose := func([]float64) (int, error) { return k, nil }
			valsF, vecsF, _, usedF, err := symEig(append([]float64(nil), a...), n, EigenFull, choose)
			if err != nil || usedF != EigenFull {
				t.Fatalf("%s n=%d: full: %v %v", name, n, usedF, err)
			}
			valsT, vecsT, _, usedT, err := symEig(append([]float64(nil), a...), n, EigenTopK, choose)
			if err != nil {
				t.Fatalf("%s n=%d: topk: %v", name, n, err)
			}
			if usedT != EigenTopK {
				t.Errorf("%s n=%d: top-k fell back to %v", name, n, usedT)
			}
			for i := range valsF {
				if valsF[i] != valsT[i] { // same dsytrd + dsterf
					t.Fatalf("%s n=%d: eigenvalue %d differs", name, n, i)
				}
			}
			// The spectrum is known: λ sorted descending, to c·N·ε·‖A‖.
			sorted := append([]float64(nil), lam...)
			slices.Sort(sorted)
			slices.Reverse(sorted)
			for i := range sorted {
				if d := math.Abs(valsF[i] - sorted[i]); d > 64*float64(n)*0x1p-53*sorted[0] {
					t.Errorf("%s n=%d: eigenvalue %d = %v, want %v", name, n, i, valsF[i], sorted[i])
				}
			}
			checkEigenpairs(t, name+"/full", a, n, valsF, vecsF, k)
			checkEigenpairs(t, name+"/topk", a, n, valsT, vecsT, k)
			if name == "distinct" {
				// Well-separated: the vectors themselves agree up to sign.
				for j := 0; j < k; j++ {
					var dot float64
					for i := 0; i < n; i++ {
						dot += vecsF[i*k+j] * vecsT[i*k+j]
					}
					if math.Abs(math.Abs(dot)-1) > 1e-12 {
						t.Errorf("%s n=%d: vector %d: |cos| = %v", name, n, j, math.Abs(dot))
					}
				}
			}
		}
	}
}
