#!/usr/bin/python3
# Generates the scikit-learn FastICA fixtures that fastica's tests compare
# against. Requires Debian's python3-sklearn (scikit-learn 1.2.1, NumPy 1.24):
#
#   cd fastica/testdata && /usr/bin/python3 gen_fixtures.py
#
# For each case it saves the input X (shared per data set), w_init, and
# scikit-learn's fit_transform sources, components_, mixing_, mean_,
# whitening_ and n_iter_ (in cases.json).
import json
import warnings

import numpy as np
import sklearn
from sklearn.decomposition import FastICA

assert sklearn.__version__ == "1.2.1", sklearn.__version__
rng = np.random.default_rng(20261203)


def save(path, a):
    # deepica reads C order only; scikit-learn returns transposed views.
    np.save(path, np.ascontiguousarray(a))


def mixture(n, k, p, noise=0.0):
    s = np.column_stack(
        [rng.laplace(size=n) for _ in range(k - 1)] + [rng.uniform(-1.7, 1.7, size=n)]
    )
    a = rng.normal(size=(p, k))
    x = s @ a.T + rng.normal(size=p) * 3  # non-zero mean
    if noise:
        x += noise * rng.normal(size=x.shape)
    return x


data = {
    "A": mixture(1000, 4, 4),
    "B": mixture(800, 4, 6, noise=0.05),
}
# Already-white data for whiten=False: A whitened in NumPy.
a = data["A"] - data["A"].mean(axis=0)
u, d, vt = np.linalg.svd(a, full_matrices=False)
data["W"] = u * np.sqrt(a.shape[0])
for name, x in data.items():
    save(f"X_{name}.npy", x)

cases = [
    dict(name="par_logcosh_uv", data="A", algorithm="parallel", fun="logcosh", alpha=1.0, whiten="unit-variance", n_components=None, tol=1e-4, max_iter=200),
    dict(name="par_exp_av", data="A", algorithm="parallel", fun="exp", alpha=1.0, whiten="arbitrary-variance", n_components=None, tol=1e-6, max_iter=200),
    dict(name="par_cube_uv", data="A", algorithm="parallel", fun="cube", alpha=1.0, whiten="unit-variance", n_components=None, tol=1e-4, max_iter=200),
    dict(name="par_logcosh_maxiter3", data="A", algorithm="parallel", fun="logcosh", alpha=1.0, whiten="unit-variance", n_components=None, tol=1e-12, max_iter=3),
    dict(name="def_logcosh15_uv", data="A", algorithm="deflation", fun="logcosh", alpha=1.5, whiten="unit-variance", n_components=None, tol=1e-4, max_iter=200),
    dict(name="def_exp_av", data="A", algorithm="deflation", fun="exp", alpha=1.0, whiten="arbitrary-variance", n_components=None, tol=1e-6, max_iter=200),
    dict(name="par_logcosh_B4", data="B", algorithm="parallel", fun="logcosh", alpha=2.0, whiten="unit-variance", n_components=4, tol=1e-5, max_iter=200),
    dict(name="def_cube_B3", data="B", algorithm="deflation", fun="cube", alpha=1.0, whiten="arbitrary-variance", n_components=3, tol=1e-4, max_iter=200),
    dict(name="par_none", data="W", algorithm="parallel", fun="logcosh", alpha=1.0, whiten=False, n_components=None, tol=1e-6, max_iter=200),
]

out = []
for c in cases:
    x = data[c["data"]]
    k = c["n_components"] or x.shape[1]
    w_init = rng.normal(size=(k, k))
    ica = FastICA(
        n_components=c["n_components"], algorithm=c["algorithm"], whiten=c["whiten"],
        fun=c["fun"], fun_args={"alpha": c["alpha"]}, max_iter=c["max_iter"], tol=c["tol"],
        w_init=w_init, whiten_solver="svd",
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s = ica.fit_transform(x.copy())
    n = c["name"]
    save(f"{n}_winit.npy", w_init)
    save(f"{n}_sources.npy", s)
    save(f"{n}_components.npy", ica.components_)
    save(f"{n}_mixing.npy", ica.mixing_)
    if c["whiten"]:
        save(f"{n}_mean.npy", ica.mean_[None, :])
        save(f"{n}_whitening.npy", ica.whitening_)
    c = dict(c, whiten=c["whiten"] or "none", n_iter=int(ica.n_iter_),
             converged=not any("did not converge" in str(w.message) for w in caught))
    out.append(c)
    print(n, "n_iter", ica.n_iter_, "converged", c["converged"])

with open("cases.json", "w") as f:
    json.dump({"sklearn": sklearn.__version__, "numpy": np.__version__, "cases": out}, f, indent=1)
