package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/klauspost/cpuid/v2"

	"github.com/deepica/deepica/kernels"
)

func init() {
	register("info", "print the CPU, its features, the kernel level chosen and why, threads, versions", runInfo)
}

func runInfo(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("info", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return usagef("%v (deepica info takes no flags)", err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (deepica info takes no arguments)", fs.Arg(0))
	}
	c := cpuid.CPU
	levels := make([]string, 0, 4)
	for _, l := range kernels.Available() {
		levels = append(levels, l.String())
	}
	feats := c.FeatureSet()
	fmt.Fprintf(stdout, "cpu:          %s\n", orUnknown(c.BrandName))
	fmt.Fprintf(stdout, "vendor:       %s, family %d model %d\n", c.VendorString, c.Family, c.Model)
	fmt.Fprintf(stdout, "cores:        %d physical, %d logical, %d threads per core\n", c.PhysicalCores, c.LogicalCores, c.ThreadsPerCore)
	fmt.Fprintf(stdout, "caches:       L1d %s, L2 %s, L3 %s\n", cacheSize(c.Cache.L1D), cacheSize(c.Cache.L2), cacheSize(c.Cache.L3))
	fmt.Fprintf(stdout, "simd:         %s\n", simdFeatures(c))
	fmt.Fprintf(stdout, "features:     %s\n", strings.Join(feats, " "))
	fmt.Fprintf(stdout, "kernel level: %s (best here: %s; available: %s)\n", kernels.Impl(), kernels.Best(), strings.Join(levels, ", "))
	fmt.Fprintf(stdout, "why:          %s\n", kernels.Why())
	fmt.Fprintf(stdout, "threads:      %d (GOMAXPROCS %d, NumCPU %d)\n", kernels.Threads(), runtime.GOMAXPROCS(0), runtime.NumCPU())
	fmt.Fprintf(stdout, "go:           %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if bi, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(stdout, "module:       %s %s\n", bi.Main.Path, orUnknown(bi.Main.Version))
		for _, s := range bi.Settings {
			if s.Key == "-tags" && s.Value != "" {
				fmt.Fprintf(stdout, "build tags:   %s\n", s.Value)
			}
		}
	}
	return nil
}

// simdFeatures lists the features the kernels' levels depend on, each with
// yes or no, so a bug report shows at a glance why a level was (not) chosen.
func simdFeatures(c cpuid.CPUInfo) string {
	var b strings.Builder
	for _, f := range []struct {
		name string
		id   cpuid.FeatureID
	}{
		{"SSE4.2", cpuid.SSE42}, {"AVX", cpuid.AVX}, {"AVX2", cpuid.AVX2}, {"FMA3", cpuid.FMA3},
		{"AVX512F", cpuid.AVX512F}, {"AVX512VL", cpuid.AVX512VL}, {"AVX512DQ", cpuid.AVX512DQ},
		{"AVX512BW", cpuid.AVX512BW}, {"ASIMD", cpuid.ASIMD},
	} {
		mark := "no"
		if c.Supports(f.id) {
			mark = "yes"
		}
		fmt.Fprintf(&b, "%s=%s ", f.name, mark)
	}
	return strings.TrimSpace(b.String())
}

func cacheSize(bytes int) string {
	switch {
	case bytes <= 0:
		return "?"
	case bytes >= 1<<20:
		return fmt.Sprintf("%d MiB", bytes>>20)
	default:
		return fmt.Sprintf("%d KiB", bytes>>10)
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}
