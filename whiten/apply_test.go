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
	got := w.applyUncentered(x, bias) // what ForICA's White used
	want := w.applyCentered(x)
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
		{"centred", func() { w.applyCentered(x) }},
		{"uncentred", func() { w.applyUncentered(x, bias) }},
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

// TestApplyThreads: the whitened data are the same bits whatever the
// thread count (the row blocks are spread over goroutines), on the
// uncentred and the centred (large offset) paths.
func TestApplyThreads(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	n, p := 3*uncenteredBlock+17, 5
	defer kernels.SetThreads(0)
	for _, offset := range []float64{0, 1e3} {
		x := matrix.New[float64](n, p)
		for i := range x.Data {
			x.Data[i] = rng.NormFloat64()*float64(1+i%p) + offset
		}
		var ref *ICAWhitening[float64]
		for _, th := range []int{1, 2, 3, 8} {
			kernels.SetThreads(th)
			w, err := ForICA(x, ICAOptions{NComponents: 4})
			if err != nil {
				t.Fatal(err)
			}
			if ref == nil {
				ref = w
				continue
			}
			for i, v := range w.White.Data {
				if math.Float64bits(v) != math.Float64bits(ref.White.Data[i]) {
					t.Fatalf("offset %g, threads %d: White[%d] = %v, %v at one thread", offset, th, i, v, ref.White.Data[i])
				}
			}
		}
	}
}
