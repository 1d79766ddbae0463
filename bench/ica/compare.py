#!/usr/bin/python3
"""End-to-end FastICA comparison: `deepica ica` (the whole process: read the
.npy, fit, write every result file) against scikit-learn 1.2.1's
FastICA.fit (fit alone, data already in memory), same input, same w_init,
tol, whitening (unit-variance), float64, at 1 and 2 threads.

usage (from the repository root):
  /usr/bin/python3 bench/ica/compare.py [--data DIR] [--out DIR] [--threads 1,2]
                                        [--cases laplace,images] [--repeat N]

DIR defaults to /tmp/deepica-bench; the inputs are made by make_data.py if
absent. Prints one line per (case, threads) with both times, iteration
counts and the ratios sklearn / deepica of wall-clock and of CPU time
(user + system, all threads), and a JSON summary at the end. On a shared
machine the CPU-time ratio is the steadier figure; the wall-clock one is
the goal's measure on a quiet machine. The load average is recorded.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

CASES = {
    # name: (file, n_components)
    "laplace": ("laplace_40x1e6.npy", 40),
    "images": ("images_500x27648.npy", 40),
}

SKLEARN_CHILD = r"""
import json, sys, time, warnings
import numpy as np
from sklearn.decomposition import FastICA
x = np.load(sys.argv[1]); w = np.load(sys.argv[2]); k = int(sys.argv[3])
ica = FastICA(n_components=k, algorithm="parallel", whiten="unit-variance", fun="logcosh",
              max_iter=200, tol=1e-4, w_init=w, whiten_solver="svd")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    c = time.process_time(); t = time.perf_counter(); ica.fit(x)
    dt = time.perf_counter() - t; dc = time.process_time() - c
print(json.dumps({"seconds": dt, "cpu_seconds": dc, "n_iter": int(ica.n_iter_),
                  "converged": not any("did not converge" in str(c.message) for c in caught)}))
"""


def env_for(threads):
    env = dict(os.environ)
    for v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(v, None)
    for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[v] = str(threads)
    return env


def run_sklearn(path, winit, k, threads):
    out = subprocess.run([sys.executable, "-c", SKLEARN_CHILD, path, winit, str(k)],
                         env=env_for(threads), check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_deepica(binary, path, winit, k, threads, outdir):
    cmd = [binary, "ica", "--in", path, "--out", outdir, "--components", str(k),
           "--w-init", winit, "--tol", "1e-4", "--max-iter", "200", "--whiten", "unit-variance",
           "--algorithm", "parallel", "--fun", "logcosh", "--threads", str(threads)]
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, env=env_for(threads), check=True, capture_output=True, text=True)
    dt = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    with open(os.path.join(outdir, "summary.json")) as f:
        s = json.load(f)
    return {"seconds": dt, "cpu_seconds": cpu, "n_iter": s["n_iter"], "converged": s["converged"],
            "stages": s["timings_s"], "kernels": s["kernels"], "whiten_solver": s["whiten_solver"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/tmp/deepica-bench")
    ap.add_argument("--out", default=None, help="where deepica writes results (default: a temp dir on the data's file system)")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--cases", default="laplace,images")
    ap.add_argument("--binary", default=None, help="a built deepica (default: go build ./cmd/deepica into --data)")
    ap.add_argument("--repeat", type=int, default=1, help="deepica runs per setting (the best is reported)")
    args = ap.parse_args()

    os.makedirs(args.data, exist_ok=True)
    if not all(os.path.exists(os.path.join(args.data, f)) for f, _ in CASES.values()):
        subprocess.run([sys.executable, os.path.join(HERE, "make_data.py"), args.data], check=True)
    winit = os.path.join(args.data, "winit_40.npy")
    binary = args.binary
    if binary is None:
        binary = os.path.join(args.data, "deepica")
        subprocess.run(["go", "build", "-o", binary, "./cmd/deepica"], cwd=ROOT, check=True)
    outroot = args.out or tempfile.mkdtemp(prefix="deepica-out-", dir=args.data)

    results = []
    for case in args.cases.split(","):
        fname, k = CASES[case]
        path = os.path.join(args.data, fname)
        for th in [int(t) for t in args.threads.split(",")]:
            d = None
            for r in range(args.repeat):
                outdir = os.path.join(outroot, f"{case}-t{th}-r{r}")
                di = run_deepica(binary, path, winit, k, th, outdir)
                if d is None or di["seconds"] < d["seconds"]:
                    d = di
                subprocess.run(["rm", "-rf", outdir], check=True)
            s = run_sklearn(path, winit, k, th)
            ratio = s["seconds"] / d["seconds"]
            st = d["stages"]
            cratio = s["cpu_seconds"] / d["cpu_seconds"]
            print(f"{case:8s} threads={th}: sklearn fit {s['seconds']:7.3f} s wall, {s['cpu_seconds']:7.3f} s cpu ({s['n_iter']} it) | "
                  f"deepica ica {d['seconds']:7.3f} s wall, {d['cpu_seconds']:7.3f} s cpu ({d['n_iter']} it; read {st['read']:.3f} "
                  f"whiten {st['whiten']:.3f} iterate {st['iterate']:.3f} sources {st['sources']:.3f} write {st['write']:.3f}; "
                  f"{d['kernels']}, {d['whiten_solver']}) | ratio wall {ratio:5.2f}x, cpu {cratio:5.2f}x", flush=True)
            results.append({"case": case, "threads": th, "sklearn": s, "deepica": d, "ratio_wall": ratio, "ratio_cpu": cratio,
                            "loadavg_after": os.getloadavg()})
    if not args.out:
        os.rmdir(outroot)  # the temporary root; its per-run folders are gone already
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
