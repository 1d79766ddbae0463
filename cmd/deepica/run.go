package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/deepica/deepica/dataset"
	"github.com/deepica/deepica/gen"
	"github.com/deepica/deepica/kernels"
)

func init() {
	register("run", "run the whole study (PCA, kernel PCA, FastICA, deep model) with pictures and a report", runStudy)
}

// baseContext is the context the study runs under, besides Ctrl-C and
// SIGTERM; tests replace it to interrupt a run.
var baseContext = context.Background

// allMethods are the study's methods, in the order they run.
var allMethods = []string{"pca", "kpca", "ica", "deep"}

// runOptions are the flags of deepica run.
type runOptions struct {
	data        string // gen, stl10:DIR, images:DIR, npy:FILE
	class       string
	limit       int
	components  int
	split       int
	methods     map[string]bool
	out         string
	seed        uint64
	threads     int
	dtype       string
	orientation gen.Orientation
	quiet       bool
	shape       string // npy: HxWxC
	size        int    // generated image size; resize target for images:DIR
	gray        bool   // images:DIR in grey levels
	epochs      int    // deep model epochs, 0: the study default
	args        []string
}

const runUsage = `usage: deepica run [--data gen|stl10:DIR|images:DIR|npy:FILE] [--class bird] [--limit 500]
    [--components 40] [--split 4] [--methods pca,kpca,ica,deep] [--out DIR] [--seed S] [--threads N]
    [--dtype float32|float64] [--orientation images|pixels] [--shape HxWxC] [--size PX] [--gray]
    [--epochs N] [--quiet]`

func parseRunFlags(args []string) (*runOptions, error) {
	o := &runOptions{args: args}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.data, "data", "gen", "data set: gen, stl10:DIR, images:DIR or npy:FILE")
	fs.StringVar(&o.class, "class", "", "STL-10 class to keep, by name or number")
	fs.IntVar(&o.limit, "limit", 500, "use at most this many images (generated data: exactly)")
	fs.IntVar(&o.components, "components", 40, "number of components")
	fs.IntVar(&o.split, "split", 4, "also run each method on the data split into this many parts (1: no split)")
	methods := fs.String("methods", strings.Join(allMethods, ","), "methods to run: pca,kpca,ica,deep")
	fs.StringVar(&o.out, "out", "deepica-out", "output directory")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed (data generation, FastICA, deep model)")
	fs.IntVar(&o.threads, "threads", 0, "kernel threads (0: GOMAXPROCS)")
	fs.StringVar(&o.dtype, "dtype", "float32", "element type: float32 or float64")
	orient := fs.String("orientation", "images", "samples are images or pixels")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress on stderr")
	fs.StringVar(&o.shape, "shape", "", "image shape HxWxC of npy rows")
	fs.IntVar(&o.size, "size", 0, "image size in pixels (generated data: default 96; images:DIR: resize and crop to it)")
	fs.BoolVar(&o.gray, "gray", false, "images:DIR in grey levels")
	fs.IntVar(&o.epochs, "epochs", 0, "deep model training epochs (0: default)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, errHelp{fs}
		}
		return nil, usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if o.orientation, err = gen.ParseOrientation(*orient); err != nil {
		return nil, usagef("--orientation %q: want images or pixels", *orient)
	}
	o.methods = map[string]bool{}
	for _, m := range strings.Split(*methods, ",") {
		m = strings.TrimSpace(m)
		if m == "" {
			continue
		}
		ok := false
		for _, a := range allMethods {
			ok = ok || a == m
		}
		if !ok {
			return nil, usagef("--methods: unknown method %q (want pca, kpca, ica, deep)", m)
		}
		o.methods[m] = true
	}
	switch {
	case len(o.methods) == 0:
		return nil, usagef("--methods is empty")
	case o.dtype != "float32" && o.dtype != "float64":
		return nil, usagef("--dtype %q: want float32 or float64", o.dtype)
	case o.limit < 1:
		return nil, usagef("--limit %d: want at least 1", o.limit)
	case o.components < 1:
		return nil, usagef("--components %d: want at least 1", o.components)
	case o.split < 1:
		return nil, usagef("--split %d: want at least 1", o.split)
	case o.split > 1 && o.components%o.split != 0:
		return nil, usagef("--components %d is not a multiple of --split %d", o.components, o.split)
	case o.threads < 0:
		return nil, usagef("--threads %d: want 0 (all) or more", o.threads)
	case o.size < 0 || (o.size > 0 && o.size < 8):
		return nil, usagef("--size %d: want at least 8 pixels", o.size)
	case o.epochs < 0:
		return nil, usagef("--epochs %d: want 0 (default) or more", o.epochs)
	case o.out == "":
		return nil, usagef("--out is empty")
	}
	kind, _, _ := strings.Cut(o.data, ":")
	if o.class != "" && kind != "stl10" {
		return nil, usagef("--class applies to stl10 data only")
	}
	if o.shape != "" && kind != "npy" {
		return nil, usagef("--shape applies to npy data only")
	}
	return o, nil
}

// errHelp asks runStudy to print the usage and succeed (-h, --help).
type errHelp struct{ fs *flag.FlagSet }

func (errHelp) Error() string { return "help requested" }

func runStudy(args []string, stdout, stderr io.Writer) error {
	o, err := parseRunFlags(args)
	var h errHelp
	if errors.As(err, &h) {
		fmt.Fprintln(stderr, runUsage)
		h.fs.SetOutput(stderr)
		h.fs.PrintDefaults()
		return nil
	}
	if err != nil {
		return err
	}
	if o.threads > 0 {
		kernels.SetThreads(o.threads)
		defer kernels.SetThreads(0)
	}
	ctx, stop := signal.NotifyContext(baseContext(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	out, err := prepareOut(o.out)
	if err != nil {
		return err
	}
	prog := newProgress(stderr, o.quiet)
	tmp, err := os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp-")
	if err != nil {
		return fmt.Errorf("creating a temporary output directory: %w", err)
	}
	// Until the final rename everything lives in tmp; any failure or
	// interruption removes it, so no half-written file is ever seen in out.
	committed := false
	defer func() {
		if !committed {
			os.RemoveAll(tmp)
		}
	}()
	if o.dtype == "float64" {
		err = runTyped[float64](ctx, o, tmp, prog)
	} else {
		err = runTyped[float32](ctx, o, tmp, prog)
	}
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted; nothing written to %s", out)
		}
		return err
	}
	if err := commitOut(tmp, out); err != nil {
		return err
	}
	committed = true
	prog.note("results in %s (open %s)", out, filepath.Join(out, "report.html"))
	return nil
}

// prepareOut checks the output path: a directory (created with its parents
// if missing), never a file. It returns the cleaned path.
func prepareOut(out string) (string, error) {
	out = filepath.Clean(out)
	st, err := os.Stat(out)
	switch {
	case err == nil && !st.IsDir():
		return "", usagef("--out %s is a file, not a directory", out)
	case err == nil:
		return out, nil
	case !errors.Is(err, os.ErrNotExist):
		return "", usagef("--out %s: %v", out, err)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", usagef("--out %s: %v", out, err)
	}
	return out, nil
}

// commitOut moves the finished results from tmp to out: one rename of the
// directory when out does not exist yet, else one rename per file (each
// atomic), replacing older results of the same names.
func commitOut(tmp, out string) error {
	if _, err := os.Stat(out); errors.Is(err, os.ErrNotExist) {
		if err := os.Rename(tmp, out); err != nil {
			return fmt.Errorf("moving results to %s: %w", out, err)
		}
		return nil
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.Rename(filepath.Join(tmp, e.Name()), filepath.Join(out, e.Name())); err != nil {
			return fmt.Errorf("moving %s to %s: %w", e.Name(), out, err)
		}
	}
	return os.RemoveAll(tmp)
}

// loadData reads the data set named by --data. truth is non-nil for
// generated data.
func loadData(o *runOptions) (im *dataset.Images, truth *gen.ImageSet, err error) {
	kind, arg, _ := strings.Cut(o.data, ":")
	switch kind {
	case "gen":
		if arg != "" {
			return nil, nil, usagef("--data gen takes no argument (got %q)", o.data)
		}
		cfg := gen.DefaultImageConfig()
		cfg.N, cfg.K, cfg.Seed = o.limit, o.components, o.seed
		if o.size > 0 {
			cfg.H, cfg.W = o.size, o.size
		}
		truth, err = gen.Images(cfg)
		if err != nil {
			return nil, nil, usagef("%v", err)
		}
		im = &dataset.Images{
			X: truth.X, C: cfg.C, H: cfg.H, W: cfg.W,
			Source: fmt.Sprintf("generated: %d images %d×%d×%d, %d patterns (blobs, edges, bars, textures) with %v coefficients, noise sd %g, seed %d",
				cfg.N, cfg.H, cfg.W, cfg.C, cfg.K, cfg.Coef, cfg.Noise, cfg.Seed),
		}
		return im, truth, nil
	case "stl10":
		if arg == "" {
			return nil, nil, usagef("--data stl10:DIR needs a directory")
		}
		im, err = dataset.ReadSTL10(arg, dataset.STL10Options{Class: o.class, Limit: o.limit})
	case "images":
		if arg == "" {
			return nil, nil, usagef("--data images:DIR needs a directory")
		}
		im, err = dataset.ReadFolder(arg, dataset.FolderOptions{Gray: o.gray, H: o.size, W: o.size, Limit: o.limit})
	case "npy":
		if arg == "" || o.shape == "" {
			return nil, nil, usagef("--data npy:FILE needs a file and --shape HxWxC")
		}
		h, w, c, perr := dataset.ParseShape(o.shape)
		if perr != nil {
			return nil, nil, usagef("%v", perr)
		}
		im, err = dataset.ReadNPY(arg, h, w, c)
		if err == nil && im.N() > o.limit {
			im.X = im.X.Slice(0, o.limit, 0, im.X.Cols).Clone()
			im.Names = im.Names[:o.limit]
		}
	default:
		return nil, nil, usagef("--data %q: want gen, stl10:DIR, images:DIR or npy:FILE", o.data)
	}
	if err != nil {
		return nil, nil, usagef("%v", err)
	}
	return im, nil, nil
}
