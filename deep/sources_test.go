package deep

import (
	"fmt"
	"testing"

	"github.com/deepica/deepica/fastica"
	"github.com/deepica/deepica/gen"
	"github.com/deepica/deepica/matrix"
	"github.com/deepica/deepica/metrics"
)

// sourceSet is a small generated data set with known spatial sources.
func sourceSet(t *testing.T) *gen.ImageSet {
	t.Helper()
	set, err := gen.Images(gen.ImageConfig{N: 240, H: 24, W: 24, C: 3, K: 8, Coef: gen.Laplace, Noise: 0.05, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func sourceConfig(streams, k int) Config {
	c := DefaultConfig()
	c.Height, c.Width = 24, 24
	c.Conv = []ConvLayer{
		{Out: 8, Kernel: 3, Padding: "same", Activation: "elu"},
		{Out: 8, Kernel: 3, Padding: "same", Activation: "elu", Pool: "max"},
	}
	c.Streams, c.Components = streams, k
	c.BatchSize = 80
	c.Epochs = 12
	return c
}

// smoothedDrop returns the mean loss of the first and of the last fifth of
// the steps.
func smoothedDrop(loss []float64) (first, last float64) {
	w := max(1, len(loss)/5)
	for i := 0; i < w; i++ {
		first += loss[i] / float64(w)
		last += loss[len(loss)-w+i] / float64(w)
	}
	return first, last
}

// matchPixels matches the rows of comps ((m)×D pixel-space components)
// with the true patterns (K×D) by Hungarian-assigned |correlation|.
func matchPixels(t *testing.T, comps, patterns *matrix.Dense[float64]) metrics.Match {
	t.Helper()
	m, err := metrics.MatchCorrelation(comps.T(), patterns.T())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestTrainingOnKnownSources trains the model on generated images whose
// spatial sources are known, checks that the smoothed loss falls for both
// update modes, and reports (without asserting an outcome either way) how
// well the model's pixel-space components match the true sources compared
// with plain FastICA on the raw pixels (spatial ICA, same component count).
func TestTrainingOnKnownSources(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	set := sourceSet(t)
	// plain FastICA on raw pixels: samples are pixels, features are images
	_, src, err := fastica.Fit(set.X.T(), fastica.Options{Components: 8, Seed: 1, MaxIter: 400})
	if err != nil {
		t.Fatal(err)
	}
	base, err := metrics.MatchCorrelation(src, set.Patterns.T())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("FastICA on raw pixels (8 components): matched |corr| with the 8 true sources: mean %.3f %v", base.Mean, fmtCorr(base.AbsCorr))

	for _, mode := range []string{"adam", "fixed-point"} {
		cfg := sourceConfig(1, 8)
		cfg.ICAUpdate = mode
		m, err := New(cfg, 5)
		if err != nil {
			t.Fatal(err)
		}
		before, err := m.ComputeComponents(set.X)
		if err != nil {
			t.Fatal(err)
		}
		h, err := m.Train(set.X, nil)
		if err != nil {
			t.Fatal(err)
		}
		first, last := smoothedDrop(h.Loss)
		t.Logf("%s: %d steps, smoothed loss %.4f → %.4f (on all images: %.4f → %.4f), %v", mode, len(h.Loss), first, last, before.Loss, m.Components().Loss, h.Elapsed)
		if !(last < first) {
			t.Errorf("%s: smoothed loss did not fall: first fifth %.5f, last fifth %.5f", mode, first, last)
		}
		mb := matchPixels(t, before.ICAImages, set.Patterns)
		ma := matchPixels(t, m.Components().ICAImages, set.Patterns)
		mp := matchPixels(t, m.Components().PCAImages, set.Patterns)
		m.cfg.RefitIterations = 0
		asTrained, err := m.ComputeComponents(set.X)
		if err != nil {
			t.Fatal(err)
		}
		mt := matchPixels(t, asTrained.ICAImages, set.Patterns)
		t.Logf("%s: matched |corr| of pixel-space components with the true sources: untrained (refitted W) %.3f, trained with refitted W %.3f %v (refit iterations %v), trained W as is %.3f, PCA layer %.3f; FastICA on pixels %.3f",
			mode, mb.Mean, ma.Mean, fmtCorr(ma.AbsCorr), m.Components().RefitIterations, mt.Mean, mp.Mean, base.Mean)
		for _, v := range ma.AbsCorr {
			if !(v >= 0 && v <= 1+1e-12) {
				t.Fatalf("matched |corr| %v outside [0, 1]", v)
			}
		}
	}
}

func fmtCorr(c []float64) string {
	s := ""
	for _, v := range c {
		s += fmt.Sprintf(" %.2f", v)
	}
	return "[" + s[min(1, len(s)):] + "]"
}
