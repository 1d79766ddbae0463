package main

import (
	"fmt"
	"math/rand"
	"path/filepath"

	"github.com/deepica/deepica/kernels"
	"gonum.org/v1/gonum/blas"
	gblas "gonum.org/v1/gonum/blas/gonum"
)

// A benchCase is one row group of the results table: the inputs it writes,
// the work it counts, and how each engine runs it.
type benchCase struct {
	name   string
	group  string
	title  string
	dtypes []string
	// flops is the floating-point work of one run (0: not a kernel; the
	// table then shows times only).
	flops func(short bool) float64
	gen   func(dir string, short bool) error
	// deepica prepares one run for the given dtype (the level and threads
	// are already set) and returns it; extras it returns are reported.
	deepica func(dir, dtype string) (func() map[string]float64, error)
	// gonum, when not nil, prepares the same work with gonum's pure-Go BLAS.
	gonum func(dir, dtype string) (func(), error)
	// peers lists the external engines, run by peers.py or fastica.R.
	peers []string
}

func randn(r *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	return x
}

// genAB writes A (m×k) and B (k×n) with fixed seeds.
func genAB(dir string, m, n, k int) error {
	r := rand.New(rand.NewSource(1))
	if err := writeNpy(filepath.Join(dir, "A.npy"), m, k, randn(r, m*k)); err != nil {
		return err
	}
	return writeNpy(filepath.Join(dir, "B.npy"), k, n, randn(r, k*n))
}

// gemmCase is C = A·B for the given shape (full and -short).
func gemmCase(name, title string, full, short [3]int, dtypes []string) benchCase {
	shape := func(s bool) [3]int {
		if s {
			return short
		}
		return full
	}
	return benchCase{
		name: name, group: "kernels", title: title, dtypes: dtypes,
		flops: func(s bool) float64 { d := shape(s); return 2 * float64(d[0]) * float64(d[1]) * float64(d[2]) },
		gen:   func(dir string, s bool) error { d := shape(s); return genAB(dir, d[0], d[1], d[2]) },
		deepica: func(dir, dt string) (func() map[string]float64, error) {
			m, k, a, err := readNpy(filepath.Join(dir, "A.npy"))
			if err != nil {
				return nil, err
			}
			_, n, b, err := readNpy(filepath.Join(dir, "B.npy"))
			if err != nil {
				return nil, err
			}
			if dt == "f32" {
				a32, b32, c32 := to32(a), to32(b), make([]float32, m*n)
				return func() map[string]float64 {
					kernels.Gemm(false, false, m, n, k, 1, a32, k, b32, n, 0, c32, n)
					return nil
				}, nil
			}
			c := make([]float64, m*n)
			return func() map[string]float64 {
				kernels.Gemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
				return nil
			}, nil
		},
		gonum: func(dir, dt string) (func(), error) {
			m, k, a, err := readNpy(filepath.Join(dir, "A.npy"))
			if err != nil {
				return nil, err
			}
			_, n, b, err := readNpy(filepath.Join(dir, "B.npy"))
			if err != nil {
				return nil, err
			}
			var impl gblas.Implementation
			if dt == "f32" {
				a32, b32, c32 := to32(a), to32(b), make([]float32, m*n)
				return func() { impl.Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a32, k, b32, n, 0, c32, n) }, nil
			}
			c := make([]float64, m*n)
			return func() { impl.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, c, n) }, nil
		},
		peers: []string{"numpy"},
	}
}

// gramCase is C = X·Xᵀ (wide: X rows are the items) or Xᵀ·X (tall).
func gramCase(name, title string, tall bool, full, short [2]int) benchCase {
	shape := func(s bool) [2]int {
		if s {
			return short
		}
		return full
	}
	load := func(dir, dt string) (int, int, []float64, error) { return readNpy(filepath.Join(dir, "X.npy")) }
	return benchCase{
		name: name, group: "kernels", title: title, dtypes: []string{"f32", "f64"},
		flops: func(s bool) float64 {
			d := shape(s)
			n, k := d[0], d[1]
			if tall {
				n, k = d[1], d[0]
			}
			return float64(n) * float64(n+1) * float64(k) // one triangle, 2 flops per term
		},
		gen: func(dir string, s bool) error {
			d := shape(s)
			r := rand.New(rand.NewSource(2))
			return writeNpy(filepath.Join(dir, "X.npy"), d[0], d[1], randn(r, d[0]*d[1]))
		},
		deepica: func(dir, dt string) (func() map[string]float64, error) {
			rows, cols, x, err := load(dir, dt)
			if err != nil {
				return nil, err
			}
			n, k := rows, cols
			if tall {
				n, k = cols, rows
			}
			if dt == "f32" {
				x32, c := to32(x), make([]float32, n*n)
				return func() map[string]float64 { kernels.Gram(tall, n, k, 1, x32, cols, 0, c, n); return nil }, nil
			}
			c := make([]float64, n*n)
			return func() map[string]float64 { kernels.Gram(tall, n, k, 1, x, cols, 0, c, n); return nil }, nil
		},
		gonum: func(dir, dt string) (func(), error) {
			rows, cols, x, err := load(dir, dt)
			if err != nil {
				return nil, err
			}
			n, k := rows, cols
			tr := blas.NoTrans
			if tall {
				n, k, tr = cols, rows, blas.Trans
			}
			var impl gblas.Implementation
			if dt == "f32" {
				x32, c := to32(x), make([]float32, n*n)
				return func() { impl.Ssyrk(blas.Lower, tr, n, k, 1, x32, cols, 0, c, n) }, nil
			}
			c := make([]float64, n*n)
			return func() { impl.Dsyrk(blas.Lower, tr, n, k, 1, x, cols, 0, c, n) }, nil
		},
		peers: []string{"numpy"},
	}
}

// cases lists every comparison, in table order. Groups whose deepica side
// needs packages that are still missing report that instead of a figure.
func cases() []benchCase {
	return append([]benchCase{
		gemmCase("gemm1024", "GEMM 1024³", [3]int{1024, 1024, 1024}, [3]int{128, 128, 128}, []string{"f32", "f64"}),
		gemmCase("gemm2048", "GEMM 2048³", [3]int{2048, 2048, 2048}, [3]int{192, 192, 192}, []string{"f32", "f64"}),
		gramCase("gram_wide", "Gram X·Xᵀ, X 500×27648", false, [2]int{500, 27648}, [2]int{50, 2000}),
		gramCase("gram_tall", "Gram Xᵀ·X, X 100000×64", true, [2]int{100000, 64}, [2]int{5000, 16}),
		gemmCase("wx", "W·X, W 40×40, X 40×1,000,000", [3]int{40, 1000000, 40}, [3]int{40, 20000, 40}, []string{"f32", "f64"}),
		gemmCase("convgemm3", "conv 3→32 3×3 im2col GEMM (32×27 · 27×92160, 10 images 96×96)", [3]int{32, 92160, 27}, [3]int{32, 9216, 27}, []string{"f32"}),
		gemmCase("convgemm32", "conv 32→32 3×3 im2col GEMM (32×288 · 288×92160, 10 images 96×96)", [3]int{32, 92160, 288}, [3]int{32, 9216, 288}, []string{"f32"}),
	}, moreCases()...)
}

func findCase(name string) (benchCase, error) {
	for _, c := range cases() {
		if c.name == name {
			return c, nil
		}
	}
	return benchCase{}, fmt.Errorf("unknown case %q", name)
}
