//go:build !purego

package kernels

// asmLevels lists the assembly levels this build contains. NEON (Advanced
// SIMD) is architectural on arm64, so it is always selected unless
// DEEPICA_KERNELS forces generic.
var asmLevels = []Level{NEON}

func detect() ([]Level, string) {
	lv := []Level{Generic}
	for _, l := range asmLevels {
		if l == NEON {
			lv = append(lv, NEON)
		}
	}
	if len(lv) == 1 {
		return lv, "arm64: this build has no NEON assembly yet"
	}
	return lv, "arm64: NEON is architectural"
}
