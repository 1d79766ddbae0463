package metrics

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/deepica/deepica/matrix"
)

func dense(r, c int, v ...float64) *matrix.Dense[float64] {
	m, err := matrix.FromSlice(r, c, v)
	if err != nil {
		panic(err)
	}
	return m
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

const tol = 1e-14 // a handful of roundings of O(1) numbers

func TestAmariClosedForms(t *testing.T) {
	// Scaled, signed permutation: perfect separation.
	perm := dense(3, 3, 0, -2, 0, 0, 0, 0.5, 7, 0, 0)
	if a, err := Amari(perm); err != nil || a != 0 {
		t.Fatalf("permutation: %v %v", a, err)
	}
	if a, err := AmariPicard(perm); err != nil || a != 0 {
		t.Fatalf("permutation (Picard): %v %v", a, err)
	}
	// All entries equal: worst case, 1 by construction; Picard's variant
	// gives k−1.
	for k := 2; k <= 5; k++ {
		m := matrix.New[float64](k, k)
		for i := range m.Data {
			m.Data[i] = -3
		}
		if a, _ := Amari(m); !near(a, 1, tol) {
			t.Errorf("k=%d all-equal: Amari %v, want 1", k, a)
		}
		if a, _ := AmariPicard(m); !near(a, float64(k-1), tol) {
			t.Errorf("k=%d all-equal: Picard %v, want %d", k, a, k-1)
		}
	}
	// [[1, a], [0, 1]], a ≤ 1: one row and one column carry a.
	for _, a := range []float64{0.1, 0.5, 1} {
		p := dense(2, 2, 1, a, 0, 1)
		if got, _ := Amari(p); !near(got, a/2, tol) {
			t.Errorf("a=%v: Amari %v, want %v", a, got, a/2)
		}
		if got, _ := AmariPicard(p); !near(got, a*a/2, tol) {
			t.Errorf("a=%v: Picard %v, want %v", a, got, a*a/2)
		}
	}
	// Invariance under signs and permutations of rows and columns (not under
	// scaling: the column terms change when rows are rescaled).
	rng := rand.New(rand.NewPCG(1, 2))
	p := matrix.New[float64](4, 4)
	for i := range p.Data {
		p.Data[i] = rng.NormFloat64()
	}
	a0, _ := Amari(p)
	q := matrix.New[float64](4, 4)
	order := []int{2, 0, 3, 1}
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			q.Set(order[3-i], order[j], p.At(i, j)*float64(1-2*(i%2)))
		}
	}
	if a1, _ := Amari(q); !near(a0, a1, 1e-13) {
		t.Errorf("not invariant: %v vs %v", a0, a1)
	}
}

func TestAmariErrors(t *testing.T) {
	for _, p := range []*matrix.Dense[float64]{
		nil, matrix.New[float64](0, 0), matrix.New[float64](2, 3),
		dense(2, 2, 1, 0, 0, 0), dense(2, 2, 1, 0, 1, 0), dense(2, 2, math.NaN(), 1, 1, 1),
	} {
		if _, err := Amari(p); err == nil {
			t.Errorf("%v: no error", p)
		}
	}
	if _, err := Gain(matrix.New[float64](2, 3), matrix.New[float64](2, 2)); err == nil {
		t.Error("Gain shape mismatch: no error")
	}
}

// bestByBruteForce enumerates every injective map of rows to columns.
func bestByBruteForce(c *matrix.Dense[float64]) float64 {
	best := math.Inf(1)
	used := make([]bool, c.Cols)
	var rec func(i int, s float64)
	rec = func(i int, s float64) {
		if i == c.Rows {
			best = min(best, s)
			return
		}
		for j := 0; j < c.Cols; j++ {
			if !used[j] {
				used[j] = true
				rec(i+1, s+c.At(i, j))
				used[j] = false
			}
		}
	}
	rec(0, 0)
	return best
}

func TestAssignAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 200; trial++ {
		r := 1 + rng.IntN(6)
		c := r + rng.IntN(3)
		m := matrix.New[float64](r, c)
		for i := range m.Data {
			m.Data[i] = float64(rng.IntN(10)) - 3 // ties are common
		}
		col, err := Assign(m)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[int]bool{}
		var s float64
		for i, j := range col {
			if seen[j] || j < 0 || j >= c {
				t.Fatalf("invalid assignment %v", col)
			}
			seen[j] = true
			s += m.At(i, j)
		}
		if want := bestByBruteForce(m); s != want {
			t.Fatalf("%d×%d: cost %v, optimum %v (%v)", r, c, s, want, m.Data)
		}
	}
	if _, err := Assign(matrix.New[float64](3, 2)); err == nil {
		t.Error("3 rows, 2 columns: no error")
	}
}

// orthoSources returns n×k centred columns, orthogonal with unit norm
// (Gram–Schmidt of random data), so that closed forms hold exactly up to
// rounding.
func orthoSources(rng *rand.Rand, n, k int) *matrix.Dense[float64] {
	s := matrix.New[float64](n, k)
	for i := range s.Data {
		s.Data[i] = rng.ExpFloat64() - rng.ExpFloat64()
	}
	for j := 0; j < k; j++ {
		for pass := 0; pass < 2; pass++ {
			var mean float64
			for i := 0; i < n; i++ {
				mean += s.At(i, j)
			}
			mean /= float64(n)
			for i := 0; i < n; i++ {
				s.Set(i, j, s.At(i, j)-mean)
			}
			for l := 0; l < j; l++ {
				var d float64
				for i := 0; i < n; i++ {
					d += s.At(i, j) * s.At(i, l)
				}
				for i := 0; i < n; i++ {
					s.Set(i, j, s.At(i, j)-d*s.At(i, l))
				}
			}
			var nn float64
			for i := 0; i < n; i++ {
				nn += s.At(i, j) * s.At(i, j)
			}
			for i := 0; i < n; i++ {
				s.Set(i, j, s.At(i, j)/math.Sqrt(nn))
			}
		}
	}
	return s
}

func TestMatchAndSIR(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n, k := 500, 4
	s := orthoSources(rng, n, k)
	// Estimate: column perm[i] holds ±scale·(s_i + eps_i·s_{i+1}) + offset,
	// plus one extra column of pure interference. Orthonormal sources make
	// |corr| = 1/√(1+eps²) and SIR = −20·log10(eps) exactly.
	perm := []int{3, 0, 4, 1}
	eps := []float64{0.1, 0.01, 0.3, 0}
	est := matrix.New[float64](n, k+1)
	for i := 0; i < k; i++ {
		for r := 0; r < n; r++ {
			v := s.At(r, i) + eps[i]*s.At(r, (i+1)%k)
			est.Set(r, perm[i], -2.5*v+7)
		}
	}
	for r := 0; r < n; r++ {
		est.Set(r, 2, s.At(r, 0)+s.At(r, 1)+s.At(r, 2)+s.At(r, 3))
	}
	sir, m, err := SIR(est, s)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < k; i++ {
		if m.Est[i] != perm[i] {
			t.Fatalf("match %v, want %v", m.Est, perm)
		}
		wantC := 1 / math.Sqrt(1+eps[i]*eps[i])
		if !near(m.AbsCorr[i], wantC, 1e-12) {
			t.Errorf("source %d: |corr| %v, want %v", i, m.AbsCorr[i], wantC)
		}
		if eps[i] == 0 {
			if sir[i] < 200 { // exact up to rounding: ≥ 200 dB or +Inf
				t.Errorf("source %d: SIR %v, want (near) +Inf", i, sir[i])
			}
			continue
		}
		if want := -20 * math.Log10(eps[i]); !near(sir[i], want, 1e-9) {
			t.Errorf("source %d: SIR %v dB, want %v", i, sir[i], want)
		}
	}
	if _, err := MatchCorrelation(matrix.New[float64](n, 2), s); err == nil {
		t.Error("fewer estimates than sources: no error")
	}
	if _, err := MatchCorrelation(matrix.New[float64](n, k), s); err == nil {
		t.Error("constant estimates: no error")
	}
}
