package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"time"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/npyfile"
	"github.com/deepica/deepica/whiten"
)

func init() {
	register("kpca", "kernel PCA of a .npy matrix (rows = samples), scikit-learn semantics", runKPCA)
}

const kpcaUsage = `usage: deepica kpca --in X.npy --out DIR --components K --kernel rbf|poly|sigmoid|cosine|linear [flags]

Fits kernel PCA to X (n_samples × n_features, float32 or float64, C order)
and writes DIR/scores.npy (n×K), eigenvalues.npy (K), eigenvectors.npy (n×K)
and summary.json, as scikit-learn's KernelPCA (eigen_solver="dense") with
its sign convention. Defaults as scikit-learn: gamma 1/n_features, degree 3,
coef0 1.

flags:
`

type kpcaRun struct {
	Command     string             `json:"command"`
	Input       string             `json:"input"`
	Shape       [2]int             `json:"shape"`
	DType       string             `json:"dtype"`
	NComponents int                `json:"n_components"`
	Kernel      string             `json:"kernel"`
	Gamma       float64            `json:"gamma"`
	Degree      float64            `json:"degree"`
	Coef0       float64            `json:"coef0"`
	Solver      string             `json:"solver"`
	Eigensolver string             `json:"eigensolver"`
	Landmarks   int                `json:"landmarks,omitempty"`
	Eigenvalues []float64          `json:"eigenvalues"`
	Warnings    []string           `json:"warnings"`
	Timings     map[string]float64 `json:"timings_s"`
	Kernels     string             `json:"kernels"`
	Threads     int                `json:"threads"`
	GoVersion   string             `json:"go_version"`
}

func runKPCA(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	fs := flag.NewFlagSet("kpca", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, kpcaUsage); fs.PrintDefaults() }
	var (
		in        = fs.String("in", "", "input .npy `file`, samples × features")
		out       = fs.String("out", "", "output `directory` (created; files in it are replaced)")
		k         = fs.Int("components", 0, "number of components `K` (≥ 1)")
		kernel    = fs.String("kernel", "", "kernel: rbf, poly, sigmoid, cosine or linear")
		gamma     = fs.Float64("gamma", 0, "γ of rbf, poly and sigmoid (default 1/n_features)")
		degree    = fs.Float64("degree", 3, "degree of poly")
		coef0     = fs.Float64("coef0", 1, "c₀ of poly and sigmoid")
		landmarks = fs.Int("landmarks", 0, "use the Nyström solver with this many landmark samples (0: dense)")
		seed      = fs.Uint64("seed", 0, "seed of the Nyström landmark choice")
		dtype     = fs.String("dtype", "", "compute type: float32 or float64 (default: the input's)")
		threads   = fs.Int("threads", 0, "threads for the kernels and the Go runtime (default: all cores)")
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
	if *kernel == "" {
		return usagef("--kernel is required (rbf, poly, sigmoid, cosine or linear)")
	}
	kind, err := whiten.ParseKernel(*kernel)
	if err != nil {
		return usageError{err}
	}
	if kind == whiten.KernelPrecomputed {
		return usagef("--kernel precomputed is not offered here: give the data, not a kernel matrix")
	}
	switch {
	case *gamma < 0:
		return usagef("--gamma must be ≥ 0, got %v", *gamma)
	case *landmarks < 0:
		return usagef("--landmarks must be ≥ 0, got %d", *landmarks)
	case *threads < 0:
		return usagef("--threads must be positive, got %d", *threads)
	}
	setThreads(*threads)
	dt, err := inputDType(*in, *dtype)
	if err != nil {
		return err
	}
	kern := whiten.NewKernel(kind)
	kern.Gamma, kern.Degree, kern.Coef0 = *gamma, *degree, *coef0
	opt := whiten.KernelPCAOptions{Kernel: kern, NComponents: *k, Landmarks: *landmarks, Seed: *seed, ShareX: true}
	var info kpcaRun
	if dt == "float32" {
		info, err = kpcaFit[float32](*in, *out, opt, start)
	} else {
		info, err = kpcaFit[float64](*in, *out, opt, start)
	}
	if err != nil {
		return err
	}
	for _, w := range info.Warnings {
		fmt.Fprintf(stderr, "deepica kpca: warning: %s\n", w)
	}
	fmt.Fprintf(stdout, "kpca: %d×%d %s → %d components, %s kernel (gamma %g), %s solver, %s eigensolver; kernels %s, %d threads\n",
		info.Shape[0], info.Shape[1], info.DType, info.NComponents, info.Kernel, info.Gamma, info.Solver, info.Eigensolver, info.Kernels, info.Threads)
	fmt.Fprintf(stdout, "time: %.3f s (read %.3f, fit %.3f, write %.3f); results in %s\n",
		info.Timings["total"], info.Timings["read"], info.Timings["fit"], info.Timings["write"], *out)
	return nil
}

func kpcaFit[T kernels.Float](in, out string, opt whiten.KernelPCAOptions, start time.Time) (kpcaRun, error) {
	t0 := time.Now()
	x, release, err := readInput[T](in)
	if err != nil {
		return kpcaRun{}, err
	}
	defer release()
	read := time.Since(t0)
	if opt.NComponents > x.Rows {
		return kpcaRun{}, usagef("%d components requested, kernel PCA of %d samples has at most %d", opt.NComponents, x.Rows, x.Rows)
	}
	t0 = time.Now()
	m, err := whiten.FitKernelPCA(x, opt)
	if err != nil {
		return kpcaRun{}, usageError{err}
	}
	if m.NComponents < opt.NComponents {
		return kpcaRun{}, usagef("%d components requested, the centred kernel matrix has rank %d", opt.NComponents, m.NComponents)
	}
	fit := time.Since(t0)
	info := kpcaRun{Command: "kpca", Input: in, Shape: [2]int{x.Rows, x.Cols}, DType: dtypeName[T](),
		NComponents: m.NComponents, Kernel: m.Kernel.Kind.String(), Gamma: m.Kernel.Gamma, Degree: m.Kernel.Degree,
		Coef0: m.Kernel.Coef0, Solver: m.Solver, Eigensolver: m.Eigensolver.String(), Landmarks: opt.Landmarks,
		Eigenvalues: m.Eigenvalues, Warnings: []string{},
		Timings: map[string]float64{"read": read.Seconds(), "fit": fit.Seconds()},
		Kernels: kernels.Impl().String(), Threads: kernels.Threads(), GoVersion: runtime.Version()}
	for _, w := range m.Warnings {
		info.Warnings = append(info.Warnings, w.Message)
	}
	t0 = time.Now()
	err = writeOutputs(out, func(dir string) error {
		files := []struct {
			name string
			w    func(string) error
		}{
			{"scores.npy", func(f string) error { return npyfile.WriteFile(f, m.Scores) }},
			{"eigenvalues.npy", func(f string) error { return npyfile.WriteVectorFile(f, convertVec[T](m.Eigenvalues)) }},
			{"eigenvectors.npy", func(f string) error { return npyfile.WriteFile(f, m.Eigenvectors) }},
		}
		for _, f := range files {
			if err := f.w(filepath.Join(dir, f.name)); err != nil {
				return err
			}
		}
		info.Timings["write"] = time.Since(t0).Seconds()
		info.Timings["total"] = time.Since(start).Seconds()
		return writeJSON(filepath.Join(dir, "summary.json"), info)
	})
	return info, err
}
