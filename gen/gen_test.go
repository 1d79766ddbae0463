package gen

import (
	"math"
	"testing"

	"github.com/deepica/deepica/matrix"
)

// moments returns the mean, variance and excess kurtosis of v.
func moments(v []float64) (mean, variance, exkurt float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	var m2, m4 float64
	for _, x := range v {
		d := (x - mean) * (x - mean)
		m2 += d
		m4 += d * d
	}
	m2 /= float64(len(v))
	m4 /= float64(len(v))
	return mean, m2, m4/(m2*m2) - 3
}

func column(m *matrix.Dense[float64], j int) []float64 {
	v := make([]float64, m.Rows)
	for i := range v {
		v[i] = m.At(i, j)
	}
	return v
}

// kurtosisSE is the standard error of the sample excess kurtosis of n draws
// from d: sqrt(Var(x⁴)/n)/σ⁴ to first order, Var(x⁴) = E x⁸ − (E x⁴)², from
// the closed-form moments of each unit-variance distribution.
func kurtosisSE(d Dist, n int) float64 {
	var m4, m8 float64
	switch d {
	case Laplace: // b = 1/√2: E x^k = k!·b^k
		m4, m8 = 24.0/4, 40320.0/16
	case Uniform: // a = √3: E x^k = a^k/(k+1)
		m4, m8 = 9.0/5, 81.0/9
	case Sparse: // p·E z^k/p^(k/2)
		m4, m8 = 3/sparseP, 105/(sparseP*sparseP*sparseP)
	case Bimodal: // (±1 + σz)/√(1+σ²), moments of 1+σz
		s2 := bimodalNois * bimodalNois
		n4 := 1 + 6*s2 + 3*s2*s2
		n8 := 1 + 28*s2 + 210*s2*s2 + 420*s2*s2*s2 + 105*s2*s2*s2*s2
		m4, m8 = n4/math.Pow(1+s2, 2), n8/math.Pow(1+s2, 4)
	default:
		m4, m8 = 3, 105
	}
	return math.Sqrt((m8 - m4*m4) / float64(n))
}

func TestSourcesMoments(t *testing.T) {
	const n = 200000
	dists := []Dist{Laplace, Uniform, Sparse, Bimodal, Gaussian}
	s, err := Sources(dists, n, 7)
	if err != nil {
		t.Fatal(err)
	}
	for j, d := range dists {
		mean, v, k := moments(column(s, j))
		// Unit variance: sd of the sample variance is sqrt((E x⁴ − 1)/n).
		if math.Abs(mean) > 5/math.Sqrt(n) || math.Abs(v-1) > 5*math.Sqrt((d.ExcessKurtosis()+2)/n) {
			t.Errorf("%v: mean %.4f variance %.4f, want 0 and 1", d, mean, v)
		}
		if se := kurtosisSE(d, n); math.Abs(k-d.ExcessKurtosis()) > 5*se {
			t.Errorf("%v: excess kurtosis %.3f, want %.3f ± %.3f (5 SE)", d, k, d.ExcessKurtosis(), 5*se)
		}
	}
}

func TestSourcesIndependentStreams(t *testing.T) {
	// Adding a source must not change the others (one stream per source).
	a, _ := Sources([]Dist{Laplace, Uniform}, 100, 3)
	b, _ := Sources([]Dist{Laplace, Uniform, Sparse}, 100, 3)
	for i := 0; i < 100; i++ {
		if a.At(i, 0) != b.At(i, 0) || a.At(i, 1) != b.At(i, 1) {
			t.Fatalf("row %d differs after adding a source", i)
		}
	}
}

func TestMix(t *testing.T) {
	dists := []Dist{Laplace, Uniform, Sparse}
	m, err := Mix(dists, 1000, 5, 11)
	if err != nil {
		t.Fatal(err)
	}
	if m.X.Rows != 1000 || m.X.Cols != 5 || m.A.Rows != 5 || m.A.Cols != 3 {
		t.Fatalf("shapes X %d×%d A %d×%d", m.X.Rows, m.X.Cols, m.A.Rows, m.A.Cols)
	}
	// X = S·Aᵀ, checked against a plain triple loop; the error bound is
	// k·eps·Σ|terms| per element.
	for i := 0; i < 1000; i++ {
		for r := 0; r < 5; r++ {
			var want, abs float64
			for j := 0; j < 3; j++ {
				want += m.S.At(i, j) * m.A.At(r, j)
				abs += math.Abs(m.S.At(i, j) * m.A.At(r, j))
			}
			if math.Abs(m.X.At(i, r)-want) > 3*0x1p-52*abs {
				t.Fatalf("X[%d,%d] = %v, want %v", i, r, m.X.At(i, r), want)
			}
		}
	}
	m2, _ := Mix(dists, 1000, 5, 11)
	for i := range m.X.Data {
		if m.X.Data[i] != m2.X.Data[i] {
			t.Fatal("same seed gave different data")
		}
	}
}

func TestBadInput(t *testing.T) {
	if _, err := Sources(nil, 10, 1); err == nil {
		t.Error("no sources: no error")
	}
	if _, err := Sources([]Dist{Laplace}, 0, 1); err == nil {
		t.Error("0 samples: no error")
	}
	if _, err := Sources([]Dist{Dist(99)}, 10, 1); err == nil {
		t.Error("unknown dist: no error")
	}
	if _, err := RandomMixing(2, 3, 1); err == nil {
		t.Error("2×3 mixing: no error")
	}
	bad := []ImageConfig{
		{N: 0, H: 16, W: 16, C: 1, K: 2},
		{N: 1, H: 16, W: 16, C: 2, K: 2},
		{N: 1, H: 16, W: 16, C: 3, K: 0},
		{N: 1, H: 16, W: 16, C: 3, K: 2, Noise: math.NaN()},
		{N: 1, H: 4, W: 16, C: 3, K: 2},
	}
	for _, c := range bad {
		if _, err := Images(c); err == nil {
			t.Errorf("Images(%+v): no error", c)
		}
	}
	if _, err := ParseDist("cauchy"); err == nil {
		t.Error("ParseDist(cauchy): no error")
	}
	if _, err := ParseOrientation("rows"); err == nil {
		t.Error("ParseOrientation(rows): no error")
	}
}

func smallConfig() ImageConfig {
	return ImageConfig{N: 300, H: 32, W: 24, C: 3, K: 12, Coef: Laplace, Noise: 0.05, Seed: 5}
}

func TestImagesModel(t *testing.T) {
	cfg := smallConfig()
	s, err := Images(cfg)
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.C * cfg.H * cfg.W
	if s.X.Rows != cfg.N || s.X.Cols != d || s.Patterns.Rows != cfg.K || s.Patterns.Cols != d || s.Coefs.Rows != cfg.N || s.Coefs.Cols != cfg.K {
		t.Fatalf("shapes X %d×%d P %d×%d C %d×%d", s.X.Rows, s.X.Cols, s.Patterns.Rows, s.Patterns.Cols, s.Coefs.Rows, s.Coefs.Cols)
	}
	// The residual X − Coefs·Patterns (dense product, independent of the
	// sparse one in Images) must be the noise: mean 0, variance Noise².
	res := make([]float64, 0, cfg.N*d)
	for i := 0; i < cfg.N; i++ {
		for j := 0; j < d; j++ {
			var v float64
			for k := 0; k < cfg.K; k++ {
				v += s.Coefs.At(i, k) * s.Patterns.At(k, j)
			}
			res = append(res, s.X.At(i, j)-v)
		}
	}
	mean, v, k := moments(res)
	n := float64(len(res))
	s2 := cfg.Noise * cfg.Noise
	if math.Abs(mean) > 5*cfg.Noise/math.Sqrt(n) || math.Abs(v-s2) > 5*s2*math.Sqrt(2/n) || math.Abs(k) > 5*math.Sqrt(24/n) {
		t.Errorf("residual mean %.2e variance %.4e excess kurtosis %.3f, want Gaussian noise of variance %.4e", mean, v, k, s2)
	}
	// Coefficients: independent Laplace per column (pooled kurtosis).
	_, cv, ck := moments(s.Coefs.Data)
	nc := len(s.Coefs.Data)
	if math.Abs(cv-1) > 5*math.Sqrt(5.0/float64(nc)) || math.Abs(ck-3) > 5*kurtosisSE(Laplace, nc) {
		t.Errorf("coefficients variance %.3f excess kurtosis %.3f, want 1 and 3", cv, ck)
	}
}

func TestImagesPatterns(t *testing.T) {
	cfg := smallConfig()
	s, err := Images(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hw := cfg.H * cfg.W
	for k := 0; k < cfg.K; k++ {
		p := s.Patterns.Row(k)
		peak, nonzero := 0.0, 0
		for _, v := range p {
			peak = math.Max(peak, math.Abs(v))
			if v != 0 {
				nonzero++
			}
		}
		// Peak 1 in the strongest channel: spatial peak 1 times the largest
		// colour weight, at most 1 (unit-norm colour).
		if peak > 1+1e-12 || peak < 1/math.Sqrt(3)-1e-12 {
			t.Errorf("pattern %d peak %.3f, want in [1/√3, 1]", k, peak)
		}
		// Localized: every non-zero pixel within the support square.
		c := s.Centers[k]
		for j, v := range p {
			if v == 0 {
				continue
			}
			y, x := float64((j%hw)/cfg.W), float64(j%cfg.W)
			if math.Abs(y-c[0]) > 0.5*float64(cfg.H) || math.Abs(x-c[1]) > 0.5*float64(cfg.W) {
				t.Fatalf("pattern %d non-zero at (%v,%v), centre %v", k, y, x, c)
			}
		}
		// Sparse, hence super-Gaussian as a spatial source: what makes
		// pixels-as-samples ICA identifiable.
		if frac := float64(nonzero) / float64(len(p)); frac > 0.5 {
			t.Errorf("pattern %d (%v): %.0f%% of pixels non-zero", k, s.Kinds[k], 100*frac)
		}
		if _, _, ek := moments(p); ek <= 1 {
			t.Errorf("pattern %d (%v): excess kurtosis %.2f across pixels, want super-Gaussian", k, s.Kinds[k], ek)
		}
	}
	src, mix := s.Truth(PixelsAsSamples)
	if src.Rows != cfg.C*hw || src.Cols != cfg.K || mix.Rows != cfg.N || mix.Cols != cfg.K {
		t.Errorf("pixels truth shapes %d×%d, %d×%d", src.Rows, src.Cols, mix.Rows, mix.Cols)
	}
	src, mix = s.Truth(ImagesAsSamples)
	if src.Rows != cfg.N || src.Cols != cfg.K || mix.Rows != cfg.C*hw || mix.Cols != cfg.K {
		t.Errorf("images truth shapes %d×%d, %d×%d", src.Rows, src.Cols, mix.Rows, mix.Cols)
	}
	if src.At(3, 2) != s.Coefs.At(3, 2) || mix.At(5, 1) != s.Patterns.At(1, 5) {
		t.Error("images truth is not (Coefs, Patternsᵀ)")
	}
}

func TestImagesDeterministic(t *testing.T) {
	cfg := smallConfig()
	cfg.N = 20
	a, _ := Images(cfg)
	b, _ := Images(cfg)
	for i := range a.X.Data {
		if a.X.Data[i] != b.X.Data[i] {
			t.Fatal("same seed gave different images")
		}
	}
	cfg.Seed++
	c, _ := Images(cfg)
	same := 0
	for i := range a.X.Data {
		if a.X.Data[i] == c.X.Data[i] {
			same++
		}
	}
	if same > len(a.X.Data)/100 {
		t.Errorf("different seeds share %d of %d values", same, len(a.X.Data))
	}
}

func BenchmarkImagesDefault(b *testing.B) {
	cfg := DefaultImageConfig()
	b.SetBytes(int64(cfg.N * cfg.C * cfg.H * cfg.W * 8))
	for b.Loop() {
		if _, err := Images(cfg); err != nil {
			b.Fatal(err)
		}
	}
}
