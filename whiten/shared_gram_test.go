package whiten

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// wideData is n×p (p > n) data with a column offset, so the Gram solver
// and correctedGram's in-place path are used.
func wideData[T kernels.Float](n, p int, seed uint64) *matrix.Dense[T] {
	rng := rand.New(rand.NewPCG(seed, 99))
	x := matrix.New[T](n, p)
	for i := 0; i < n; i++ {
		for j := 0; j < p; j++ {
			x.Set(i, j, T(rng.NormFloat64()*float64(1+j%7)+0.3*float64(j%5)))
		}
	}
	return x
}

func sameBits[T kernels.Float](t *testing.T, what string, a, b []T) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: lengths %d and %d", what, len(a), len(b))
	}
	for i := range a {
		if math.Float64bits(float64(a[i])) != math.Float64bits(float64(b[i])) {
			t.Fatalf("%s[%d]: %v with the shared Gram, %v without", what, i, a[i], b[i])
		}
	}
}

// TestSharedGramIdentical: fits given a shared Gram return exactly what
// they return from the data alone (the reference is the existing path).
func TestSharedGramIdentical(t *testing.T) {
	t.Run("f64", func(t *testing.T) { testSharedGram[float64](t) })
	t.Run("f32", func(t *testing.T) { testSharedGram[float32](t) })
}

func testSharedGram[T kernels.Float](t *testing.T) {
	x := wideData[T](37, 300, 1)
	g, err := NewGram(x)
	if err != nil {
		t.Fatal(err)
	}
	for _, opt := range []PCAOptions{{NComponents: 10}, {Variance: 0.9, Whiten: true}, {NComponents: 5, Solver: SolverCovariance}} {
		a, err := FitPCAGram(g, opt)
		if err != nil {
			t.Fatal(err)
		}
		b, err := FitPCA(x, opt)
		if err != nil {
			t.Fatal(err)
		}
		sameBits(t, "PCA components", a.Components.Data, b.Components.Data)
		sameBits(t, "PCA explained variance", a.ExplainedVariance, b.ExplainedVariance)
		sameBits(t, "PCA mean", a.Mean, b.Mean)
		if a.Solver != b.Solver {
			t.Fatalf("solver %v vs %v", a.Solver, b.Solver)
		}
		_, sa, err := FitTransformGram(g, opt)
		if err != nil {
			t.Fatal(err)
		}
		_, sb, err := FitTransform(x, opt)
		if err != nil {
			t.Fatal(err)
		}
		sameBits(t, "PCA scores", sa.Data, sb.Data)
	}
	for _, kind := range []KernelKind{KernelRBF, KernelLinear, KernelPoly, KernelSigmoid, KernelCosine} {
		opt := KernelPCAOptions{Kernel: NewKernel(kind), NComponents: 8}
		if kind == KernelSigmoid {
			opt.Kernel.Gamma = 1e-4
		}
		a, err := FitKernelPCAGram(g, opt)
		if err != nil {
			t.Fatal(kind, err)
		}
		b, err := FitKernelPCA(x, opt)
		if err != nil {
			t.Fatal(kind, err)
		}
		sameBits(t, "kernel PCA eigenvalues", a.Eigenvalues, b.Eigenvalues)
		sameBits(t, "kernel PCA eigenvectors", a.Eigenvectors.Data, b.Eigenvectors.Data)
	}
	wa, err := ForICAGram(g, ICAOptions{NComponents: 12})
	if err != nil {
		t.Fatal(err)
	}
	wb, err := ForICA(x, ICAOptions{NComponents: 12})
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "ICA whitening K", wa.K.Data, wb.K.Data)
	sameBits(t, "ICA whitened data", wa.White.Data, wb.White.Data)
	// The shared X·Xᵀ is read, never changed.
	again, _ := NewGram(x)
	sameBits(t, "Gram after the fits", g.xxt, again.xxt)
}

// TestSharedDecomposition: PCA and ICA whitening on one Gram decompose the
// same centred matrix once; the second fit takes the stored eigenpairs and
// components (a hit only when it keeps as many pairs with the same
// eigensolver) and returns exactly what it returns from the data alone,
// whichever fit comes first, and the first fit's sign flips do not leak
// into the second.
func TestSharedDecomposition(t *testing.T) {
	t.Run("f64", func(t *testing.T) { testSharedDecomposition[float64](t) })
	t.Run("f32", func(t *testing.T) { testSharedDecomposition[float32](t) })
}

func testSharedDecomposition[T kernels.Float](t *testing.T) {
	x := wideData[T](41, 260, 3)
	pcaRef, err := FitPCA(x, PCAOptions{NComponents: 12})
	if err != nil {
		t.Fatal(err)
	}
	icaRef, err := ForICA(x, ICAOptions{NComponents: 12})
	if err != nil {
		t.Fatal(err)
	}
	for _, pcaFirst := range []bool{true, false} {
		g, err := NewGram(x)
		if err != nil {
			t.Fatal(err)
		}
		var p *PCA[T]
		var w *ICAWhitening[T]
		fitP := func() {
			if p, err = FitPCAGram(g, PCAOptions{NComponents: 12}); err != nil {
				t.Fatal(err)
			}
		}
		fitW := func() {
			if w, err = ForICAGram(g, ICAOptions{NComponents: 12}); err != nil {
				t.Fatal(err)
			}
		}
		if pcaFirst {
			fitP()
		} else {
			fitW()
		}
		stored := g.dec
		if stored == nil || stored.k != 12 {
			t.Fatalf("pcaFirst=%v: no stored decomposition of 12 pairs after the first fit (%+v)", pcaFirst, stored)
		}
		if pcaFirst {
			fitW()
		} else {
			fitP()
		}
		if g.dec != stored {
			t.Fatalf("pcaFirst=%v: the second fit decomposed again instead of taking the stored pairs", pcaFirst)
		}
		sameBits(t, "PCA components", p.Components.Data, pcaRef.Components.Data)
		sameBits(t, "PCA explained variance", p.ExplainedVariance, pcaRef.ExplainedVariance)
		sameBits(t, "ICA whitening K", w.K.Data, icaRef.K.Data)
		sameBits(t, "ICA whitened data", w.White.Data, icaRef.White.Data)
		// A fit keeping another number of pairs decomposes again, correctly.
		p8, err := FitPCAGram(g, PCAOptions{NComponents: 8})
		if err != nil {
			t.Fatal(err)
		}
		ref8, err := FitPCA(x, PCAOptions{NComponents: 8})
		if err != nil {
			t.Fatal(err)
		}
		sameBits(t, "PCA(8) components", p8.Components.Data, ref8.Components.Data)
		if g.dec == stored || g.dec.k != 8 {
			t.Fatalf("pcaFirst=%v: PCA of 8 pairs did not store its own decomposition", pcaFirst)
		}
	}
}

// TestSharedGramNonFinite: a NaN in the data is reported by fits from a
// shared Gram as by fits from the data.
func TestSharedGramNonFinite(t *testing.T) {
	x := wideData[float64](20, 50, 2)
	x.Set(7, 13, math.NaN())
	g, err := NewGram(x)
	if err != nil {
		t.Fatal(err)
	}
	_, errA := FitPCAGram(g, PCAOptions{NComponents: 3})
	_, errB := FitPCA(x, PCAOptions{NComponents: 3})
	if errA == nil || errB == nil || errA.Error() != errB.Error() {
		t.Fatalf("PCA: %v vs %v", errA, errB)
	}
	_, errA = FitKernelPCAGram(g, KernelPCAOptions{Kernel: NewKernel(KernelRBF), NComponents: 3})
	_, errB = FitKernelPCA(x, KernelPCAOptions{Kernel: NewKernel(KernelRBF), NComponents: 3})
	if errA == nil || errB == nil || errA.Error() != errB.Error() || !strings.Contains(errA.Error(), "kernel PCA input") {
		t.Fatalf("kernel PCA: %v vs %v", errA, errB)
	}
}

// TestFitsThreadIndependent: the Gram-route PCA (column means split over
// column blocks, a Gemm-based eigensolver) and the RBF kernel PCA (kernel
// matrix split over rows) return the same bits at any thread count. The
// shapes give several column blocks and several row blocks.
func TestFitsThreadIndependent(t *testing.T) {
	defer kernels.SetThreads(0)
	rng := rand.New(rand.NewPCG(31, 32))
	x := matrix.New[float64](70, 5000)
	for i := range x.Data {
		x.Data[i] = rng.NormFloat64() + 0.3
	}
	var pca0 *PCA[float64]
	var kp0 *KernelPCA[float64]
	for _, th := range []int{1, 2, 3} {
		kernels.SetThreads(th)
		p, err := FitPCA(x, PCAOptions{NComponents: 20})
		if err != nil {
			t.Fatal(err)
		}
		kp, err := FitKernelPCA(x, KernelPCAOptions{Kernel: NewKernel(KernelRBF), NComponents: 20})
		if err != nil {
			t.Fatal(err)
		}
		if th == 1 {
			pca0, kp0 = p, kp
			continue
		}
		same := func(what string, a, b []float64) {
			for i := range a {
				if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
					t.Fatalf("threads %d: %s[%d] = %v, one thread %v", th, what, i, b[i], a[i])
				}
			}
		}
		same("PCA mean", pca0.Mean, p.Mean)
		same("PCA components", pca0.Components.Data, p.Components.Data)
		same("PCA singular values", pca0.SingularValues, p.SingularValues)
		same("kernel PCA eigenvalues", kp0.Eigenvalues, kp.Eigenvalues)
		same("kernel PCA scores", kp0.Scores.Data, kp.Scores.Data)
	}
}
