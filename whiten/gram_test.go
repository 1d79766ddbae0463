package whiten

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// TestCorrectedGram: the centred Gram as the double centring of the
// uncentred one agrees with centring first within the rounding of both.
// Each Gram entry is off by at most p·eps·‖xᵢ‖‖xⱼ‖; the row means r and
// their mean c average such entries (plus n·eps of summation), so with
// N̄ the mean row norm every term is within (p+n)·eps·(‖xᵢ‖+N̄)(‖xⱼ‖+N̄),
// and the centred-first result (‖m‖ ≤ N̄) within the same: 4× that per
// entry. It is exactly symmetric; and data whose mean dominates
// (‖X‖² > 16·‖Xc‖²) are left to the centred path.
func TestCorrectedGram(t *testing.T) {
	testCorrectedGram[float64](t)
	testCorrectedGram[float32](t)
}

func testCorrectedGram[T kernels.Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	n, p := 37, 3000
	for _, offset := range []float64{0, 0.5, 1.5, 20} {
		x := matrix.New[T](n, p)
		for i := range x.Data {
			x.Data[i] = T(rng.NormFloat64() + offset)
		}
		mean := columnMeans(x)
		got, ok := correctedGram(x, nil)
		if offset == 20 {
			if ok {
				t.Errorf("offset %v: mean-dominated data took the corrected path", offset)
			}
			continue
		}
		if !ok {
			t.Fatalf("offset %v: corrected path refused", offset)
		}
		want := centeredGram(x, mean)
		norm := make([]float64, n)
		var bar float64
		for i := range norm {
			for _, v := range x.Row(i) {
				norm[i] += float64(v) * float64(v)
			}
			norm[i] = math.Sqrt(norm[i])
			bar += norm[i] / float64(n)
		}
		for i := range norm {
			norm[i] += bar
		}
		eps := 0x1p-52 // float64 sums for float32 data too (rawGram, centeredGram)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if got[i*n+j] != got[j*n+i] {
					t.Fatalf("not symmetric at (%d, %d)", i, j)
				}
				tol := 4 * float64(p+n) * eps * norm[i] * norm[j]
				if d := math.Abs(got[i*n+j] - want[i*n+j]); d > tol {
					t.Fatalf("offset %v, (%d, %d): corrected %v, centred %v, |Δ| %g > %g", offset, i, j, got[i*n+j], want[i*n+j], d, tol)
				}
			}
		}
	}
}

// TestGramComponentsInPlace: Uᵀ·X − (Uᵀ1)·meanᵀ agrees with Uᵀ·Xc from
// centred blocks within 4·n·eps·Σᵢ|uᵢ|(|xᵢ|+|m|) per entry.
func TestGramComponentsInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	n, p, k := 23, 2500, 4
	x := matrix.New[float64](n, p)
	for i := range x.Data {
		x.Data[i] = rng.NormFloat64() + 0.7
	}
	u := matrix.New[float64](n, k)
	for i := range u.Data {
		u.Data[i] = rng.NormFloat64()
	}
	mean := toFloat[float64](columnMeans(x))
	got := gramComponentsInPlace(x, mean, u)
	want := gramComponents(x, mean, u)
	for j := 0; j < k; j++ {
		for c := 0; c < p; c++ {
			var mag float64
			for i := 0; i < n; i++ {
				mag += math.Abs(u.At(i, j)) * (math.Abs(x.At(i, c)) + math.Abs(mean[c]))
			}
			tol := 4 * float64(n) * 0x1p-53 * mag
			if d := math.Abs(got.At(j, c) - want.At(j, c)); d > tol {
				t.Fatalf("(%d, %d): in place %v, centred %v, |Δ| %g > %g", j, c, got.At(j, c), want.At(j, c), d, tol)
			}
		}
	}
}
