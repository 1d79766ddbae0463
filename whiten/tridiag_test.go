package whiten

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/deepica/deepica/kernels"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/mat"
)

const epsTri = 0x1p-53

// randSym returns a symmetric N×N matrix with standard normal entries.
func randSym(rng *rand.Rand, n int) []float64 {
	a := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			x := rng.NormFloat64()
			a[i*n+j], a[j*n+i] = x, x
		}
	}
	return a
}

// norm1 is max_j Σ_i |a_ij|, which bounds every eigenvalue and every entry
// of T = QᵀAQ.
func norm1(a []float64, n int) float64 {
	var m float64
	for i := 0; i < n; i++ {
		var s float64
		for j := 0; j < n; j++ {
			s += math.Abs(a[i*n+j])
		}
		m = math.Max(m, s)
	}
	return m
}

type tridiagOut struct {
	d, e, tau, a []float64
}

func runTridiag(f func(a []float64, n int, d, e, tau []float64), a0 []float64, n int) tridiagOut {
	o := tridiagOut{d: make([]float64, n), e: make([]float64, max(n-1, 0)),
		tau: make([]float64, max(n-1, 0)), a: slices.Clone(a0)}
	f(o.a, n, o.d, o.e, o.tau)
	return o
}

// checkTridiag verifies that o is an orthogonal tridiagonalisation of a0:
// with Q formed by dorgtr (as symEig does), ‖QᵀQ − I‖ and ‖QᵀA₀Q − T‖/‖A₀‖
// are within a few·N·ε, the bound for a product of N−1 Householder
// reflectors each applied with O(ε) error.
func checkTridiag(t *testing.T, name string, a0 []float64, n int, o tridiagOut) {
	t.Helper()
	if n == 0 {
		return
	}
	anorm := norm1(a0, n)
	q := slices.Clone(o.a)
	work := make([]float64, 64*n+1)
	lapackImpl.Dorgtr(blas.Lower, n, q, n, o.tau, work, len(work))
	Q := mat.NewDense(n, n, q)
	A := mat.NewDense(n, n, slices.Clone(a0))
	var qtq, aq, tq mat.Dense
	qtq.Mul(Q.T(), Q)
	aq.Mul(A, Q)
	tq.Mul(Q.T(), &aq)
	tol := 8 * float64(n) * epsTri
	var orth, res float64
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			want := 0.0
			if i == j {
				want = 1
			}
			orth = math.Max(orth, math.Abs(qtq.At(i, j)-want))
			want = 0
			switch {
			case i == j:
				want = o.d[i]
			case i == j+1:
				want = o.e[j]
			case j == i+1:
				want = o.e[i]
			}
			res = math.Max(res, math.Abs(tq.At(i, j)-want))
		}
	}
	if orth > tol {
		t.Errorf("%s: |QᵀQ − I| = %.3g > %.3g", name, orth, tol)
	}
	if res > tol*anorm {
		t.Errorf("%s: |QᵀAQ − T| = %.3g > %.3g (‖A‖₁ = %.3g)", name, res, tol*anorm, anorm)
	}
}

// compareTridiag checks that two reductions of a0 agree: the same T to
// rounding, entry by entry, and the same eigenvalues of T (dsterf).
//
// Both reductions are backward stable, each step adding rounding errors of
// about N·ε·‖A‖, but T's entries are a forward quantity: reflector j is
// determined by a column of norm |e_j|, so an error δ there turns it by
// δ/|e_j| and moves everything reduced after it by up to ‖A‖·δ/|e_j|. To
// first order the entries of row i may therefore differ by
// N·ε·‖A‖·(1 + Σ_{j<i} ‖A‖/|e_j|), which is the tolerance here (with a
// factor 4; random matrices reach about a fifth of it). Exact zeros in e
// are where both reductions met an already-reduced column and decouple
// the rest exactly, so they add nothing. T's eigenvalues are those of A
// perturbed by the backward errors, so they agree to a few N·ε·‖A‖ with
// no amplification.
func compareTridiag(t *testing.T, name string, a0 []float64, n int, got, want tridiagOut) {
	t.Helper()
	if n == 0 {
		return
	}
	anorm := norm1(a0, n)
	tol := 8 * float64(n) * epsTri * anorm
	amp := 1.0
	for i := range n {
		entry := 4 * float64(n) * epsTri * anorm * amp
		if math.Abs(got.d[i]-want.d[i]) > entry {
			t.Errorf("%s: d[%d] = %.17g, unblocked %.17g (tolerance %.3g)", name, i, got.d[i], want.d[i], entry)
			return
		}
		if i == n-1 {
			break
		}
		if math.Abs(got.e[i]-want.e[i]) > entry {
			t.Errorf("%s: e[%d] = %.17g, unblocked %.17g (tolerance %.3g)", name, i, got.e[i], want.e[i], entry)
			return
		}
		if want.e[i] != 0 {
			amp += anorm / math.Abs(want.e[i])
		}
	}
	eig := func(o tridiagOut) []float64 {
		w, ew := slices.Clone(o.d), slices.Clone(o.e)
		if !lapackImpl.Dsterf(n, w, ew) {
			t.Fatalf("%s: dsterf did not converge", name)
		}
		return w
	}
	gw, ww := eig(got), eig(want)
	for i := range gw {
		if math.Abs(gw[i]-ww[i]) > tol {
			t.Errorf("%s: eigenvalue %d of T is %.17g, unblocked %.17g (tolerance %.3g)", name, i, gw[i], ww[i], tol)
			return
		}
	}
}

// TestTridiagonalizeMatchesUnblocked compares the blocked reduction with
// dsytd2's (tridiagonalizeUnblocked) at the production blocking and at
// small ones that put panel boundaries and the unblocked tail at every
// position of small matrices.
func TestTridiagonalizeMatchesUnblocked(t *testing.T) {
	type blocking struct{ nb, nx int }
	blockings := []blocking{{tridiagNB, tridiagNX}, {1, 0}, {2, 0}, {3, 1}, {4, 2}, {5, 7}, {8, 0}}
	sizes := []int{}
	for n := 0; n <= 13; n++ {
		sizes = append(sizes, n)
	}
	nb := tridiagNB
	sizes = append(sizes, nb-1, nb, nb+1, 2*nb+3, tridiagNX+nb-1, tridiagNX+nb, tridiagNX+nb+1,
		tridiagNX+2*nb+3, 150)
	if !testing.Short() {
		sizes = append(sizes, 500)
	}
	for seed := uint64(1); seed <= 3; seed++ {
		rng := rand.New(rand.NewPCG(seed, 77))
		for _, n := range sizes {
			if n == 500 && seed > 1 {
				continue
			}
			a0 := randSym(rng, n)
			want := runTridiag(tridiagonalizeUnblocked, a0, n)
			checkTridiag(t, fmt.Sprintf("unblocked/n=%d/seed=%d", n, seed), a0, n, want)
			for _, b := range blockings {
				if n == 500 && b.nb < 4 {
					continue
				}
				name := fmt.Sprintf("nb=%d/nx=%d/n=%d/seed=%d", b.nb, b.nx, n, seed)
				got := runTridiag(func(a []float64, n int, d, e, tau []float64) {
					tridiagBlocked(a, n, d, e, tau, b.nb, b.nx)
				}, a0, n)
				checkTridiag(t, name, a0, n, got)
				compareTridiag(t, name, a0, n, got, want)
			}
		}
	}
}

// TestTridiagonalizeDegenerate covers reflectors with τ = 0 (columns that
// are already reduced) inside a panel and in the W corrections after it:
// the zero matrix, a diagonal one, and one that is block diagonal with
// blocks of 1–3 so some columns need no reflector and others do.
func TestTridiagonalizeDegenerate(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 2, 3, 9, 40, 101} {
		zero := make([]float64, n*n)
		diag := make([]float64, n*n)
		blocks := make([]float64, n*n)
		for i := 0; i < n; i++ {
			diag[i*n+i] = float64(i%7) - 3
		}
		for s := 0; s < n; {
			w := min(1+rng.IntN(3), n-s)
			for i := s; i < s+w; i++ {
				for j := s; j <= i; j++ {
					x := rng.NormFloat64()
					blocks[i*n+j], blocks[j*n+i] = x, x
				}
			}
			s += w
		}
		for name, a0 := range map[string][]float64{"zero": zero, "diag": diag, "blocks": blocks} {
			for _, b := range [][2]int{{tridiagNB, tridiagNX}, {4, 0}, {3, 2}} {
				label := fmt.Sprintf("%s/nb=%d/nx=%d/n=%d", name, b[0], b[1], n)
				got := runTridiag(func(a []float64, n int, d, e, tau []float64) {
					tridiagBlocked(a, n, d, e, tau, b[0], b[1])
				}, a0, n)
				checkTridiag(t, label, a0, n, got)
				compareTridiag(t, label, a0, n, got, runTridiag(tridiagonalizeUnblocked, a0, n))
			}
		}
	}
}

// TestTridiagonalizeThreadIndependent checks the claim in tridiagonalize's
// comment: d, e, tau and the stored reflectors are bit-identical whatever
// kernels.Threads is.
func TestTridiagonalizeThreadIndependent(t *testing.T) {
	defer kernels.SetThreads(0)
	rng := rand.New(rand.NewPCG(9, 10))
	sizes := []int{tridiagNX + 2*tridiagNB + 3, 300}
	if !testing.Short() {
		sizes = append(sizes, 500)
	}
	for _, n := range sizes {
		a0 := randSym(rng, n)
		var outs []tridiagOut
		for _, th := range []int{1, 2, 3} {
			kernels.SetThreads(th)
			outs = append(outs, runTridiag(tridiagonalize, a0, n))
		}
		for k, o := range outs[1:] {
			same := slices.Equal(o.d, outs[0].d) && slices.Equal(o.e, outs[0].e) && slices.Equal(o.tau, outs[0].tau)
			for i := 0; i < n && same; i++ {
				for j := 0; j < i-1; j++ {
					if o.a[i*n+j] != outs[0].a[i*n+j] {
						same = false
					}
				}
			}
			if !same {
				t.Errorf("n=%d: threads=%d differs from threads=1", n, k+2)
			}
		}
	}
}

func BenchmarkTridiag(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 500
	a0 := randSym(rng, n)
	d, e, tau := make([]float64, n), make([]float64, n-1), make([]float64, n-1)
	a := make([]float64, n*n)
	b.Run("unblocked", func(b *testing.B) {
		for b.Loop() {
			copy(a, a0)
			tridiagonalizeUnblocked(a, n, d, e, tau)
		}
	})
	for _, nb := range []int{16, 24, 32, 48} {
		for _, nx := range []int{32, 64} {
			b.Run(fmt.Sprintf("nb=%d/nx=%d", nb, nx), func(b *testing.B) {
				for b.Loop() {
					copy(a, a0)
					tridiagBlocked(a, n, d, e, tau, nb, nx)
				}
			})
		}
	}
}

// TestApplyQMatchesDormqr: the blocked application of Q on kernels.Gemm
// agrees with gonum's dormqr (the same reflectors, another summation order)
// within the rounding of applying N−1 reflectors: each changes a column
// of z by at most a few ε·‖z‖₂, so 4·N·ε·‖z‖₂ per entry. Sizes put the
// block edges (32) everywhere.
func TestApplyQMatchesDormqr(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, n := range []int{1, 2, 3, 4, 31, 32, 33, 34, 64, 65, 66, 97, 150} {
		for _, k := range []int{1, 3, 40} {
			if k > n {
				continue
			}
			a := randSym(rng, n)
			d, e, tau := make([]float64, n), make([]float64, max(n-1, 1)), make([]float64, max(n-1, 1))
			tridiagonalize(a, n, d, e, tau)
			z := make([]float64, n*k)
			for i := range z {
				z[i] = rng.NormFloat64()
			}
			want := append([]float64(nil), z...)
			if n >= 2 {
				var q [1]float64
				lapackImpl.Dormqr(blas.Left, blas.NoTrans, n-1, k, n-1, a[n:], n, tau, want[k:], k, q[:], -1)
				work := make([]float64, max(int(q[0]), k))
				lapackImpl.Dormqr(blas.Left, blas.NoTrans, n-1, k, n-1, a[n:], n, tau, want[k:], k, work, len(work))
			}
			got := append([]float64(nil), z...)
			applyQ(a, n, tau, got, k)
			for c := 0; c < k; c++ {
				var nz float64
				for r := 0; r < n; r++ {
					nz += z[r*k+c] * z[r*k+c]
				}
				tol := 4 * float64(n) * epsTri * math.Sqrt(nz)
				for r := 0; r < n; r++ {
					if diff := math.Abs(got[r*k+c] - want[r*k+c]); !(diff <= tol) {
						t.Fatalf("n=%d k=%d (%d, %d): blocked %v, dormqr %v, |Δ| %g > %g", n, k, r, c, got[r*k+c], want[r*k+c], diff, tol)
					}
				}
			}
		}
	}
}
