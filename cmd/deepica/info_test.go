package main

import (
	"bytes"
	"runtime"
	"strings"
	"testing"

	"github.com/klauspost/cpuid/v2"

	"github.com/deepica/deepica/kernels"
)

func TestInfo(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"info"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	s := out.String()
	// The facts come from their own sources, not from info's output.
	for _, want := range []string{
		"kernel level: " + kernels.Impl().String(),
		kernels.Why(),
		runtime.Version(),
		runtime.GOARCH,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("info output lacks %q:\n%s", want, s)
		}
	}
	if b := cpuid.CPU.BrandName; b != "" && !strings.Contains(s, b) {
		t.Errorf("info output lacks the CPU brand %q", b)
	}
	if cpuid.CPU.Supports(cpuid.AVX2) && !strings.Contains(s, "AVX2=yes") {
		t.Errorf("CPU has AVX2 but info says otherwise:\n%s", s)
	}
}

func TestInfoBadArgs(t *testing.T) {
	for _, args := range [][]string{{"info", "--bogus"}, {"info", "extra"}} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if n := strings.Count(strings.TrimSpace(errb.String()), "\n"); n != 0 {
			t.Errorf("%v: error is %d lines, want one: %q", args, n+1, errb.String())
		}
	}
}
