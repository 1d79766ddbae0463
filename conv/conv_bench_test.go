package conv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/deepica/deepica/kernels"
)

// BenchmarkConvStack times the stack of bench/conv (3→16→32→32, 3×3,
// padding 1) on a batch of 8 images of 3×96×96, float32, forward and
// forward+backward, on 1 and 2 threads. bench/conv compares it with
// PyTorch and NumPy on 100 images.
func BenchmarkConvStack(b *testing.B) {
	const n = 8
	ch := []int{3, 16, 32, 32}
	rng := rand.New(rand.NewPCG(1, 1))
	x := make([]float32, n*3*96*96)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	ones := make([]float32, n*32*96*96)
	for i := range ones {
		ones[i] = 1
	}
	var fwdFlops, bwdFlops float64
	for i := 0; i < 3; i++ {
		f := 2 * float64(ch[i+1]*ch[i]*9*96*96) * n
		fwdFlops += f
		bwdFlops += f
		if i > 0 {
			bwdFlops += f
		}
	}
	defer kernels.SetThreads(0)
	for _, th := range []int{1, 2} {
		kernels.SetThreads(th)
		var ls []Layer[float32]
		for i := 0; i < 3; i++ {
			l, err := NewConv2D[float32](Shape{ch[i], 96, 96}, ConvConfig{OutC: ch[i+1], KH: 3, KW: 3,
				Pad: PadExplicit, PadH: 1, PadW: 1, Init: InitNormal005, SkipInputGrad: i == 0}, uint64(i))
			if err != nil {
				b.Fatal(err)
			}
			ls = append(ls, l)
		}
		fwd := func() {
			y := x
			for _, l := range ls {
				y, _ = l.Forward(y, n)
			}
		}
		b.Run(fmt.Sprintf("impl=%v/threads=%d/pass=fwd", kernels.Impl(), th), func(b *testing.B) {
			for b.Loop() {
				fwd()
			}
			b.ReportMetric(fwdFlops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run(fmt.Sprintf("impl=%v/threads=%d/pass=fwdbwd", kernels.Impl(), th), func(b *testing.B) {
			for b.Loop() {
				ZeroGrad(ls...)
				fwd()
				g := ones
				for i := len(ls) - 1; i >= 0; i-- {
					g, _ = ls[i].Backward(g)
				}
			}
			b.ReportMetric((fwdFlops+bwdFlops)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

func TestFloat32MatchesFloat64(t *testing.T) {
	in := Shape{3, 10, 9}
	cfg := ConvConfig{OutC: 4, KH: 3, KW: 3, Pad: PadSame, StrideW: 2}
	l64, _ := NewConv2D[float64](in, cfg, 3)
	l32, _ := NewConv2D[float32](in, cfg, 3)
	rng := rand.New(rand.NewPCG(1, 1))
	x64 := randSlice(rng, 2*in.Size())
	x32 := make([]float32, len(x64))
	for i, v := range x64 {
		x32[i] = float32(v)
	}
	for i, w := range l64.weight.Value {
		if float32(w) != l32.weight.Value[i] {
			t.Fatalf("weights differ between element types at %d", i)
		}
		l64.weight.Value[i] = float64(l32.weight.Value[i]) // same rounded weights
	}
	// the float32 input, rounded once, is what both layers see
	for i := range x64 {
		x64[i] = float64(x32[i])
	}
	y64, _ := l64.Forward(x64, 2)
	y32, _ := l32.Forward(x32, 2)
	top, _, left, _ := l64.Padding()
	_, mag := naiveConv(x64, 2, in, l64.weight.Value, l64.bias.Value, l64.OutShape(), 3, 3, 1, 2, top, left)
	k := float64(in.C*9 + 1)
	for i := range y64 {
		// a float32 sum of k exactly representable products: each product
		// and each addition rounds once, |err| ≤ 2k·2⁻²⁴·Σ|terms|
		if d := math.Abs(float64(y32[i]) - y64[i]); d > 2*k*0x1p-24*mag[i] {
			t.Fatalf("y[%d]: float32 %g, float64 %g", i, y32[i], y64[i])
		}
	}
}
