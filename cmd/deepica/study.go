package main

import (
	"context"
	"fmt"
	"github.com/deepica/deepica/whiten"
	"math"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/deepica/deepica/dataset"
	"github.com/deepica/deepica/gen"
	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
	"github.com/deepica/deepica/metrics"
	"github.com/deepica/deepica/plot"
	"github.com/deepica/deepica/report"
)

// study is one run of the study: the data in the chosen orientation, what
// is known about it, and the results gathered so far.
type study[T kernels.Float] struct {
	ctx   context.Context
	o     *runOptions
	im    *dataset.Images
	truth *gen.ImageSet
	// m is the data matrix the methods see: images × pixels (orientation
	// images) or pixels × images (orientation pixels).
	m *matrix.Dense[T]
	// gram is X·Xᵀ of m, shared by PCA, kernel PCA and FastICA when they
	// take the Gram route (see sharedGram); gramDone once it was tried.
	gram     *whiten.Gram[T]
	gramDone bool
	// tSrc (samples × K) and tMix (features × K) are the true sources and
	// mixing matrix in the chosen orientation; nil when unknown.
	tSrc, tMix *matrix.Dense[float64]
	// patT is the true patterns as columns (C·H·W × K), built on first use.
	patT *matrix.Dense[float64]
	dir  string
	prog *progress
	sum  *report.Summary
	// convergence collects the curves of convergence.png: one panel per
	// iterative method.
	convergence []plot.Panel
}

// methodImpl runs one method of the study, for each element type. Methods
// register themselves from their own files, so a method whose package is
// not part of this build is reported as missing rather than failing the
// build.
type methodImpl struct {
	f32 func(*study[float32]) error
	f64 func(*study[float64]) error
}

var methodImpls = map[string]methodImpl{}

// methodMissing explains, per method, why it is not built in (set next to
// the registration that would replace it).
var methodMissing = map[string]string{
	"pca":  "not built into this binary",
	"kpca": "not built into this binary",
	"ica":  "not built into this binary: package fastica is not available yet",
	"deep": "not built into this binary: package deep is not available yet",
}

func runTyped[T kernels.Float](ctx context.Context, o *runOptions, dir string, prog *progress) error {
	start := time.Now()
	s := &study[T]{ctx: ctx, o: o, dir: dir, prog: prog}
	s.sum = &report.Summary{
		Command:     "deepica run " + strings.Join(o.args, " "),
		Orientation: o.orientation.String(),
		Components:  o.components,
		Split:       o.split,
		Seed:        o.seed,
		DType:       o.dtype,
		KernelLevel: kernels.Impl().String(),
		KernelWhy:   kernels.Why(),
		Threads:     kernels.Threads(),
		GoVersion:   runtime.Version(),
		Missing:     []report.Missing{},
		Notes:       []string{},
	}
	if err := s.stage("load data", func() (string, error) {
		im, truth, err := loadData(o)
		if err != nil {
			return "", err
		}
		s.im, s.truth = im, truth
		return fmt.Sprintf("%d images of %d×%d×%d", im.N(), im.H, im.W, im.C), nil
	}); err != nil {
		return err
	}
	if err := s.checkSizes(); err != nil {
		return err
	}
	s.prepare()
	if s.truth != nil {
		s.sum.Notes = append(s.sum.Notes,
			"Amari index: normalised Amari index of (estimated unmixing × true mixing), 0 for a perfect separation up to order and scale, about 0.5 and more for unrelated matrices; only for linear methods with as many components as true sources.",
			"Sources |corr|: each true source paired with a distinct estimated source (Hungarian assignment on |Pearson correlation|) in the chosen orientation: per-image coefficients for images as samples, patterns over the pixels for pixels as samples.",
			"Pictures vs patterns |corr|: the same matching between the component pictures and the true patterns, over the pixels; it applies to every method, the deep model included.")
	}
	if o.methods["deep"] && o.orientation == gen.PixelsAsSamples {
		s.sum.Notes = append(s.sum.Notes, "--orientation applies to PCA, kernel PCA and FastICA; the deep model has its own structure (conv layers over images, a PCA layer over each stream's images, ICA over the feature positions).")
	}

	if s.truth != nil {
		if err := s.truthPicture(); err != nil {
			return err
		}
	}
	for _, name := range allMethods {
		if !o.methods[name] {
			continue
		}
		impl, ok := methodImpls[name]
		if !ok {
			s.sum.Missing = append(s.sum.Missing, report.Missing{Method: name, Reason: methodMissing[name]})
			s.prog.note("%s: skipped, %s", name, methodMissing[name])
			continue
		}
		var err error
		switch st := any(s).(type) {
		case *study[float32]:
			err = impl.f32(st)
		case *study[float64]:
			err = impl.f64(st)
		}
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if err := s.stage("pictures", func() (string, error) { return "", s.linePictures() }); err != nil {
		return err
	}
	s.sum.Seconds = time.Since(start).Seconds()
	s.sum.Files = append(s.sum.Files, "report.html", "summary.json")
	if err := report.WriteHTML(filepath.Join(dir, "report.html"), s.sum); err != nil {
		return err
	}
	return report.WriteJSON(filepath.Join(dir, "summary.json"), s.sum)
}

// stage runs f as a named, timed stage with progress.
func (s *study[T]) stage(name string, f func() (string, error)) error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	s.prog.begin(name)
	t := time.Now()
	res, err := f()
	if err != nil {
		s.prog.end("failed")
		return err
	}
	if res == "" {
		res = "done"
	}
	s.prog.end(res)
	s.sum.Stages = append(s.sum.Stages, report.Stage{Name: name, Seconds: time.Since(t).Seconds()})
	return nil
}

// checkSizes refuses data with too few images for the components asked:
// centred data of n images has rank at most n−1.
func (s *study[T]) checkSizes() error {
	n, k, sp := s.im.N(), s.o.components, max(1, s.o.split)
	need := k + 1
	if sp > 1 {
		need = max(need, sp*(k/sp+1))
	}
	if n < need {
		what := ""
		if sp > 1 {
			what = fmt.Sprintf(" (and %d per part for --split %d)", k/sp+1, sp)
		}
		return usagef("%d images are too few for %d components: need at least %d%s", n, k, need, what)
	}
	if d := s.im.C * s.im.H * s.im.W; d < k+1 {
		return usagef("images of %d values are too small for %d components", d, k)
	}
	return nil
}

// prepare builds the data matrix and the truth in the chosen orientation.
func (s *study[T]) prepare() {
	x := s.im.X
	if s.o.orientation == gen.PixelsAsSamples {
		x = x.T()
	}
	s.m = matrix.Convert[T](x)
	s.sum.Data = report.Data{
		Source: s.im.Source, Images: s.im.N(), Channels: s.im.C, Height: s.im.H, Width: s.im.W,
		Samples: s.m.Rows, Features: s.m.Cols, Generated: s.truth != nil,
	}
	if s.truth != nil {
		s.tSrc, s.tMix = s.truth.Truth(s.o.orientation)
		s.sum.Data.TrueSources = s.truth.Config.K
	}
}

// pixelsPerImage is C·H·W.
func (s *study[T]) pixelsPerImage() int { return s.im.C * s.im.H * s.im.W }

// addFile records a file written into the output directory.
func (s *study[T]) addFile(name, title, caption string) {
	s.sum.Files = append(s.sum.Files, name)
	s.sum.Pictures = append(s.sum.Pictures, report.Picture{File: name, Title: title, Caption: caption})
}

func (s *study[T]) truthPicture() error {
	k := s.truth.Config.K
	tiles := make([]plot.Tile, k)
	for j := 0; j < k; j++ {
		tiles[j] = plot.Tile{Title: fmt.Sprintf("S%d %v", j+1, s.truth.Kinds[j]),
			Image: plot.ComponentImage(s.truth.Patterns.Row(j), s.im.C, s.im.H, s.im.W)}
	}
	nShow := min(10, s.im.N())
	samples := make([]plot.Tile, nShow)
	for i := range samples {
		samples[i] = plot.Tile{Title: fmt.Sprintf("image %d", i), Image: plot.ComponentImage(s.im.X.Row(i), s.im.C, s.im.H, s.im.W)}
	}
	img := plot.Grid("Generated data: the true source patterns and the first images",
		[]plot.Section{{Title: "true patterns", Tiles: tiles, Cols: 10}, {Title: fmt.Sprintf("data (sums of the patterns with %v coefficients, plus noise)", s.truth.Config.Coef), Tiles: samples, Cols: 10}},
		plot.GridOptions{})
	if err := plot.WritePNG(filepath.Join(s.dir, "truth.png"), img); err != nil {
		return err
	}
	s.addFile("truth.png", "Truth", "The generated data set's source patterns and sample images: the ground truth the components below are compared with.")
	return nil
}

// evaluation is how well estimated components match the truth.
type evaluation struct {
	order []int     // display order: estimated component shown at position i
	sign  []float64 // ±1 per estimated component, applied before display
	corr  []float64 // |corr| of each component image with its matched true pattern (NaN: no truth)
	// Source metrics: estimated sources against the true sources of the
	// orientation (nil when unknown or not applicable).
	srcMean, srcMin *float64
	amari           *float64
	// Pattern metrics: component images against the true patterns.
	patMean, patMin *float64
}

// evaluate compares a method's results with the truth, when known:
//   - imgs (m × C·H·W), the component images, with the true patterns
//     (Hungarian-matched |corr| over pixels), which also fixes the display
//     order (by matched pattern) and signs (positive correlation);
//   - est (samples × m, nil: skip), the estimated sources, with the true
//     sources of the orientation, restricted to truthRows (nil: all);
//   - unmix (m × features, nil: skip) through the Amari index of
//     unmix·tMix when m equals the number of true sources.
//
// Without truth the order is the method's and each image's largest-magnitude
// value is made positive.
func (s *study[T]) evaluate(est, unmix *matrix.Dense[float64], truthRows []int, imgs *matrix.Dense[float64]) (evaluation, error) {
	m := imgs.Rows
	ev := evaluation{order: make([]int, m), sign: make([]float64, m), corr: make([]float64, m)}
	for i := range ev.order {
		ev.order[i], ev.sign[i], ev.corr[i] = i, peakSign(imgs.Row(i)), math.NaN()
	}
	if s.truth == nil {
		return ev, nil
	}
	if s.patT == nil {
		s.patT = s.truth.Patterns.T()
	}
	// Pair every component image with a distinct true pattern (m ≤ K) and
	// show them in the order of the patterns they match.
	it := imgs.T()
	mt, err := metrics.MatchCorrelation(s.patT, it)
	if err != nil {
		return ev, fmt.Errorf("matching components with the true patterns: %w", err)
	}
	type pair struct{ est, src int }
	pairs := make([]pair, m)
	for e, t := range mt.Est {
		pairs[e] = pair{e, t}
	}
	sort.Slice(pairs, func(a, b int) bool { return pairs[a].src < pairs[b].src })
	mn := math.Inf(1)
	for i, p := range pairs {
		ev.order[i] = p.est
		c := signedCorr(it, p.est, s.patT, p.src)
		ev.corr[p.est] = math.Abs(c)
		ev.sign[p.est] = 1
		if c < 0 {
			ev.sign[p.est] = -1
		}
		mn = math.Min(mn, math.Abs(c))
	}
	mean := mt.Mean
	ev.patMean, ev.patMin = &mean, &mn

	if est != nil {
		truth := s.tSrc
		if truthRows != nil {
			truth = matrix.New[float64](len(truthRows), s.tSrc.Cols)
			for r, i := range truthRows {
				copy(truth.Row(r), s.tSrc.Row(i))
			}
		}
		ms, err := metrics.MatchCorrelation(truth, est)
		if err != nil {
			return ev, fmt.Errorf("matching sources with the truth: %w", err)
		}
		smin := math.Inf(1)
		for _, c := range ms.AbsCorr {
			smin = math.Min(smin, c)
		}
		smean := ms.Mean
		ev.srcMean, ev.srcMin = &smean, &smin
	}
	if unmix != nil && unmix.Rows == s.tMix.Cols {
		g, err := metrics.Gain(unmix, s.tMix)
		if err != nil {
			return ev, err
		}
		a, err := metrics.Amari(g)
		if err != nil {
			return ev, err
		}
		ev.amari = &a
	}
	return ev, nil
}

// apply fills a report row with the evaluation's numbers.
func (ev evaluation) apply(m *report.Method) {
	m.MatchedCorr, m.MinMatchedCorr = ev.srcMean, ev.srcMin
	m.PatternCorr, m.MinPatternCorr = ev.patMean, ev.patMin
	m.Amari = ev.amari
}

// peakSign returns the sign of v's largest-magnitude value (1 for zero).
func peakSign(v []float64) float64 {
	best := 0.0
	for _, x := range v {
		if math.Abs(x) > math.Abs(best) {
			best = x
		}
	}
	if best < 0 {
		return -1
	}
	return 1
}

// signedCorr is the Pearson correlation of column i of a with column j of b.
func signedCorr(a *matrix.Dense[float64], i int, b *matrix.Dense[float64], j int) float64 {
	n := a.Rows
	var ma, mb float64
	for r := 0; r < n; r++ {
		ma += a.At(r, i)
		mb += b.At(r, j)
	}
	ma /= float64(n)
	mb /= float64(n)
	var sab, saa, sbb float64
	for r := 0; r < n; r++ {
		x, y := a.At(r, i)-ma, b.At(r, j)-mb
		sab += x * y
		saa += x * x
		sbb += y * y
	}
	if saa == 0 || sbb == 0 {
		return 0
	}
	return sab / math.Sqrt(saa*sbb)
}

// componentTiles renders the rows of imgs (m × C·H·W) in the evaluation's
// order and signs, titled by label(i) and the matched correlation.
func (s *study[T]) componentTiles(imgs *matrix.Dense[float64], ev evaluation, label func(i int) string) []plot.Tile {
	tiles := make([]plot.Tile, 0, imgs.Rows)
	buf := make([]float64, imgs.Cols)
	for _, i := range ev.order {
		for j, v := range imgs.Row(i) {
			buf[j] = ev.sign[i] * v
		}
		title := label(i)
		if !math.IsNaN(ev.corr[i]) {
			title += fmt.Sprintf("\nr=%.2f", ev.corr[i])
		}
		tiles = append(tiles, plot.Tile{Title: title, Image: plot.ComponentImage(buf, s.im.C, s.im.H, s.im.W)})
	}
	return tiles
}

// writeGrid writes one grid picture and records it.
func (s *study[T]) writeGrid(file, title, caption string, sections []plot.Section) error {
	img := plot.Grid(title, sections, plot.GridOptions{})
	if err := plot.WritePNG(filepath.Join(s.dir, file), img); err != nil {
		return err
	}
	s.addFile(file, title, caption)
	return nil
}

// parts splits n items into s.o.split contiguous parts.
func (s *study[T]) parts(n int) [][2]int {
	sp := s.o.split
	ps := make([][2]int, sp)
	for p := range ps {
		ps[p] = [2]int{p * n / sp, (p + 1) * n / sp}
	}
	return ps
}

// splitData returns part p of the data: a block of images (rows in the
// images orientation, columns in the pixels orientation), and the truth rows
// that go with its samples (nil: all).
func (s *study[T]) splitData(r [2]int) (*matrix.Dense[T], []int) {
	if s.o.orientation == gen.PixelsAsSamples {
		return s.m.Slice(0, s.m.Rows, r[0], r[1]).Clone(), nil
	}
	rows := make([]int, 0, r[1]-r[0])
	for i := r[0]; i < r[1]; i++ {
		rows = append(rows, i)
	}
	return s.m.Slice(r[0], r[1], 0, s.m.Cols).Clone(), rows
}

// asImages returns the component images (m × C·H·W) of a linear method
// from its components (m × features, orientation images) or its sources
// (samples × m, orientation pixels).
func (s *study[T]) asImages(comps, sources *matrix.Dense[float64]) *matrix.Dense[float64] {
	if s.o.orientation == gen.PixelsAsSamples {
		return sources.T()
	}
	return comps
}

func (s *study[T]) orientationNote() string {
	if s.o.orientation == gen.PixelsAsSamples {
		return "pixels are the samples (spatial ICA): each component image is a source over the pixels"
	}
	return "images are the samples: each component is an image (a row of the components, or a mixing column for ICA)"
}

// toF64 converts a matrix to float64 (a copy).
func toF64[T kernels.Float](m *matrix.Dense[T]) *matrix.Dense[float64] {
	return matrix.Convert[float64](m)
}

// sharedGram returns X·Xᵀ of the study matrix, computed on first use (its
// time counts in the first method's stage), when the methods would each
// compute it anyway: more features than samples, so PCA and FastICA's
// whitening take the Gram route, and kernel PCA's kernels are functions
// of it. The fits given it return exactly what they return from the data
// (whiten and fastica test that); the study then does one 500×500
// product over the 27648 pixels instead of three. nil otherwise, or when
// the Gram cannot be formed: the fits then start from the data and report
// the problem themselves.
func (s *study[T]) sharedGram() *whiten.Gram[T] {
	if !s.gramDone {
		s.gramDone = true
		if s.m.Cols > s.m.Rows {
			s.gram, _ = whiten.NewGram(s.m)
		}
	}
	return s.gram
}
