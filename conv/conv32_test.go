package conv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/deepica/deepica/kernels"
)

// conv32Cases adds to convCases shapes that take the kernels' accelerated
// float32 paths (implicit forward and ∂x for stride 1; the weight gradient
// needs OutC a multiple of 32 and C a multiple of 8): full and partial
// 32-pixel tiles, asymmetric and wide padding, several bands.
var conv32Cases = []convCase{
	{"16→32 3x3 same", Shape{16, 12, 40}, ConvConfig{OutC: 32, KH: 3, KW: 3, Pad: PadSame}, Shape{32, 12, 40}},
	{"8→64 3x3 explicit1", Shape{8, 5, 33}, ConvConfig{OutC: 64, KH: 3, KW: 3, Pad: PadExplicit, PadH: 1, PadW: 1}, Shape{64, 5, 33}},
	{"3→32 3x3 same", Shape{3, 9, 9}, ConvConfig{OutC: 32, KH: 3, KW: 3, Pad: PadSame}, Shape{32, 9, 9}},
	{"8→32 2x2 same (asymmetric)", Shape{8, 6, 7}, ConvConfig{OutC: 32, KH: 2, KW: 2, Pad: PadSame}, Shape{32, 6, 7}},
	{"16→32 5x3 explicit (3,4) wider than the kernel", Shape{16, 4, 5}, ConvConfig{OutC: 32, KH: 5, KW: 3, Pad: PadExplicit, PadH: 3, PadW: 4, NoBias: true}, Shape{32, 6, 11}},
	{"32→32 3x3 valid", Shape{32, 7, 34}, ConvConfig{OutC: 32, KH: 3, KW: 3}, Shape{32, 5, 32}},
	{"32→16 3x3 same, bands", Shape{32, 70, 70}, ConvConfig{OutC: 16, KH: 3, KW: 3, Pad: PadSame}, Shape{16, 70, 70}},
}

func absSlice(x []float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = math.Abs(v)
	}
	return out
}

func to32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

// TestFloat32MatchesFloat64Backward runs each layer in float32 (the kernels'
// accelerated paths where they apply) and in float64 on the same
// float32-representable data, and bounds every difference by
// ops·ε₃₂·Σ|terms|: the sums of |terms| come from the float64 layer run on
// |x|, |W|, |b| and |∂y|, whose outputs and gradients are exactly those
// sums, and ops counts the terms of each reduction plus the partial sums
// (bias, kernel-column groups, bands, images).
func TestFloat32MatchesFloat64Backward(t *testing.T) {
	defer kernels.SetThreads(0)
	const n = 3
	for ci, c := range append(append([]convCase(nil), convCases...), conv32Cases...) {
		for _, th := range []int{1, 2} {
			kernels.SetThreads(th)
			name := fmt.Sprintf("%s/threads=%d", c.name, th)
			l64, err := NewConv2D[float64](c.in, c.cfg, uint64(ci+1))
			if err != nil {
				t.Fatal(err)
			}
			l32, _ := NewConv2D[float32](c.in, c.cfg, uint64(ci+1))
			abs, _ := NewConv2D[float64](c.in, c.cfg, uint64(ci+1))
			rng := rand.New(rand.NewPCG(uint64(ci), 5))
			round := func(x []float64) []float64 {
				for i := range x {
					x[i] = float64(float32(x[i]))
				}
				return x
			}
			copy(l64.weight.Value, round(l64.weight.Value))
			copy(l32.weight.Value, to32(l64.weight.Value))
			copy(abs.weight.Value, absSlice(l64.weight.Value))
			if l64.bias != nil {
				copy(l64.bias.Value, round(randSlice(rng, len(l64.bias.Value))))
				copy(l32.bias.Value, to32(l64.bias.Value))
				copy(abs.bias.Value, absSlice(l64.bias.Value))
			}
			x := round(randSlice(rng, n*c.in.Size()))
			dy := round(randSlice(rng, n*c.out.Size()))
			y64, _ := l64.Forward(x, n)
			dx64, _ := l64.Backward(dy)
			y32, _ := l32.Forward(to32(x), n)
			dx32, err := l32.Backward(to32(dy))
			if err != nil {
				t.Fatal(err)
			}
			magY, _ := abs.Forward(absSlice(x), n)
			magDx, _ := abs.Backward(absSlice(dy))
			k, pix := c.in.C*c.cfg.KH*c.cfg.KW, c.out.H*c.out.W
			check := func(what string, got []float32, want, mag []float64, ops int) {
				for i := range want {
					if d := math.Abs(float64(got[i]) - want[i]); !(d <= float64(ops)*0x1p-23*mag[i]) {
						t.Fatalf("%s: %s[%d] = %g, float64 gives %g (diff %g, bound %g)", name, what, i, got[i], want[i], d, float64(ops)*0x1p-23*mag[i])
					}
				}
			}
			check("y", y32, y64, magY, k+c.cfg.KW+2)
			check("∂x", dx32, dx64, magDx, c.cfg.OutC*c.cfg.KH*c.cfg.KW+c.cfg.KW+2)
			check("∂W", l32.weight.Grad, l64.weight.Grad, abs.weight.Grad, n*pix+n+2)
			if l64.bias != nil {
				check("∂b", l32.bias.Grad, l64.bias.Grad, abs.bias.Grad, n*pix+n+2)
			}
		}
	}
}
