//go:build !purego

package kernels

import (
	"fmt"
	"testing"
)

// BenchmarkConv times one image of each layer of the conv benchmark stack
// (bench/conv: 3→16→32→32, 3×3, padding 1, 96×96) per level: the forward
// convolution and the weight gradient, in GFLOP/s.
func BenchmarkConv(b *testing.B) {
	ch := []int{3, 16, 32, 32}
	benchLevelsConv(b, func(b *testing.B, lvl Level) {
		for l := 0; l < 3; l++ {
			s := ConvShape{C: ch[l], H: 96, W: 96, O: ch[l+1], KH: 3, KW: 3, Top: 1, Left: 1, OH: 96, OW: 96}
			k := s.C * 9
			r := newRand(1)
			rnd := func(n int) []float32 {
				x := make([]float32, n)
				for i := range x {
					x[i] = randVal[float32](r)
				}
				return x
			}
			w, bias, img, dy := rnd(s.O*k), rnd(s.O), rnd(s.C*96*96), rnd(s.O*96*96)
			y, dw := make([]float32, s.O*96*96), make([]float32, s.O*k)
			flops := 2 * float64(s.O*k*96*96)
			b.Run(fmt.Sprintf("layer=%dto%d/pass=fwd", s.C, s.O), func(b *testing.B) {
				runFlops(b, flops, func() { ConvForward(s, w, bias, img, y) })
			})
			b.Run(fmt.Sprintf("layer=%dto%d/pass=dw", s.C, s.O), func(b *testing.B) {
				runFlops(b, flops, func() { ConvWeightGrad(s, img, dy, dw) })
			})
		}
	})
}

func benchLevelsConv(b *testing.B, fn func(b *testing.B, lvl Level)) {
	prev := Impl()
	defer SetLevel(prev)
	for _, l := range Available() {
		if l == Generic {
			continue // the reference: minutes per layer
		}
		if err := SetLevel(l); err != nil {
			b.Fatal(err)
		}
		b.Run("impl="+l.String(), func(b *testing.B) { fn(b, l) })
	}
}
