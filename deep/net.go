package deep

import (
	"fmt"
	"math/rand/v2"

	"github.com/deepica/deepica/conv"
	"github.com/deepica/deepica/kernels"
)

// net is the model for one element type: the conv stack shared by all
// streams, then one PCA and one ICA layer per stream.
type net[T kernels.Float] struct {
	cfg    *resolved
	layers []conv.Layer[T] // conv, act, [pool], conv, act, …
	convAt []int           // index in layers of each block's activation (feature-map export)
	pca    []*pcaLayer[T]
	ica    []*icaLayer[T]
	adamM  [][]T // Adam moments of every conv parameter, in Params order
	adamV  [][]T
	step   int
	feat   conv.Shape
	df     []T // ∂L/∂features, reused across steps
}

func newNet[T kernels.Float](r *resolved, seed uint64) (*net[T], error) {
	n := &net[T]{cfg: r}
	s := conv.Shape{C: r.Channels, H: r.Height, W: r.Width}
	for i, spec := range r.Conv {
		pad := r.pads[i]
		c, err := conv.NewConv2D[T](s, conv.ConvConfig{
			OutC: spec.Out, KH: spec.Kernel, KW: spec.Kernel, StrideH: spec.Stride, StrideW: spec.Stride,
			Pad: pad.mode, PadH: pad.n, PadW: pad.n, Init: r.init, SkipInputGrad: i == 0,
		}, seed+uint64(i)*0x9e3779b97f4a7c15)
		if err != nil {
			return nil, fmt.Errorf("deep: conv layer %d: %w", i+1, err)
		}
		a, err := conv.NewAct[T](c.OutShape(), r.acts[i], T(r.ELUAlpha))
		if err != nil {
			return nil, err
		}
		n.layers = append(n.layers, c, a)
		n.convAt = append(n.convAt, len(n.layers)-1)
		s = a.OutShape()
		if r.pools[i].on {
			p, err := conv.NewPool[T](s, r.pools[i].mode)
			if err != nil {
				return nil, fmt.Errorf("deep: conv layer %d: %w", i+1, err)
			}
			n.layers = append(n.layers, p)
			s = p.OutShape()
		}
	}
	n.feat = s
	for _, l := range n.layers {
		for _, p := range l.Params() {
			n.adamM = append(n.adamM, make([]T, len(p.Value)))
			n.adamV = append(n.adamV, make([]T, len(p.Value)))
		}
	}
	if s.Size() <= r.Components {
		return nil, fmt.Errorf("deep: the conv stack leaves %d features per image, need more than the %d components", s.Size(), r.Components)
	}
	fn := newContrast(r.contrast, r.Alpha)
	rng := rand.New(rand.NewPCG(seed, 0x1ca))
	k := r.Components
	for st := 0; st < r.Streams; st++ {
		n.pca = append(n.pca, newPCALayer[T](k, r.Center, r.EigenGapEps))
		w := make([]float64, k*k)
		for i := range w {
			w[i] = rng.NormFloat64()
		}
		if err := symDecorrelate(w, k); err != nil {
			return nil, err
		}
		n.ica = append(n.ica, newICALayer[T](k, fn, w))
	}
	return n, nil
}

// features runs the conv stack on b images (b×input size) and returns the
// b×D features.
func (n *net[T]) features(x []T, b int) ([]T, error) {
	var err error
	for _, l := range n.layers {
		if x, err = l.Forward(x, b); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// lossAndGrad runs the forward pass over a batch of b images (b divisible
// by the streams), accumulates the gradients of every conv parameter (after
// zeroing them) and of every W, and returns the loss summed over streams.
func (n *net[T]) lossAndGrad(x []T, b int) (float64, error) {
	f, err := n.features(x, b)
	if err != nil {
		return 0, err
	}
	d := n.feat.Size()
	per := b / len(n.pca)
	n.df = grow(n.df, len(f))
	df := n.df
	var loss float64
	for s := range n.pca {
		fs := f[s*per*d : (s+1)*per*d]
		z, err := n.pca[s].forward(fs, per, d)
		if err != nil {
			return 0, fmt.Errorf("stream %d: %w", s+1, err)
		}
		ls, err := n.ica[s].forward(z, d)
		if err != nil {
			return 0, fmt.Errorf("stream %d: %w", s+1, err)
		}
		loss += ls
		dz := n.ica[s].backward()
		copy(df[s*per*d:(s+1)*per*d], n.pca[s].backward(dz))
	}
	conv.ZeroGrad(n.layers...)
	g := df
	for i := len(n.layers) - 1; i >= 0; i-- {
		if g, err = n.layers[i].Backward(g); err != nil {
			return 0, err
		}
	}
	return loss, nil
}

// update applies the optimiser step after lossAndGrad.
func (n *net[T]) update() error {
	n.step++
	c := n.cfg
	i := 0
	for _, l := range n.layers {
		for _, p := range l.Params() {
			kernels.AdamStep(p.Value, p.Grad, n.adamM[i], n.adamV[i], T(c.LearningRate), T(c.Beta1), T(c.Beta2), T(c.AdamEps), n.step)
			i++
		}
	}
	for s, l := range n.ica {
		var err error
		if c.fixed {
			err = l.fixedPoint()
		} else {
			err = l.adam(c.ICALearningRate, c.Beta1, c.Beta2, c.AdamEps, n.step)
		}
		if err != nil {
			return fmt.Errorf("stream %d: %w", s+1, err)
		}
	}
	return nil
}
