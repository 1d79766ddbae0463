package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/kernels/peak"
	"github.com/klauspost/cpuid/v2"
)

// machine is what the report says about where it ran.
type machine struct {
	CPU           string
	Cores         int
	Levels        []string
	Peaks         []peak.Result
	Blas          string // NumPy's BLAS, as threadpoolctl reports it
	BlasNote      string
	blasEnv       []string
	PythonMissing map[string]string // engine → why it cannot run
	HasR          bool
	Go            string
	LoadStart     string // /proc/loadavg when the run started
}

// loadAvg returns the 1-, 5- and 15-minute load averages, or "" where the
// system does not expose them. Other processes on the machine slow every
// engine, not equally, so the report states the load it ran under.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func describeMachine(o options) machine {
	m := machine{
		CPU:           fmt.Sprintf("%s (%d logical cores; %s)", cpuid.CPU.BrandName, runtime.NumCPU(), kernels.Why()),
		Cores:         runtime.NumCPU(),
		PythonMissing: map[string]string{},
		Go:            runtime.Version(),
		LoadStart:     loadAvg(),
	}
	for _, l := range kernels.Available() {
		m.Levels = append(m.Levels, l.String())
	}
	logf("measuring machine limits")
	if err := measurePeaks(&m, o.short); err != nil {
		logf("  peak probe failed: %v", err)
	}
	for _, e := range []struct{ engine, mod string }{{"numpy", "numpy"}, {"sklearn", "sklearn"}, {"torch", "torch"}} {
		if out, err := exec.Command(o.python, "-c", "import "+e.mod).CombinedOutput(); err != nil {
			m.PythonMissing[e.engine] = fmt.Sprintf("%s cannot import %s (run with -install): %s", o.python, e.mod, lastLine(string(out)))
		}
	}
	m.HasR = exec.Command(o.rscript, "-e", "library(fastICA)").Run() == nil
	m.Blas, m.BlasNote, m.blasEnv = chooseBlas(o.python)
	return m
}

func measurePeaks(m *machine, short bool) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	args := []string{"-worker", "-engine", "peak"}
	if short {
		args = append(args, "-short")
	}
	out, err := exec.Command(self, args...).Output()
	if err != nil {
		return err
	}
	return json.Unmarshal(out, &m.Peaks)
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "\n"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// blasArch asks NumPy which OpenBLAS kernel it runs, with env added to a
// clean environment (no inherited OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE).
func blasArch(python string, env []string) string {
	cmd := exec.Command(python, "-c", "import numpy\nfrom threadpoolctl import threadpool_info as t\n"+
		"print(next((i.get('internal_api','?')+' '+str(i.get('version'))+' '+str(i.get('architecture')) for i in t() if i.get('user_api')=='blas'),'unknown'))")
	cmd.Env = append(cleanEnv(), env...)
	out, err := cmd.Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

// cleanEnv is the environment without the variables that change OpenBLAS's
// kernel choice; the peers get exactly what chooseBlas decides.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "OPENBLAS_CORETYPE=") || strings.HasPrefix(kv, "OPENBLAS_L2_SIZE=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// chooseBlas makes sure the peers run OpenBLAS's best kernels for this CPU.
// OpenBLAS 0.3.21's run-time detection does not recognise some newer Xeons
// (seen here: it falls back to the 2004 "Prescott" SSE3 kernels, 6× slower);
// a comparison against a crippled peer would be worthless, so in that case
// the harness names the AVX-512 kernels explicitly and says so.
func chooseBlas(python string) (arch, note string, env []string) {
	arch = blasArch(python, nil)
	if strings.HasSuffix(arch, "Prescott") && cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512VL, cpuid.AVX512DQ, cpuid.AVX512BW) {
		env = []string{"OPENBLAS_CORETYPE=SkylakeX"}
		forced := blasArch(python, env)
		return forced, "OpenBLAS's own detection picked the generic Prescott kernels on this AVX-512 CPU; the peers run with OPENBLAS_CORETYPE=SkylakeX (its AVX-512 kernels) instead", env
	}
	if strings.HasSuffix(arch, "Prescott") && cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3) {
		env = []string{"OPENBLAS_CORETYPE=Haswell"}
		return blasArch(python, env), "OpenBLAS's own detection picked the generic Prescott kernels on this AVX2 CPU; the peers run with OPENBLAS_CORETYPE=Haswell instead", env
	}
	return arch, "OpenBLAS's own kernel detection (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset)", nil
}
