package main

import (
	"math"
	"path/filepath"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/plot"
)

// linePictures writes contrasts.png and, when an iterative method ran,
// convergence.png.
func (s *study[T]) linePictures() error {
	if err := plot.WriteLines(filepath.Join(s.dir, "contrasts.png"), contrastPanels(), 3, 1200, 400); err != nil {
		return err
	}
	s.addFile("contrasts.png", "Contrast functions",
		"FastICA's contrast functions G with g = G′ and g′, as scikit-learn defines them (logcosh with α = 1). "+
			"g is computed by the engine's contrast kernel (level "+kernels.Impl().String()+"), G and g′ in closed form.")
	if len(s.convergence) == 0 {
		s.sum.Notes = append(s.sum.Notes, "convergence.png not written: no iterative method (ica, deep) ran")
		return nil
	}
	cols := len(s.convergence)
	if err := plot.WriteLines(filepath.Join(s.dir, "convergence.png"), s.convergence, cols, 500*cols, 400); err != nil {
		return err
	}
	s.addFile("convergence.png", "Convergence",
		"FastICA: the convergence measure max |1 − |⟨wᵢ_new, wᵢ⟩|| per iteration (stops below tol). Deep model: the loss per training step.")
	return nil
}

// contrastPanels draws G, g and g′ of the three contrasts on [−3, 3].
func contrastPanels() []plot.Panel {
	const n = 241
	u := make([]float64, n)
	for i := range u {
		u[i] = -3 + 6*float64(i)/float64(n-1)
	}
	closed := map[kernels.Contrast]func(x float64) (G, dg float64){
		kernels.LogCosh: func(x float64) (float64, float64) {
			t := math.Tanh(x)
			return math.Log(math.Cosh(x)), 1 - t*t
		},
		kernels.Exp: func(x float64) (float64, float64) {
			e := math.Exp(-x * x / 2)
			return -e, (1 - x*x) * e
		},
		kernels.Cube: func(x float64) (float64, float64) { return x * x * x * x / 4, 3 * x * x },
	}
	var panels []plot.Panel
	for _, f := range []kernels.Contrast{kernels.LogCosh, kernels.Exp, kernels.Cube} {
		g := append([]float64(nil), u...)
		var gp [1]float64
		kernels.ApplyContrast(f, 1, 1, n, g, n, gp[:])
		G, dg := make([]float64, n), make([]float64, n)
		for i, x := range u {
			G[i], dg[i] = closed[f](x)
		}
		panels = append(panels, plot.Panel{
			Title: f.String(), XLabel: "u",
			Series: []plot.Series{{Name: "G(u)", X: u, Y: G}, {Name: "g(u) = G′(u)", X: u, Y: g}, {Name: "g′(u)", X: u, Y: dg}},
		})
	}
	return panels
}
