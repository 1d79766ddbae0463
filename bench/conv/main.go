// Command conv benchmarks deepica's conv stack against PyTorch and NumPy in
// one run: 3 conv layers 3→16→32→32, 3×3, padding 1, stride 1, with bias
// and no activation, on N images of 3×96×96, float32; forward, and forward
// plus backward (weight, bias and input gradients, except the data's own
// gradient, as in training), on 1 and 2 threads. The peers run in
// peers.py under /usr/bin/python3. It prints a Markdown table with the
// ratios PyTorch time / deepica time.
//
//	go run ./bench/conv [-n 100] [-reps 3] [-rounds 1] [-threads 1,2] [-peers=true]
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/deepica/deepica/conv"
	"github.com/deepica/deepica/kernels"
)

type result struct {
	Engine    string  `json:"engine"`
	Threads   int     `json:"threads"`
	Fwd       float64 `json:"fwd_s"`
	FwdBwd    float64 `json:"fwdbwd_s"`
	FwdCPU    float64 `json:"fwd_cpu_s"`    // CPU seconds, all threads
	FwdBwdCPU float64 `json:"fwdbwd_cpu_s"` // CPU seconds, all threads
}

// cpuTime is the process's user+system CPU time.
func cpuTime() float64 {
	var r syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r); err != nil {
		return 0
	}
	return float64(r.Utime.Nano()+r.Stime.Nano()) / 1e9
}

// stack builds the benchmark's three layers.
func stack() []*conv.Conv2D[float32] {
	ch := []int{3, 16, 32, 32}
	var ls []*conv.Conv2D[float32]
	for i := 0; i < 3; i++ {
		l, err := conv.NewConv2D[float32](conv.Shape{C: ch[i], H: 96, W: 96}, conv.ConvConfig{
			OutC: ch[i+1], KH: 3, KW: 3, Pad: conv.PadExplicit, PadH: 1, PadW: 1,
			Init: conv.InitNormal005, SkipInputGrad: i == 0}, uint64(i+1))
		if err != nil {
			panic(err)
		}
		ls = append(ls, l)
	}
	return ls
}

func forward(ls []*conv.Conv2D[float32], x []float32, n int) []float32 {
	var err error
	for _, l := range ls {
		if x, err = l.Forward(x, n); err != nil {
			panic(err)
		}
	}
	return x
}

func backward(ls []*conv.Conv2D[float32], dy []float32) {
	var err error
	for i := len(ls) - 1; i >= 0; i-- {
		if dy, err = ls[i].Backward(dy); err != nil {
			panic(err)
		}
	}
}

// best returns the best wall time and the least CPU time of reps runs.
func best(reps int, f func()) (wall, cpu float64) {
	f() // warm-up: buffers are allocated on first use
	for r := 0; r < reps; r++ {
		t0, c0 := time.Now(), cpuTime()
		f()
		s, c := time.Since(t0).Seconds(), cpuTime()-c0
		if r == 0 || s < wall {
			wall = s
		}
		if r == 0 || c < cpu {
			cpu = c
		}
	}
	return wall, cpu
}

func runGo(n, reps, threads int) result {
	kernels.SetThreads(threads)
	defer kernels.SetThreads(0)
	rng := rand.New(rand.NewPCG(1, 1))
	x := make([]float32, n*3*96*96)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	ls := stack()
	ones := make([]float32, n*32*96*96)
	for i := range ones {
		ones[i] = 1
	}
	fwd, fwdCPU := best(reps, func() { forward(ls, x, n) })
	fb, fbCPU := best(reps, func() {
		for _, l := range ls {
			conv.ZeroGrad[float32](l)
		}
		forward(ls, x, n)
		backward(ls, ones)
	})
	return result{Engine: "deepica " + kernels.Impl().String(), Threads: threads, Fwd: fwd, FwdBwd: fb, FwdCPU: fwdCPU, FwdBwdCPU: fbCPU}
}

func runPeer(script, engine string, n, reps, threads int) (result, error) {
	cmd := exec.Command("/usr/bin/python3", script, "--engine", engine, "--threads", strconv.Itoa(threads),
		"--n", strconv.Itoa(n), "--reps", strconv.Itoa(reps))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return result{}, fmt.Errorf("%s: %v: %s", engine, err, strings.TrimSpace(errb.String()))
	}
	var r result
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		return result{}, fmt.Errorf("%s: %v in %q", engine, err, out.String())
	}
	return r, nil
}

func main() {
	n := flag.Int("n", 100, "images per batch")
	reps := flag.Int("reps", 3, "timed repetitions (the best is kept)")
	threadList := flag.String("threads", "1,2", "thread counts")
	peers := flag.Bool("peers", true, "run PyTorch and NumPy (bench/conv/peers.py)")
	rounds := flag.Int("rounds", 1, "rounds over all engines and thread counts (the best of each is kept)")
	prof := flag.String("cpuprofile", "", "write a CPU profile of the deepica runs")
	flag.Parse()
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	script := filepath.Join("bench", "conv", "peers.py")
	if _, err := os.Stat(script); err != nil {
		script = "peers.py"
	}
	flops := 0.0
	ch := []int{3, 16, 32, 32}
	fwdF, bwdF := 0.0, 0.0
	for i := 0; i < 3; i++ {
		f := 2.0 * float64(ch[i+1]*ch[i]*9*96*96)
		fwdF += f
		bwdF += f // weight gradient
		if i > 0 {
			bwdF += f // input gradient
		}
	}
	flops = fwdF * float64(*n)
	fmt.Printf("conv stack 3→16→32→32, 3×3 pad 1, %d images 3×96×96 float32; %.1f GFLOP forward, %.1f forward+backward\n",
		*n, flops/1e9, (fwdF+bwdF)*float64(*n)/1e9)
	fmt.Printf("machine: %s/%s, %d CPUs, kernels %s\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), kernels.Impl())
	fmt.Println("Wall: best wall-clock seconds. CPU: least CPU seconds of the process (all threads); under load from")
	fmt.Println("other processes it stays near the quiet wall time for one thread. Ratios: PyTorch time / engine time.")
	fmt.Println()
	fmt.Println("| engine | threads | fwd wall s | fwd+bwd wall s | fwd CPU s | fwd+bwd CPU s | fwd+bwd GFLOP/s (wall) | PyTorch/x fwd (wall, CPU) | PyTorch/x fwd+bwd (wall, CPU) |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	var threads []int
	for _, ts := range strings.Split(*threadList, ",") {
		t, err := strconv.Atoi(strings.TrimSpace(ts))
		if err != nil || t < 1 {
			fmt.Fprintf(os.Stderr, "bad thread count %q\n", ts)
			os.Exit(2)
		}
		threads = append(threads, t)
	}
	// rounds interleave the engines, so that a burst of load from other
	// processes hits all of them; the best time of each is kept
	best := map[int][]result{}
	keep := func(t int, r result) {
		for i, b := range best[t] {
			if b.Engine == r.Engine {
				best[t][i].Fwd, best[t][i].FwdBwd = min(b.Fwd, r.Fwd), min(b.FwdBwd, r.FwdBwd)
				best[t][i].FwdCPU, best[t][i].FwdBwdCPU = min(b.FwdCPU, r.FwdCPU), min(b.FwdBwdCPU, r.FwdBwdCPU)
				return
			}
		}
		best[t] = append(best[t], r)
	}
	for round := 0; round < *rounds; round++ {
		for _, t := range threads {
			keep(t, runGo(*n, *reps, t))
			if *peers {
				for _, e := range []string{"torch", "numpy"} {
					pr := *reps
					if e == "numpy" {
						pr = 1 // ten times slower: one timed run is plenty
					}
					r, err := runPeer(script, e, *n, pr, t)
					if err != nil {
						fmt.Fprintln(os.Stderr, err)
						continue
					}
					keep(t, r)
				}
			}
		}
	}
	for _, t := range threads {
		rs := best[t]
		var torch *result
		for i := range rs {
			if strings.HasPrefix(rs[i].Engine, "pytorch") {
				torch = &rs[i]
			}
		}
		for _, r := range rs {
			rf, rb := "", ""
			if torch != nil {
				rf = fmt.Sprintf("%.2f×, %.2f×", torch.Fwd/r.Fwd, torch.FwdCPU/r.FwdCPU)
				rb = fmt.Sprintf("%.2f×, %.2f×", torch.FwdBwd/r.FwdBwd, torch.FwdBwdCPU/r.FwdBwdCPU)
			}
			fmt.Printf("| %s | %d | %.3f | %.3f | %.3f | %.3f | %.1f | %s | %s |\n", r.Engine, r.Threads, r.Fwd, r.FwdBwd,
				r.FwdCPU, r.FwdBwdCPU, (fwdF+bwdF)*float64(*n)/r.FwdBwd/1e9, rf, rb)
		}
	}
}
