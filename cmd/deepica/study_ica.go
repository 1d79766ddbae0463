package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/deepica/deepica/fastica"
	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/plot"
	"github.com/deepica/deepica/report"
)

func init() {
	methodImpls["ica"] = methodImpl{f32: studyICA[float32], f64: studyICA[float64]}
}

// icaOptions are the study's FastICA settings: scikit-learn's defaults
// (parallel, logcosh, unit-variance whitening, 200 iterations, tol 1e-4)
// with a seeded random start.
func (s *study[T]) icaOptions(k int) fastica.Options {
	return fastica.Options{Components: k, Seed: s.o.seed}
}

// runICA writes ica.png (and ica_split.png) and the FastICA rows.
func studyICA[T kernels.Float](s *study[T]) error {
	k := s.o.components
	var row report.Method
	var tiles []plot.Tile
	err := s.stage("ica", func() (string, error) {
		t := time.Now()
		var mdl *fastica.Model
		var src *matrixT[T]
		var err error
		if g := s.sharedGram(); g != nil {
			mdl, src, err = fastica.FitGram(g, s.icaOptions(k))
		} else {
			mdl, src, err = fastica.Fit(s.m, s.icaOptions(k))
		}
		if err != nil {
			return "", fmt.Errorf("ica: %w", err)
		}
		it, conv := mdl.NIter, mdl.Converged
		row = report.Method{Name: "ica", Title: "FastICA", Components: mdl.NComponents, Seconds: time.Since(t).Seconds(),
			Iterations: &it, Converged: &conv,
			Notes: fmt.Sprintf("parallel, %s, whitening by the %s matrix (%.2f s), iterations %.2f s", mdl.Contrast, mdl.WhitenSolver,
				mdl.Timings.Whiten.Seconds(), mdl.Timings.Iterate.Seconds())}
		if len(mdl.Warnings) > 0 {
			row.Notes += "; " + strings.Join(mdl.Warnings, "; ")
		}
		sources := toF64(src)
		imgs := s.asImages(mdl.Mixing.T(), sources)
		ev, err := s.evaluate(sources, mdl.Components, nil, imgs)
		if err != nil {
			return "", err
		}
		ev.apply(&row)
		tiles = s.componentTiles(imgs, ev, func(i int) string { return fmt.Sprintf("IC%d", i+1) })
		x := make([]float64, len(mdl.Trace))
		for i := range x {
			x[i] = float64(i + 1)
		}
		s.convergence = append(s.convergence, plot.Panel{
			Title: fmt.Sprintf("FastICA, %d components", mdl.NComponents), XLabel: "iteration", YLabel: "max |1 − |<w_new, w>||",
			LogY: true, Series: []plot.Series{{Name: "convergence measure", X: x, Y: mdl.Trace}, {Name: "tol", X: []float64{1, float64(max(1, len(x)))}, Y: []float64{1e-4, 1e-4}}},
		})
		return summarizeRow(row), nil
	})
	if err != nil {
		return err
	}
	s.sum.Methods = append(s.sum.Methods, row)
	what := "mixing columns (the image each source multiplies)"
	if s.o.orientation != 0 {
		what = "sources over the pixels"
	}
	if err := s.writeGrid("ica.png", fmt.Sprintf("FastICA: %d independent components", row.Components),
		"Independent components shown as their "+what+", each rescaled to the full range. "+s.orientationNote()+"."+s.corrNote(),
		[]plot.Section{{Title: s.im.Source, Tiles: tiles, Cols: 10}}); err != nil {
		return err
	}
	if s.o.split <= 1 {
		return nil
	}
	return s.splitMethod("ica", "FastICA", func(x *matrixT[T], kp int) (*splitResult, error) {
		mdl, src, err := fastica.Fit(x, s.icaOptions(kp))
		if err != nil {
			return nil, err
		}
		conv := mdl.Converged
		return &splitResult{comps: mdl.Mixing.T(), sources: toF64(src), unmix: mdl.Components, iters: mdl.NIter, converged: &conv}, nil
	})
}
