package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/deepica/deepica/gen"
	"github.com/deepica/deepica/matrix"
	"github.com/deepica/deepica/npyfile"
	"github.com/deepica/deepica/report"
)

// methodFiles lists the pictures each method writes (with --split > 1).
var methodFiles = map[string][]string{
	"pca":  {"pca.png", "pca_split.png"},
	"kpca": {"kpca.png", "kpca_split.png"},
	"ica":  {"ica.png", "ica_split.png"},
	"deep": {"deep_features.png", "deep_pca.png", "deep_ica.png"},
}

// smallRun is a generated data set small enough for a test: 200 images of
// 32×32×3, 8 sources, the data split in 2, one epoch of the deep model.
var smallRun = []string{"--limit", "200", "--components", "8", "--split", "2", "--size", "32", "--epochs", "1", "--seed", "3"}

func runStudyCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func readSummary(t *testing.T, dir string) *report.Summary {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s report.Summary
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("summary.json: %v", err)
	}
	return &s
}

func inUnit(p *float64) bool { return p != nil && *p >= 0 && *p <= 1 }

// testRunArgs is smallRun, trimmed for -short (CI under the race detector): 120
// images of 24×24, still enough for FastICA to separate 8 sparse sources.
func testRunArgs() (args []string, images, side int) {
	if testing.Short() {
		return []string{"--limit", "120", "--components", "8", "--split", "2", "--size", "24", "--epochs", "1", "--seed", "3"}, 120, 24
	}
	return smallRun, 200, 32
}

func TestRunEndToEnd(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "res")
	start := time.Now()
	args, images, side := testRunArgs()
	code, _, stderr := runStudyCLI(t, append([]string{"run", "--out", out}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	t.Logf("small study: %.1f s", time.Since(start).Seconds())
	// stderr is not a terminal here: progress comes as plain lines.
	if strings.Contains(stderr, "\r") || !strings.Contains(stderr, "deepica: pca: ") {
		t.Errorf("progress on a non-terminal should be plain lines:\n%s", stderr)
	}

	s := readSummary(t, out)
	want := []string{"truth.png", "contrasts.png", "report.html", "summary.json"}
	missing := map[string]bool{}
	for _, m := range s.Missing {
		missing[m.Method] = true
		if _, built := methodImpls[m.Method]; built {
			t.Errorf("method %s is built in but reported missing: %s", m.Method, m.Reason)
		}
	}
	for _, m := range allMethods {
		if _, built := methodImpls[m]; built {
			want = append(want, methodFiles[m]...)
		} else if !missing[m] {
			t.Errorf("method %s is not built in and not reported missing", m)
		}
	}
	if methodImpls["ica"].f32 != nil || methodImpls["deep"].f32 != nil {
		want = append(want, "convergence.png")
	}

	// Every file exists, the summary lists exactly the files written, and
	// no temporary directory is left behind.
	entries, _ := os.ReadDir(out)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	sort.Strings(got)
	sort.Strings(want)
	listed := append([]string(nil), s.Files...)
	sort.Strings(listed)
	if strings.Join(got, " ") != strings.Join(want, " ") || strings.Join(listed, " ") != strings.Join(want, " ") {
		t.Errorf("files written %v\nlisted %v\nwant %v", got, listed, want)
	}
	if left, _ := filepath.Glob(filepath.Join(parent, ".res.tmp-*")); len(left) > 0 {
		t.Errorf("temporary directories left: %v", left)
	}

	html, _ := os.ReadFile(filepath.Join(out, "report.html"))
	h := string(html)
	if !strings.HasPrefix(h, "<!DOCTYPE html>") || !strings.HasSuffix(strings.TrimSpace(h), "</html>") {
		t.Error("report.html is not a complete HTML document")
	}
	for _, f := range want {
		if !strings.HasSuffix(f, ".png") {
			continue
		}
		if !strings.Contains(h, `<img src="`+f+`"`) {
			t.Errorf("report.html does not show %s", f)
		}
		fh, err := os.Open(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(fh)
		fh.Close()
		if err != nil {
			t.Errorf("%s: %v", f, err)
		} else if b := img.Bounds(); b.Dx() < 64 || b.Dy() < 64 {
			t.Errorf("%s is only %v", f, b)
		}
	}

	// Sane numbers.
	if s.Data.Images != images || s.Data.Samples != images || s.Data.Features != 3*side*side || !s.Data.Generated || s.Data.TrueSources != 8 {
		t.Errorf("data %+v", s.Data)
	}
	if s.KernelLevel == "" || s.Threads < 1 || s.DType != "float32" || !(s.Seconds > 0) {
		t.Errorf("header: level %q threads %d dtype %q total %v", s.KernelLevel, s.Threads, s.DType, s.Seconds)
	}
	var stageSum float64
	for _, st := range s.Stages {
		if !(st.Seconds >= 0) || math.IsInf(st.Seconds, 0) {
			t.Errorf("stage %s took %v s", st.Name, st.Seconds)
		}
		stageSum += st.Seconds
	}
	if stageSum > s.Seconds*1.01+0.01 {
		t.Errorf("stages sum to %.3f s, more than the total %.3f s", stageSum, s.Seconds)
	}
	rows := map[string]report.Method{}
	for _, m := range s.Methods {
		rows[m.Name] = m
		if m.Components < 1 || !(m.Seconds >= 0) {
			t.Errorf("%s: %d components in %v s", m.Name, m.Components, m.Seconds)
		}
		if !inUnit(m.PatternCorr) || !inUnit(m.MinPatternCorr) || *m.MinPatternCorr > *m.PatternCorr {
			t.Errorf("%s: pattern |corr| %v min %v", m.Name, m.PatternCorr, m.MinPatternCorr)
		}
		if m.MatchedCorr != nil && (!inUnit(m.MatchedCorr) || !inUnit(m.MinMatchedCorr) || *m.MinMatchedCorr > *m.MatchedCorr) {
			t.Errorf("%s: matched |corr| %v min %v", m.Name, *m.MatchedCorr, *m.MinMatchedCorr)
		}
		if m.Amari != nil && !inUnit(m.Amari) {
			t.Errorf("%s: Amari %v", m.Name, *m.Amari)
		}
	}
	if pca, ok := rows["pca"]; !ok || pca.Amari == nil || pca.MatchedCorr == nil {
		t.Errorf("pca row without truth metrics: %+v", pca)
	}
	if ica, ok := rows["ica"]; ok {
		// The generated sources are sparse and independent: FastICA must
		// separate them, and far better than PCA (which only decorrelates).
		if ica.Amari == nil || ica.Converged == nil || !*ica.Converged || *ica.Iterations < 1 {
			t.Fatalf("ica row: %+v", ica)
		}
		if *ica.Amari > 0.1 || *ica.MatchedCorr < 0.95 || *ica.Amari > *rows["pca"].Amari/2 {
			t.Errorf("FastICA did not recover the sources: Amari %.3f (PCA %.3f), matched |corr| %.3f",
				*ica.Amari, *rows["pca"].Amari, *ica.MatchedCorr)
		}
	}
	if d, ok := rows["deep"]; ok && (d.Iterations == nil || *d.Iterations < 1 || d.Amari != nil) {
		t.Errorf("deep row: %+v", d)
	}
}

func TestRunPixelsFloat64(t *testing.T) {
	out := filepath.Join(t.TempDir(), "px")
	code, _, stderr := runStudyCLI(t, "run", "--out", out, "--quiet", "--orientation", "pixels", "--dtype", "float64",
		"--methods", "pca,ica", "--limit", "40", "--components", "6", "--split", "1", "--size", "24")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stderr != "" {
		t.Errorf("--quiet printed %q", stderr)
	}
	s := readSummary(t, out)
	if s.Data.Samples != 3*24*24 || s.Data.Features != 40 || s.Orientation != "pixels" || s.DType != "float64" {
		t.Errorf("pixels orientation: %+v", s.Data)
	}
	for _, f := range []string{"pca_split.png", "ica_split.png", "deep_ica.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err == nil {
			t.Errorf("%s written without being asked for", f)
		}
	}
	for _, m := range s.Methods {
		if m.Name == "ica" && (m.Amari == nil || *m.Amari > 0.1) {
			t.Errorf("spatial FastICA: Amari %v", m.Amari)
		}
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "afile")
	os.WriteFile(file, []byte("x"), 0o644)
	cases := map[string][]string{
		"unknown flag":     {"--bogus"},
		"bad method":       {"--methods", "pca,svm"},
		"bad dtype":        {"--dtype", "float16"},
		"bad orientation":  {"--orientation", "columns"},
		"out is a file":    {"--out", file},
		"missing stl10":    {"--data", "stl10:" + filepath.Join(dir, "none")},
		"missing folder":   {"--data", "images:" + filepath.Join(dir, "none")},
		"npy no shape":     {"--data", "npy:" + file},
		"unknown data":     {"--data", "mnist"},
		"class on gen":     {"--class", "bird"},
		"too few images":   {"--limit", "5", "--components", "8"},
		"split not factor": {"--components", "10", "--split", "4"},
		"extra argument":   {"now"},
	}
	for name, args := range cases {
		out := filepath.Join(dir, "out-"+strings.ReplaceAll(name, " ", "-"))
		if name == "out is a file" {
			out = file
		}
		full := append([]string{"run", "--quiet", "--out", out}, args...)
		code, stdout, stderr := runStudyCLI(t, full...)
		if code != 2 {
			t.Errorf("%s: exit %d, want 2 (stderr %q)", name, code, stderr)
		}
		if lines := strings.Count(strings.TrimRight(stderr, "\n"), "\n") + 1; lines != 1 || stdout != "" {
			t.Errorf("%s: want one line on stderr, got %q (stdout %q)", name, stderr, stdout)
		}
		if name != "out is a file" {
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s: output directory created", name)
			}
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
		t.Errorf("temporary directories left: %v", left)
	}
}

func TestRunInterrupted(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "res")
	ctx, cancel := context.WithCancel(context.Background())
	baseContext = func() context.Context { return ctx }
	defer func() { baseContext = context.Background }()
	time.AfterFunc(300*time.Millisecond, cancel)
	args, _, _ := testRunArgs()
	code, _, stderr := runStudyCLI(t, append([]string{"run", "--out", out, "--quiet"}, args...)...)
	if code == 0 {
		t.Skip("the run finished before the interruption")
	}
	if code != 1 || !strings.Contains(stderr, "interrupted") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	left, _ := os.ReadDir(parent)
	if len(left) != 0 {
		t.Errorf("interrupted run left %v", left)
	}
}

// writeSTL10Files writes n images in STL-10's binary layout (each channel
// column-major) with the given labels, and class_names.txt.
func writeSTL10Files(t *testing.T, dir string, labels []byte, pix func(i, c, y, x int) byte) {
	t.Helper()
	var b []byte
	for i := range labels {
		for c := 0; c < 3; c++ {
			for x := 0; x < 96; x++ {
				for y := 0; y < 96; y++ {
					b = append(b, pix(i, c, y, x))
				}
			}
		}
	}
	os.WriteFile(filepath.Join(dir, "train_X.bin"), b, 0o644)
	os.WriteFile(filepath.Join(dir, "train_y.bin"), labels, 0o644)
	os.WriteFile(filepath.Join(dir, "class_names.txt"), []byte("airplane\nbird\ncar\ncat\ndeer\ndog\nhorse\nmonkey\nship\ntruck\n"), 0o644)
}

func TestRunSTL10(t *testing.T) {
	data := t.TempDir()
	labels := make([]byte, 30)
	for i := range labels {
		labels[i] = byte(1 + i%3) // 10 birds (label 2)
	}
	writeSTL10Files(t, data, labels, func(i, c, y, x int) byte { return byte((i*53 + c*31 + y*x + 7*y) % 256) })
	out := filepath.Join(t.TempDir(), "stl")
	code, _, stderr := runStudyCLI(t, "run", "--quiet", "--data", "stl10:"+data, "--class", "bird", "--methods", "pca",
		"--components", "4", "--split", "1", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	s := readSummary(t, out)
	if s.Data.Images != 10 || s.Data.Generated || !strings.Contains(s.Data.Source, "class bird") {
		t.Errorf("data %+v", s.Data)
	}
	if len(s.Methods) != 1 || s.Methods[0].Amari != nil || s.Methods[0].PatternCorr != nil {
		t.Errorf("real data must have no truth metrics: %+v", s.Methods)
	}
	code, _, stderr = runStudyCLI(t, "run", "--quiet", "--data", "stl10:"+data, "--class", "bird", "--methods", "pca",
		"--components", "40", "--out", out)
	if code != 2 || !strings.Contains(stderr, "too few") {
		t.Errorf("10 images for 40 components: exit %d, %q", code, stderr)
	}
}

func TestRunFolderAndNPY(t *testing.T) {
	// 30 images of 20×16 drawn from a generated set, written as PNG files
	// and as a .npy matrix in HWC order; both must load and run.
	gset, err := gen.Images(gen.ImageConfig{N: 30, H: 16, W: 20, C: 3, K: 4, Coef: gen.Sparse, Noise: 0.02, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	npy := matrix.New[float64](30, 16*20*3)
	for i := 0; i < 30; i++ {
		img := image.NewNRGBA(image.Rect(0, 0, 20, 16))
		row := gset.X.Row(i)
		for y := 0; y < 16; y++ {
			for x := 0; x < 20; x++ {
				var c [3]uint8
				for ch := 0; ch < 3; ch++ {
					v := row[ch*16*20+y*20+x]
					npy.Set(i, (y*20+x)*3+ch, v)
					c[ch] = uint8(math.Max(0, math.Min(255, 128+60*v)))
				}
				img.SetNRGBA(x, y, color.NRGBA{c[0], c[1], c[2], 255})
			}
		}
		f, _ := os.Create(filepath.Join(dir, fmt.Sprintf("img%02d.png", i)))
		png.Encode(f, img)
		f.Close()
	}
	npyPath := filepath.Join(t.TempDir(), "x.npy")
	if err := npyfile.WriteFile(npyPath, npy); err != nil {
		t.Fatal(err)
	}
	for _, data := range [][]string{{"--data", "images:" + dir}, {"--data", "npy:" + npyPath, "--shape", "16x20x3"}} {
		out := filepath.Join(t.TempDir(), "o")
		args := append([]string{"run", "--quiet", "--out", out, "--methods", "pca,ica", "--components", "4", "--split", "2"}, data...)
		code, _, stderr := runStudyCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", data, code, stderr)
		}
		s := readSummary(t, out)
		if s.Data.Images != 30 || s.Data.Height != 16 || s.Data.Width != 20 || s.Data.Channels != 3 || s.Data.Generated {
			t.Errorf("%v: data %+v", data, s.Data)
		}
		for _, f := range []string{"pca.png", "ica.png", "pca_split.png", "ica_split.png", "report.html"} {
			if _, err := os.Stat(filepath.Join(out, f)); err != nil {
				t.Errorf("%v: %v", data, err)
			}
		}
	}
	// Wrong shape for the npy rows: one line, exit 2.
	code, _, stderr := runStudyCLI(t, "run", "--quiet", "--out", filepath.Join(t.TempDir(), "o"), "--data", "npy:"+npyPath, "--shape", "16x16x3")
	if code != 2 || !strings.Contains(stderr, "columns") {
		t.Errorf("wrong npy shape: exit %d, %q", code, stderr)
	}
}
