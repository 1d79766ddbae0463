#!/usr/bin/python3
"""OpenBLAS (through NumPy 1.24) side of the GEMM/Gram table in bench/BENCHMARKS.md.

Usage: OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/gemm_openblas.py CASE DTYPE
CASE: 2048 (a @ b, 2048³), XXt (x @ x.T, 500×27648: ssyrk/dsyrk), XtX (x.T @ x, 100000×64),
WX40 (w @ x, 40×40 · 40×10⁶); DTYPE: f32 or f64. Prints the median of 3 runs after a warm-up,
wall and CPU time (process_time, all threads), with GFLOP/s counted as in kernels' benchmarks
(2mnk for GEMM, n²k for Gram). OPENBLAS_CORETYPE must be set: OpenBLAS 0.3.21 does not recognise
the development VM's CPU and otherwise falls back to its Prescott kernels.
"""
import sys, time
import numpy as np

which = sys.argv[1]; dt = np.float32 if sys.argv[2] == "f32" else np.float64
rng = np.random.default_rng(1)
if which == "2048":
    a = rng.standard_normal((2048, 2048)).astype(dt); b = rng.standard_normal((2048, 2048)).astype(dt); f = lambda: a @ b; fl = 2*2048**3
elif which == "XXt":
    x = rng.standard_normal((500, 27648)).astype(dt); f = lambda: x @ x.T; fl = 500*500*27648
elif which == "XtX":
    x = rng.standard_normal((100000, 64)).astype(dt); f = lambda: x.T @ x; fl = 64*64*100000
elif which == "WX40":
    w = rng.standard_normal((40, 40)).astype(dt); x = rng.standard_normal((40, 1000000)).astype(dt); f = lambda: w @ x; fl = 2*40*40*1000000
f()
ws, cs = [], []
for _ in range(3):
    w0, c0 = time.perf_counter(), time.process_time(); f(); ws.append(time.perf_counter()-w0); cs.append(time.process_time()-c0)
w, c = sorted(ws)[1], sorted(cs)[1]
print(f"numpy {which} {sys.argv[2]} wall {w*1e3:.1f} ms {fl/w/1e9:.1f} GFLOP/s  cpu {c*1e3:.1f} ms {fl/c/1e9:.1f} cpu-GFLOP/s")
