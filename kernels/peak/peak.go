// Package peak measures the limits of the machine it runs on: the FMA
// throughput of each vector level and the streaming read bandwidth. Every
// benchmark report states its results as fractions of these figures,
// measured in the same run, rather than of datasheet numbers.
package peak

//go:generate go -C ../../asm run ./peak -out ../kernels/peak/peak_amd64.s -stubs ../kernels/peak/peak_stub_amd64.go -pkg peak

import (
	"fmt"
	"time"
)

// Result is one measured limit.
type Result struct {
	Name  string  // e.g. "fma avx512 f32", "read avx512"
	Value float64 // GFLOP/s for FMA probes, GB/s for read probes
	Unit  string
}

func (r Result) String() string { return fmt.Sprintf("%s: %.1f %s", r.Name, r.Value, r.Unit) }

// timeBest runs f with growing work until one run takes at least min, then
// returns the best rate over reps runs of that size: the peak is the
// fastest the machine can go, and slower runs only measure interference.
func timeBest(min time.Duration, reps int, f func(n int) float64) float64 {
	n := 1 << 10
	for {
		t0 := time.Now()
		f(n)
		if time.Since(t0) >= min || n > 1<<40 {
			break
		}
		n *= 2
	}
	best := 0.0
	for range reps {
		t0 := time.Now()
		work := f(n)
		if r := work / time.Since(t0).Seconds(); r > best {
			best = r
		}
	}
	return best
}
