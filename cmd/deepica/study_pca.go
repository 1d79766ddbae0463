package main

import (
	"fmt"
	"time"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/plot"
	"github.com/deepica/deepica/report"
	"github.com/deepica/deepica/whiten"
)

func init() {
	methodImpls["pca"] = methodImpl{f32: studyPCA[float32], f64: studyPCA[float64]}
}

// runPCA writes pca.png (and pca_split.png) and the PCA rows of the report.
func studyPCA[T kernels.Float](s *study[T]) error {
	k := s.o.components
	var row report.Method
	var tiles []plot.Tile
	err := s.stage("pca", func() (string, error) {
		t := time.Now()
		opt := whiten.PCAOptions{NComponents: k}
		var p *whiten.PCA[T]
		var scores *matrixT[T]
		var err error
		if g := s.sharedGram(); g != nil {
			p, scores, err = whiten.FitTransformGram(g, opt)
		} else {
			p, scores, err = whiten.FitTransform(s.m, opt)
		}
		if err != nil {
			return "", fmt.Errorf("pca: %w", err)
		}
		row = report.Method{Name: "pca", Title: "PCA", Components: p.NComponents, Seconds: time.Since(t).Seconds(),
			Notes: fmt.Sprintf("solver %v (%v); %.1f%% of the variance kept", p.Solver, p.Eigensolver, 100*sumFloat(p.ExplainedVarianceRatio))}
		for _, w := range p.Warnings {
			row.Notes += "; " + w.Message
		}
		comps, src := toF64(p.Components), toF64(scores)
		imgs := s.asImages(comps, src)
		ev, err := s.evaluate(src, comps, nil, imgs)
		if err != nil {
			return "", err
		}
		ev.apply(&row)
		tiles = s.componentTiles(imgs, ev, func(i int) string {
			return fmt.Sprintf("PC%d %.1f%%", i+1, 100*p.ExplainedVarianceRatio[i])
		})
		return summarizeRow(row), nil
	})
	if err != nil {
		return err
	}
	s.sum.Methods = append(s.sum.Methods, row)
	if err := s.writeGrid("pca.png", fmt.Sprintf("PCA: %d principal components", row.Components),
		"Principal components (each rescaled to the full range; sign chosen to match the truth where known, else largest value positive). "+
			s.orientationNote()+". Titles: component, explained variance"+s.corrNote()+".",
		[]plot.Section{{Title: s.im.Source, Tiles: tiles, Cols: 10}}); err != nil {
		return err
	}
	if s.o.split <= 1 {
		return nil
	}
	return s.splitMethod("pca", "PCA", func(x *matrixT[T], kp int) (*splitResult, error) {
		p, scores, err := whiten.FitTransform(x, whiten.PCAOptions{NComponents: kp})
		if err != nil {
			return nil, err
		}
		return &splitResult{comps: toF64(p.Components), sources: toF64(scores), unmix: toF64(p.Components)}, nil
	})
}

func sumFloat(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

// summarizeRow is the one-line progress result of a method.
func summarizeRow(m report.Method) string {
	s := fmt.Sprintf("%d components", m.Components)
	if m.Iterations != nil {
		s += fmt.Sprintf(", %d iterations", *m.Iterations)
	}
	if m.Converged != nil && !*m.Converged {
		s += ", NOT converged"
	}
	if m.Amari != nil {
		s += fmt.Sprintf(", Amari %.3f", *m.Amari)
	}
	if m.MatchedCorr != nil {
		s += fmt.Sprintf(", sources |corr| %.3f (min %.3f)", *m.MatchedCorr, *m.MinMatchedCorr)
	}
	if m.PatternCorr != nil {
		s += fmt.Sprintf(", pictures vs patterns |corr| %.3f (min %.3f)", *m.PatternCorr, *m.MinPatternCorr)
	}
	return s
}
