package ica

import (
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/deepica/deepica/fastica"
	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
	"github.com/deepica/deepica/npyfile"
	"github.com/deepica/deepica/whiten"
)

// BenchmarkPipeline times the study pipeline (PCA, kernel PCA rbf and
// FastICA, 40 components, as bench/compare's "pipeline" case and
// scikit-learn's in pipeline.py) on the .npy matrix named by
// DEEPICA_PIPELINE_NPY (skipped without it), reporting process CPU
// seconds per stage: on the shared machine they are steadier than wall
// time. DEEPICA_PIPELINE_WINIT names the 40×40 w_init (default identity).
func BenchmarkPipeline(b *testing.B) {
	path := os.Getenv("DEEPICA_PIPELINE_NPY")
	if path == "" {
		b.Skip("DEEPICA_PIPELINE_NPY not set")
	}
	x64, err := npyfile.ReadFile[float64](path)
	if err != nil {
		b.Fatal(err)
	}
	k := min(40, x64.Rows, x64.Cols)
	winit := matrix.New[float64](k, k)
	for i := 0; i < k; i++ {
		winit.Set(i, i, 1)
	}
	if wp := os.Getenv("DEEPICA_PIPELINE_WINIT"); wp != "" {
		w, err := npyfile.ReadFile[float64](wp)
		if err != nil {
			b.Fatal(err)
		}
		winit = w.Slice(0, k, 0, k).Clone()
	}
	x32 := matrix.Convert[float32](x64)
	for _, threads := range []int{1, 2} {
		for _, shared := range []bool{false, true} {
			name := "/threads=" + strconv.Itoa(threads) + "/gram=" + map[bool]string{false: "per-fit", true: "shared"}[shared]
			b.Run("dtype=f64"+name, func(b *testing.B) { benchPipeline(b, x64, winit, k, threads, shared) })
			b.Run("dtype=f32"+name, func(b *testing.B) { benchPipeline(b, x32, winit, k, threads, shared) })
		}
	}
}

// benchPipeline runs the three fits as scikit-learn does (each from the
// data), or with shared: from one whiten.Gram of the data (X·Xᵀ computed
// once, its time counted in the PCA stage), which gives identical results.
func benchPipeline[T kernels.Float](b *testing.B, x *matrix.Dense[T], winit *matrix.Dense[float64], k, threads int, shared bool) {
	kernels.SetThreads(threads)
	defer kernels.SetThreads(0)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
	var pca, kpca, ica, total float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c0 := cpuNow()
		var g *whiten.Gram[T]
		var err error
		if shared {
			if g, err = whiten.NewGram(x); err != nil {
				b.Fatal(err)
			}
			_, err = whiten.FitPCAGram(g, whiten.PCAOptions{NComponents: k})
		} else {
			_, err = whiten.FitPCA(x, whiten.PCAOptions{NComponents: k})
		}
		if err != nil {
			b.Fatal(err)
		}
		c1 := cpuNow()
		kopt := whiten.KernelPCAOptions{Kernel: whiten.NewKernel(whiten.KernelRBF), NComponents: k, ShareX: true}
		if shared {
			_, err = whiten.FitKernelPCAGram(g, kopt)
		} else {
			_, err = whiten.FitKernelPCA(x, kopt)
		}
		if err != nil {
			b.Fatal(err)
		}
		c2 := cpuNow()
		iopt := fastica.Options{Components: k, WInit: winit}
		if shared {
			_, _, err = fastica.FitGram(g, iopt)
		} else {
			_, _, err = fastica.Fit(x, iopt)
		}
		if err != nil {
			b.Fatal(err)
		}
		c3 := cpuNow()
		pca += c1 - c0
		kpca += c2 - c1
		ica += c3 - c2
		total += c3 - c0
	}
	n := float64(b.N)
	b.ReportMetric(pca/n, "pca-cpu-s")
	b.ReportMetric(kpca/n, "kpca-cpu-s")
	b.ReportMetric(ica/n, "ica-cpu-s")
	b.ReportMetric(total/n, "cpu-s/op")
}
