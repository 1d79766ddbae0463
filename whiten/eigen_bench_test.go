package whiten

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func BenchmarkSymEig(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{500} {
		lam := make([]float64, n)
		for i := range lam {
			lam[i] = 1 / math.Pow(float64(i+1), 1.5)
		}
		a := symWithSpectrum(rng, lam)
		for _, m := range []Eigensolver{EigenFull, EigenTopK} {
			b.Run(fmt.Sprintf("method=%v/n=%d/k=40", m, n), func(b *testing.B) {
				buf := make([]float64, len(a))
				c0 := cpuSeconds()
				defer func() { b.ReportMetric((cpuSeconds()-c0)/float64(b.N), "cpu-s/op") }()
				for b.Loop() {
					copy(buf, a)
					symEig(buf, n, m, func([]float64) (int, error) { return 40, nil })
				}
			})
		}
	}
}
