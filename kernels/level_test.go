package kernels

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// EnvRequire names the level a CI job expects the kernels to run.
const envRequire = "DEEPICA_REQUIRE_KERNELS"

// TestRequireKernels fails when DEEPICA_REQUIRE_KERNELS names a level other
// than the one selected, so that a CI job meant to test assembly cannot
// pass on the fallback by accident.
//
// Tests that force other levels (forEachLevel) restore the selected one, so
// Impl() here is the start-up choice.
func TestRequireKernels(t *testing.T) {
	startLevel := Impl()
	v, ok := os.LookupEnv(envRequire)
	if !ok || v == "" {
		t.Skipf("%s not set; selected level is %s (%s)", envRequire, Impl(), Why())
	}
	want, err := ParseLevel(v)
	if err != nil {
		t.Fatalf("%s=%q is not a valid level: %v", envRequire, v, err)
	}
	if startLevel != want {
		t.Fatalf("%s=%s but the kernels selected %s (available %v; %s)", envRequire, want, startLevel, Available(), Why())
	}
}

// runSelf runs this test binary's test named name in a child process with
// extra environment, returning its combined output and whether it passed.
func runSelf(t *testing.T, name string, env ...string) (string, bool) {
	t.Helper()
	if os.Getenv("DEEPICA_TEST_CHILD") != "" {
		t.Skip("already a child")
	}
	if raceEnabled {
		t.Skip("start-up selection has no concurrency; checked without -race")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+name+"$", "-test.v")
	cmd.Env = append(os.Environ(), "DEEPICA_TEST_CHILD=1")
	for _, k := range []string{EnvForce, envRequire} {
		cmd.Env = append(cmd.Env, k+"=")
	}
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		// Under an emulator without binfmt the binary cannot start itself.
		t.Skipf("cannot run the test binary as a child process: %v", err)
	}
	return string(out), err == nil
}

// TestRequireKernelsFails checks that the require test fails, with a clear
// message, for a level that was not selected and for a name that is not a
// level, and passes for the selected one.
func TestRequireKernelsFails(t *testing.T) {
	if os.Getenv("DEEPICA_TEST_CHILD") != "" {
		t.Skip("already a child")
	}
	other := NEON
	if Best() == NEON {
		other = AVX512
	}
	out, ok := runSelf(t, "TestRequireKernels", envRequire+"="+other.String())
	if ok || !strings.Contains(out, "but the kernels selected") {
		t.Errorf("%s=%s on a %s machine: passed=%v, output:\n%s", envRequire, other, Best(), ok, out)
	}
	out, ok = runSelf(t, "TestRequireKernels", envRequire+"=sse9")
	if ok || !strings.Contains(out, "is not a valid level") {
		t.Errorf("%s=sse9: passed=%v, output:\n%s", envRequire, ok, out)
	}
	out, ok = runSelf(t, "TestRequireKernels", envRequire+"="+Best().String())
	if !ok || strings.Contains(out, "SKIP") {
		t.Errorf("%s=%s (the best level): passed=%v, output:\n%s", envRequire, Best(), ok, out)
	}
	out, ok = runSelf(t, "TestRequireKernels", envRequire+"=generic", EnvForce+"=generic")
	if !ok {
		t.Errorf("%s=generic with %s=generic: output:\n%s", envRequire, EnvForce, out)
	}
}

// TestEnvForce checks that DEEPICA_KERNELS forces a level, and that an
// unknown or unavailable one is ignored with a note.
func TestEnvForce(t *testing.T) {
	if os.Getenv("DEEPICA_TEST_CHILD") != "" {
		t.Skip("already a child")
	}
	for _, l := range Available() {
		out, ok := runSelf(t, "TestRequireKernels", EnvForce+"="+l.String(), envRequire+"="+l.String())
		if !ok {
			t.Errorf("%s=%s did not select it:\n%s", EnvForce, l, out)
		}
	}
	out, ok := runSelf(t, "TestRequireKernels", EnvForce+"=bogus", envRequire+"="+Best().String())
	if !ok {
		t.Errorf("%s=bogus should leave the best level:\n%s", EnvForce, out)
	}
}

func TestParseLevel(t *testing.T) {
	for _, l := range []Level{Generic, AVX2, AVX512, NEON} {
		got, err := ParseLevel(l.String())
		if err != nil || got != l {
			t.Errorf("ParseLevel(%q) = %v, %v", l.String(), got, err)
		}
		if got, err := ParseLevel(" " + strings.ToUpper(l.String()) + " "); err != nil || got != l {
			t.Errorf("ParseLevel(upper %q) = %v, %v", l, got, err)
		}
	}
	if _, err := ParseLevel("sse2"); err == nil || !strings.Contains(err.Error(), "sse2") {
		t.Errorf("ParseLevel(sse2): error %v, want one naming the input", err)
	}
	if s := Level(9).String(); s != "Level(9)" {
		t.Errorf("Level(9).String() = %q", s)
	}
}

func TestAvailable(t *testing.T) {
	startLevel := Impl()
	av := Available()
	if len(av) == 0 || av[0] != Generic {
		t.Fatalf("Available() = %v, want generic first", av)
	}
	if av[len(av)-1] != Best() {
		t.Errorf("Best() = %s, Available() = %v: best must be last", Best(), av)
	}
	if !Supported(startLevel) {
		t.Errorf("start-up level %s not among %v", startLevel, av)
	}
	for i := 1; i < len(av); i++ {
		if av[i] <= av[i-1] {
			t.Errorf("Available() = %v not increasing", av)
		}
	}
	av[0] = NEON + 1 // Available returns a copy
	if Available()[0] != Generic {
		t.Error("Available() exposes its internal slice")
	}
	for _, l := range []Level{AVX2, AVX512, NEON, Level(17)} {
		if Supported(l) {
			continue
		}
		if err := SetLevel(l); err == nil {
			t.Errorf("SetLevel(%s) on a machine without it: no error", l)
		}
		if Impl() != startLevel {
			t.Fatalf("failed SetLevel changed the level to %s", Impl())
		}
	}
	if Why() == "" {
		t.Error("Why() is empty")
	}
}

func TestSetThreads(t *testing.T) {
	defer SetThreads(0)
	SetThreads(3)
	if Threads() != 3 {
		t.Errorf("Threads() = %d after SetThreads(3)", Threads())
	}
	SetThreads(-2)
	if Threads() < 1 {
		t.Errorf("Threads() = %d after SetThreads(-2), want the default", Threads())
	}
	for _, th := range []int{1, 2, 5} {
		SetThreads(th)
		seen := make([]int, 37)
		parallelFor(len(seen), func(i int) { seen[i]++ })
		for i, s := range seen {
			if s != 1 {
				t.Fatalf("threads=%d: item %d ran %d times", th, i, s)
			}
		}
	}
}
