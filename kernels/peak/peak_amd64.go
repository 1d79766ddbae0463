//go:build !purego

package peak

import (
	"time"

	"github.com/klauspost/cpuid/v2"
)

// chains and the vector widths mirror asm/peak.
const chains = 12

// FMA measures single-core FMA throughput for each level this CPU supports,
// counting 2 flops per lane per FMA, spending about min per level.
func FMA(min time.Duration) []Result {
	var out []Result
	type probe struct {
		name  string
		ok    bool
		lanes int
		run   func(int)
	}
	avx2 := cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3)
	avx512 := cpuid.CPU.Supports(cpuid.AVX512F)
	for _, p := range []probe{
		{"fma avx2 f32", avx2, 8, fmaLoopAVX2F32},
		{"fma avx2 f64", avx2, 4, fmaLoopAVX2F64},
		{"fma avx512 f32", avx512, 16, fmaLoopAVX512F32},
		{"fma avx512 f64", avx512, 8, fmaLoopAVX512F64},
	} {
		if !p.ok {
			continue
		}
		// Many 2 ms windows rather than a few long ones: on a shared machine
		// a short window often runs without being preempted, so the best
		// of them is the core's rate, where a long window measures its share.
		reps := max(5, int(min/(2*time.Millisecond)))
		rate := timeBest(2*time.Millisecond, reps, func(n int) float64 {
			p.run(n)
			return float64(n) * chains * float64(p.lanes) * 2
		})
		out = append(out, Result{Name: p.name, Value: rate / 1e9, Unit: "GFLOP/s"})
	}
	return out
}

// Read measures single-core streaming read bandwidth over a buffer of the
// given size (make it several times the last-level cache for memory
// bandwidth).
func Read(min time.Duration, bytes int) []Result {
	buf := make([]byte, bytes)
	for i := range buf {
		buf[i] = byte(i)
	}
	var out []Result
	if cpuid.CPU.Supports(cpuid.AVX2) {
		rate := timeBest(min, 5, func(n int) float64 {
			for range n / (1 << 10) {
				readLoopAVX2(buf)
			}
			return float64(n/(1<<10)) * float64(len(buf))
		})
		out = append(out, Result{Name: "read avx2", Value: rate / 1e9, Unit: "GB/s"})
	}
	if cpuid.CPU.Supports(cpuid.AVX512F) {
		rate := timeBest(min, 5, func(n int) float64 {
			for range n / (1 << 10) {
				readLoopAVX512(buf)
			}
			return float64(n/(1<<10)) * float64(len(buf))
		})
		out = append(out, Result{Name: "read avx512", Value: rate / 1e9, Unit: "GB/s"})
	}
	return out
}
