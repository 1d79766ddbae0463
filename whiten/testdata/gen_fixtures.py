#!/usr/bin/python3
"""Generate scikit-learn 1.2.1 reference fixtures for the whiten package.

Run from this directory with the system Python (NumPy 1.24, scikit-learn
1.2.1):   /usr/bin/python3 gen_fixtures.py
Each fixture is a small float64 .npy named <case>__<field>.npy; the Go tests
know the shapes. Data are drawn from fixed seeds, so reruns are identical.
"""
import os
import warnings

import numpy as np
import sklearn
from sklearn.decomposition import PCA, FastICA, KernelPCA
from sklearn.metrics.pairwise import rbf_kernel

HERE = os.path.dirname(os.path.abspath(__file__))


def save(case, field, a):
    np.save(os.path.join(HERE, f"{case}__{field}.npy"), np.ascontiguousarray(np.asarray(a, dtype=np.float64)))


def data(seed, n, p, scales=None):
    rng = np.random.RandomState(seed)
    if scales is None:
        scales = np.linspace(3.0, 0.5, p)
    mix = np.linalg.qr(rng.randn(p, p))[0]
    x = rng.randn(n, p) * scales @ mix.T + rng.uniform(-2, 2, size=p)
    return x


def pca_case(case, x, xnew, ncomp):
    save(case, "X", x)
    save(case, "Xnew", xnew)
    for whiten in (False, True):
        tag = "w" if whiten else "nw"
        m = PCA(n_components=ncomp, svd_solver="full", whiten=whiten).fit(x)
        if not whiten:
            save(case, "components", m.components_)
            save(case, "explained_variance", m.explained_variance_)
            save(case, "explained_variance_ratio", m.explained_variance_ratio_)
            save(case, "singular_values", m.singular_values_)
            save(case, "mean", m.mean_)
            save(case, "noise_variance", [m.noise_variance_])
            save(case, "n_components", [m.n_components_])
        save(case, f"fit_transform_{tag}", PCA(n_components=ncomp, svd_solver="full", whiten=whiten).fit_transform(x))
        y = m.transform(xnew)
        save(case, f"transform_{tag}", y)
        save(case, f"inverse_{tag}", m.inverse_transform(y))


def ica_case(case, x, ncomp, solver):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = FastICA(n_components=ncomp, whiten="unit-variance", whiten_solver=solver,
                    w_init=np.eye(ncomp), max_iter=1, random_state=0).fit(x)
    save(case, "X", x)
    save(case, "whitening", m.whitening_)
    save(case, "mean", m.mean_)
    xc = x - m.mean_
    save(case, "white", m.whitening_ @ xc.T * np.sqrt(x.shape[0]))
    save(case, "singular_values", np.linalg.svd(xc, compute_uv=False))


def kpca_case(case, x, xnew, kernel, ncomp=4, **params):
    inv = kernel != "precomputed"
    m = KernelPCA(n_components=ncomp, kernel=kernel, eigen_solver="dense",
                  fit_inverse_transform=inv, alpha=0.1, **params)
    if kernel == "precomputed":
        g = params_for_precomputed
        ktrain = rbf_kernel(x, gamma=g)
        knew = rbf_kernel(xnew, x, gamma=g)
        save(case, "Ktrain", ktrain)
        save(case, "Knew", knew)
        fitted = m.fit_transform(ktrain)
        y = m.transform(knew)
    else:
        fitted = m.fit_transform(x)
        y = m.transform(xnew)
        save(case, "inverse", m.inverse_transform(y))
    save(case, "X", x)
    save(case, "Xnew", xnew)
    save(case, "eigenvalues", m.eigenvalues_)
    save(case, "eigenvectors", m.eigenvectors_)
    save(case, "fit_transform", fitted)
    save(case, "transform", y)


params_for_precomputed = 0.3

if __name__ == "__main__":
    assert sklearn.__version__ == "1.2.1", sklearn.__version__
    # PCA: covariance route (n > p) and Gram route (p > n).
    pca_case("pca_tall", data(1, 60, 8), data(2, 10, 8), 5)
    pca_case("pca_wide", data(3, 20, 50), data(4, 6, 50), 6)
    xv = data(5, 80, 10)
    m = PCA(n_components=0.9, svd_solver="full").fit(xv)
    save("pca_frac", "X", xv)
    save("pca_frac", "n_components", [m.n_components_])
    save("pca_frac", "components", m.components_)
    save("pca_frac", "all_explained_variance", PCA(svd_solver="full").fit(xv).explained_variance_)
    # FastICA whitening, both of scikit-learn's solvers, both shapes.
    ica_case("ica_tall_eigh", data(6, 200, 6), 4, "eigh")
    ica_case("ica_tall_svd", data(6, 200, 6), 4, "svd")
    ica_case("ica_wide_svd", data(7, 30, 60), 5, "svd")
    # Kernel PCA: every kernel, dense eigensolver, inverse transform (alpha 0.1).
    xk, xkn = data(8, 40, 5) * 0.5, data(9, 7, 5) * 0.5
    kpca_case("kpca_linear", xk, xkn, "linear")
    kpca_case("kpca_poly", xk, xkn, "poly", degree=3, gamma=0.3, coef0=1.0)
    kpca_case("kpca_rbf_default", xk, xkn, "rbf")
    kpca_case("kpca_rbf", xk, xkn, "rbf", gamma=0.5)
    kpca_case("kpca_sigmoid", xk, xkn, "sigmoid", gamma=0.05, coef0=0.2)
    kpca_case("kpca_cosine", xk, xkn, "cosine")
    kpca_case("kpca_precomputed", xk, xkn, "precomputed")
