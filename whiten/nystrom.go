package whiten

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// Nyström accuracy, measured by TestNystromAccuracy against the dense solver
// (rbf kernel, gamma 1/8, 600 samples × 8 correlated features, 5 components,
// landmarks drawn with seed 1):
//
//	landmarks   max |Δλ|/λ₁   min |cos(v_dense, v_nyström)|
//	   60         4.9e-2          0.908
//	  150         8.1e-3          0.9988
//	  300         1.4e-3          0.99995
//	  600 (all)   exact to rounding (TestNystromAllLandmarksIsExact)
//
// The error depends on how fast the kernel's spectrum decays; check it on a
// subsample of your data before relying on few landmarks. Memory is O(n·m)
// for n samples and m landmarks, time O(n·m·(p + m)).

// nystromMap is the explicit Nyström feature map φ(x) = k(x, L)·M with
// M = W^(−1/2) restricted to W's numerically nonzero eigenvalues, followed
// by centering and projection: scores = (φ(x) − mean)·Vᵀ.
type nystromMap[T kernels.Float] struct {
	kernel    Kernel
	nfeatures int
	land      *matrix.Dense[T] // m×p landmark rows
	feat      *matrix.Dense[T] // m×r
	mean      []T              // r
	comps     *matrix.Dense[T] // k×r
}

func (ny *nystromMap[T]) features(x *matrix.Dense[T]) (*matrix.Dense[T], error) {
	c, err := kernelMatrix(ny.kernel, x, ny.land)
	if err != nil {
		return nil, err
	}
	n, m, r := x.Rows, ny.land.Rows, ny.feat.Cols
	phi := matrix.New[T](n, r)
	kernels.Gemm(kernels.NoTrans, kernels.NoTrans, n, r, m, 1, c.Data, c.Stride, ny.feat.Data, ny.feat.Stride, 0, phi.Data, r)
	return phi, nil
}

func (ny *nystromMap[T]) transform(x *matrix.Dense[T]) (*matrix.Dense[T], error) {
	if x.Cols != ny.nfeatures {
		return nil, fmt.Errorf("whiten: kernel PCA fitted on %d features, Transform input has %d", ny.nfeatures, x.Cols)
	}
	phi, err := ny.features(x)
	if err != nil {
		return nil, err
	}
	return project(phi, ny.mean, ny.comps), nil
}

// fitNystrom is FitKernelPCA's Nyström solver (see FitKernelPCA).
func fitNystrom[T kernels.Float](x *matrix.Dense[T], opt KernelPCAOptions) (*KernelPCA[T], error) {
	n, p, ml := x.Rows, x.Cols, opt.Landmarks
	switch {
	case opt.Kernel.Kind == KernelPrecomputed:
		return nil, fmt.Errorf("whiten: the Nyström solver evaluates the kernel itself: not with a precomputed kernel")
	case opt.FitInverseTransform:
		return nil, fmt.Errorf("whiten: no inverse transform with the Nyström solver (its ridge system is n×n): use the dense solver")
	case ml > n:
		return nil, fmt.Errorf("whiten: %d Nyström landmarks requested, data has %d samples", ml, n)
	case opt.NComponents > ml:
		return nil, fmt.Errorf("whiten: %d components requested, Nyström with %d landmarks gives at most %d", opt.NComponents, ml, ml)
	}
	kern := opt.Kernel
	kern.Gamma = kern.gammaFor(p)
	m := &KernelPCA[T]{NSamples: n, NFeatures: p, Kernel: kern, Solver: "nystrom", gammaDefault: opt.Kernel.Gamma == 0}

	rng := rand.New(rand.NewPCG(opt.Seed, 0x6e7973747230))
	m.Landmarks = rng.Perm(n)[:ml]
	slices.Sort(m.Landmarks)
	land := matrix.New[T](ml, p)
	for i, r := range m.Landmarks {
		copy(land.Row(i), x.Row(r))
	}
	w, err := kernelMatrix(kern, land, nil)
	if err != nil {
		return nil, err
	}
	a := widen(w.Data)
	var wvals, wvecs []float64
	var r int
	// W^(−1/2) on W's range: eigenvalues below the rank tolerance would
	// amplify rounding, so they are dropped (a pseudo-inverse).
	wvals, wvecs, r, _, err = symEig(a, ml, EigenFull, func(vals []float64) (int, error) {
		if vals[0] <= 0 {
			return 0, fmt.Errorf("whiten: landmark kernel matrix has no positive eigenvalue")
		}
		tol := rankTolerance[T](vals[0], p, ml)
		r := 0
		for r < len(vals) && vals[r] > tol {
			r++
		}
		return r, nil
	})
	if err != nil {
		return nil, err
	}
	feat := matrix.New[T](ml, r)
	for i := 0; i < ml; i++ {
		for j := 0; j < r; j++ {
			feat.Set(i, j, T(wvecs[i*r+j]/math.Sqrt(wvals[j])))
		}
	}
	ny := &nystromMap[T]{kernel: kern, nfeatures: p, land: land, feat: feat}
	phi, err := ny.features(x)
	if err != nil {
		return nil, err
	}
	// Linear PCA of the centered features: its eigenvalues are those of
	// the centered approximate kernel Φc·Φcᵀ.
	want := opt.NComponents
	f, err := factorize("Nyström features", phi, SolverCovariance, opt.Eigensolver, func(vals []float64, rank int) (int, []Warning, error) {
		if want == 0 {
			if rank < len(vals) {
				return rank, []Warning{warnf(WarnZeroVariance, "whiten: %d of %d Nyström eigenvalues are zero and were dropped", len(vals)-rank, len(vals))}, nil
			}
			return rank, nil, nil
		}
		if want > rank {
			return rank, []Warning{warnf(WarnRankClipped, "whiten: %d components requested, Nyström kernel has %d positive eigenvalues: kept %d", want, rank, rank)}, nil
		}
		return want, nil, nil
	}, true, nil, false)
	if err != nil {
		return nil, err
	}
	k := f.k
	m.NComponents, m.Eigensolver, m.Warnings = k, f.eig, f.warnings
	m.Eigenvalues = append([]float64(nil), f.vals[:k]...)
	// f.scores = U (unit columns) are the eigenvectors of Φc·Φcᵀ.
	m.Eigenvectors = f.scores
	for j := 0; j < k; j++ {
		best, arg := -1.0, 0
		for i := 0; i < n; i++ {
			if v := math.Abs(float64(f.scores.At(i, j))); v > best {
				best, arg = v, i
			}
		}
		if f.scores.At(arg, j) < 0 {
			for i := 0; i < n; i++ {
				f.scores.Set(i, j, -f.scores.At(i, j))
			}
			kernels.Scale(-1, f.comps.Row(j))
		}
	}
	ny.mean, ny.comps = f.mean, f.comps
	m.ny = ny
	m.finish()
	return m, nil
}
