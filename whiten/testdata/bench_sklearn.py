#!/usr/bin/python3
"""Time scikit-learn 1.2.1 on the shapes of whiten's benchmarks.

Usage: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench_sklearn.py
(the thread variable must be set before NumPy loads). Prints the minimum of
several runs per case, in seconds, float64 and float32. Data are shaped like
BenchmarkPCAStudy's (imageLike): 500 images × 27648 pixels, 60 latent
patterns with power-law weights plus noise.
"""
import os
import sys
import time

import numpy as np
from sklearn.decomposition import PCA, KernelPCA


def image_like(n, p, dtype):
    rng = np.random.RandomState(2024)
    pat = rng.randn(60, p).astype(np.float32)
    w = rng.randn(n, 60) / np.power(np.arange(1, 61), 0.8)
    x = 0.5 + 0.01 * rng.randn(n, p) + 0.05 * (w @ pat)
    return x.astype(dtype)


def best(f, repeat):
    """Minimum wall and CPU (process_time, all threads) seconds."""
    t, c = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        f()
        t.append(time.perf_counter() - t0)
        c.append(time.process_time() - c0)
    return min(t), min(c)


def main():
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    for dtype in (np.float64, np.float32):
        x = image_like(500, 27648, dtype)
        for solver in ("auto", "full", "randomized"):
            s, c = best(lambda: PCA(n_components=40, svd_solver=solver, random_state=0).fit_transform(x), repeat)
            print(f"sklearn PCA dtype={np.dtype(dtype).name} threads={threads} svd_solver={solver}: wall {s:.3f} s, cpu {c:.3f} s")
        scores = PCA(n_components=40, svd_solver="full").fit_transform(x)
        s, c = best(lambda: KernelPCA(n_components=40, kernel="rbf", eigen_solver="dense").fit_transform(scores), repeat)
        print(f"sklearn KernelPCA rbf 500x40 dtype={np.dtype(dtype).name} threads={threads} dense: wall {s:.3f} s, cpu {c:.3f} s")


if __name__ == "__main__":
    main()
