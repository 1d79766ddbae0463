#!/usr/bin/python3
"""Peers for bench/conv: the 3-layer conv stack (3→16→32→32, 3×3, padding 1,
stride 1, bias, no activation) on N images of 3×96×96, float32, forward and
forward+backward (weights and inputs of layers 2–3 need gradients; the data
does not, as in training), with PyTorch's CPU convolution (oneDNN) and with
NumPy im2col + OpenBLAS GEMM. Prints one JSON object per line:
{"engine":…, "threads":…, "fwd_s":…, "fwdbwd_s":…, "fwd_cpu_s":…,
"fwdbwd_cpu_s":…}, the best wall and the least CPU time of --reps runs.

Run with /usr/bin/python3 (Debian's NumPy 1.24 and python3-torch)."""
import argparse, json, os, sys, time

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, required=True)
p.add_argument("--engine", choices=["torch", "numpy"], required=True)
p.add_argument("--n", type=int, default=100)
p.add_argument("--reps", type=int, default=3)
a = p.parse_args()

# thread counts must be fixed before the libraries start their pools
for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[v] = str(a.threads)

import numpy as np

CH = [3, 16, 32, 32]
H = W = 96
rng = np.random.default_rng(1)
x = rng.standard_normal((a.n, 3, H, W), dtype=np.float32)
ws = [(0.05 * rng.standard_normal((CH[i + 1], CH[i], 3, 3))).astype(np.float32) for i in range(3)]
bs = [np.zeros(CH[i + 1], np.float32) for i in range(3)]


cpu = {}


def best(f):
    """Best wall time of --reps runs; the least CPU time (all threads) of
    the runs is kept in cpu[f.__name__]: under load from other processes
    it stays close to the wall time on a quiet machine."""
    f()  # warm-up: allocations, oneDNN primitive creation
    t, c = [], []
    for _ in range(a.reps):
        t0, c0 = time.perf_counter(), time.process_time()
        f()
        t.append(time.perf_counter() - t0)
        c.append(time.process_time() - c0)
    cpu[f.__name__] = min(c)
    return min(t)


if a.engine == "torch":
    import torch
    torch.set_num_threads(a.threads)
    xt = torch.from_numpy(x)
    convs = []
    for i in range(3):
        c = torch.nn.Conv2d(CH[i], CH[i + 1], 3, padding=1)
        with torch.no_grad():
            c.weight.copy_(torch.from_numpy(ws[i]))
            c.bias.zero_()
        convs.append(c)

    def fwd():
        with torch.no_grad():
            y = xt
            for c in convs:
                y = c(y)
        return y

    def fwdbwd():
        y = xt
        for c in convs:
            y = c(y)
        y.backward(torch.ones_like(y))
        for c in convs:
            c.weight.grad = None
            c.bias.grad = None

    res = {"engine": "pytorch " + torch.__version__ + (" (oneDNN)" if torch.backends.mkldnn.is_available() else ""),
           "threads": torch.get_num_threads(), "fwd_s": best(fwd), "fwdbwd_s": best(fwdbwd)}
else:
    # one image at a time, as a straightforward NumPy convolution would be
    # written: the column matrix of a whole batch would take a gigabyte
    from numpy.lib.stride_tricks import sliding_window_view

    def im2col(img):  # C×H×W → (C·9)×(H·W), padding 1
        c, h, w = img.shape
        p = np.pad(img, ((0, 0), (1, 1), (1, 1)))
        v = sliding_window_view(p, (3, 3), axis=(1, 2))  # C×H×W×3×3
        return np.ascontiguousarray(v.transpose(0, 3, 4, 1, 2)).reshape(c * 9, h * w)

    def col2im(col, c, h, w):  # adjoint of im2col
        col = col.reshape(c, 3, 3, h, w)
        p = np.zeros((c, h + 2, w + 2), np.float32)
        for i in range(3):
            for j in range(3):
                p[:, i:i + h, j:j + w] += col[:, i, j]
        return p[:, 1:-1, 1:-1]

    wm = [ws[i].reshape(CH[i + 1], -1) for i in range(3)]

    def forward_one(img, keep):
        y, cols = img, []
        for i in range(3):
            col = im2col(y)
            if keep:
                cols.append(col)
            y = (wm[i] @ col + bs[i][:, None]).reshape(CH[i + 1], H, W)
        return y, cols

    def fwd():
        for n in range(a.n):
            forward_one(x[n], False)

    def fwdbwd():
        dws = [np.zeros_like(m) for m in wm]
        dbs = [np.zeros_like(b) for b in bs]
        for n in range(a.n):
            y, cols = forward_one(x[n], True)
            g = np.ones((CH[3], H * W), np.float32)
            for i in (2, 1, 0):
                dws[i] += g @ cols[i].T
                dbs[i] += g.sum(axis=1)
                if i > 0:
                    g = col2im(wm[i].T @ g, CH[i], H, W).reshape(CH[i], H * W)

    import numpy
    res = {"engine": "numpy %s im2col+OpenBLAS" % numpy.__version__, "threads": a.threads,
           "fwd_s": best(fwd), "fwdbwd_s": best(fwdbwd)}
res["fwd_cpu_s"], res["fwdbwd_cpu_s"] = cpu["fwd"], cpu["fwdbwd"]
print(json.dumps(res))
