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

const whitenFixtures = "../../whiten/testdata"

// loadAny reads a 1-D or 2-D little-endian float .npy as a matrix (1-D as
// one row); npyfile reads only 2-D arrays, so 1-D payloads are decoded here.
func loadAny(t *testing.T, path string) *matrix.Dense[float64] {
	t.Helper()
	h, err := npyfile.ReadHeader(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Shape) == 2 {
		m, err := npyfile.ReadFile[float64](path)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	// 1-D: the payload is the same bytes; rewrite the header as 1×n.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := h.Shape[0]
	hdr := len(b) - n*map[string]int{"float32": 4, "float64": 8}[h.DType]
	m := matrix.New[float64](1, n)
	if h.DType == "float64" {
		for i := 0; i < n; i++ {
			m.Data[i] = math.Float64frombits(le64(b[hdr+8*i:]))
		}
	} else {
		for i := 0; i < n; i++ {
			m.Data[i] = float64(math.Float32frombits(uint32(le64(append(append([]byte{}, b[hdr+4*i:hdr+4*i+4]...), 0, 0, 0, 0)))))
		}
	}
	return m
}

func le64(b []byte) uint64 {
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

func maxRel(got, want *matrix.Dense[float64]) float64 {
	var d, m float64
	for i := range want.Data {
		d = math.Max(d, math.Abs(got.Data[i]-want.Data[i]))
		m = math.Max(m, math.Abs(want.Data[i]))
	}
	return d / m
}

// TestPCAMatchesScikitLearn compares deepica pca's files with the
// scikit-learn 1.2.1 PCA fixtures of the whiten package.
func TestPCAMatchesScikitLearn(t *testing.T) {
	dir := t.TempDir()
	for _, white := range []bool{false, true} {
		out := filepath.Join(dir, "pca")
		args := []string{"pca", "--in", filepath.Join(whitenFixtures, "pca_tall__X.npy"), "--out", out, "--components=5"}
		scores := "pca_tall__fit_transform_nw.npy"
		if white {
			args = append(args, "--whiten")
			scores = "pca_tall__fit_transform_w.npy"
		}
		code, stdout, stderr := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !strings.Contains(stdout, "5 components") {
			t.Errorf("stdout %q", stdout)
		}
		// Tolerance: the fixtures are well conditioned; both sides round
		// O(n·p) sums of O(1) terms in float64, far below 1e-9.
		for got, want := range map[string]string{
			"scores.npy":                   scores,
			"components.npy":               "pca_tall__components.npy",
			"explained_variance.npy":       "pca_tall__explained_variance.npy",
			"explained_variance_ratio.npy": "pca_tall__explained_variance_ratio.npy",
			"singular_values.npy":          "pca_tall__singular_values.npy",
			"mean.npy":                     "pca_tall__mean.npy",
		} {
			g := loadAny(t, filepath.Join(out, got))
			w := loadAny(t, filepath.Join(whitenFixtures, want))
			if len(g.Data) != len(w.Data) {
				t.Errorf("%s: %d values, scikit-learn %d", got, len(g.Data), len(w.Data))
				continue
			}
			if e := maxRel(g, w); e > 1e-9 {
				t.Errorf("whiten=%v %s: relative difference %.3g", white, got, e)
			}
		}
		if _, err := os.Stat(filepath.Join(out, "summary.json")); err != nil {
			t.Error(err)
		}
	}
	// Variance fraction: same number of components as scikit-learn.
	out := filepath.Join(dir, "frac")
	if code, _, stderr := runCLI(t, "pca", "--in", filepath.Join(whitenFixtures, "pca_frac__X.npy"), "--out", out, "--variance", "0.9"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	g := loadAny(t, filepath.Join(out, "components.npy"))
	w := loadAny(t, filepath.Join(whitenFixtures, "pca_frac__components.npy"))
	if g.Rows != w.Rows || maxRel(g, w) > 1e-9 {
		t.Errorf("variance 0.9: %d components (scikit-learn %d)", g.Rows, w.Rows)
	}
}

func TestPCABadInput(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(whitenFixtures, "pca_tall__X.npy")
	x, _ := npyfile.ReadFile[float64](good)
	nan := x.Clone()
	nan.Set(1, 1, math.NaN())
	pNaN := filepath.Join(dir, "nan.npy")
	writeNpy(t, pNaN, nan)
	rank2 := matrix.New[float64](30, 3)
	for i := 0; i < 30; i++ {
		rank2.Set(i, 0, float64(i%7))
		rank2.Set(i, 1, float64(i%5))
		rank2.Set(i, 2, float64(i%7)+2*float64(i%5))
	}
	pRank := filepath.Join(dir, "rank2.npy")
	writeNpy(t, pRank, rank2)
	one := filepath.Join(dir, "one.npy")
	writeNpy(t, one, x.Slice(0, 1, 0, 8).Clone())
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--in", filepath.Join(dir, "missing.npy"), "--components", "2"}, "no such file"},
		{[]string{"--in", "../../npyfile/testdata/f8_3d.npy", "--components", "2"}, "3 dimensions"},
		{[]string{"--in", "../../npyfile/testdata/i8_3x4.npy", "--components", "2"}, "integer"},
		{[]string{"--in", pNaN, "--components", "2"}, "NaN"},
		{[]string{"--in", one, "--components", "1"}, "at least 2"},
		{[]string{"--in", pRank, "--components", "3"}, "rank 2"},
		{[]string{"--in", good, "--components", "9"}, "at most 8"},
		{[]string{"--in", good}, "--components"},
		{[]string{"--in", good, "--components", "2", "--variance", "0.5"}, "not both"},
		{[]string{"--in", good, "--variance", "1.5"}, "(0, 1)"},
		{[]string{"--in", good, "--components", "2", "--solver", "qr"}, "solver"},
	}
	for _, c := range cases {
		out := filepath.Join(dir, "out")
		code, stdout, stderr := runCLI(t, append([]string{"pca", "--out", out}, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || stdout != "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line containing %q", c.args, code, stderr, c.want)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%v: output directory created", c.args)
		}
	}
}
