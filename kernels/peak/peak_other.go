//go:build purego || !amd64

package peak

import "time"

// FMA has no probe on this architecture or build: vector FMA loops exist
// for amd64 only. It returns nothing rather than a made-up figure.
func FMA(min time.Duration) []Result { return nil }

// Read falls back to a Go loop, which measures the Go compiler as much as
// the memory system; it is labelled as such.
func Read(min time.Duration, bytes int) []Result {
	buf := make([]uint64, bytes/8)
	rate := timeBest(min, 5, func(n int) float64 {
		var s uint64
		for range n / (1 << 10) {
			for _, v := range buf {
				s |= v
			}
		}
		sink = s
		return float64(n/(1<<10)) * float64(len(buf)*8)
	})
	return []Result{{Name: "read go", Value: rate / 1e9, Unit: "GB/s"}}
}

var sink uint64
