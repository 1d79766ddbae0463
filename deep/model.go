package deep

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/deepica/deepica/conv"
	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// Model is a deep ICA model: its conv stack, and per stream a PCA and an
// ICA layer. Build it with New, train it with Train, then read Components
// and FeatureMaps. A Model is not safe for concurrent use.
type Model struct {
	cfg   Config
	r     *resolved
	seed  uint64
	n32   *net[float32]
	n64   *net[float64]
	comps *Components
}

// Progress is passed to the training callback after every step.
type Progress struct {
	Step, Steps   int // 1-based step and total steps
	Epoch, Epochs int // 1-based epoch and total epochs
	Loss          float64
	Elapsed       time.Duration
}

// History is the record of a training run.
type History struct {
	Loss    []float64 // loss after each step's forward pass (the convergence curve)
	Epoch   []int     // the 1-based epoch of each step
	Elapsed time.Duration
}

// FeatureMap is one conv block's output (after its activation, before
// pooling) for one image: Shape.C maps of Shape.H×Shape.W, CHW order.
type FeatureMap struct {
	Layer int // 1-based conv block
	Shape conv.Shape
	Data  []float64
}

// Components are the model's components on a set of images, S·k rows in
// stream order (stream s owns rows s·k … s·k+k−1).
type Components struct {
	FeatureShape conv.Shape // shape of one component in feature space
	ImageShape   conv.Shape // shape of one input image
	// PCA holds the whitened eigen-images Z of each stream ((S·k)×D, D the
	// feature count), ICA the independent components Y = W·Z.
	PCA, ICA *matrix.Dense[float64]
	// PCAImages and ICAImages apply the same per-image loadings to the input
	// images (centred when Config.Center): component i of stream s is
	// Σ_b M_bi·x_b over the stream's images. These show the components in
	// pixel space ((S·k)×(C·H·W)); their scale is arbitrary.
	PCAImages, ICAImages *matrix.Dense[float64]
	// Streams holds the [first, last) image index range of each stream.
	Streams [][2]int
	// Loss is the model's loss on these images (summed over streams).
	Loss float64
	// RefitIterations and RefitConverged report, per stream, the FastICA
	// fixed-point iterations that refitted W on these images' eigen-images
	// (Config.RefitIterations) and whether they met Config.RefitTol; empty
	// when no refit was asked for.
	RefitIterations []int
	RefitConverged  []bool
}

// New builds a model for cfg with all weights drawn from seed (conv
// weights as cfg.Init says, each W a random orthogonal matrix).
func New(cfg Config, seed uint64) (*Model, error) {
	r, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	m := &Model{cfg: cfg, r: r, seed: seed}
	if cfg.DType == "float64" {
		m.n64, err = newNet[float64](r, seed)
	} else {
		m.n32, err = newNet[float32](r, seed)
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Config returns the model's configuration.
func (m *Model) Config() Config { return m.cfg }

// FeatureShape is the shape of the conv stack's output per image.
func (m *Model) FeatureShape() conv.Shape {
	if m.n64 != nil {
		return m.n64.feat
	}
	return m.n32.feat
}

// Train trains on images (N×(C·H·W), one image per row, CHW order, as
// gen.ImageSet.X) for cfg.Epochs epochs of ⌊N/BatchSize⌋ steps, shuffling
// each epoch when cfg.Shuffle, then computes the components on all images
// (see Components). progress, if not nil, is called after every step.
// Results depend only on the seed, the data and kernels.Threads().
func (m *Model) Train(images *matrix.Dense[float64], progress func(Progress)) (*History, error) {
	return m.TrainContext(context.Background(), images, progress)
}

// TrainContext is Train that stops between steps when ctx is done,
// returning the history so far and ctx's error.
func (m *Model) TrainContext(ctx context.Context, images *matrix.Dense[float64], progress func(Progress)) (*History, error) {
	if err := m.checkImages(images, m.cfg.BatchSize); err != nil {
		return nil, err
	}
	if m.n64 != nil {
		return train(ctx, m, m.n64, images, progress)
	}
	return train(ctx, m, m.n32, images, progress)
}

func (m *Model) checkImages(images *matrix.Dense[float64], min int) error {
	if images == nil || images.Rows == 0 {
		return fmt.Errorf("deep: no images")
	}
	if d := m.cfg.Channels * m.cfg.Height * m.cfg.Width; images.Cols != d {
		return fmt.Errorf("deep: images have %d values each, the model expects %d×%d×%d = %d",
			images.Cols, m.cfg.Channels, m.cfg.Height, m.cfg.Width, d)
	}
	if images.Rows < min {
		return fmt.Errorf("deep: %d images, need at least %d", images.Rows, min)
	}
	if err := images.CheckFinite(); err != nil {
		return fmt.Errorf("deep: images: %w", err)
	}
	return nil
}

func toT[T kernels.Float](src *matrix.Dense[float64], rows []int) []T {
	d := src.Cols
	out := make([]T, len(rows)*d)
	for i, r := range rows {
		for j, v := range src.Row(r) {
			out[i*d+j] = T(v)
		}
	}
	return out
}

func train[T kernels.Float](ctx context.Context, m *Model, n *net[T], images *matrix.Dense[float64], progress func(Progress)) (*History, error) {
	start := time.Now()
	N, bs := images.Rows, m.cfg.BatchSize
	perEpoch := N / bs
	total := perEpoch * m.cfg.Epochs
	all := toT[T](images, seq(N))
	d := images.Cols
	batch := make([]T, bs*d)
	rng := rand.New(rand.NewPCG(m.seed, 0x5eed))
	h := &History{}
	order := seq(N)
	for ep := 1; ep <= m.cfg.Epochs; ep++ {
		if m.cfg.Shuffle {
			rng.Shuffle(N, func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		for b := 0; b < perEpoch; b++ {
			if err := ctx.Err(); err != nil {
				h.Elapsed = time.Since(start)
				return h, err
			}
			for i, r := range order[b*bs : (b+1)*bs] {
				copy(batch[i*d:(i+1)*d], all[r*d:(r+1)*d])
			}
			loss, err := n.lossAndGrad(batch, bs)
			if err == nil && (math.IsNaN(loss) || math.IsInf(loss, 0)) {
				err = fmt.Errorf("loss is %v", loss)
			}
			if err == nil {
				err = n.update()
			}
			if err != nil {
				h.Elapsed = time.Since(start)
				return h, fmt.Errorf("deep: epoch %d, step %d: %w", ep, len(h.Loss)+1, err)
			}
			h.Loss = append(h.Loss, loss)
			h.Epoch = append(h.Epoch, ep)
			if progress != nil {
				progress(Progress{Step: len(h.Loss), Steps: total, Epoch: ep, Epochs: m.cfg.Epochs, Loss: loss, Elapsed: time.Since(start)})
			}
		}
	}
	c, err := components(m, n, images)
	if err != nil {
		h.Elapsed = time.Since(start)
		return h, err
	}
	m.comps = c
	h.Elapsed = time.Since(start)
	return h, nil
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// Components returns the components computed on the training images at the
// end of Train, or nil before training.
func (m *Model) Components() *Components { return m.comps }

// ComputeComponents evaluates the model on images (N×(C·H·W)): the N images
// are split into S contiguous streams (stream s gets images ⌊s·N/S⌋ to
// ⌊(s+1)·N/S⌋), each stream's features go through its PCA layer and its
// W: the trained W or, when Config.RefitIterations > 0, W refitted to
// these eigen-images by FastICA fixed-point iterations started from the
// trained W. The refit exists because the PCA layer's basis is that of the
// images it sees: each mini-batch has its own eigen-images (when
// eigenvalues are close, an arbitrary rotation of the previous batch's), so
// a W trained across batches does not in general unmix the basis of the
// whole set.
func (m *Model) ComputeComponents(images *matrix.Dense[float64]) (*Components, error) {
	if err := m.checkImages(images, m.cfg.Streams*(m.cfg.Components+1)); err != nil {
		return nil, err
	}
	if m.n64 != nil {
		return components(m, m.n64, images)
	}
	return components(m, m.n32, images)
}

func components[T kernels.Float](m *Model, n *net[T], images *matrix.Dense[float64]) (*Components, error) {
	N, din := images.Rows, images.Cols
	d := n.feat.Size()
	k, S := m.cfg.Components, m.cfg.Streams
	feats := make([]T, N*d)
	for i0 := 0; i0 < N; i0 += m.cfg.BatchSize {
		i1 := min(N, i0+m.cfg.BatchSize)
		rows := seq(i1 - i0)
		for i := range rows {
			rows[i] += i0
		}
		f, err := n.features(toT[T](images, rows), len(rows))
		if err != nil {
			return nil, err
		}
		copy(feats[i0*d:], f)
	}
	c := &Components{
		FeatureShape: n.feat,
		ImageShape:   conv.Shape{C: m.cfg.Channels, H: m.cfg.Height, W: m.cfg.Width},
		PCA:          matrix.New[float64](S*k, d), ICA: matrix.New[float64](S*k, d),
		PCAImages: matrix.New[float64](S*k, din), ICAImages: matrix.New[float64](S*k, din),
	}
	for s := 0; s < S; s++ {
		a, b := s*N/S, (s+1)*N/S
		c.Streams = append(c.Streams, [2]int{a, b})
		pca := newPCALayer[T](k, m.cfg.Center, m.cfg.EigenGapEps)
		z, err := pca.forward(feats[a*d:b*d], b-a, d)
		if err != nil {
			return nil, fmt.Errorf("deep: components, stream %d: %w", s+1, err)
		}
		ica := n.ica[s]
		if m.cfg.RefitIterations > 0 {
			// a private copy: the trained W stays as it is
			ica = newICALayer[T](k, ica.fn, nil)
			copy(ica.w, n.ica[s].w)
			it, ok, err := ica.refit(z, d, m.cfg.RefitIterations, m.cfg.RefitTol)
			if err != nil {
				return nil, fmt.Errorf("deep: components, stream %d: %w", s+1, err)
			}
			c.RefitIterations = append(c.RefitIterations, it)
			c.RefitConverged = append(c.RefitConverged, ok)
		}
		loss, err := ica.forward(z, d)
		if err != nil {
			return nil, fmt.Errorf("deep: components, stream %d: %w", s+1, err)
		}
		c.Loss += loss
		for i := 0; i < k; i++ {
			for j := 0; j < d; j++ {
				c.PCA.Set(s*k+i, j, float64(z[i*d+j]))
				c.ICA.Set(s*k+i, j, float64(ica.y[i*d+j]))
			}
		}
		// loadings: Z = Pᵀ·A (P is b×k), Y = W·Pᵀ·A
		x := make([]float64, (b-a)*din)
		for i := a; i < b; i++ {
			copy(x[(i-a)*din:], images.Row(i))
		}
		if m.cfg.Center {
			centerColumns(x, b-a, din)
		}
		p := make([]float64, (b-a)*k)
		for i := range p {
			p[i] = float64(pca.p[i])
		}
		w := make([]float64, k*k)
		for i := range w {
			w[i] = float64(ica.w[i])
		}
		mt := make([]float64, k*(b-a)) // W·Pᵀ
		kernels.Gemm(kernels.NoTrans, kernels.Trans, k, b-a, k, 1, w, k, p, k, 0, mt, b-a)
		kernels.Gemm(kernels.Trans, kernels.NoTrans, k, din, b-a, 1, p, k, x, din, 0, c.PCAImages.Data[s*k*din:(s+1)*k*din], din)
		kernels.Gemm(kernels.NoTrans, kernels.NoTrans, k, din, b-a, 1, mt, b-a, x, din, 0, c.ICAImages.Data[s*k*din:(s+1)*k*din], din)
	}
	return c, nil
}

// FeatureMaps returns the output of every conv block (after its
// activation) for one image (C·H·W values, CHW order).
func (m *Model) FeatureMaps(img []float64) ([]FeatureMap, error) {
	if d := m.cfg.Channels * m.cfg.Height * m.cfg.Width; len(img) != d {
		return nil, fmt.Errorf("deep: image has %d values, the model expects %d", len(img), d)
	}
	if m.n64 != nil {
		return featureMaps(m.n64, img)
	}
	return featureMaps(m.n32, img)
}

func featureMaps[T kernels.Float](n *net[T], img []float64) ([]FeatureMap, error) {
	x := make([]T, len(img))
	for i, v := range img {
		x[i] = T(v)
	}
	var out []FeatureMap
	var err error
	for i, l := range n.layers {
		if x, err = l.Forward(x, 1); err != nil {
			return nil, err
		}
		for b, at := range n.convAt {
			if at == i {
				fm := FeatureMap{Layer: b + 1, Shape: l.OutShape(), Data: make([]float64, len(x))}
				for j, v := range x {
					fm.Data[j] = float64(v)
				}
				out = append(out, fm)
			}
		}
	}
	return out, nil
}
