#!/usr/bin/env python3
"""Peer side of deepica's comparison harness (bench/compare).

Runs one case with NumPy/OpenBLAS, scikit-learn or PyTorch on the .npy inputs
the Go harness wrote, and prints one JSON line: the wall times of each run,
the BLAS kernel in use and case-specific extras. Thread counts are fixed
through the environment before NumPy is imported, which is the only way
OpenBLAS honours them.

Usage: peers.py ENGINE CASE --threads T --runs R --indir DIR [--dtype f32|f64]
"""
import argparse
import json
import os
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("engine", choices=["numpy", "sklearn", "torch"])
p.add_argument("case")
p.add_argument("--threads", type=int, default=1)
p.add_argument("--runs", type=int, default=3)
p.add_argument("--indir", required=True)
p.add_argument("--dtype", default="f64")
p.add_argument("--budget", type=float, default=0,
               help="stop adding runs once this many seconds were spent measuring (at least two runs)")
args = p.parse_args()

for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[v] = str(args.threads)

import numpy as np  # noqa: E402

dt = np.float32 if args.dtype == "f32" else np.float64


def load(name):
    return np.ascontiguousarray(np.load(os.path.join(args.indir, name)).astype(dt))


def blas_info():
    try:
        from threadpoolctl import threadpool_info
        for i in threadpool_info():
            if i.get("user_api") == "blas":
                return "%s %s %s" % (i.get("internal_api"), i.get("version"), i.get("architecture"))
    except Exception as e:  # threadpoolctl is optional
        return "unknown (%s)" % e
    return "unknown"


def timed(fn, runs, warm=True):
    if warm:
        fn()
    ts = []
    for _ in range(runs):
        if args.budget > 0 and len(ts) >= 2 and sum(ts) + ts[0] > args.budget:
            break
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return ts


extra = {}
case = args.case

if args.engine == "numpy" and case.startswith(("gemm", "gram", "wx", "convgemm")):
    if case.startswith("gemm"):
        a, b = load("A.npy"), load("B.npy")
        fn = lambda: a @ b
    elif case == "gram_wide":
        x = load("X.npy")
        fn = lambda: x @ x.T  # NumPy calls syrk when both operands are one buffer
    elif case == "gram_tall":
        x = load("X.npy")
        fn = lambda: x.T @ x
    elif case in ("wx", "convgemm3", "convgemm32"):
        a, b = load("A.npy"), load("B.npy")
        fn = lambda: a @ b
    else:
        sys.exit("unknown numpy case " + case)
    times = timed(fn, args.runs)

elif args.engine == "sklearn" and case.startswith("fastica"):
    from sklearn.decomposition import FastICA
    x = load("X.npy")
    w = np.load(os.path.join(args.indir, "W_init.npy"))
    k = w.shape[0]
    its = []

    def fit():
        ica = FastICA(n_components=k, whiten="unit-variance", whiten_solver="svd", w_init=w,
                      tol=1e-4, max_iter=200, fun="logcosh", random_state=0)
        ica.fit(x)
        its.append(ica.n_iter_)
    times = timed(fit, args.runs, warm=False)
    extra["n_iter"] = its[-1]

elif args.engine == "sklearn" and case == "pipeline":
    from sklearn.decomposition import PCA, KernelPCA, FastICA
    x = load("X.npy")
    w = np.load(os.path.join(args.indir, "W_init.npy"))
    stages = {}

    def pipe():
        t0 = time.perf_counter()
        PCA(n_components=40).fit(x)
        t1 = time.perf_counter()
        KernelPCA(n_components=40, kernel="rbf", copy_X=False).fit(x)
        t2 = time.perf_counter()
        ica = FastICA(n_components=40, whiten="unit-variance", w_init=w, tol=1e-4, max_iter=200, random_state=0)
        ica.fit(x)
        t3 = time.perf_counter()
        stages.update(pca=t1 - t0, kpca=t2 - t1, ica=t3 - t2, ica_iter=int(ica.n_iter_))
    times = timed(pipe, args.runs, warm=False)
    extra.update(stages)

elif case.startswith("conv"):
    x = load("images.npy")  # N×(3·H·W), rows CHW
    side = int(round((x.shape[1] // 3) ** 0.5))
    x = np.ascontiguousarray(x.reshape(x.shape[0], 3, side, side))
    chans = [3, 16, 32, 32]
    rng = np.random.default_rng(1)
    ws = [(rng.standard_normal((chans[i + 1], chans[i], 3, 3)) * 0.05).astype(dt) for i in range(3)]
    backward = case == "conv_fwdbwd"
    if args.engine == "torch":
        import torch
        torch.set_num_threads(args.threads)
        xt = torch.from_numpy(x)
        wt = [torch.from_numpy(w).requires_grad_(backward) for w in ws]
        bt = [torch.zeros(w.shape[0], requires_grad=backward) for w in ws]

        def fwd():
            h = xt
            for w, b in zip(wt, bt):
                h = torch.nn.functional.elu(torch.nn.functional.conv2d(h, w, b, padding=1))
            if backward:
                h.sum().backward()
            return h
        if not backward:
            with torch.no_grad():
                times = timed(fwd, args.runs)
        else:
            times = timed(fwd, args.runs)
        extra["torch"] = torch.__version__
    elif args.engine == "numpy":
        def im2col(img):  # C×H×W, 3×3, pad 1 → (C·9)×(H·W)
            c, h, w = img.shape
            p = np.pad(img, ((0, 0), (1, 1), (1, 1)))
            cols = np.empty((c, 3, 3, h, w), dtype=img.dtype)
            for i in range(3):
                for j in range(3):
                    cols[:, i, j] = p[:, i:i + h, j:j + w]
            return cols.reshape(c * 9, h * w)

        def col2im(cols, c, h, w):
            cols = cols.reshape(c, 3, 3, h, w)
            p = np.zeros((c, h + 2, w + 2), dtype=cols.dtype)
            for i in range(3):
                for j in range(3):
                    p[:, i:i + h, j:j + w] += cols[:, i, j]
            return p[:, 1:-1, 1:-1]

        def fwdbwd():
            for img in x:
                h, saved = img, []
                for w in ws:
                    col = im2col(h)
                    z = w.reshape(w.shape[0], -1) @ col
                    y = np.where(z > 0, z, np.expm1(np.minimum(z, 0)))
                    saved.append((h, col, z, y))
                    h = y.reshape(w.shape[0], img.shape[1], img.shape[2])
                if backward:
                    g = np.ones_like(saved[-1][3])
                    for (hin, col, z, y), w in zip(reversed(saved), reversed(ws)):
                        g = g * np.where(z > 0, 1, y + 1)
                        wm = w.reshape(w.shape[0], -1)
                        _dw = g @ col.T
                        dcol = wm.T @ g
                        g = col2im(dcol, hin.shape[0], hin.shape[1], hin.shape[2]).reshape(hin.shape[0], -1)
        times = timed(fwdbwd, args.runs, warm=False)
    else:
        sys.exit("unknown engine for conv")
else:
    sys.exit("unknown engine/case %s/%s" % (args.engine, case))

print(json.dumps({"times": times, "blas": blas_info(), "extra": extra}))
