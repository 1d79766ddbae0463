package deep

import (
	"fmt"
	"math"

	"github.com/deepica/deepica/kernels"
	"gonum.org/v1/gonum/mat"
)

// contrastFn evaluates G and g = G' of a FastICA contrast in float64, with
// gauss = E[G(ν)] for ν ~ N(0, 1) (kernels.Contrast lists the functions).
type contrastFn struct {
	f     kernels.Contrast
	alpha float64
	gauss float64
}

func newContrast(f kernels.Contrast, alpha float64) contrastFn {
	c := contrastFn{f: f, alpha: alpha}
	c.gauss = gaussMean(func(u float64) float64 { g, _ := c.eval(u); return g })
	return c
}

// eval returns G(u) and g(u).
func (c contrastFn) eval(u float64) (G, g float64) {
	switch c.f {
	case kernels.LogCosh:
		// log cosh x = |x| + log1p(e^{−2|x|}) − log 2, stable for large |x|
		x := c.alpha * u
		ax := math.Abs(x)
		return (ax + math.Log1p(math.Exp(-2*ax)) - math.Ln2) / c.alpha, math.Tanh(x)
	case kernels.Exp:
		e := math.Exp(-u * u / 2)
		return -e, u * e
	default: // cube
		return u * u * u * u / 4, u * u * u
	}
}

// gaussMean integrates G against the standard normal density with the
// composite Simpson rule on [−12, 12] (20000 intervals): the tails beyond
// contribute < 1e-30 for these polynomially bounded G, and Simpson's error
// (h⁴ ≈ 1e-11 times a smooth fourth derivative) is far below anything the
// loss resolves.
func gaussMean(G func(float64) float64) float64 {
	const n, a = 20000, 12.0
	h := 2 * a / n
	var s float64
	for i := 0; i <= n; i++ {
		u := -a + float64(i)*h
		w := 2.0
		if i == 0 || i == n {
			w = 1
		} else if i%2 == 1 {
			w = 4
		}
		s += w * G(u) * math.Exp(-u*u/2)
	}
	return s * h / 3 / math.Sqrt(2*math.Pi)
}

// icaLayer is the FastICA layer of one stream: Y = W·Z for whitened Z
// (k×D, the D features are the samples) and W (k×k) kept orthogonal by
// symmetric decorrelation. Its loss is minus the negentropy approximation
// (Hyvärinen):
//
//	L = −Σᵢ Jᵢ²,  Jᵢ = mean_d G(Y_id) − E[G(ν)]
//
// so minimising L makes the components non-Gaussian. Gradients:
// ∂L/∂Y_id = −2·Jᵢ·g(Y_id)/D, ∂L/∂W = Ȳ·Zᵀ, ∂L/∂Z = Wᵀ·Ȳ.
type icaLayer[T kernels.Float] struct {
	k  int
	fn contrastFn
	w  []T // k×k
	dw []T
	m  []T // Adam moments of W
	v  []T

	d    int
	z    []T
	y    []T
	dy   []T
	dz   []T
	jneg []float64
}

func newICALayer[T kernels.Float](k int, fn contrastFn, w0 []float64) *icaLayer[T] {
	l := &icaLayer[T]{k: k, fn: fn, w: make([]T, k*k), dw: make([]T, k*k), m: make([]T, k*k), v: make([]T, k*k)}
	for i, v := range w0 {
		l.w[i] = T(v)
	}
	return l
}

// forward computes Y = W·Z and the loss; z (k×D) must stay unchanged until
// backward.
func (l *icaLayer[T]) forward(z []T, d int) (loss float64, err error) {
	k := l.k
	l.z, l.d = z, d
	l.y = grow(l.y, k*d)
	l.dy = grow(l.dy, k*d)
	l.jneg = grow(l.jneg, k)
	kernels.Gemm(kernels.NoTrans, kernels.NoTrans, k, d, k, 1, l.w, k, z, d, 0, l.y, d)
	for i := 0; i < k; i++ {
		var sG float64
		row, drow := l.y[i*d:(i+1)*d], l.dy[i*d:(i+1)*d]
		for j, u := range row {
			G, g := l.fn.eval(float64(u))
			sG += G
			drow[j] = T(g)
		}
		J := sG/float64(d) - l.fn.gauss
		l.jneg[i] = J
		loss -= J * J
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, fmt.Errorf("deep: ICA layer: loss is %v", loss)
	}
	return loss, nil
}

// backward returns ∂L/∂Z and sets ∂L/∂W (in dw).
func (l *icaLayer[T]) backward() []T {
	k, d := l.k, l.d
	for i := 0; i < k; i++ {
		kernels.Scale(T(-2*l.jneg[i]/float64(d)), l.dy[i*d:(i+1)*d])
	}
	kernels.Gemm(kernels.NoTrans, kernels.Trans, k, k, d, 1, l.dy, d, l.z, d, 0, l.dw, k)
	l.dz = grow(l.dz, k*d)
	kernels.Gemm(kernels.Trans, kernels.NoTrans, k, d, k, 1, l.w, k, l.dy, d, 0, l.dz, d)
	return l.dz
}

// fixedPoint replaces W by the FastICA fixed-point target for the last
// forward's Z, E[g(WZ)Zᵀ] − diag(E[g'(WZ)])·W, and decorrelates it.
func (l *icaLayer[T]) fixedPoint() error {
	k := l.k
	out := make([]T, k*k)
	kernels.ICAStep(l.fn.f, T(l.fn.alpha), k, k, l.d, l.w, k, l.z, l.d, out, k, nil)
	copy(l.w, out)
	return l.decorrelate()
}

// adam applies one Adam step to W with the gradient from backward, then
// decorrelates.
func (l *icaLayer[T]) adam(lr, b1, b2, eps float64, t int) error {
	kernels.AdamStep(l.w, l.dw, l.m, l.v, T(lr), T(b1), T(b2), T(eps), t)
	return l.decorrelate()
}

// decorrelate sets W ← (W·Wᵀ)^{−1/2}·W in float64.
func (l *icaLayer[T]) decorrelate() error {
	w := make([]float64, len(l.w))
	for i, v := range l.w {
		w[i] = float64(v)
	}
	if err := symDecorrelate(w, l.k); err != nil {
		return err
	}
	for i, v := range w {
		l.w[i] = T(v)
	}
	return nil
}

// symDecorrelate sets the k×k matrix w to (w·wᵀ)^{−1/2}·w, the orthogonal
// matrix nearest to it.
func symDecorrelate(w []float64, k int) error {
	wm := mat.NewDense(k, k, w)
	var s mat.SymDense
	s.SymOuterK(1, wm)
	var es mat.EigenSym
	if !es.Factorize(&s, true) {
		return fmt.Errorf("deep: symmetric decorrelation: eigendecomposition failed")
	}
	vals := es.Values(nil)
	var u mat.Dense
	es.VectorsTo(&u)
	if !(vals[0] > 1e-12*vals[k-1]) {
		return fmt.Errorf("deep: symmetric decorrelation: W is singular (eigenvalues of W·Wᵀ from %.3g to %.3g)", vals[0], vals[k-1])
	}
	d := mat.NewDense(k, k, nil)
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			var s float64
			for r := 0; r < k; r++ {
				s += u.At(i, r) * u.At(j, r) / math.Sqrt(vals[r])
			}
			d.Set(i, j, s)
		}
	}
	var out mat.Dense
	out.Mul(d, wm)
	copy(w, out.RawMatrix().Data)
	return nil
}

// refit runs FastICA fixed-point iterations on z (k×D) from the current W
// until scikit-learn's convergence test max_i | |⟨w_newᵢ, wᵢ⟩| − 1 | < tol
// holds or maxIter iterations have run, returning the iterations used and
// whether it converged.
func (l *icaLayer[T]) refit(z []T, d, maxIter int, tol float64) (int, bool, error) {
	k := l.k
	old := make([]float64, k*k)
	l.z, l.d = z, d
	for it := 1; it <= maxIter; it++ {
		for i, v := range l.w {
			old[i] = float64(v)
		}
		if err := l.fixedPoint(); err != nil {
			return it, false, err
		}
		lim := 0.0
		for i := 0; i < k; i++ {
			var dot float64
			for j := 0; j < k; j++ {
				dot += float64(l.w[i*k+j]) * old[i*k+j]
			}
			lim = math.Max(lim, math.Abs(math.Abs(dot)-1))
		}
		if lim < tol {
			return it, true, nil
		}
	}
	return maxIter, false, nil
}
