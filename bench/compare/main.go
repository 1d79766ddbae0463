// Command compare measures deepica against the engines its users would
// otherwise use — gonum, NumPy/OpenBLAS, scikit-learn, PyTorch and R's
// fastICA — on the same inputs, at the same thread counts, in one run, and
// writes the ratios as a Markdown table (bench/RESULTS.md) and a PNG chart.
//
//	go run ./bench/compare            # the whole table (≈15 min on 2 cores; -runs 3 -budget 10)
//	go run ./bench/compare -short     # a smoke run on small inputs (CI)
//	go run ./bench/compare -install   # first apt-get install the missing peers
//
// Every measurement runs in a process of its own (this program re-executed
// as a worker, or the peers' drivers), so each figure comes with that
// process's peak resident memory and no engine inherits another's caches
// or allocator state. A figure is the median of -runs runs, with min and max.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type options struct {
	short   bool
	install bool
	runs    int
	threads []int
	out     string
	png     string
	only    *regexp.Regexp
	python  string
	rscript string
	keep    string
	budget  float64
	all     bool
}

// result is one engine's figure for one case, dtype and thread count.
type result struct {
	Case, Group, Title string
	Engine             string // "deepica/avx512", "gonum", "numpy", "sklearn", "torch", "R fastICA"
	Dtype              string
	Threads            int
	Times              []float64 // seconds
	RSSMiB             float64
	Flops              float64
	Extra              map[string]any
	Err                string
}

func (r result) median() float64 { return quantile(r.Times, 0.5) }

func quantile(ts []float64, q float64) float64 {
	if len(ts) == 0 {
		return 0
	}
	s := append([]float64(nil), ts...)
	sort.Float64s(s)
	if q == 0.5 && len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[int(q*float64(len(s)-1)+0.5)]
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-worker" {
		os.Exit(workerMain(os.Args[2:]))
	}
	var o options
	var threads, only string
	flag.BoolVar(&o.short, "short", false, "small inputs and 2 runs: a smoke test of the harness (CI)")
	flag.BoolVar(&o.install, "install", false, "apt-get install the missing peers (python3-sklearn, python3-torch, r-cran-fastica) first")
	flag.IntVar(&o.runs, "runs", 3, "runs per figure (the median is reported, with min and max)")
	flag.StringVar(&threads, "threads", fmt.Sprintf("1,%d", runtime.NumCPU()), "comma-separated thread counts")
	flag.StringVar(&o.out, "out", "bench/RESULTS.md", "Markdown table to write")
	flag.StringVar(&o.png, "png", "bench/results.png", "ratio chart to write")
	flag.StringVar(&only, "cases", "", "regular expression selecting cases by name")
	flag.StringVar(&o.python, "python", "/usr/bin/python3", "Python with NumPy, scikit-learn and PyTorch (Debian's)")
	flag.StringVar(&o.rscript, "rscript", "Rscript", "Rscript with the fastICA package")
	flag.Float64Var(&o.budget, "budget", 10, "seconds of measuring per figure after which no further runs start (at least two runs, so every figure has a min and a max)")
	flag.BoolVar(&o.all, "all-levels", false, "also run the generic level on the end-to-end cases and the largest kernels (slow: it is the pure-Go fallback)")
	flag.StringVar(&o.keep, "inputs", "", "directory for the generated inputs (default: a temporary one, removed)")
	flag.Parse()
	for _, t := range strings.Split(threads, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(t))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "compare: bad -threads %q\n", threads)
			os.Exit(2)
		}
		o.threads = append(o.threads, n)
	}
	o.threads = dedupe(o.threads)
	if only != "" {
		re, err := regexp.Compile(only)
		if err != nil {
			fmt.Fprintf(os.Stderr, "compare: bad -cases: %v\n", err)
			os.Exit(2)
		}
		o.only = re
	}
	if o.short && o.runs == 3 {
		o.runs = 2
	}
	if o.short && o.budget == 10 {
		o.budget = 2
	}
	if err := compare(o); err != nil {
		fmt.Fprintf(os.Stderr, "compare: %v\n", err)
		os.Exit(1)
	}
}

func dedupe(xs []int) []int {
	seen := map[int]bool{}
	var out []int
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func compare(o options) error {
	if o.install {
		if err := installPeers(); err != nil {
			return err
		}
	}
	m := describeMachine(o)
	logf("machine: %s", m.CPU)
	dir := o.keep
	if dir == "" {
		d, err := os.MkdirTemp("", "deepica-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var results []result
	for _, c := range cases() {
		if o.only != nil && !o.only.MatchString(c.name) {
			continue
		}
		cdir := filepath.Join(dir, c.name)
		if err := os.MkdirAll(cdir, 0o755); err != nil {
			return err
		}
		logf("%s: writing inputs", c.name)
		// Inputs are written by a worker too, so the harness's own peak
		// memory stays small (see peakMain).
		gargs := []string{"-worker", "-engine", "gen", "-case", c.name, "-indir", cdir}
		if o.short {
			gargs = append(gargs, "-short")
		}
		if out, err := exec.Command(self, gargs...).CombinedOutput(); err != nil {
			return fmt.Errorf("%s inputs: %v: %s", c.name, err, out)
		}
		flops := 0.0
		if c.flops != nil {
			flops = c.flops(o.short)
		}
		for _, dt := range c.dtypes {
			for _, th := range o.threads {
				base := result{Case: c.name, Group: c.group, Title: c.title, Dtype: dt, Threads: th, Flops: flops}
				for _, lvl := range m.Levels {
					// The pure-Go fallback is measured on the kernels; on the
					// end-to-end cases it would take most of the run's time.
					if lvl == "generic" && (c.group != "kernels" || flops > 5e9) && !o.all && len(m.Levels) > 1 {
						continue
					}
					r := base
					r.Engine = "deepica/" + lvl
					runProcess(&r, self, []string{"-worker", "-engine", "deepica", "-level", lvl, "-case", c.name,
						"-dtype", dt, "-threads", strconv.Itoa(th), "-runs", strconv.Itoa(o.runs), "-budget", fmt.Sprint(o.budget), "-indir", cdir}, nil)
					results = append(results, r)
				}
				if c.gonum != nil {
					r := base
					r.Engine = "gonum"
					runProcess(&r, self, []string{"-worker", "-engine", "gonum", "-case", c.name,
						"-dtype", dt, "-threads", strconv.Itoa(th), "-runs", strconv.Itoa(o.runs), "-budget", fmt.Sprint(o.budget), "-indir", cdir}, nil)
					results = append(results, r)
				}
				for _, p := range c.peers {
					if p == "R" && dt != "f64" {
						continue // R computes in double only
					}
					r := base
					r.Engine = p
					runPeer(&r, o, m, p, c.name, cdir, dt, th)
					results = append(results, r)
				}
			}
		}
	}
	if err := writeMarkdown(o, m, results); err != nil {
		return err
	}
	if err := writeChart(o, results); err != nil {
		return err
	}
	logf("wrote %s and %s", o.out, o.png)
	return nil
}

// runProcess runs one measurement process and fills r from its JSON line
// and its resource usage.
func runProcess(r *result, name string, args []string, env []string) {
	logf("%s %s threads=%d %s", r.Case, r.Dtype, r.Threads, r.Engine)
	cmd := exec.Command(name, args...)
	cmd.Env = append(cleanEnv(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ps := cmd.ProcessState; ps != nil {
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			r.RSSMiB = float64(ru.Maxrss) / 1024 // Linux reports KiB
		}
	}
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.LastIndex(msg, "\n"); i >= 0 {
			msg = msg[i+1:]
		}
		r.Err = fmt.Sprintf("%v: %s", err, msg)
		logf("  failed: %s", r.Err)
		return
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var out struct {
		Times []float64      `json:"times"`
		Blas  string         `json:"blas"`
		Extra map[string]any `json:"extra"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &out); err != nil {
		r.Err = fmt.Sprintf("unreadable output: %v", err)
		return
	}
	r.Times, r.Extra = out.Times, out.Extra
	if out.Blas != "" {
		if r.Extra == nil {
			r.Extra = map[string]any{}
		}
		r.Extra["blas"] = out.Blas
	}
	logf("  median %.4gs (min %.4g, max %.4g), %.0f MiB", r.median(), quantile(r.Times, 0), quantile(r.Times, 1), r.RSSMiB)
}

func runPeer(r *result, o options, m machine, engine, name, dir, dt string, threads int) {
	if engine == "R" {
		r.Engine = "R fastICA"
		if !m.HasR {
			r.Err = "Rscript with fastICA not installed (run with -install)"
			return
		}
		script := filepath.Join(sourceDir(), "fastica.R")
		runProcess(r, o.rscript, []string{script, dir, strconv.Itoa(o.runs), fmt.Sprint(o.budget)}, append(m.blasEnv, threadEnv(threads)...))
		return
	}
	if missing := m.PythonMissing[engine]; missing != "" {
		r.Err = missing
		return
	}
	script := filepath.Join(sourceDir(), "peers.py")
	runProcess(r, o.python, []string{script, engine, name, "--threads", strconv.Itoa(threads), "--runs",
		strconv.Itoa(o.runs), "--budget", fmt.Sprint(o.budget), "--indir", dir, "--dtype", dt}, append(m.blasEnv, threadEnv(threads)...))
}

func threadEnv(n int) []string {
	s := strconv.Itoa(n)
	return []string{"OPENBLAS_NUM_THREADS=" + s, "OMP_NUM_THREADS=" + s, "MKL_NUM_THREADS=" + s}
}

// sourceDir is where peers.py and fastica.R live: beside this file, found
// from the working directory (the repository root or bench/compare).
func sourceDir() string {
	for _, d := range []string{"bench/compare", ".", "compare"} {
		if _, err := os.Stat(filepath.Join(d, "peers.py")); err == nil {
			abs, _ := filepath.Abs(d)
			return abs
		}
	}
	return "bench/compare"
}

func installPeers() error {
	var pkgs []string
	for _, p := range []struct{ mod, pkg string }{{"sklearn", "python3-sklearn"}, {"torch", "python3-torch"}, {"threadpoolctl", "python3-threadpoolctl"}} {
		if exec.Command("/usr/bin/python3", "-c", "import "+p.mod).Run() != nil {
			pkgs = append(pkgs, p.pkg)
		}
	}
	if exec.Command("Rscript", "-e", "library(fastICA)").Run() != nil {
		pkgs = append(pkgs, "r-cran-fastica")
	}
	if len(pkgs) == 0 {
		return nil
	}
	logf("installing %s", strings.Join(pkgs, " "))
	if out, err := exec.Command("apt-get", "update", "-qq").CombinedOutput(); err != nil {
		return fmt.Errorf("apt-get update: %v: %s", err, out)
	}
	cmd := exec.Command("apt-get", append([]string{"install", "-y", "-qq"}, pkgs...)...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("apt-get install: %v: %s", err, out)
	}
	return nil
}
