package main

import (
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/deepica/deepica/conv"
	"github.com/deepica/deepica/fastica"
	"github.com/deepica/deepica/gen"
	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
	"github.com/deepica/deepica/whiten"
)

// moreCases lists the end-to-end comparisons: FastICA, the study pipeline
// and the conv stack.
func moreCases() []benchCase {
	return []benchCase{
		fasticaCase("fastica_40x1M", "FastICA, 40 sources × 1,000,000 samples (parallel, logcosh, same w_init, tol 1e-4)", [2]int{1000000, 40}, [2]int{20000, 10}),
		fasticaCase("fastica_20x200k", "FastICA, 20 sources × 200,000 samples (parallel, logcosh, same w_init, tol 1e-4)", [2]int{200000, 20}, [2]int{10000, 8}),
		pipelineCase(),
		convCase("conv_fwd", "conv stack 3→16→32→32 (3×3, pad 1, ELU), forward, 100 images 3×96×96", false),
		convCase("conv_fwdbwd", "conv stack 3→16→32→32 (3×3, pad 1, ELU), forward + backward, 100 images 3×96×96", true),
	}
}

// writeRaw writes the R copy of a matrix: little-endian float64 rows and a
// "rows cols" shape file.
func writeRaw(dir, name string, rows, cols int, data []float64) error {
	b := make([]byte, 8*len(data))
	for i, v := range data {
		u := math.Float64bits(v)
		for j := 0; j < 8; j++ {
			b[8*i+j] = byte(u >> (8 * j))
		}
	}
	if err := os.WriteFile(filepath.Join(dir, name+".f64"), b, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name+".shape"), []byte(strconv.Itoa(rows)+" "+strconv.Itoa(cols)+"\n"), 0o644)
}

// fasticaCase mixes k Laplace sources by a random k×k matrix into an n×k
// data matrix (rows = samples, as scikit-learn) and gives every engine the
// same w_init.
func fasticaCase(name, title string, full, short [2]int) benchCase {
	shape := func(s bool) [2]int {
		if s {
			return short
		}
		return full
	}
	return benchCase{
		name: name, group: "fastica", title: title, dtypes: []string{"f64", "f32"},
		gen: func(dir string, s bool) error {
			d := shape(s)
			n, k := d[0], d[1]
			r := rand.New(rand.NewSource(3))
			src := make([]float64, n*k)
			for i := range src {
				src[i] = r.ExpFloat64() * float64(1-2*r.Intn(2)) // Laplace
			}
			a := randn(r, k*k)
			x := make([]float64, n*k)
			for i := 0; i < n; i++ {
				for j := 0; j < k; j++ {
					var s float64
					for l := 0; l < k; l++ {
						s += src[i*k+l] * a[j*k+l]
					}
					x[i*k+j] = s
				}
			}
			w := randn(r, k*k)
			if err := writeNpy(filepath.Join(dir, "X.npy"), n, k, x); err != nil {
				return err
			}
			if err := writeNpy(filepath.Join(dir, "W_init.npy"), k, k, w); err != nil {
				return err
			}
			if err := writeRaw(dir, "X", n, k, x); err != nil {
				return err
			}
			return writeRaw(dir, "W_init", k, k, w)
		},
		deepica: func(dir, dt string) (func() map[string]float64, error) {
			n, k, x, err := readNpy(filepath.Join(dir, "X.npy"))
			if err != nil {
				return nil, err
			}
			_, _, w, err := readNpy(filepath.Join(dir, "W_init.npy"))
			if err != nil {
				return nil, err
			}
			opt := fastica.Options{Components: k, WInit: &matrix.Dense[float64]{Rows: k, Cols: k, Stride: k, Data: w}}
			fit := func() (*fastica.Model, error) {
				if dt == "f32" {
					m, _, err := fastica.Fit(&matrix.Dense[float32]{Rows: n, Cols: k, Stride: k, Data: to32(x)}, opt)
					return m, err
				}
				m, _, err := fastica.Fit(&matrix.Dense[float64]{Rows: n, Cols: k, Stride: k, Data: x}, opt)
				return m, err
			}
			return func() map[string]float64 {
				m, err := fit()
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				return map[string]float64{"n_iter": float64(m.NIter), "whiten_s": m.Timings.Whiten.Seconds(),
					"iter_ms": 1e3 * m.Timings.Iterate.Seconds() / float64(max(1, m.NIter))}
			}, nil
		},
		peers: []string{"sklearn", "R"},
	}
}

// convCase runs the conv stack of the study's benchmark on 100 images
// (-short: 4 images of 3×32×32).
func convCase(name, title string, backward bool) benchCase {
	return benchCase{
		name: name, group: "conv", title: title, dtypes: []string{"f32"},
		gen: func(dir string, s bool) error {
			n, h := 100, 96
			if s {
				n, h = 4, 32
			}
			r := rand.New(rand.NewSource(4))
			x := make([]float64, n*3*h*h)
			for i := range x {
				x[i] = r.Float64()
			}
			return writeNpy(filepath.Join(dir, "images.npy"), n, 3*h*h, x)
		},
		deepica: func(dir, dt string) (func() map[string]float64, error) {
			n, cols, x, err := readNpy(filepath.Join(dir, "images.npy"))
			if err != nil {
				return nil, err
			}
			h := int(math.Round(math.Sqrt(float64(cols / 3))))
			in := conv.Shape{C: 3, H: h, W: h}
			var layers []conv.Layer[float32]
			for i, c := range []int{16, 32, 32} {
				l, err := conv.NewConv2D[float32](in, conv.ConvConfig{OutC: c, KH: 3, KW: 3, Pad: conv.PadSame,
					Init: conv.InitNormal005, SkipInputGrad: i == 0}, uint64(i+1))
				if err != nil {
					return nil, err
				}
				a, err := conv.NewAct[float32](l.OutShape(), kernels.ELU, 1)
				if err != nil {
					return nil, err
				}
				layers = append(layers, l, a)
				in = a.OutShape()
			}
			x32 := to32(x)
			return func() map[string]float64 {
				h := x32
				var err error
				for _, l := range layers {
					if h, err = l.Forward(h, n); err != nil {
						fmt.Fprintln(os.Stderr, err)
						os.Exit(1)
					}
				}
				if backward {
					g := make([]float32, len(h))
					for i := range g {
						g[i] = 1
					}
					for i := len(layers) - 1; i >= 0; i-- {
						if g, err = layers[i].Backward(g); err != nil {
							fmt.Fprintln(os.Stderr, err)
							os.Exit(1)
						}
					}
				}
				return nil
			}, nil
		},
		peers: []string{"torch", "numpy"},
	}
}

// pipelineCase is the study's pipeline on its image matrix: PCA, kernel PCA
// (rbf) and FastICA with 40 components on 500 generated 96×96 colour images
// (500×27648; -short: 60 images of 16×16).
func pipelineCase() benchCase {
	return benchCase{
		name: "pipeline", group: "pipeline", title: "study pipeline on 500×27648 images: PCA + kernel PCA (rbf) + FastICA, 40 components (deepica: one X·Xᵀ shared by the three fits, as deepica run does)",
		dtypes: []string{"f64", "f32"},
		gen: func(dir string, s bool) error {
			cfg := gen.DefaultImageConfig()
			cfg.N, cfg.H, cfg.W, cfg.C, cfg.K = 500, 96, 96, 3, 40
			if s {
				cfg.N, cfg.H, cfg.W, cfg.K = 60, 16, 16, 10
			}
			set, err := gen.Images(cfg)
			if err != nil {
				return err
			}
			r := rand.New(rand.NewSource(5))
			if err := writeNpy(filepath.Join(dir, "X.npy"), set.X.Rows, set.X.Cols, set.X.Data); err != nil {
				return err
			}
			return writeNpy(filepath.Join(dir, "W_init.npy"), 40, 40, randn(r, 40*40))
		},
		deepica: func(dir, dt string) (func() map[string]float64, error) {
			if dt == "f32" {
				return pipelineRun[float32](dir)
			}
			return pipelineRun[float64](dir)
		},
		peers: []string{"sklearn"},
	}
}

func pipelineRun[T kernels.Float](dir string) (func() map[string]float64, error) {
	n, p, x64, err := readNpy(filepath.Join(dir, "X.npy"))
	if err != nil {
		return nil, err
	}
	_, _, w, err := readNpy(filepath.Join(dir, "W_init.npy"))
	if err != nil {
		return nil, err
	}
	x := matrix.New[T](n, p)
	for i, v := range x64 {
		x.Data[i] = T(v)
	}
	k := min(40, n)
	winit := &matrix.Dense[float64]{Rows: 40, Cols: 40, Stride: 40, Data: w}
	winit = winit.Slice(0, k, 0, k).Clone()
	die := func(err error) { fmt.Fprintln(os.Stderr, err); os.Exit(1) }
	// As deepica run does: one X·Xᵀ shared by the three fits, which return
	// exactly what they return from the data alone (tested in whiten and
	// fastica); its time counts in the PCA stage. FastICA's float32 fit
	// whitens in float64 from the data, as it does without a Gram. Kernel
	// PCA keeps a reference to X rather than a copy (ShareX), as
	// scikit-learn's side does with copy_X=False.
	return func() map[string]float64 {
		t0 := time.Now()
		g, err := whiten.NewGram(x)
		if err != nil {
			die(err)
		}
		if _, err := whiten.FitPCAGram(g, whiten.PCAOptions{NComponents: k}); err != nil {
			die(err)
		}
		t1 := time.Now()
		if _, err := whiten.FitKernelPCAGram(g, whiten.KernelPCAOptions{Kernel: whiten.NewKernel(whiten.KernelRBF), NComponents: k, ShareX: true}); err != nil {
			die(err)
		}
		t2 := time.Now()
		m, _, err := fastica.FitGram(g, fastica.Options{Components: k, WInit: winit})
		if err != nil {
			die(err)
		}
		t3 := time.Now()
		return map[string]float64{"pca": t1.Sub(t0).Seconds(), "kpca": t2.Sub(t1).Seconds(),
			"ica": t3.Sub(t2).Seconds(), "ica_iter": float64(m.NIter)}
	}, nil
}
