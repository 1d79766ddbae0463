package deep

import (
	"fmt"
	"testing"

	"github.com/deepica/deepica/gen"
	"github.com/deepica/deepica/kernels"
)

// BenchmarkTrainStep times one epoch of the study's default network (three
// 3×3 conv layers with ELU and pooling on 96×96 colour images, 4 streams ×
// 10 components) on one batch of generated images, per kernel level and
// thread count; the components refit is off, so the figure is the training
// step alone (forward, PCA/ICA layers, back-propagation, Adam).
func BenchmarkTrainStep(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Epochs = 1
	cfg.RefitIterations = 0
	icfg := gen.DefaultImageConfig()
	icfg.N, icfg.H, icfg.W = cfg.BatchSize, cfg.Height, cfg.Width
	set, err := gen.Images(icfg)
	if err != nil {
		b.Fatal(err)
	}
	defer kernels.SetLevel(kernels.Impl())
	for _, lvl := range kernels.Available() {
		if lvl == kernels.Generic && len(kernels.Available()) > 1 {
			continue // minutes per step: the pure-Go fallback is benchmarked per kernel
		}
		for _, th := range []int{1, 2} {
			b.Run(fmt.Sprintf("impl=%s/dtype=%s/batch=%d/threads=%d", lvl, cfg.DType, cfg.BatchSize, th), func(b *testing.B) {
				if err := kernels.SetLevel(lvl); err != nil {
					b.Fatal(err)
				}
				kernels.SetThreads(th)
				defer kernels.SetThreads(0)
				b.ReportAllocs()
				for range b.N {
					m, err := New(cfg, 1)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := m.Train(set.X, nil); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(cfg.BatchSize*b.N)/b.Elapsed().Seconds(), "images/s")
			})
		}
	}
}
