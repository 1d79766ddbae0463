package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/kernels/peak"
)

// peakMain measures the machine's limits and prints them as JSON. It runs
// in a worker because the read probe's 256 MiB buffer would otherwise
// raise the harness's own peak RSS, which Linux then reports as the peak of
// every child it starts (the child's maxrss starts from the parent's
// high-water mark at fork).
func peakMain(short bool) int {
	dur := 200 * time.Millisecond
	if short {
		dur = 20 * time.Millisecond
	}
	res := append(peak.FMA(dur), peak.Read(dur, 256<<20)...)
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
	return 0
}

// workerMain runs one case with deepica (at one level) or gonum in this
// process and prints {"times": [...], "extra": {...}}.
func workerMain(args []string) int {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	engine := fs.String("engine", "deepica", "deepica or gonum")
	level := fs.String("level", "", "kernel level for deepica")
	name := fs.String("case", "", "case name")
	dtype := fs.String("dtype", "f64", "f32 or f64")
	threads := fs.Int("threads", 1, "threads")
	runs := fs.Int("runs", 3, "runs (at most)")
	budget := fs.Float64("budget", 0, "stop adding runs once this many seconds have been spent measuring (0: no limit); at least two runs")
	indir := fs.String("indir", "", "input directory")
	short := fs.Bool("short", false, "small inputs (gen, peak)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(err error) int { fmt.Fprintln(os.Stderr, err); return 1 }
	if *engine == "peak" {
		return peakMain(*short)
	}
	c, err := findCase(*name)
	if err != nil {
		return fail(err)
	}
	if *engine == "gen" {
		if err := c.gen(*indir, *short); err != nil {
			return fail(fmt.Errorf("%s: %w", c.name, err))
		}
		return 0
	}
	runtime.GOMAXPROCS(*threads)
	kernels.SetThreads(*threads)
	var run func() map[string]float64
	switch *engine {
	case "deepica":
		l, err := kernels.ParseLevel(*level)
		if err != nil {
			return fail(err)
		}
		if err := kernels.SetLevel(l); err != nil {
			return fail(err)
		}
		if run, err = c.deepica(*indir, *dtype); err != nil {
			return fail(err)
		}
	case "gonum":
		if c.gonum == nil {
			return fail(fmt.Errorf("no gonum version of %s", *name))
		}
		g, err := c.gonum(*indir, *dtype)
		if err != nil {
			return fail(err)
		}
		run = func() map[string]float64 { g(); return nil }
	default:
		return fail(fmt.Errorf("unknown engine %q", *engine))
	}
	// Loading the inputs left garbage; collect it now so no run pays for it.
	runtime.GC()
	debug.FreeOSMemory()
	extra := map[string]float64{}
	if c.group == "kernels" {
		run() // warm-up: page in the operands, size the scratch pools
	}
	times := make([]float64, 0, *runs)
	spent := 0.0
	for range *runs {
		if *budget > 0 && len(times) >= 2 && spent+times[0] > *budget {
			break
		}
		t0 := time.Now()
		ex := run()
		times = append(times, time.Since(t0).Seconds())
		spent += times[len(times)-1]
		for k, v := range ex {
			extra[k] = v
		}
	}
	out, _ := json.Marshal(map[string]any{"times": times, "extra": extra})
	fmt.Println(string(out))
	return 0
}
