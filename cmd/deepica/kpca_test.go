package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deepica/deepica/matrix"
	"github.com/deepica/deepica/npyfile"
)

// TestKPCAMatchesScikitLearn compares deepica kpca's files with the
// scikit-learn 1.2.1 KernelPCA fixtures of the whiten package (4
// components, dense solver; parameters as in whiten/testdata/gen_fixtures.py).
func TestKPCAMatchesScikitLearn(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
	}{
		{"kpca_rbf", []string{"--kernel", "rbf", "--gamma", "0.5"}},
		{"kpca_rbf_default", []string{"--kernel=rbf"}},
		{"kpca_poly", []string{"--kernel", "poly", "--degree", "3", "--gamma", "0.3", "--coef0", "1"}},
		{"kpca_sigmoid", []string{"--kernel", "sigmoid", "--gamma", "0.05", "--coef0", "0.2"}},
		{"kpca_cosine", []string{"--kernel", "cosine"}},
		{"kpca_linear", []string{"--kernel", "linear"}},
	}
	for _, c := range cases {
		out := filepath.Join(dir, c.name)
		args := append([]string{"kpca", "--in", filepath.Join(whitenFixtures, c.name+"__X.npy"), "--out", out, "--components", "4"}, c.args...)
		code, stdout, stderr := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.name, code, stderr)
		}
		if !strings.Contains(stdout, "4 components") {
			t.Errorf("%s: stdout %q", c.name, stdout)
		}
		// Tolerance: well-separated eigenvalues of a small kernel matrix;
		// both sides are float64 eigensolvers, so agreement is far below 1e-8.
		for got, want := range map[string]string{
			"scores.npy":       c.name + "__fit_transform.npy",
			"eigenvalues.npy":  c.name + "__eigenvalues.npy",
			"eigenvectors.npy": c.name + "__eigenvectors.npy",
		} {
			g := loadAny(t, filepath.Join(out, got))
			w := loadAny(t, filepath.Join(whitenFixtures, want))
			if len(g.Data) != len(w.Data) {
				t.Errorf("%s %s: %d values, scikit-learn %d", c.name, got, len(g.Data), len(w.Data))
				continue
			}
			if e := maxRel(g, w); e > 1e-8 {
				t.Errorf("%s %s: relative difference %.3g", c.name, got, e)
			}
		}
		if _, err := os.Stat(filepath.Join(out, "summary.json")); err != nil {
			t.Error(err)
		}
	}
}

func TestKPCABadInput(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(whitenFixtures, "kpca_rbf__X.npy")
	x, _ := npyfile.ReadFile[float64](good)
	inf := x.Clone()
	inf.Set(0, 0, math.Inf(1))
	pInf := filepath.Join(dir, "inf.npy")
	writeNpy(t, pInf, inf)
	// Three distinct points: a linear kernel of rank 2 after centring.
	few := matrix.New[float64](3, 2)
	copy(few.Data, []float64{0, 0, 1, 0, 0, 1})
	pFew := filepath.Join(dir, "few.npy")
	writeNpy(t, pFew, few)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--in", filepath.Join(dir, "missing.npy"), "--components", "2", "--kernel", "rbf"}, "no such file"},
		{[]string{"--in", "../../npyfile/testdata/f8_1d.npy", "--components", "2", "--kernel", "rbf"}, "1 dimensions"},
		{[]string{"--in", "../../npyfile/testdata/i8_3x4.npy", "--components", "2", "--kernel", "rbf"}, "integer"},
		{[]string{"--in", pInf, "--components", "2", "--kernel", "rbf"}, "Inf"},
		{[]string{"--in", pFew, "--components", "3", "--kernel", "linear"}, "rank 2"},
		{[]string{"--in", good, "--components", "2", "--kernel", "laplacian"}, "kernel"},
		{[]string{"--in", good, "--components", "2"}, "--kernel"},
		{[]string{"--in", good, "--kernel", "rbf"}, "--components"},
		{[]string{"--in", good, "--components", "2", "--kernel", "rbf", "--gamma", "-1"}, "gamma"},
	}
	for _, c := range cases {
		out := filepath.Join(dir, "out")
		code, stdout, stderr := runCLI(t, append([]string{"kpca", "--out", out}, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || stdout != "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line containing %q", c.args, code, stderr, c.want)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%v: output directory created", c.args)
		}
	}
}
