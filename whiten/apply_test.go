package whiten

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// TestApplyUncentered: for data whose mean is small against its spread,
// ICA whitening reads x in place and subtracts √n·K·Mean afterwards; the
// result agrees with centring first within the rounding of the two
// products, bounded per element by 4·p·eps·√n·Σₗ|Kᵢₗ|·(|xₗ| + |meanₗ|) plus
// the rounding of the bias. Data with a large mean take the centred path.
func TestApplyUncentered(t *testing.T) {
	testApplyUncentered[float64](t)
	testApplyUncentered[float32](t)
}

func testApplyUncentered[T kernels.Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n, p := uncenteredBlock+333, 7
	x := matrix.New[T](n, p)
	for i := 0; i < n; i++ {
		for j := 0; j < p; j++ {
			x.Set(i, j, T(rng.NormFloat64()*float64(j+1)+0.001*float64(j)))
		}
	}
	w, err := ForICA(x, ICAOptions{NComponents: 5})
	if err != nil {
		t.Fatal(err)
	}
	bias, ok := w.smallBias()
	if !ok {
		t.Fatalf("bias %v: expected the uncentred path for near-zero-mean data", bias)
	}
	got := w.applyUncentered(x, bias, nil) // what ForICA's White used
	want := w.applyCentered(x, nil)
	eps := epsOf[T]()
	for i := 0; i < w.NComponents; i++ {
		for r := 0; r < n; r++ {
			var mag float64
			for l := 0; l < p; l++ {
				mag += math.Abs(float64(w.K.At(i, l))) * (math.Abs(float64(x.At(r, l))) + math.Abs(float64(w.Mean[l])))
			}
			tol := 4*float64(p)*eps*w.Scale*mag + 2*eps*math.Abs(bias[i])
			if d := math.Abs(float64(got.At(i, r)) - float64(want.At(i, r))); d > tol {
				t.Fatalf("White[%d,%d]: uncentred %v, centred %v (|Δ| %g > %g)", i, r, got.At(i, r), want.At(i, r), d, tol)
			}
			if got.At(i, r) != w.White.At(i, r) {
				t.Fatalf("ForICA's White[%d,%d] = %v is not the uncentred product %v", i, r, w.White.At(i, r), got.At(i, r))
			}
		}
	}
	// A large offset must not take the uncentred path.
	y := x.Clone()
	for i := 0; i < n; i++ {
		for j := 0; j < p; j++ {
			y.Set(i, j, y.At(i, j)+100)
		}
	}
	wy, err := ForICA(y, ICAOptions{NComponents: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := wy.smallBias(); ok {
		t.Fatal("offset data would be whitened without centring")
	}
}

// BenchmarkICAApply times the whitening product √n·K·(x − Mean)ᵀ both ways
// at the FastICA benchmark's shape (k = p = 40; n = 1e6, -short 1e5).
func BenchmarkICAApply(b *testing.B) {
	n, p := 1_000_000, 40
	if testing.Short() {
		n = 100_000
	}
	rng := rand.New(rand.NewPCG(7, 8))
	x := matrix.New[float64](n, p)
	for i := range x.Data {
		x.Data[i] = rng.NormFloat64()
	}
	w, err := ForICA(x, ICAOptions{NoWhiteData: true})
	if err != nil {
		b.Fatal(err)
	}
	bias, _ := w.smallBias()
	kernels.SetThreads(1)
	defer kernels.SetThreads(0)
	flops := 2 * float64(n) * float64(p) * float64(p)
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"centred", func() { w.applyCentered(x, nil) }},
		{"uncentred", func() { w.applyUncentered(x, bias, nil) }},
	} {
		b.Run("path="+c.name+"/threads=1", func(b *testing.B) {
			c0 := cpuSeconds()
			for i := 0; i < b.N; i++ {
				c.f()
			}
			cpu := (cpuSeconds() - c0) / float64(b.N)
			b.ReportMetric(cpu, "cpu-s/op")
			b.ReportMetric(flops/cpu/1e9, "GFLOP/cpu-s")
		})
	}
}

// TestWhiteGram: ForICA's WhiteGram (float64 data, covariance route,
// accumulated over the whitening's blocks) is White·Whiteᵀ within the
// rounding of two summation orders of n products, 2·n·eps·Σ|terms|, for
// both the uncentred and the centred (large offset) paths.
func TestWhiteGram(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	n, p, k := 2*uncenteredBlock+517, 6, 4
	for _, offset := range []float64{0, 1e3} {
		x := matrix.New[float64](n, p)
		for i := range x.Data {
			x.Data[i] = rng.NormFloat64()*float64(1+i%p) + offset
		}
		w, err := ForICA(x, ICAOptions{NComponents: k})
		if err != nil {
			t.Fatal(err)
		}
		if w.WhiteGram == nil {
			t.Fatalf("offset %g: no WhiteGram on the covariance route", offset)
		}
		for a := 0; a < k; a++ {
			for b := 0; b < k; b++ {
				var s, mag float64
				for r := 0; r < n; r++ {
					v := w.White.At(a, r) * w.White.At(b, r)
					s += v
					mag += math.Abs(v)
				}
				tol := 2 * float64(n) * 0x1p-53 * mag
				if d := math.Abs(w.WhiteGram[a*k+b] - s); d > tol {
					t.Fatalf("offset %g: WhiteGram[%d,%d] = %v, Σ White·White = %v (|Δ| %g > %g)", offset, a, b, w.WhiteGram[a*k+b], s, d, tol)
				}
			}
		}
	}
	// float32 data: not accumulated (FastICA whitens them in float64).
	w32, err := ForICA(matrix.Convert[float32](wideData[float64](50, 5, 3)), ICAOptions{NComponents: 3})
	if err != nil {
		t.Fatal(err)
	}
	if w32.WhiteGram != nil {
		t.Fatal("float32 data: WhiteGram set")
	}
}
