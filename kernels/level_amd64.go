//go:build !purego

package kernels

import (
	"strings"

	"github.com/klauspost/cpuid/v2"
)

// hasAVX2, hasAVX512 report the CPU features each assembly level needs: the
// union of the Requires: lines of the generated functions. AVX2 code also
// uses FMA3; the AVX-512 code uses F, VL, DQ, BW, and BMI2 for tail masks.
// (Requires: lines also list MMX+ for PREFETCHT0, present on every x86-64.)
func hasAVX2() bool {
	return cpuid.CPU.Supports(cpuid.AVX, cpuid.AVX2, cpuid.FMA3)
}

func hasAVX512() bool {
	return hasAVX2() && cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512VL, cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.BMI2)
}

// asmLevels lists the assembly levels this build contains.
var asmLevels = []Level{AVX2, AVX512}

func detect() ([]Level, string) {
	lv := []Level{Generic}
	var found []string
	for _, l := range asmLevels {
		switch {
		case l == AVX2 && hasAVX2():
			lv = append(lv, AVX2)
		case l == AVX512 && hasAVX512():
			lv = append(lv, AVX512)
		}
	}
	if hasAVX2() {
		found = append(found, "AVX2+FMA3")
	}
	if hasAVX512() {
		found = append(found, "AVX-512 F/VL/DQ/BW")
	}
	if len(found) == 0 {
		found = append(found, "no AVX2+FMA3")
	}
	why := cpuid.CPU.BrandName + ": " + strings.Join(found, ", ")
	if len(asmLevels) == 0 {
		why += "; this build has no amd64 assembly yet"
	}
	return lv, why
}
