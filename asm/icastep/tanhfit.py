#!/usr/bin/python3
"""Fits the rational tanh(h) ≈ h·P(h²)/Q(h²), P(0) = Q(0) = 1, used by the
fused ICA step's tanh (asm/icastep/tanh.go) on |h| ≤ ln2/4 (with slack for
the rounding of the reduction), minimising the maximum relative error by
Lawson's iteration on Chebyshev nodes, in 40-digit arithmetic (mpmath).
Run with /usr/bin/python3 (Debian's python3-mpmath)."""
import mpmath as mp

mp.mp.dps = 40


def f(z):
    if z == 0:
        return mp.mpf(1)
    h = mp.sqrt(z)
    return mp.tanh(h) / h


def fit(L, M, zm, iters=30, N=300):
    zs = [zm * (1 - mp.cos(mp.pi * (i + 0.5) / N)) / 2 for i in range(N)]
    fs = [f(z) for z in zs]
    w = [mp.mpf(1)] * N
    best = None
    for _ in range(iters):
        A = mp.matrix(N, L + M)
        b = mp.matrix(N, 1)
        for i, (z, fz) in enumerate(zip(zs, fs)):
            s = mp.sqrt(w[i]) / fz
            for j in range(L):
                A[i, j] = s * z ** (j + 1)
            for j in range(M):
                A[i, L + j] = -s * fz * z ** (j + 1)
            b[i] = s * (fz - 1)
        x = mp.qr_solve(A, b)[0]
        p = [1] + [x[j] for j in range(L)]
        q = [1] + [x[L + j] for j in range(M)]
        es = [abs(mp.polyval(p[::-1], z) / mp.polyval(q[::-1], z) / fz - 1) for z, fz in zip(zs, fs)]
        e = max(es)
        if best is None or e < best[0]:
            best = (e, p, q)
        tot = sum(wi * ei for wi, ei in zip(w, es))
        w = [wi * ei / tot for wi, ei in zip(w, es)]
    return best


for name, L, M, slack in [("float64", 2, 2, "1.0002"), ("float32", 1, 1, "1.002")]:
    e, p, q = fit(L, M, (mp.log(2) / 4 * mp.mpf(slack)) ** 2)
    print(name, "max relative error", mp.nstr(e, 4))
    print("  P", [mp.nstr(v, 20) for v in p])
    print("  Q", [mp.nstr(v, 20) for v in q])
