package deep

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/deepica/deepica/conv/gradcheck"
	"github.com/deepica/deepica/kernels"
)

func randn(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

// sparse draws Laplace-like values (heavier tails make the ICA loss's
// gradient large compared with rounding).
func sparse(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.ExpFloat64()
		if rng.IntN(2) == 0 {
			x[i] = -x[i]
		}
	}
	return x
}

func worst(res []gradcheck.Result) float64 {
	w := 0.0
	for _, r := range res {
		w = math.Max(w, r.RelError)
	}
	return w
}

func TestPCALayerGradient(t *testing.T) {
	for _, center := range []bool{false, true} {
		for seed := uint64(1); seed <= 3; seed++ {
			rng := rand.New(rand.NewPCG(seed, 1))
			const b, d, k = 9, 14, 4
			f := sparse(rng, b*d)
			for i := range f {
				f[i] += 0.5 // an uncentred mean, as ELU features have
			}
			r := randn(rng, k*d)
			l := newPCALayer[float64](k, center, 1e-6)
			z, err := l.forward(f, b, d)
			if err != nil {
				t.Fatal(err)
			}
			dz := append([]float64(nil), r...)
			_ = z
			df := append([]float64(nil), l.backward(dz)...)
			loss := func() (float64, float64) {
				z, err := l.forward(f, b, d)
				if err != nil {
					panic(err)
				}
				return gradcheck.Dot(r, z)
			}
			res, err := gradcheck.Check(loss, f, df, gradcheck.Pick(rng, len(f), 40))
			if err != nil {
				t.Errorf("center=%v seed %d: %v", center, seed, err)
			}
			t.Logf("PCA layer center=%v seed %d: worst relative error %.2g", center, seed, worst(res))
		}
	}
}

func TestICALayerGradient(t *testing.T) {
	for _, f := range []kernels.Contrast{kernels.LogCosh, kernels.Exp, kernels.Cube} {
		for seed := uint64(1); seed <= 2; seed++ {
			rng := rand.New(rand.NewPCG(seed, uint64(f)))
			const k, d = 4, 50
			w0 := randn(rng, k*k)
			if err := symDecorrelate(w0, k); err != nil {
				t.Fatal(err)
			}
			alpha := 1.0
			if f == kernels.LogCosh {
				alpha = 1.5
			}
			l := newICALayer[float64](k, newContrast(f, alpha), w0)
			z := sparse(rng, k*d)
			if _, err := l.forward(z, d); err != nil {
				t.Fatal(err)
			}
			dz := append([]float64(nil), l.backward()...)
			dw := append([]float64(nil), l.dw...)
			loss := func() (float64, float64) {
				v, err := l.forward(z, d)
				if err != nil {
					panic(err)
				}
				return v, icaScale(l)
			}
			r1, err := gradcheck.Check(loss, z, dz, gradcheck.Pick(rng, len(z), 30))
			if err != nil {
				t.Errorf("%v seed %d ∂L/∂Z: %v", f, seed, err)
			}
			r2, err := gradcheck.Check(loss, l.w, dw, gradcheck.Pick(rng, k*k, k*k))
			if err != nil {
				t.Errorf("%v seed %d ∂L/∂W: %v", f, seed, err)
			}
			t.Logf("ICA layer %v seed %d: worst relative error Z %.2g, W %.2g", f, seed, worst(r1), worst(r2))
		}
	}
}

// tinyConfig is a small network for end-to-end checks: two conv blocks
// (3×3 same + tanh + max pool, 3×3 stride 1 explicit padding 1 + ELU + avg
// pool), 2 streams of 3 components.
func tinyConfig() Config {
	c := DefaultConfig()
	c.Channels, c.Height, c.Width = 2, 12, 10
	c.Conv = []ConvLayer{
		{Out: 4, Kernel: 3, Padding: "same", Activation: "tanh", Pool: "max"},
		{Out: 3, Kernel: 3, Padding: "1", Activation: "elu", Pool: "avg"},
	}
	c.Init = "he"
	c.Streams, c.Components = 2, 3
	c.BatchSize = 16
	c.DType = "float64"
	return c
}

func TestEndToEndGradient(t *testing.T) {
	for ci, center := range []bool{false, true} {
		for si, contrast := range []string{"logcosh", "cube"} {
			seed := uint64(1 + 2*ci + si) // a different random point per case
			cfg := tinyConfig()
			cfg.Center, cfg.Contrast = center, contrast
			r, err := cfg.resolve()
			if err != nil {
				t.Fatal(err)
			}
			n, err := newNet[float64](r, seed)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(seed, 3))
			x := sparse(rng, cfg.BatchSize*cfg.Channels*cfg.Height*cfg.Width)
			if _, err := n.lossAndGrad(x, cfg.BatchSize); err != nil {
				t.Fatal(err)
			}
			loss := func() (float64, float64) {
				f, err := n.features(x, cfg.BatchSize)
				if err != nil {
					panic(err)
				}
				d, per := n.feat.Size(), cfg.BatchSize/cfg.Streams
				var l, s float64
				for st := range n.pca {
					z, err := n.pca[st].forward(f[st*per*d:(st+1)*per*d], per, d)
					if err != nil {
						panic(err)
					}
					v, err := n.ica[st].forward(z, d)
					if err != nil {
						panic(err)
					}
					l += v
					s += icaScale(n.ica[st])
				}
				return l, s
			}
			w := 0.0
			for li, layer := range n.layers {
				for _, p := range layer.Params() {
					g := append([]float64(nil), p.Grad...)
					res, err := gradcheck.Check(loss, p.Value, g, gradcheck.Pick(rng, len(p.Value), 12))
					if err != nil {
						t.Errorf("center=%v %s: layer %d %s: %v", center, contrast, li, p.Name, err)
					}
					w = math.Max(w, worst(res))
				}
			}
			t.Logf("end to end center=%v %s seed %d: worst relative error %.2g", center, contrast, seed, w)
		}
	}
}

func TestDegenerateEigenvaluesStayFinite(t *testing.T) {
	// rows of F are orthogonal with equal norms: G = F·Fᵀ = 4·I, every
	// eigenvalue equal; the exact derivative 1/(λᵢ − λⱼ) would be infinite
	const b, d, k = 4, 8, 2
	f := make([]float64, b*d)
	for i := 0; i < b; i++ {
		f[i*d+2*i], f[i*d+2*i+1] = math.Sqrt(2), math.Sqrt(2)
	}
	l := newPCALayer[float64](k, false, 1e-6)
	if _, err := l.forward(f, b, d); err != nil {
		t.Fatal(err)
	}
	for i, lam := range l.lambda {
		if math.Abs(lam-4) > 1e-14 {
			t.Fatalf("λ%d = %g, want 4", i, lam)
		}
	}
	rng := rand.New(rand.NewPCG(1, 1))
	df := l.backward(randn(rng, k*d))
	for i, v := range df {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("∂L/∂F[%d] = %v with equal eigenvalues", i, v)
		}
	}
}

func TestRankDeficientFeaturesError(t *testing.T) {
	const b, d, k = 6, 10, 3
	f := make([]float64, b*d)
	for i := 0; i < b; i++ {
		for j := 0; j < d; j++ {
			f[i*d+j] = float64(i+1) * float64(j%3) // rank 1
		}
	}
	if _, err := newPCALayer[float64](k, false, 1e-6).forward(f, b, d); err == nil {
		t.Fatal("rank-1 features with 3 components accepted")
	}
}

// icaScale is the magnitude through which rounding enters the ICA loss
// L = −Σ Jᵢ²: an error δ in Jᵢ = mean G(yᵢ) − γ changes L by 2|Jᵢ|·δ, and δ
// is a multiple of ε·(mean|G(yᵢ)| + |γ|). The result is the "Scale" of
// gradcheck: Σᵢ 2|Jᵢ|·(mean_d |G(y_id)| + |γ|).
func icaScale(l *icaLayer[float64]) float64 {
	var s float64
	for i, j := range l.jneg {
		var m float64
		for _, u := range l.y[i*l.d : (i+1)*l.d] {
			g, _ := l.fn.eval(u)
			m += math.Abs(g)
		}
		s += 2 * math.Abs(j) * (m/float64(l.d) + math.Abs(l.fn.gauss))
	}
	return s
}
