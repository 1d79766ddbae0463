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
	register("pca", "PCA of a .npy matrix (rows = samples), scikit-learn semantics", runPCA)
}

const pcaUsage = `usage: deepica pca --in X.npy --out DIR (--components K | --variance F) [flags]

Fits PCA to X (n_samples × n_features, float32 or float64, C order) and
writes DIR/scores.npy (n×K), components.npy (K×p), explained_variance.npy,
explained_variance_ratio.npy, singular_values.npy (K), mean.npy (p) and
summary.json. Signs follow scikit-learn's svd_flip.

flags:
`

type pcaRun struct {
	Command                string             `json:"command"`
	Input                  string             `json:"input"`
	Shape                  [2]int             `json:"shape"`
	DType                  string             `json:"dtype"`
	RequestedComponents    int                `json:"requested_components,omitempty"`
	Variance               float64            `json:"variance,omitempty"`
	NComponents            int                `json:"n_components"`
	Whiten                 bool               `json:"whiten"`
	Solver                 string             `json:"solver"`
	Eigensolver            string             `json:"eigensolver"`
	Rank                   int                `json:"rank"`
	ExplainedVarianceRatio []float64          `json:"explained_variance_ratio"`
	NoiseVariance          float64            `json:"noise_variance"`
	Warnings               []string           `json:"warnings"`
	Timings                map[string]float64 `json:"timings_s"`
	Kernels                string             `json:"kernels"`
	Threads                int                `json:"threads"`
	GoVersion              string             `json:"go_version"`
}

func runPCA(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	fs := flag.NewFlagSet("pca", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, pcaUsage); fs.PrintDefaults() }
	var (
		in       = fs.String("in", "", "input .npy `file`, samples × features")
		out      = fs.String("out", "", "output `directory` (created; files in it are replaced)")
		k        = fs.Int("components", 0, "number of components `K`")
		variance = fs.Float64("variance", 0, "keep the fewest components explaining more than this `fraction` of the variance, in (0, 1)")
		white    = fs.Bool("whiten", false, "scale the scores to unit variance")
		solver   = fs.String("solver", "auto", "decomposed matrix: auto, covariance (p×p) or gram (n×n)")
		dtype    = fs.String("dtype", "", "compute type: float32 or float64 (default: the input's)")
		threads  = fs.Int("threads", 0, "threads for the kernels and the Go runtime (default: all cores)")
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
	switch {
	case *k != 0 && *variance != 0:
		return usagef("give --components or --variance, not both")
	case *k == 0 && *variance == 0:
		return usagef("--components K or --variance F is required")
	case *k < 0:
		return usagef("--components must be at least 1, got %d", *k)
	case *variance != 0 && !(*variance > 0 && *variance < 1):
		return usagef("--variance must be in (0, 1), got %v", *variance)
	case *threads < 0:
		return usagef("--threads must be positive, got %d", *threads)
	}
	sol, err := whiten.ParseSolver(*solver)
	if err != nil {
		return usageError{err}
	}
	setThreads(*threads)
	dt, err := inputDType(*in, *dtype)
	if err != nil {
		return err
	}
	opt := whiten.PCAOptions{NComponents: *k, Variance: *variance, Whiten: *white, Solver: sol}
	var info pcaRun
	if dt == "float32" {
		info, err = pcaFit[float32](*in, *out, opt, start)
	} else {
		info, err = pcaFit[float64](*in, *out, opt, start)
	}
	if err != nil {
		return err
	}
	for _, w := range info.Warnings {
		fmt.Fprintf(stderr, "deepica pca: warning: %s\n", w)
	}
	var cum float64
	for _, r := range info.ExplainedVarianceRatio {
		cum += r
	}
	fmt.Fprintf(stdout, "pca: %d×%d %s → %d components explaining %.2f%% of the variance; %s matrix, %s eigensolver; kernels %s, %d threads\n",
		info.Shape[0], info.Shape[1], info.DType, info.NComponents, 100*cum, info.Solver, info.Eigensolver, info.Kernels, info.Threads)
	fmt.Fprintf(stdout, "time: %.3f s (read %.3f, fit %.3f, write %.3f); results in %s\n",
		info.Timings["total"], info.Timings["read"], info.Timings["fit"], info.Timings["write"], *out)
	return nil
}

func pcaFit[T kernels.Float](in, out string, opt whiten.PCAOptions, start time.Time) (pcaRun, error) {
	t0 := time.Now()
	x, release, err := readInput[T](in)
	if err != nil {
		return pcaRun{}, err
	}
	defer release()
	read := time.Since(t0)
	if lim := min(x.Rows, x.Cols); opt.NComponents > lim {
		return pcaRun{}, usagef("%d components requested, data (%d×%d) has at most %d", opt.NComponents, x.Rows, x.Cols, lim)
	}
	t0 = time.Now()
	m, scores, err := whiten.FitTransform(x, opt)
	if err != nil {
		return pcaRun{}, usageError{err}
	}
	if opt.NComponents > 0 && m.NComponents < opt.NComponents {
		return pcaRun{}, usagef("%d components requested, data (%d×%d) has rank %d", opt.NComponents, x.Rows, x.Cols, m.Rank)
	}
	fit := time.Since(t0)
	info := pcaRun{Command: "pca", Input: in, Shape: [2]int{x.Rows, x.Cols}, DType: dtypeName[T](),
		RequestedComponents: opt.NComponents, Variance: opt.Variance, NComponents: m.NComponents, Whiten: m.Whiten,
		Solver: m.Solver.String(), Eigensolver: m.Eigensolver.String(), Rank: m.Rank,
		ExplainedVarianceRatio: m.ExplainedVarianceRatio, NoiseVariance: m.NoiseVariance, Warnings: []string{},
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
			{"scores.npy", func(f string) error { return npyfile.WriteFile(f, scores) }},
			{"components.npy", func(f string) error { return npyfile.WriteFile(f, m.Components) }},
			{"explained_variance.npy", func(f string) error { return npyfile.WriteVectorFile(f, convertVec[T](m.ExplainedVariance)) }},
			{"explained_variance_ratio.npy", func(f string) error {
				return npyfile.WriteVectorFile(f, convertVec[T](m.ExplainedVarianceRatio))
			}},
			{"singular_values.npy", func(f string) error { return npyfile.WriteVectorFile(f, convertVec[T](m.SingularValues)) }},
			{"mean.npy", func(f string) error { return npyfile.WriteVectorFile(f, m.Mean) }},
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
