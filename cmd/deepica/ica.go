package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/deepica/deepica/fastica"
	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
	"github.com/deepica/deepica/npyfile"
	"github.com/deepica/deepica/whiten"
)

func init() {
	register("ica", "FastICA of a .npy matrix (rows = samples), scikit-learn semantics", runICA)
}

const icaUsage = `usage: deepica ica --in X.npy --out DIR --components K [flags]

Fits FastICA to X (n_samples × n_features, float32 or float64, C order) and
writes DIR/sources.npy (n×K), components.npy (K×p), mixing.npy (p×K),
mean.npy (p), whitening.npy (K×p) and summary.json. Without whitening, mean
is zero and whitening the identity.

flags:
`

func runICA(args []string, stdout, stderr io.Writer) error {
	start, cpuStart := time.Now(), fastica.ProcessCPU()
	fs := flag.NewFlagSet("ica", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, icaUsage); fs.PrintDefaults() }
	var (
		in      = fs.String("in", "", "input .npy `file`, samples × features")
		out     = fs.String("out", "", "output `directory` (created; files in it are replaced)")
		k       = fs.Int("components", 0, "number of independent components `K` (≥ 1)")
		alg     = fs.String("algorithm", "parallel", "parallel or deflation")
		fun     = fs.String("fun", "logcosh", "contrast: logcosh, exp or cube")
		alpha   = fs.Float64("alpha", 1, "logcosh α in [1, 2]")
		wh      = fs.String("whiten", "unit-variance", "unit-variance, arbitrary-variance or none")
		solver  = fs.String("whiten-solver", "auto", "whitening matrix: auto, covariance (p×p) or gram (n×n)")
		maxIter = fs.Int("max-iter", fastica.DefaultMaxIter, "iteration limit (per component for deflation)")
		tol     = fs.Float64("tol", fastica.DefaultTol, "convergence tolerance (scikit-learn's test)")
		winit   = fs.String("w-init", "", "K×K initial unmixing matrix, .npy `file`")
		seed    = fs.Uint64("seed", 0, "seed of the random w_init when --w-init is not given")
		dtype   = fs.String("dtype", "", "compute type: float32 or float64 (default: the input's)")
		threads = fs.Int("threads", 0, "threads for the kernels and the Go runtime (default: all cores)")
		order   = fs.String("order", "none", "canonical component order: none, kurtosis or variance")
		fixSign = fs.Bool("fix-sign", false, "make the largest loading of each mixing column positive")
		profile = fs.String("cpuprofile", "", "write a Go CPU profile of the run to `file`")
	)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *in == "" || *out == "" {
		return usagef("--in and --out are required")
	}
	if *k < 1 {
		return usagef("--components must be at least 1, got %d", *k)
	}
	opt := fastica.Options{Alpha: *alpha, MaxIter: *maxIter, Tol: *tol, Seed: *seed, FixSign: *fixSign}
	var err error
	if opt.Algorithm, err = fastica.ParseAlgorithm(*alg); err != nil {
		return usageError{err}
	}
	if opt.Fun, err = kernels.ParseContrast(*fun); err != nil {
		return usageError{err}
	}
	if opt.Whiten, err = fastica.ParseWhitening(*wh); err != nil {
		return usageError{err}
	}
	if opt.WhitenSolver, err = whiten.ParseSolver(*solver); err != nil {
		return usageError{err}
	}
	if opt.Order, err = fastica.ParseOrder(*order); err != nil {
		return usageError{err}
	}
	if *maxIter < 1 {
		return usagef("--max-iter must be at least 1, got %d", *maxIter)
	}
	if !(*tol > 0) {
		return usagef("--tol must be positive, got %v", *tol)
	}
	if *threads < 0 {
		return usagef("--threads must be positive, got %d", *threads)
	}
	setThreads(*threads)
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return usagef("--cpuprofile: %v", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	opt.Components = *k
	if opt.Whiten == fastica.NoWhitening {
		opt.Components = 0 // checked against the feature count below
	}
	if *winit != "" {
		w, err := npyfile.ReadFile[float64](*winit)
		if err != nil {
			return usagef("--w-init: %v", err)
		}
		opt.WInit = w
	}
	dt, err := inputDType(*in, *dtype)
	if err != nil {
		return err
	}
	var info icaRun
	if dt == "float32" {
		info, err = icaFit[float32](*in, *out, *k, opt, start, cpuStart)
	} else {
		info, err = icaFit[float64](*in, *out, *k, opt, start, cpuStart)
	}
	if err != nil {
		return err
	}
	for _, w := range info.Warnings {
		fmt.Fprintf(stderr, "deepica ica: warning: %s\n", w)
	}
	conv := "converged"
	if !info.Converged {
		conv = "NOT converged"
	}
	t := info.Timings
	fmt.Fprintf(stdout, "ica: %d×%d %s → %d components, %s %s, %d iterations, %s; whitening %s; kernels %s, %d threads\n",
		info.Shape[0], info.Shape[1], info.DType, info.NComponents, info.Algorithm, info.Fun, info.NIter, conv,
		info.WhitenSolver, info.Kernels, info.Threads)
	fmt.Fprintf(stdout, "time: %.3f s (read %.3f, whiten %.3f, iterate %.3f, sources %.3f, write %.3f); results in %s\n",
		t["total"], t["read"], t["whiten"], t["iterate"], t["sources"], t["write"], *out)
	if c := info.CPUTimings; c["total"] > 0 {
		fmt.Fprintf(stdout, "cpu:  %.3f s (read %.3f, whiten %.3f, iterate %.3f, sources %.3f, write %.3f)\n",
			c["total"], c["read"], c["whiten"], c["iterate"], c["sources"], c["write"])
	}
	return nil
}

// icaRun is summary.json of deepica ica.
type icaRun struct {
	Command         string             `json:"command"`
	Input           string             `json:"input"`
	Shape           [2]int             `json:"shape"`
	DType           string             `json:"dtype"`
	NComponents     int                `json:"n_components"`
	Algorithm       string             `json:"algorithm"`
	Fun             string             `json:"fun"`
	Alpha           float64            `json:"alpha"`
	Whiten          string             `json:"whiten"`
	WhitenSolver    string             `json:"whiten_solver"`
	MaxIter         int                `json:"max_iter"`
	Tol             float64            `json:"tol"`
	WInit           string             `json:"w_init"`
	Seed            uint64             `json:"seed"`
	Order           string             `json:"order"`
	FixSign         bool               `json:"fix_sign"`
	NIter           int                `json:"n_iter"`
	Converged       bool               `json:"converged"`
	Trace           []float64          `json:"trace,omitempty"`
	ComponentTraces [][]float64        `json:"component_traces,omitempty"`
	ComponentIters  []int              `json:"component_iters,omitempty"`
	Warnings        []string           `json:"warnings"`
	Timings         map[string]float64 `json:"timings_s"`
	// CPUTimings are process CPU seconds (user + system, all threads) per
	// stage: steadier than wall time on a loaded machine.
	CPUTimings map[string]float64 `json:"cpu_s,omitempty"`
	Kernels    string             `json:"kernels"`
	Threads    int                `json:"threads"`
	GoVersion  string             `json:"go_version"`
}

func icaFit[T kernels.Float](in, out string, k int, opt fastica.Options, start time.Time, cpuStart time.Duration) (icaRun, error) {
	t0, c0 := time.Now(), fastica.ProcessCPU()
	x, release, err := readInput[T](in)
	if err != nil {
		return icaRun{}, err
	}
	defer release()
	read, readCPU := time.Since(t0), fastica.ProcessCPU()-c0
	if opt.Whiten == fastica.NoWhitening && k != x.Cols {
		return icaRun{}, usagef("--whiten none: the number of components is the number of features (%d), got --components %d", x.Cols, k)
	}
	// The sources (n×k, as large as the input) go straight from the fit
	// into sources.npy block by block (fastica.FitStream), so they are
	// never held whole; the other results are small and follow.
	var info icaRun
	err = writeOutputs(out, func(dir string) error {
		f, err := os.Create(filepath.Join(dir, "sources.npy"))
		if err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		defer f.Close()
		var (
			mw           *npyfile.MatrixWriter[T]
			sinkCPU      time.Duration
			errFromWrite error
		)
		// With one thread the sink runs in line and the process's CPU
		// clock measures the writing; with several it runs alongside the
		// computation on a thread of its own (see fastica.FitStream), whose
		// clock does.
		clock := fastica.ProcessCPU
		if kernels.Threads() > 1 {
			clock = fastica.ThreadCPU
		}
		m, err := fastica.FitStream(x, opt, func(r0 int, b *matrix.Dense[T]) error {
			c := clock()
			defer func() { sinkCPU += clock() - c }()
			if mw == nil {
				if mw, errFromWrite = npyfile.NewMatrixWriter[T](f, x.Rows, b.Cols); errFromWrite != nil {
					return errFromWrite
				}
			}
			errFromWrite = mw.WriteRows(b)
			return errFromWrite
		})
		if err != nil {
			if errFromWrite != nil {
				return fmt.Errorf("writing sources.npy: %w", err)
			}
			return usageError{err}
		}
		t0, c0 := time.Now(), fastica.ProcessCPU()
		if mw == nil {
			return errors.New("writing sources.npy: the fit produced no sources")
		}
		if err := mw.Close(); err != nil {
			return fmt.Errorf("writing sources.npy: %w", err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("writing sources.npy: %w", err)
		}
		info = icaInfo(m, in, x.Rows, x.Cols, dtypeName[T](), opt)
		info.Timings = map[string]float64{
			"read": read.Seconds(), "whiten": m.Timings.Whiten.Seconds(), "iterate": m.Timings.Iterate.Seconds(),
			"sources": (m.Timings.Sources - m.Timings.SinkWait).Seconds(), "finish": m.Timings.Finish.Seconds(),
		}
		if cpuStart > 0 {
			c := m.CPUTimings
			info.CPUTimings = map[string]float64{
				"read": readCPU.Seconds(), "whiten": c.Whiten.Seconds(), "iterate": c.Iterate.Seconds(),
				"sources": (c.Sources - sinkCPU).Seconds(), "finish": c.Finish.Seconds(),
			}
		}
		p := x.Cols
		mean, whitening := m.Mean, m.Whitening
		if mean == nil {
			mean = make([]float64, p)
			whitening = matrix.New[float64](p, p)
			for i := 0; i < p; i++ {
				whitening.Set(i, i, 1)
			}
		}
		files := []struct {
			name string
			w    func(string) error
		}{
			{"components.npy", func(f string) error { return npyfile.WriteFile(f, matrix.Convert[T](m.Components)) }},
			{"mixing.npy", func(f string) error { return npyfile.WriteFile(f, matrix.Convert[T](m.Mixing)) }},
			{"mean.npy", func(f string) error { return npyfile.WriteVectorFile(f, convertVec[T](mean)) }},
			{"whitening.npy", func(f string) error { return npyfile.WriteFile(f, matrix.Convert[T](whitening)) }},
		}
		for _, f := range files {
			if err := f.w(filepath.Join(dir, f.name)); err != nil {
				return err
			}
		}
		info.Timings["write"] = (time.Since(t0) + m.Timings.SinkWait).Seconds()
		info.Timings["total"] = time.Since(start).Seconds()
		if info.CPUTimings != nil {
			info.CPUTimings["write"] = (fastica.ProcessCPU() - c0 + sinkCPU).Seconds()
			info.CPUTimings["total"] = (fastica.ProcessCPU() - cpuStart).Seconds()
		}
		return writeJSON(filepath.Join(dir, "summary.json"), info)
	})
	return info, err
}

// icaInfo fills summary.json's description of the fit.
func icaInfo(m *fastica.Model, in string, rows, cols int, dtype string, opt fastica.Options) icaRun {
	info := icaRun{
		Command: "ica", Input: in, Shape: [2]int{rows, cols}, DType: dtype, NComponents: m.NComponents,
		Algorithm: m.Algorithm.String(), Fun: m.Contrast, Alpha: opt.Alpha, Whiten: m.Whiten.String(),
		WhitenSolver: m.WhitenSolver, MaxIter: opt.MaxIter, Tol: opt.Tol, Seed: opt.Seed,
		Order: opt.Order.String(), FixSign: opt.FixSign, NIter: m.NIter, Converged: m.Converged,
		Trace: m.Trace, ComponentTraces: m.ComponentTraces, ComponentIters: m.ComponentIters,
		Warnings: append([]string{}, m.Warnings...), Kernels: kernels.Impl().String(), Threads: kernels.Threads(),
		GoVersion: runtime.Version(),
	}
	if info.WhitenSolver == "" {
		info.WhitenSolver = "none"
	}
	if opt.WInit != nil {
		info.WInit = "file"
	} else {
		info.WInit = "random (seeded)"
	}
	return info
}

// Helpers shared by the pca, kpca and ica commands.

// setThreads sets the kernels' thread count and GOMAXPROCS (so that a
// "one thread" run does not get parallel garbage collection either);
// n = 0 keeps the defaults.
func setThreads(n int) {
	if n > 0 {
		runtime.GOMAXPROCS(n)
	}
	kernels.SetThreads(n)
}

// inputDType returns the compute type: the flag if given, else the file's.
func inputDType(in, flagValue string) (string, error) {
	switch flagValue {
	case "float32", "float64":
		return flagValue, nil
	case "":
	default:
		return "", usagef("--dtype must be float32 or float64, got %q", flagValue)
	}
	h, err := npyfile.ReadHeader(in)
	if err != nil {
		return "", usagef("--in: %v", err)
	}
	return h.DType, nil
}

// readInput maps or reads the data matrix (see npyfile.Map) and rejects
// shapes no command can use. NaN and Inf are reported by the fits, which
// scan the data anyway; checking here too would cost a pass over the input.
// release must be called when x is no longer used.
func readInput[T kernels.Float](in string) (x *matrix.Dense[T], release func() error, err error) {
	x, release, err = npyfile.Map[T](in)
	if err != nil {
		return nil, release, usagef("--in: %v", err)
	}
	if x.Rows < 2 {
		release()
		return nil, release, usagef("--in %s: %d samples (rows); need at least 2", in, x.Rows)
	}
	if x.Cols < 1 {
		release()
		return nil, release, usagef("--in %s: no features (columns)", in)
	}
	return x, release, nil
}

func dtypeName[T kernels.Float]() string {
	var z T
	if any(z) == any(float32(0)) {
		return "float32"
	}
	return "float64"
}

func convertVec[T kernels.Float](v []float64) []T {
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(x)
	}
	return out
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// writeOutputs runs write on a fresh temporary directory next to out and
// moves the result into place only when every file is written, so a failed
// run leaves out as it was. A missing out is created by one rename; in an
// existing one the files are renamed in one by one, replacing old ones.
func writeOutputs(out string, write func(dir string) error) error {
	out = filepath.Clean(out)
	if st, err := os.Stat(out); err == nil && !st.IsDir() {
		return usagef("--out %s exists and is not a directory", out)
	}
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".tmp-")
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := write(tmp); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err == nil {
		return nil
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.Rename(filepath.Join(tmp, e.Name()), filepath.Join(out, e.Name())); err != nil {
			return fmt.Errorf("moving results into %s: %w", out, err)
		}
	}
	return nil
}
