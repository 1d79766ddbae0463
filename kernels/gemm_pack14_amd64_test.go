//go:build !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// packA's AVX-512 path for full 14-row float32 panels (packTrans14F32AVX512
// plus a Go tail) must write exactly what packStrided, its scalar twin,
// writes, and nothing outside the panel.
func TestPackTrans14MatchesStrided(t *testing.T) {
	if !Supported(AVX512) {
		t.Skip("no AVX-512")
	}
	rng := rand.New(rand.NewPCG(4, 14))
	const mr = 14
	for _, kc := range []int{16, 17, 31, 32, 48, 100, 256} {
		for _, extra := range []int{0, 3, 16} {
			lda := kc + extra + 5
			i0, p0 := 3, 5
			a := make([]float32, (i0+mr)*lda)
			for i := range a {
				a[i] = float32(rng.NormFloat64())
			}
			g := &gemmArgs[float32]{a: a, lda: lda}
			want := make([]float32, kc*mr)
			packStrided(want, mr, a, lda, i0, p0, mr, kc, nil)
			const guard = 32
			buf := make([]float32, kc*mr+2*guard)
			for i := range buf {
				buf[i] = float32(math.NaN())
			}
			packA(g, buf[guard:guard+kc*mr], i0, mr, p0, kc, mr)
			for i, v := range buf {
				if i < guard || i >= guard+kc*mr {
					if !math.IsNaN(float64(v)) {
						t.Fatalf("kc=%d lda=%d: guard element %d overwritten", kc, lda, i-guard)
					}
					continue
				}
				if math.Float32bits(v) != math.Float32bits(want[i-guard]) {
					t.Fatalf("kc=%d lda=%d: dst[%d] = %v, want %v", kc, lda, i-guard, v, want[i-guard])
				}
			}
		}
	}
}
