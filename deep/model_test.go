package deep

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

func randomImages(cfg Config, n int, seed uint64) *matrix.Dense[float64] {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := matrix.New[float64](n, cfg.Channels*cfg.Height*cfg.Width)
	for i := range x.Data {
		x.Data[i] = rng.ExpFloat64() - 1
	}
	return x
}

func TestGaussianContrastMeans(t *testing.T) {
	// closed forms: E[−exp(−ν²/2)] = −1/√2, E[ν⁴/4] = 3/4; E[log cosh ν]
	// = 0.37456720749... (tabulated, e.g. Hyvärinen's FastICA literature)
	for _, c := range []struct {
		f     kernels.Contrast
		alpha float64
		want  float64
	}{
		{kernels.Exp, 1, -1 / math.Sqrt2},
		{kernels.Cube, 1, 0.75},
		{kernels.LogCosh, 1, 0.3745672075},
	} {
		got := newContrast(c.f, c.alpha).gauss
		if math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%v: E[G(ν)] = %.12f, want %.12f", c.f, got, c.want)
		}
	}
}

func TestSymDecorrelate(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	const k = 6
	w := randn(rng, k*k)
	if err := symDecorrelate(w, k); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			var s float64
			for r := 0; r < k; r++ {
				s += w[i*k+r] * w[j*k+r]
			}
			want := 0.0
			if i == j {
				want = 1
			}
			if math.Abs(s-want) > 1e-13 {
				t.Fatalf("(W·Wᵀ)[%d,%d] = %g", i, j, s)
			}
		}
	}
	if err := symDecorrelate(make([]float64, k*k), k); err == nil {
		t.Error("zero W decorrelated without error")
	}
}

// The first Adam step with bias correction by the step count moves every
// parameter by lr·g/(|g| + ε) ≈ lr·sign(g): m̂ = g and v̂ = g² at t = 1.
// Without the correction (the study's bug) the step would be
// lr·0.1·g/(√0.001·|g|) ≈ 3.16·lr.
func TestFirstAdamStepIsBiasCorrected(t *testing.T) {
	cfg := tinyConfig()
	m, err := New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	n := m.n64
	x := randomImages(cfg, cfg.BatchSize, 2)
	if _, err := n.lossAndGrad(x.Data, cfg.BatchSize); err != nil {
		t.Fatal(err)
	}
	p := n.layers[0].Params()[0]
	before := append([]float64(nil), p.Value...)
	grad := append([]float64(nil), p.Grad...)
	if err := n.update(); err != nil {
		t.Fatal(err)
	}
	for i := range before {
		want := -cfg.LearningRate * grad[i] / (math.Abs(grad[i]) + cfg.AdamEps)
		if d := p.Value[i] - before[i]; math.Abs(d-want) > 1e-12 {
			t.Fatalf("first step of weight %d: %g, want %g", i, d, want)
		}
	}
}

func TestTrainingDeterministic(t *testing.T) {
	defer kernels.SetThreads(0)
	cfg := tinyConfig()
	cfg.DType = "float32"
	cfg.Epochs = 2
	x := randomImages(cfg, 40, 3)
	var ref []float64
	var refComp []float64
	for _, th := range []int{1, 2, 1} {
		kernels.SetThreads(th)
		m, err := New(cfg, 11)
		if err != nil {
			t.Fatal(err)
		}
		h, err := m.Train(x, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Loss) != 2*(40/cfg.BatchSize) {
			t.Fatalf("%d steps, want %d", len(h.Loss), 2*(40/cfg.BatchSize))
		}
		if ref == nil {
			ref, refComp = h.Loss, m.Components().ICA.Data
			continue
		}
		for i := range ref {
			if math.Float64bits(ref[i]) != math.Float64bits(h.Loss[i]) {
				t.Fatalf("threads=%d: loss at step %d is %v, was %v", th, i, h.Loss[i], ref[i])
			}
		}
		for i, v := range m.Components().ICA.Data {
			if math.Float64bits(v) != math.Float64bits(refComp[i]) {
				t.Fatalf("threads=%d: component value %d differs", th, i)
			}
		}
	}
}

func TestFeatureMapsAndComponentsShapes(t *testing.T) {
	cfg := tinyConfig()
	cfg.Epochs = 1
	m, err := New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	if m.Components() != nil {
		t.Error("components before training")
	}
	x := randomImages(cfg, 32, 4)
	var calls int
	if _, err := m.Train(x, func(p Progress) { calls++ }); err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Errorf("%d progress calls, want 2", calls)
	}
	fm, err := m.FeatureMaps(x.Row(3))
	if err != nil {
		t.Fatal(err)
	}
	if len(fm) != 2 || fm[0].Shape.C != 4 || fm[0].Shape.H != 12 || fm[1].Shape.C != 3 || fm[1].Shape.H != 6 || fm[1].Shape.W != 5 {
		t.Fatalf("feature maps %+v", []any{fm[0].Shape, fm[1].Shape})
	}
	// the first map is tanh(conv(x)): inside (−1, 1)
	for _, v := range fm[0].Data {
		if !(v > -1 && v < 1) {
			t.Fatalf("tanh feature %g", v)
		}
	}
	c := m.Components()
	k := cfg.Streams * cfg.Components
	d := m.FeatureShape().Size()
	if c.ICA.Rows != k || c.ICA.Cols != d || c.PCA.Rows != k || c.ICAImages.Cols != x.Cols || len(c.Streams) != cfg.Streams {
		t.Fatalf("components %d×%d, images %d×%d, %d streams", c.ICA.Rows, c.ICA.Cols, c.ICAImages.Rows, c.ICAImages.Cols, len(c.Streams))
	}
	// the PCA layer's output is white over the features: Z·Zᵀ/D = I per stream
	for s := 0; s < cfg.Streams; s++ {
		for i := 0; i < cfg.Components; i++ {
			for j := 0; j < cfg.Components; j++ {
				var v float64
				for q := 0; q < d; q++ {
					v += c.PCA.At(s*cfg.Components+i, q) * c.PCA.At(s*cfg.Components+j, q)
				}
				want := 0.0
				if i == j {
					want = 1
				}
				if math.Abs(v/float64(d)-want) > 1e-4 { // float32 features
					t.Fatalf("stream %d: (Z·Zᵀ/D)[%d,%d] = %g", s, i, j, v/float64(d))
				}
			}
		}
	}
}

func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.json")
	if err := os.WriteFile(path, []byte(`{"streams": 2, "components": 5, "ica_update": "fixed-point", "batch_size": 100}`), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Streams != 2 || c.Components != 5 || c.ICAUpdate != "fixed-point" || c.Height != 96 || len(c.Conv) != 3 {
		t.Fatalf("config %+v", c)
	}
	for _, bad := range []struct{ json, want string }{
		{`{"stream": 2}`, "unknown field"},
		{`{"batch_size": 30}`, "multiple"},
		{`{"batch_size": 40}`, "need more than"},
		{`{"contrast": "square"}`, "contrast"},
		{`{"ica_update": "sgd"}`, "ICA update"},
		{`{"conv": [{"out": 4, "kernel": 3, "activation": "elu", "padding": "full"}]}`, "padding"},
		{`{"dtype": "float16"}`, "dtype"},
		{`{"alpha": 3}`, "alpha"},
		{`{"refit_iterations": -1}`, "refit"},
		{`{`, "config"},
	} {
		if _, err := ParseConfig([]byte(bad.json)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: error %v, want one mentioning %q", bad.json, err, bad.want)
		}
	}
	if _, err := LoadConfig(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("missing file loaded")
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("default config: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	cfg := tinyConfig()
	m, err := New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Train(randomImages(cfg, 10, 1), nil); err == nil {
		t.Error("fewer images than a batch accepted")
	}
	x := randomImages(cfg, 32, 1)
	x.Data[7] = math.NaN()
	if _, err := m.Train(x, nil); err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("NaN image: %v", err)
	}
	wrong := matrix.New[float64](32, 10)
	if _, err := m.Train(wrong, nil); err == nil {
		t.Error("wrongly sized images accepted")
	}
	if _, err := m.FeatureMaps(make([]float64, 3)); err == nil {
		t.Error("short image accepted")
	}
	// a constant data set has rank 1: the PCA layer must say so
	c := matrix.New[float64](32, x.Cols)
	for i := range c.Data {
		c.Data[i] = 1
	}
	if _, err := m.Train(c, nil); err == nil || !strings.Contains(err.Error(), "rank") {
		t.Errorf("constant images: %v", err)
	}
	small := cfg
	small.Conv = []ConvLayer{{Out: 1, Kernel: 12, Activation: "elu"}}
	if _, err := New(small, 1); err == nil {
		t.Error("conv stack leaving fewer features than components accepted")
	}
}

func TestTrainStopsWhenCancelled(t *testing.T) {
	cfg := tinyConfig()
	m, err := New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	x := randomImages(cfg, 64, 5)
	h, err := m.TrainContext(ctx, x, func(p Progress) {
		if p.Step == 2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if h == nil || len(h.Loss) != 2 || m.Components() != nil {
		t.Fatalf("history %+v after cancelling at step 2; components %v", h, m.Components())
	}
}
