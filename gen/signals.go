package gen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/deepica/deepica/matrix"
	"gonum.org/v1/gonum/mat"
)

// Dist is a source distribution. Every Dist is scaled to zero mean and unit
// variance, so sources differ only in shape.
type Dist int

// The distributions. Their excess kurtosis (ExcessKurtosis) says how far from
// Gaussian they are: FastICA separates sources of non-zero excess kurtosis
// and cannot separate more than one Gaussian.
const (
	Laplace  Dist = iota // super-Gaussian, excess kurtosis 3
	Uniform              // sub-Gaussian, excess kurtosis −1.2
	Sparse               // super-Gaussian: Bernoulli(0.2)·Normal, excess kurtosis 12
	Bimodal              // sub-Gaussian: ±1 + Normal(0, 0.5²), excess kurtosis ≈ −1.28
	Gaussian             // excess kurtosis 0: not separable
)

// SuperGaussian and SubGaussian name the default distributions of each kind.
const (
	SuperGaussian = Laplace
	SubGaussian   = Uniform
)

const (
	sparseP     = 0.2 // probability that a Sparse sample is non-zero
	bimodalNois = 0.5 // standard deviation of the Normal added to ±1 in Bimodal
)

var distNames = [...]string{Laplace: "laplace", Uniform: "uniform", Sparse: "sparse", Bimodal: "bimodal", Gaussian: "gaussian"}

func (d Dist) String() string {
	if d >= 0 && int(d) < len(distNames) {
		return distNames[d]
	}
	return fmt.Sprintf("Dist(%d)", int(d))
}

// ParseDist parses a name printed by String ("laplace", "uniform", ...).
func ParseDist(s string) (Dist, error) {
	for i, n := range distNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return Dist(i), nil
		}
	}
	return 0, fmt.Errorf("gen: unknown distribution %q (want laplace, uniform, sparse, bimodal or gaussian)", s)
}

// ExcessKurtosis returns E[x⁴]/E[x²]² − 3 of the distribution, in closed
// form.
func (d Dist) ExcessKurtosis() float64 {
	switch d {
	case Laplace:
		return 3
	case Uniform:
		return -1.2
	case Sparse:
		return 3/sparseP - 3
	case Bimodal:
		s2 := bimodalNois * bimodalNois
		return (1+6*s2+3*s2*s2)/((1+s2)*(1+s2)) - 3
	case Gaussian:
		return 0
	}
	return math.NaN()
}

// sample draws one zero-mean, unit-variance value.
func (d Dist) sample(r *rand.Rand) float64 {
	switch d {
	case Laplace:
		// Laplace(b) has variance 2b²; b = 1/√2 gives unit variance.
		v := r.ExpFloat64() / math.Sqrt2
		if r.IntN(2) == 0 {
			return -v
		}
		return v
	case Uniform:
		// Uniform(−√3, √3) has unit variance.
		return (2*r.Float64() - 1) * math.Sqrt(3)
	case Sparse:
		if r.Float64() >= sparseP {
			return 0
		}
		return r.NormFloat64() / math.Sqrt(sparseP)
	case Bimodal:
		v := 1 + bimodalNois*r.NormFloat64()
		if r.IntN(2) == 0 {
			v = -v
		}
		return v / math.Sqrt(1+bimodalNois*bimodalNois)
	default:
		return r.NormFloat64()
	}
}

// newRand returns the generator every function of this package draws from.
// stream separates independent uses of one seed.
func newRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream^0x9e3779b97f4a7c15))
}

// Sources returns an n×k matrix (rows are samples) whose column j holds n
// independent draws from dists[j].
func Sources(dists []Dist, n int, seed uint64) (*matrix.Dense[float64], error) {
	if n < 1 || len(dists) < 1 {
		return nil, fmt.Errorf("gen: %d samples of %d sources requested, need at least 1 of each", n, len(dists))
	}
	for _, d := range dists {
		if d < Laplace || d > Gaussian {
			return nil, fmt.Errorf("gen: unknown distribution %d", int(d))
		}
	}
	k := len(dists)
	s := matrix.New[float64](n, k)
	// One stream per source, so that source j does not change when another
	// source is added or removed.
	for j, d := range dists {
		r := newRand(seed, uint64(j)+1)
		for i := 0; i < n; i++ {
			s.Data[i*k+j] = d.sample(r)
		}
	}
	return s, nil
}

// MaxMixingCond bounds the 2-norm condition number of the matrices that
// RandomMixing returns: a badly conditioned mixture tests the whitening's
// numerics rather than the separation.
const MaxMixingCond = 20

// RandomMixing returns an m×k (m ≥ k) matrix with independent standard normal
// entries, redrawn until its condition number is at most MaxMixingCond.
func RandomMixing(m, k int, seed uint64) (*matrix.Dense[float64], error) {
	if k < 1 || m < k {
		return nil, fmt.Errorf("gen: a %d×%d mixing matrix cannot be inverted (need observed ≥ sources ≥ 1)", m, k)
	}
	r := newRand(seed, 0)
	a := matrix.New[float64](m, k)
	var svd mat.SVD
	for try := 0; try < 1000; try++ {
		for i := range a.Data {
			a.Data[i] = r.NormFloat64()
		}
		if !svd.Factorize(matrix.Gonum(a), mat.SVDNone) {
			continue
		}
		v := svd.Values(nil)
		if v[len(v)-1] > 0 && v[0]/v[len(v)-1] <= MaxMixingCond {
			return a, nil
		}
	}
	return nil, fmt.Errorf("gen: no %d×%d mixing matrix with condition number ≤ %d in 1000 draws", m, k, MaxMixingCond)
}

// Mixture is a known instance of the linear ICA model X = S·Aᵀ, in
// scikit-learn's convention: rows are samples.
type Mixture struct {
	S *matrix.Dense[float64] // n×k true sources, zero mean, unit variance
	A *matrix.Dense[float64] // m×k mixing matrix
	X *matrix.Dense[float64] // n×m observations, S·Aᵀ
}

// Mix draws n samples of len(dists) sources and mixes them into m observed
// signals (m ≥ len(dists)) with a random mixing matrix. The seed fixes
// everything.
func Mix(dists []Dist, n, m int, seed uint64) (*Mixture, error) {
	s, err := Sources(dists, n, seed)
	if err != nil {
		return nil, err
	}
	a, err := RandomMixing(m, len(dists), seed)
	if err != nil {
		return nil, err
	}
	x := matrix.New[float64](n, m)
	var xg mat.Dense
	xg.Mul(matrix.Gonum(s), matrix.Gonum(a).T())
	copy(x.Data, xg.RawMatrix().Data)
	return &Mixture{S: s, A: a, X: x}, nil
}
