package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deepica/deepica/matrix"
	"github.com/deepica/deepica/npyfile"
)

const fixtures = "../../fastica/testdata"

// runCLI runs one command line through run and returns status and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func writeNpy[T float32 | float64](t *testing.T, path string, m *matrix.Dense[T]) {
	t.Helper()
	if err := npyfile.WriteFile(path, m); err != nil {
		t.Fatal(err)
	}
}

// TestICAMatchesScikitLearn runs deepica ica on a fixture's input and
// w_init and compares sources.npy with scikit-learn 1.2.1's.
func TestICAMatchesScikitLearn(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "res")
	// --flag value and --flag=value mixed.
	code, stdout, stderr := runCLI(t, "ica", "--in", filepath.Join(fixtures, "X_A.npy"), "--out="+out,
		"--components", "4", "--w-init="+filepath.Join(fixtures, "def_logcosh15_uv_winit.npy"),
		"--algorithm", "deflation", "--alpha=1.5", "--threads", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "converged") {
		t.Errorf("stdout: %q", stdout)
	}
	got, err := npyfile.ReadFile[float64](filepath.Join(out, "sources.npy"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := npyfile.ReadFile[float64](filepath.Join(fixtures, "def_logcosh15_uv_sources.npy"))
	if err != nil {
		t.Fatal(err)
	}
	var d, m float64
	for i := range want.Data {
		d = math.Max(d, math.Abs(got.Data[i]-want.Data[i]))
		m = math.Max(m, math.Abs(want.Data[i]))
	}
	if d/m > 1e-6 {
		t.Errorf("sources differ from scikit-learn's by %.3g relative", d/m)
	}
	for _, f := range []string{"components.npy", "mixing.npy", "mean.npy", "whitening.npy"} {
		h, err := npyfile.ReadHeader(filepath.Join(out, f))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		wantShape := map[string][]int{"components.npy": {4, 4}, "mixing.npy": {4, 4}, "mean.npy": {4}, "whitening.npy": {4, 4}}[f]
		if h.DType != "float64" || len(h.Shape) != len(wantShape) || h.Shape[0] != wantShape[0] {
			t.Errorf("%s: %+v", f, h)
		}
	}
	var sum map[string]any
	b, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"n_iter", "converged", "component_traces", "timings_s", "kernels", "whiten_solver"} {
		if _, ok := sum[key]; !ok {
			t.Errorf("summary.json lacks %q", key)
		}
	}
	if sum["converged"] != true || sum["n_iter"].(float64) != 5 {
		t.Errorf("summary: converged %v n_iter %v (scikit-learn: true, 5)", sum["converged"], sum["n_iter"])
	}
	// float32 compute type from a float64 file
	out32 := filepath.Join(dir, "res32")
	if code, _, stderr := runCLI(t, "ica", "--in", filepath.Join(fixtures, "X_A.npy"), "--out", out32, "--components", "3", "--dtype", "float32", "--seed", "4"); code != 0 {
		t.Fatalf("float32: exit %d: %s", code, stderr)
	}
	if h, err := npyfile.ReadHeader(filepath.Join(out32, "sources.npy")); err != nil || h.DType != "float32" || h.Shape[1] != 3 {
		t.Errorf("float32 sources: %+v %v", h, err)
	}
}

// TestICABadInput: each bad input exits with status 2, a one-line error
// naming the problem, and leaves no output (nor temporary directory).
func TestICABadInput(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(fixtures, "X_A.npy")
	mk := func(name string, m *matrix.Dense[float64]) string {
		p := filepath.Join(dir, name)
		writeNpy(t, p, m)
		return p
	}
	x, _ := npyfile.ReadFile[float64](good)
	nan := x.Clone()
	nan.Set(3, 2, math.NaN())
	inf := x.Clone()
	inf.Set(9, 0, math.Inf(1))
	rank2 := matrix.New[float64](50, 3)
	for i := 0; i < 50; i++ {
		rank2.Set(i, 0, float64(i%7))
		rank2.Set(i, 1, float64(i%5))
		rank2.Set(i, 2, float64(i%7)-float64(i%5))
	}
	vec := filepath.Join(dir, "vec.npy")
	if err := npyfile.WriteVectorFile(vec, []float64{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"missing file", []string{"--in", filepath.Join(dir, "nope.npy"), "--components", "2"}, "no such file"},
		{"not 2-D", []string{"--in", vec, "--components", "2"}, "1 dimensions"},
		{"integer dtype", []string{"--in", "../../npyfile/testdata/i8_3x4.npy", "--components", "2"}, "integer int64"},
		{"Fortran order", []string{"--in", "../../npyfile/testdata/f8_fortran.npy", "--components", "2"}, "Fortran"},
		{"NaN", []string{"--in", mk("nan.npy", nan), "--components", "2"}, "NaN"},
		{"Inf", []string{"--in", mk("inf.npy", inf), "--components", "2"}, "Inf"},
		{"one sample", []string{"--in", mk("one.npy", x.Slice(0, 1, 0, 4).Clone()), "--components", "1"}, "at least 2"},
		{"K > features", []string{"--in", good, "--components", "5"}, "5 components"},
		{"K > rank", []string{"--in", mk("rank2.npy", rank2), "--components", "3"}, "rank 2"},
		{"no components", []string{"--in", good}, "--components"},
		{"bad algorithm", []string{"--in", good, "--components", "2", "--algorithm", "symmetric"}, "algorithm"},
		{"bad fun", []string{"--in", good, "--components", "2", "--fun", "tanh"}, "contrast"},
		{"bad alpha", []string{"--in", good, "--components", "2", "--alpha", "3"}, "alpha"},
		{"bad dtype", []string{"--in", good, "--components", "2", "--dtype", "int8"}, "dtype"},
		{"bad w_init", []string{"--in", good, "--components", "3", "--w-init", filepath.Join(fixtures, "def_logcosh15_uv_winit.npy")}, "w_init"},
		{"unknown flag", []string{"--in", good, "--components", "2", "--bogus", "1"}, "bogus"},
	}
	for _, c := range cases {
		out := filepath.Join(dir, "out-"+strings.ReplaceAll(c.name, " ", "_"))
		code, stdout, stderr := runCLI(t, append([]string{"ica", "--out", out}, c.args...)...)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		last := lines[len(lines)-1]
		if code != 2 || !strings.Contains(last, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and an error containing %q", c.name, code, stderr, c.want)
		}
		if c.name != "unknown flag" && len(lines) != 1 {
			t.Errorf("%s: error is not one line: %q", c.name, stderr)
		}
		if stdout != "" {
			t.Errorf("%s: stdout %q", c.name, stdout)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s: output directory was created", c.name)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary directory left behind: %s", e.Name())
		}
	}
}

// TestICAExistingOutput: results replace an existing directory's files; a
// failed run leaves it untouched.
func TestICAExistingOutput(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "res")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(out, "notes.txt")
	os.WriteFile(keep, []byte("mine"), 0o644)
	os.WriteFile(filepath.Join(out, "sources.npy"), []byte("old"), 0o644)
	if code, _, stderr := runCLI(t, "ica", "--in", filepath.Join(fixtures, "X_A.npy"), "--out", out, "--components", "7"); code != 2 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "sources.npy")); string(b) != "old" {
		t.Error("failed run touched the existing output")
	}
	if code, _, stderr := runCLI(t, "ica", "--in", filepath.Join(fixtures, "X_A.npy"), "--out", out, "--components", "2", "--seed", "1"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := npyfile.ReadFile[float64](filepath.Join(out, "sources.npy")); err != nil {
		t.Errorf("sources not replaced: %v", err)
	}
	if b, _ := os.ReadFile(keep); string(b) != "mine" {
		t.Error("unrelated file removed")
	}
}
