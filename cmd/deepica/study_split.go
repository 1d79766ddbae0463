package main

import (
	"fmt"
	"math"
	"time"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
	"github.com/deepica/deepica/plot"
	"github.com/deepica/deepica/report"
)

type matrixT[T kernels.Float] = matrix.Dense[T]

// splitResult is a linear method's result on one part of the data, in
// float64: components (k × features), sources (samples × k) and, when the
// method has one, the unmixing matrix (k × features).
type splitResult struct {
	comps, sources, unmix *matrix.Dense[float64]
	iters                 int
	converged             *bool
}

// splitMethod runs fit on each of the --split parts of the data with
// components/split components each, writes <name>_split.png with one section
// per part, and adds a report row with the mean matched correlation over the
// parts (each estimated component paired with a distinct true source).
func (s *study[T]) splitMethod(name, title string, fit func(x *matrixT[T], k int) (*splitResult, error)) error {
	sp := s.o.split
	kp := s.o.components / sp
	n := s.im.N()
	var sections []plot.Section
	row := report.Method{Name: name + "_split", Title: fmt.Sprintf("%s, data split in %d parts", title, sp), Components: kp * sp}
	var corrSum, corrMin, patSum, patMin float64 = 0, math.Inf(1), 0, math.Inf(1)
	matched := false
	allConv := true
	haveConv := false
	iters := 0
	err := s.stage(name+" split", func() (string, error) {
		t := time.Now()
		for p, r := range s.parts(n) {
			if err := s.ctx.Err(); err != nil {
				return "", err
			}
			s.prog.step(p, sp, fmt.Sprintf("part %d/%d", p+1, sp))
			x, truthRows := s.splitData(r)
			res, err := fit(x, kp)
			if err != nil {
				return "", fmt.Errorf("%s on part %d (images %d–%d): %w", name, p+1, r[0], r[1]-1, err)
			}
			imgs := s.asImages(res.comps, res.sources)
			ev, err := s.evaluate(res.sources, nil, truthRows, imgs)
			if err != nil {
				return "", err
			}
			if ev.srcMean != nil {
				matched = true
				corrSum += *ev.srcMean
				corrMin = math.Min(corrMin, *ev.srcMin)
				patSum += *ev.patMean
				patMin = math.Min(patMin, *ev.patMin)
			}
			if res.converged != nil {
				haveConv = true
				allConv = allConv && *res.converged
				iters = max(iters, res.iters)
			}
			sections = append(sections, plot.Section{
				Title: fmt.Sprintf("part %d: images %d–%d", p+1, r[0], r[1]-1),
				Tiles: s.componentTiles(imgs, ev, func(i int) string { return fmt.Sprintf("P%d.%d", p+1, i+1) }),
				Cols:  10,
			})
		}
		s.prog.step(sp, sp, "")
		row.Seconds = time.Since(t).Seconds()
		if matched {
			mean, pmean := corrSum/float64(sp), patSum/float64(sp)
			row.MatchedCorr, row.MinMatchedCorr = &mean, &corrMin
			row.PatternCorr, row.MinPatternCorr = &pmean, &patMin
			row.Notes = fmt.Sprintf("%d components per part; each matched to a distinct true source of that part's samples; no Amari index (fewer components than sources)", kp)
		} else {
			row.Notes = fmt.Sprintf("%d components per part", kp)
		}
		if haveConv {
			row.Iterations, row.Converged = &iters, &allConv
			row.Notes += "; iterations: the most of any part"
		}
		return summarizeRow(row), nil
	})
	if err != nil {
		return err
	}
	s.sum.Methods = append(s.sum.Methods, row)
	return s.writeGrid(name+"_split.png", fmt.Sprintf("%s on the data split into %d parts, %d components each", title, sp, kp),
		fmt.Sprintf("%s fitted separately to each of %d equal parts of the images (as the deep model's streams do), %d components per part. ", title, sp, kp)+
			s.orientationNote()+"."+s.corrNote(), sections)
}

// corrNote explains the r in tile titles when the truth is known.
func (s *study[T]) corrNote() string {
	if s.tSrc == nil {
		return ""
	}
	return " On generated data, components are ordered by the true pattern they match (Hungarian assignment) and r is the |correlation| over pixels of the picture with that true pattern"
}
