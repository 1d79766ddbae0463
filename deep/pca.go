package deep

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/deepica/deepica/kernels"
	"gonum.org/v1/gonum/mat"
)

// pcaLayer is the study's PCA layer for one stream. Its input F is b×D (b
// images, D features per image, row-major). With A = F (or F centred over
// the b images when center is set) it forms the Gram matrix G = A·Aᵀ (b×b),
// takes its eigendecomposition G = V·Λ·Vᵀ (gonum EigenSym, float64) and
// outputs the k whitened eigen-images
//
//	Z = C·V_kᵀ·A,  C = diag(√D/√λᵢ)          (k×D)
//
// so that Z·Zᵀ/D = I: white with respect to the D features, which the ICA
// layer treats as samples. Each eigenvector's sign is chosen so that
// Σ_d Z_id³ ≥ 0 (the component's skew is positive), a rule that does not
// depend on the eigensolver and is locally constant, so it adds nothing to
// the derivative.
//
// Backward. With Z̄ = ∂L/∂Z: λ̄ᵢ = −Σ_d Z̄_id·Z_id/(2λᵢ); V̄_k = A·Z̄ᵀ·C; the
// eigendecomposition's adjoint is Ḡ = V·K·V_kᵀ with K_ii = λ̄ᵢ and
// K_ji = F(λᵢ, λⱼ)·(vⱼᵀ·v̄ᵢ) for j ≠ i over all b eigenvectors; then
// Ā = V_k·C·Z̄ + (Ḡ + Ḡᵀ)·A, and centring is undone by subtracting Ā's
// column means.
//
// Near-equal eigenvalues. The exact factor is F = 1/(λᵢ − λⱼ), which is
// unbounded when two eigenvalues meet (there the eigenvectors, hence the
// loss, are not differentiable). We use the Lorentzian broadening
//
//	F(λᵢ, λⱼ) = (λᵢ − λⱼ) / ((λᵢ − λⱼ)² + ε²),  ε = eps·λ₁
//
// which equals the exact factor to relative error (ε/gap)² whenever the
// gap is well above ε (so gradient checks at generic points see the exact
// derivative), is bounded by 1/(2ε) for any gap and vanishes for exactly
// equal eigenvalues, where a rotation inside the degenerate eigenspace is
// arbitrary anyway. The default eps = 1e-6 is near float32's resolution of
// λ (rounding in a float32 Gram matrix is ~1e-6·λ₁), so gaps below it are
// noise.
type pcaLayer[T kernels.Float] struct {
	k      int
	center bool
	eps    float64

	b, d   int
	a      []T       // A: F itself or its centred copy (b×D)
	own    []T       // storage of the centred copy
	lambda []float64 // top-k eigenvalues, descending
	c      []float64 // √D/√λᵢ
	v      []float64 // all b eigenvectors as columns (b×b), descending, signs fixed
	p      []T       // V_k·C (b×k)
	z      []T       // output k×D
	gram   []T
	da     []T
}

func newPCALayer[T kernels.Float](k int, center bool, eps float64) *pcaLayer[T] {
	return &pcaLayer[T]{k: k, center: center, eps: eps}
}

// forward computes Z for the b×D features f. f must stay unchanged until
// backward.
func (l *pcaLayer[T]) forward(f []T, b, d int) ([]T, error) {
	k := l.k
	if b <= k {
		return nil, fmt.Errorf("deep: PCA layer: %d images for %d components", b, k)
	}
	l.b, l.d = b, d
	l.a = f
	if l.center {
		l.own = grow(l.own, b*d)
		copy(l.own, f)
		centerColumns(l.own, b, d)
		l.a = l.own
	}
	l.gram = grow(l.gram, b*b)
	kernels.Gram(kernels.NoTrans, b, d, 1, l.a, d, 0, l.gram, b)
	g := mat.NewSymDense(b, nil)
	for i := 0; i < b; i++ {
		for j := 0; j <= i; j++ {
			v := float64(l.gram[i*b+j])
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("deep: PCA layer: the features contain NaN or Inf")
			}
			g.SetSym(i, j, v)
		}
	}
	var es mat.EigenSym
	if !es.Factorize(g, true) {
		return nil, fmt.Errorf("deep: PCA layer: eigendecomposition of the %d×%d Gram matrix failed", b, b)
	}
	vals := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	// descending order
	l.lambda = grow(l.lambda, b)
	l.v = grow(l.v, b*b)
	for j := 0; j < b; j++ {
		src := b - 1 - j
		l.lambda[j] = vals[src]
		for i := 0; i < b; i++ {
			l.v[i*b+j] = vecs.At(i, src)
		}
	}
	// the float32 Gram matrix is accurate to about 1e-6·λ₁ (float64: 1e-14)
	tol := 1e-5 * l.lambda[0]
	if isFloat64[T]() {
		tol = 1e-12 * l.lambda[0]
	}
	if !(l.lambda[0] > 0) || l.lambda[k-1] <= tol {
		return nil, fmt.Errorf("deep: PCA layer: the features of %d images have numerical rank below the %d components (λ₁ = %.3g, λ_%d = %.3g)",
			b, k, l.lambda[0], k, l.lambda[k-1])
	}
	l.c = grow(l.c, k)
	l.p = grow(l.p, b*k)
	for j := 0; j < k; j++ {
		l.c[j] = math.Sqrt(float64(d) / l.lambda[j])
		for i := 0; i < b; i++ {
			l.p[i*k+j] = T(l.v[i*b+j] * l.c[j])
		}
	}
	l.z = grow(l.z, k*d)
	kernels.Gemm(kernels.Trans, kernels.NoTrans, k, d, b, 1, l.p, k, l.a, d, 0, l.z, d)
	for j := 0; j < k; j++ {
		row := l.z[j*d : (j+1)*d]
		var s3 float64
		for _, v := range row {
			s3 += float64(v) * float64(v) * float64(v)
		}
		if s3 < 0 {
			kernels.Scale(-1, row)
			for i := 0; i < b; i++ {
				l.v[i*b+j] = -l.v[i*b+j]
				l.p[i*k+j] = -l.p[i*k+j]
			}
		}
	}
	return l.z, nil
}

// backward returns ∂L/∂F for ∂L/∂Z = dz (k×D).
func (l *pcaLayer[T]) backward(dz []T) []T {
	b, d, k := l.b, l.d, l.k
	// λ̄ and V̄_k
	lbar := make([]float64, k)
	for i := 0; i < k; i++ {
		lbar[i] = -float64(kernels.Dot(dz[i*d:(i+1)*d], l.z[i*d:(i+1)*d])) / (2 * l.lambda[i])
	}
	vbarT := make([]T, b*k)
	kernels.Gemm(kernels.NoTrans, kernels.Trans, b, k, d, 1, l.a, d, dz, d, 0, vbarT, k)
	vbar := make([]float64, b*k) // b×k
	for i := 0; i < b; i++ {
		for j := 0; j < k; j++ {
			vbar[i*k+j] = float64(vbarT[i*k+j]) * l.c[j]
		}
	}
	// M = Vᵀ·V̄_k (b×k), K from M, Ḡ = V·K·V_kᵀ, S = Ḡ + Ḡᵀ
	eps := l.eps * l.lambda[0]
	kk := make([]float64, b*k)
	for jj := 0; jj < b; jj++ {
		for i := 0; i < k; i++ {
			if jj == i {
				kk[jj*k+i] = lbar[i]
				continue
			}
			var m float64
			for r := 0; r < b; r++ {
				m += l.v[r*b+jj] * vbar[r*k+i]
			}
			gap := l.lambda[i] - l.lambda[jj]
			kk[jj*k+i] = m * gap / (gap*gap + eps*eps)
		}
	}
	vk := make([]float64, b*k) // V·K (b×k)
	kernels.Gemm(kernels.NoTrans, kernels.NoTrans, b, k, b, 1, l.v, b, kk, k, 0, vk, k)
	gbar := make([]float64, b*b) // (V·K)·V_kᵀ
	kernels.Gemm(kernels.NoTrans, kernels.Trans, b, b, k, 1, vk, k, l.v, b, 0, gbar, b)
	s := make([]T, b*b)
	for i := 0; i < b; i++ {
		for j := 0; j < b; j++ {
			s[i*b+j] = T(gbar[i*b+j] + gbar[j*b+i])
		}
	}
	l.da = grow(l.da, b*d)
	kernels.Gemm(kernels.NoTrans, kernels.NoTrans, b, d, k, 1, l.p, k, dz, d, 0, l.da, d)
	kernels.Gemm(kernels.NoTrans, kernels.NoTrans, b, d, b, 1, s, b, l.a, d, 1, l.da, d)
	if l.center {
		centerColumns(l.da, b, d)
	}
	return l.da
}

// centerColumns subtracts from each of the d columns of the b×d matrix x
// its mean over the b rows (accumulated in float64).
func centerColumns[T kernels.Float](x []T, b, d int) {
	mean := make([]float64, d)
	for i := 0; i < b; i++ {
		for j, v := range x[i*d : (i+1)*d] {
			mean[j] += float64(v)
		}
	}
	for i := 0; i < b; i++ {
		row := x[i*d : (i+1)*d]
		for j := range row {
			row[j] -= T(mean[j] / float64(b))
		}
	}
}

func isFloat64[T kernels.Float]() bool {
	var z T
	return unsafe.Sizeof(z) == 8
}

func grow[E any](buf []E, n int) []E {
	if cap(buf) < n {
		return make([]E, n)
	}
	return buf[:n]
}
