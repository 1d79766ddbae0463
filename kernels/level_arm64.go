//go:build !purego

package kernels

// asmLevels lists the assembly levels this build contains; the NEON issue
// adds NEON here when its kernels land. NEON is architectural on arm64.
var asmLevels = []Level{}

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
