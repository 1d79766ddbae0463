#!/usr/bin/python3
"""The study pipeline (PCA + kernel PCA rbf + FastICA, 40 components) on the
500×27648 image matrix: scikit-learn 1.2.1 (same calls as bench/compare's
peers.py) against deepica's library (BenchmarkPipeline, in-process), float64,
one thread, process CPU seconds per stage (steady under load) and wall time.

usage (from the repository root):
  /usr/bin/python3 bench/ica/pipeline.py [--data DIR] [--repeat N]

DIR holds images_500x27648.npy and winit_40.npy (make_data.py makes them).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

SKLEARN_CHILD = r"""
import json, sys, time, warnings
import numpy as np
from sklearn.decomposition import PCA, KernelPCA, FastICA
x = np.load(sys.argv[1]); w = np.load(sys.argv[2]); reps = int(sys.argv[3])
best = None
for _ in range(reps):
    st = {}
    c = time.process_time(); t = time.perf_counter()
    PCA(n_components=40).fit(x)
    st["pca"] = time.process_time() - c; c = time.process_time()
    KernelPCA(n_components=40, kernel="rbf", copy_X=False).fit(x)
    st["kpca"] = time.process_time() - c; c = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ica = FastICA(n_components=40, whiten="unit-variance", w_init=w, tol=1e-4, max_iter=200, random_state=0).fit(x)
    st["ica"] = time.process_time() - c
    st["cpu"] = st["pca"] + st["kpca"] + st["ica"]
    st["wall"] = time.perf_counter() - t
    st["ica_iter"] = int(ica.n_iter_)
    if best is None or st["cpu"] < best["cpu"]:
        best = st
print(json.dumps(best))
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/tmp/deepica-bench")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    x = os.path.join(args.data, "images_500x27648.npy")
    w = os.path.join(args.data, "winit_40.npy")
    if not os.path.exists(x):
        subprocess.run([sys.executable, os.path.join(HERE, "make_data.py"), args.data], check=True)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    sk = json.loads(subprocess.run([sys.executable, "-c", SKLEARN_CHILD, x, w, str(args.repeat)], env=env,
                                   check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    genv = dict(os.environ, DEEPICA_PIPELINE_NPY=x, DEEPICA_PIPELINE_WINIT=w)
    out = subprocess.run(["go", "test", "-run", "^$", "-bench", "Pipeline", "-benchtime", f"{args.repeat}x",
                          "-count", "1", "./bench/ica/"], cwd=ROOT, env=genv, check=True, capture_output=True,
                         text=True).stdout
    res = {"sklearn_f64_threads1": sk, "loadavg": os.getloadavg()}
    for line in out.splitlines():
        m = re.match(r"BenchmarkPipeline/(\S+?)-\d+\s+\d+\s+(\d+) ns/op(.*)", line)
        if not m:
            continue
        d = {"wall": int(m.group(2)) / 1e9}
        for val, unit in re.findall(r"([\d.]+) (\S+)", m.group(3)):
            d[unit] = float(val)
        res["deepica_" + m.group(1)] = d
    for name, d in res.items():
        if name.startswith("deepica_"):
            d["ratio_cpu_vs_sklearn_f64_1thread"] = sk["cpu"] / d["cpu-s/op"]
            print(f"{name:40s} cpu {d['cpu-s/op']:.3f} s (pca {d['pca-cpu-s']:.3f}, kpca {d['kpca-cpu-s']:.3f}, "
                  f"ica {d['ica-cpu-s']:.3f}), wall {d['wall']:.3f} s | sklearn cpu {sk['cpu']:.3f} s "
                  f"(pca {sk['pca']:.3f}, kpca {sk['kpca']:.3f}, ica {sk['ica']:.3f}), wall {sk['wall']:.3f} s "
                  f"| ratio cpu {d['ratio_cpu_vs_sklearn_f64_1thread']:.2f}x")
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
