//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Helpers of the elementwise families' amd64 tests (vec, contrast,
// icastep, act). They are kept here, apart from the general harness, so
// these tests do not depend on the harness's internal names.

// ewBig reports whether the long cases run (not under -short or -race).
func ewBig() bool { return !testing.Short() && !ewRace }

func ewEps[T Float]() float64 {
	if is32[T]() {
		return 0x1p-23
	}
	return 0x1p-52
}

func ewTiny[T Float]() float64 {
	if is32[T]() {
		return math.SmallestNonzeroFloat32
	}
	return math.SmallestNonzeroFloat64
}

// ewTol bounds |got − want| for results of ops roundings over terms whose
// absolute values sum to abs (both sides' errors included).
func ewTol[T Float](ops int, abs float64) float64 {
	ops = max(ops, 1)
	return float64(ops)*ewEps[T]()*abs + float64(ops)*ewTiny[T]()
}

// ewClose: NaN and infinities must match exactly, finite values within tol.
func ewClose(got, want, tol float64) bool {
	switch {
	case math.IsNaN(want) || math.IsNaN(got):
		return math.IsNaN(want) && math.IsNaN(got)
	case math.IsInf(want, 0) || math.IsInf(got, 0):
		return got == want
	}
	return math.Abs(got-want) <= tol
}

// ewULP is the distance between a and b in units in the last place of T
// (NaN matches only NaN).
func ewULP[T Float](a, b T) uint64 {
	if a != a || b != b {
		if a != a && b != b {
			return 0
		}
		return math.MaxUint64
	}
	key := func(v T) int64 {
		if is32[T]() {
			u := int64(math.Float32bits(float32(v)))
			if u&(1<<31) != 0 {
				return -(u &^ (1 << 31))
			}
			return u
		}
		u := math.Float64bits(float64(v))
		if u>>63 != 0 {
			return -int64(u &^ (1 << 63))
		}
		return int64(u)
	}
	d := key(a) - key(b)
	if d < 0 {
		d = -d
	}
	return uint64(d)
}

// ewSameBits checks got against want bit for bit (NaN matches NaN).
func ewSameBits[T Float](t testing.TB, what string, got, want []T) bool {
	t.Helper()
	for i := range want {
		g, w := got[i], want[i]
		if g != g && w != w {
			continue
		}
		if math.Float64bits(float64(g)) != math.Float64bits(float64(w)) {
			t.Errorf("%s: [%d] = %v, want %v bit for bit", what, i, g, w)
			return false
		}
	}
	return true
}

func ewDtype[T Float]() string {
	if is32[T]() {
		return "f32"
	}
	return "f64"
}

func ewWithThreads(n int, fn func()) {
	prev := int(threads.Load())
	SetThreads(n)
	defer SetThreads(prev)
	fn()
}

// ewLevels runs fn with each amd64 assembly level the CPU supports forced
// directly (the build may not list them in Available() yet).
func ewLevels(t testing.TB, fn func(name string, l Level)) {
	prev := Impl()
	defer current.Store(int32(prev))
	for _, is := range ewISAs {
		if !is.ok() {
			continue
		}
		l := AVX2
		if is.name == "avx512" {
			l = AVX512
		}
		current.Store(int32(l))
		fn(is.name, l)
	}
}

// BenchmarkVecAsm measures the vector kernels in GB/s of operands touched
// (memory-bound beyond the caches: about 15 GB/s here).
func BenchmarkVecAsm(b *testing.B) {
	for _, n := range []int{4096, 1 << 22} {
		x, y, z := make([]float32, n), make([]float32, n), make([]float32, n)
		x64, y64 := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i], y[i] = 1+float32(i%7), 0.5
			x64[i], y64[i] = float64(x[i]), 0.5
		}
		run := func(name string, bytes int, f func()) {
			ewLevels(b, func(isa string, _ Level) {
				b.Run(fmt.Sprintf("impl=%s/op=%s/n=%d", isa, name, n), func(b *testing.B) {
					b.SetBytes(int64(bytes))
					ewBench(b, float64(bytes)/1e9, "GB/s", f)
				})
			})
		}
		var s32 float32
		var s64 float64
		run("dot/dtype=f32", 8*n, func() { s32 += Dot(x, y) })
		run("dot/dtype=f64", 16*n, func() { s64 += Dot(x64, y64) })
		run("sum/dtype=f32", 4*n, func() { s32 += Sum(x) })
		run("axpy/dtype=f32", 12*n, func() { Axpy(1e-9, x, y) })
		run("axpy/dtype=f64", 24*n, func() { Axpy(1e-9, x64, y64) })
		run("scale/dtype=f32", 8*n, func() { Scale(1, x) })
		run("mul/dtype=f32", 12*n, func() { Mul(z, x, y) })
		_, _ = s32, s64
	}
}

// ewBench runs f b.N times and reports, besides ns/op, the rate of the
// fastest call (work units per second, e.g. GFLOP or GB per call): this
// machine is shared, and the fastest call is the one that ran without
// interference. Calls shorter than a scheduler slice make this meaningful.
func ewBench(b *testing.B, work float64, unit string, f func()) {
	f()
	b.ResetTimer()
	best := time.Duration(math.MaxInt64)
	for b.Loop() {
		t0 := time.Now()
		f()
		best = min(best, time.Since(t0))
	}
	b.ReportMetric(work/b.Elapsed().Seconds()*float64(b.N), unit)
	b.ReportMetric(work/best.Seconds(), "best-"+unit)
}

// TestAVX2CodeUsesNoEVEXRegisters scans the generated assembly of the
// elementwise families: an AVX2 function must not touch X16–X31/Y16–Y31
// (which exist only with AVX-512: Avo's register allocator reaches for them
// when 16 do not suffice, and the code then faults on AVX2-only CPUs) nor
// K masks or ZMM registers.
func TestAVX2CodeUsesNoEVEXRegisters(t *testing.T) {
	bad := regexp.MustCompile(`\b([XY](1[6-9]|2[0-9]|3[01])|Z[0-9]+|K[0-7])\b`)
	for _, f := range []string{"vec_amd64.s", "contrast_amd64.s", "icastep_amd64.s", "act_amd64.s"} {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fn := ""
		for i, line := range strings.Split(string(src), "\n") {
			if strings.HasPrefix(line, "TEXT ") {
				fn = strings.Fields(line)[1]
				continue
			}
			if strings.Contains(fn, "AVX2") && !strings.HasPrefix(strings.TrimSpace(line), "//") && bad.MatchString(line) {
				t.Errorf("%s:%d: %s uses an AVX-512-only register: %s", f, i+1, fn, strings.TrimSpace(line))
			}
		}
	}
}
