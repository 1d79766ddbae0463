package whiten

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// imageLike returns n×p data shaped like the study's image matrix: a
// smooth mean, 60 latent patterns with power-law variances, pixel noise.
func imageLike[T kernels.Float](n, p int) *matrix.Dense[T] {
	rng := rand.New(rand.NewPCG(2024, 12))
	const r = 60
	pat := make([]float32, r*p)
	for i := range pat {
		pat[i] = float32(rng.NormFloat64())
	}
	x := matrix.New[T](n, p)
	w := make([]float64, r)
	for i := 0; i < n; i++ {
		for l := range w {
			w[l] = rng.NormFloat64() / math.Pow(float64(l+1), 0.8)
		}
		row := x.Row(i)
		for j := range row {
			s := 0.5 + 0.01*rng.NormFloat64()
			for l := 0; l < r; l++ {
				s += w[l] * float64(pat[l*p+j]) * 0.05
			}
			row[j] = T(s)
		}
	}
	return x
}

// BenchmarkPCAStudy times the study's PCA (500 images × 27648 pixels, 40
// components, the Gram route with the top-k eigensolver). Compare with
// testdata/bench_sklearn.py, which times scikit-learn on the same shape.
func BenchmarkPCAStudy(b *testing.B) {
	n, p, k := 500, 27648, 40
	if testing.Short() {
		n, p = 200, 4096
	}
	b.Run("dtype=f32", func(b *testing.B) { benchPCA(b, imageLike[float32](n, p), k) })
	b.Run("dtype=f64", func(b *testing.B) { benchPCA(b, imageLike[float64](n, p), k) })
}

func benchPCA[T kernels.Float](b *testing.B, x *matrix.Dense[T], k int) {
	defer kernels.SetThreads(0)
	n, p := x.Dims()
	// Flops: the symmetric Gram n²·p (half of 2n²p), the components 2·n·p·k,
	// the eigensolver (4/3)·n³ — the Gram dominates.
	flops := float64(n)*float64(n)*float64(p) + 2*float64(n)*float64(p)*float64(k) + 4.0/3*math.Pow(float64(n), 3)
	for _, threads := range []int{1, 2} {
		for _, eig := range []Eigensolver{EigenTopK, EigenFull} {
			b.Run(fmt.Sprintf("impl=%v/threads=%d/eig=%v/n=%d/p=%d/k=%d", kernels.Impl(), threads, eig, n, p, k), func(b *testing.B) {
				kernels.SetThreads(threads)
				c0 := cpuSeconds()
				for b.Loop() {
					if _, _, err := FitTransform(x, PCAOptions{NComponents: k, Eigensolver: eig}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				b.ReportMetric((cpuSeconds()-c0)/float64(b.N), "cpu-s/op")
			})
		}
	}
}

// BenchmarkPCAStages splits the study PCA into its stages (one thread).
func BenchmarkPCAStages(b *testing.B) {
	n, p, k := 500, 27648, 40
	if testing.Short() {
		n, p = 200, 4096
	}
	x := imageLike[float64](n, p)
	defer kernels.SetThreads(0)
	kernels.SetThreads(1)
	mean := columnMeans(x)
	b.Run("stage=gram", func(b *testing.B) {
		for b.Loop() {
			centeredGram(x, mean)
		}
		b.ReportMetric(float64(n)*float64(n)*float64(p)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
	g := centeredGram(x, mean)
	for _, eig := range []Eigensolver{EigenTopK, EigenFull} {
		b.Run("stage=eig/"+eig.String(), func(b *testing.B) {
			a := make([]float64, len(g))
			for b.Loop() {
				copy(a, g)
				symEig(a, n, eig, func([]float64) (int, error) { return k, nil })
			}
		})
	}
	u := matrix.New[float64](n, k)
	for i := range u.Data {
		u.Data[i] = float64(i%7) - 3
	}
	b.Run("stage=components", func(b *testing.B) {
		for b.Loop() {
			gramComponents(x, mean, u)
		}
		b.ReportMetric(2*float64(n)*float64(p)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}

// BenchmarkKernelPCAStudy: rbf kernel PCA of the study's 500×40 PCA scores.
func BenchmarkKernelPCAStudy(b *testing.B) {
	x := offsetData[float64](5, 500, 40, 0)
	defer kernels.SetThreads(0)
	kernels.SetThreads(1)
	for _, eig := range []Eigensolver{EigenTopK, EigenFull} {
		b.Run("eig="+eig.String(), func(b *testing.B) {
			c0 := cpuSeconds()
			defer func() { b.ReportMetric((cpuSeconds()-c0)/float64(b.N), "cpu-s/op") }()
			for b.Loop() {
				if _, err := FitKernelPCA(x, KernelPCAOptions{Kernel: NewKernel(KernelRBF), NComponents: 40, Eigensolver: eig}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkKernelPCANystrom: rbf kernel PCA of 20000 samples × 40 features
// with 500 landmarks, where the dense solver would need a 20000×20000
// kernel matrix (3.2 GB in float64) and an eigensolver on it.
func BenchmarkKernelPCANystrom(b *testing.B) {
	n := 20000
	if testing.Short() {
		n = 4000
	}
	x := offsetData[float64](6, n, 40, 0)
	defer kernels.SetThreads(0)
	kernels.SetThreads(1)
	b.ReportAllocs()
	c0 := cpuSeconds()
	for b.Loop() {
		if _, err := FitKernelPCA(x, KernelPCAOptions{Kernel: NewKernel(KernelRBF), NComponents: 10, Landmarks: 500, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuSeconds()-c0)/float64(b.N), "cpu-s/op")
}
