package main

import (
	"fmt"
	"time"

	"github.com/deepica/deepica/gen"
	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
	"github.com/deepica/deepica/plot"
	"github.com/deepica/deepica/report"
	"github.com/deepica/deepica/whiten"
)

func init() {
	methodImpls["kpca"] = methodImpl{f32: studyKPCA[float32], f64: studyKPCA[float64]}
	delete(methodMissing, "kpca")
}

// kpcaDenseMax is the most samples kernel PCA decomposes densely (an n×n
// kernel matrix); beyond it, as for pixels as samples, the Nyström solver
// with kpcaLandmarks landmarks bounds memory at n·m.
const (
	kpcaDenseMax  = 4000
	kpcaLandmarks = 300
)

// kpcaOptions: the RBF kernel with scikit-learn's default γ = 1/n_features.
func (s *study[T]) kpcaOptions(n, k int) whiten.KernelPCAOptions {
	opt := whiten.KernelPCAOptions{Kernel: whiten.NewKernel(whiten.KernelRBF), NComponents: k, ShareX: true}
	if n > kpcaDenseMax {
		opt.Landmarks, opt.Seed = kpcaLandmarks, s.o.seed
	}
	return opt
}

// kpcaImages returns the picture of each kernel principal component. With
// images as samples a component is a direction in the kernel's feature
// space, not an image; it is shown as the eigenvector-weighted sum of the
// centred images, Σᵢ αᵢₖ·(xᵢ − x̄) (for the linear kernel exactly the PCA
// component, up to scale). With pixels as samples its scores over the
// pixels are the image.
func kpcaImages[T kernels.Float](x *matrix.Dense[T], m *whiten.KernelPCA[T], o gen.Orientation) *matrix.Dense[float64] {
	if o == gen.PixelsAsSamples {
		return toF64(m.Scores).T()
	}
	n, d, k := x.Rows, x.Cols, m.NComponents
	ev := m.Eigenvectors
	out := make([]T, k*d)
	// Σᵢ αᵢₖ(xᵢ − x̄) = (αᵀx)ₖ − (Σᵢ αᵢₖ)·x̄, without a centred copy of x.
	kernels.Gemm(kernels.Trans, kernels.NoTrans, k, d, n, 1, ev.Data, ev.Stride, x.Data, x.Stride, 0, out, d)
	imgs := matrix.New[float64](k, d)
	mean := make([]float64, d)
	for i := 0; i < n; i++ {
		for j, v := range x.Row(i) {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	for c := 0; c < k; c++ {
		var w float64
		for i := 0; i < n; i++ {
			w += float64(ev.At(i, c))
		}
		row := imgs.Row(c)
		for j := range row {
			row[j] = float64(out[c*d+j]) - w*mean[j]
		}
	}
	return imgs
}

// studyKPCA writes kpca.png (and kpca_split.png) and the kernel PCA rows.
func studyKPCA[T kernels.Float](s *study[T]) error {
	k := s.o.components
	var row report.Method
	var tiles []plot.Tile
	err := s.stage("kpca", func() (string, error) {
		t := time.Now()
		opt := s.kpcaOptions(s.m.Rows, k)
		var m *whiten.KernelPCA[T]
		var err error
		if g := s.sharedGram(); g != nil { // precomputed and Nyström fits ignore the Gram
			m, err = whiten.FitKernelPCAGram(g, opt)
		} else {
			m, err = whiten.FitKernelPCA(s.m, opt)
		}
		if err != nil {
			return "", fmt.Errorf("kpca: %w", err)
		}
		row = report.Method{Name: "kpca", Title: "Kernel PCA (RBF)", Components: m.NComponents, Seconds: time.Since(t).Seconds(),
			Notes: fmt.Sprintf("rbf kernel, gamma %.3g (1/n_features); %s solver (%v)", m.Kernel.Gamma, m.Solver, m.Eigensolver)}
		if m.Solver == "nystrom" {
			row.Notes += fmt.Sprintf(" with %d landmarks: %d samples are too many for a dense kernel matrix", len(m.Landmarks), s.m.Rows)
		}
		for _, w := range m.Warnings {
			row.Notes += "; " + w.Message
		}
		row.Notes += "; no Amari index: the map is not linear"
		imgs := kpcaImages(s.m, m, s.o.orientation)
		ev, err := s.evaluate(toF64(m.Scores), nil, nil, imgs)
		if err != nil {
			return "", err
		}
		ev.apply(&row)
		tiles = s.componentTiles(imgs, ev, func(i int) string { return fmt.Sprintf("KPC%d", i+1) })
		return summarizeRow(row), nil
	})
	if err != nil {
		return err
	}
	s.sum.Methods = append(s.sum.Methods, row)
	what := "the eigenvector-weighted sum of the centred images, Σᵢ αᵢₖ·(xᵢ − x̄)"
	if s.o.orientation == gen.PixelsAsSamples {
		what = "their scores over the pixels"
	}
	if err := s.writeGrid("kpca.png", fmt.Sprintf("Kernel PCA (RBF): %d components", row.Components),
		"Kernel principal components (RBF kernel, γ = 1/n_features as scikit-learn), shown as "+what+", each rescaled to the full range. "+
			s.orientationNote()+"."+s.corrNote(),
		[]plot.Section{{Title: s.im.Source, Tiles: tiles, Cols: 10}}); err != nil {
		return err
	}
	if s.o.split <= 1 {
		return nil
	}
	return s.splitMethod("kpca", "Kernel PCA", func(x *matrixT[T], kp int) (*splitResult, error) {
		m, err := whiten.FitKernelPCA(x, s.kpcaOptions(x.Rows, kp))
		if err != nil {
			return nil, err
		}
		sc := toF64(m.Scores)
		return &splitResult{comps: kpcaImages(x, m, s.o.orientation), sources: sc}, nil
	})
}
