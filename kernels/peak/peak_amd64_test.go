//go:build !purego

package peak

import (
	"encoding/binary"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/cpuid/v2"
)

// wantRead is the checksum readLoop must return: the OR of the 8-byte words
// that land in lane 0 of the accumulators, i.e. at offsets that are
// multiples of the vector width, over whole 4-vector blocks.
func wantRead(buf []byte, vec int) uint64 {
	var s uint64
	for off := 0; off < len(buf)/(4*vec)*4*vec; off += vec {
		s |= binary.LittleEndian.Uint64(buf[off:])
	}
	return s
}

func TestReadLoopTouchesEveryBlock(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for _, n := range []int{0, 1, 127, 128, 129, 255, 256, 257, 1000, 4096, 4100} {
		buf := make([]byte, n)
		// One set bit per word, so a skipped or repeated block changes the OR.
		for off := 0; off+8 <= n; off += 8 {
			binary.LittleEndian.PutUint64(buf[off:], 1<<uint(r.Intn(64)))
		}
		if cpuid.CPU.Supports(cpuid.AVX2) {
			if got, want := readLoopAVX2(buf), wantRead(buf, 32); got != want {
				t.Errorf("readLoopAVX2(len %d) = %#x, want %#x", n, got, want)
			}
		}
		if cpuid.CPU.Supports(cpuid.AVX512F) {
			if got, want := readLoopAVX512(buf), wantRead(buf, 64); got != want {
				t.Errorf("readLoopAVX512(len %d) = %#x, want %#x", n, got, want)
			}
		}
	}
}

// The FMA probe must run the loop it claims: doubling the iteration count
// must roughly double the time (a loop that returned early would not).
func TestFMALoopScales(t *testing.T) {
	if !cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3) {
		t.Skip("no AVX2+FMA3")
	}
	const n = 1 << 22
	best := func(iters int) time.Duration {
		b := time.Duration(1 << 62)
		for range 5 {
			t0 := time.Now()
			fmaLoopAVX2F64(iters)
			if d := time.Since(t0); d < b {
				b = d
			}
		}
		return b
	}
	t1, t2 := best(n), best(4*n)
	if ratio := float64(t2) / float64(t1); ratio < 2 {
		t.Errorf("4× the iterations took only %.2f× the time (%v vs %v)", ratio, t2, t1)
	}
}

func BenchmarkPeak(b *testing.B) {
	for range b.N {
		for _, r := range FMA(20 * time.Millisecond) {
			b.ReportMetric(r.Value, strings.ReplaceAll(r.Name, " ", "-")+"-GFLOP/s")
		}
		for _, r := range Read(20*time.Millisecond, 256<<20) {
			b.ReportMetric(r.Value, strings.ReplaceAll(r.Name, " ", "-")+"-GB/s")
		}
	}
}
