#!/usr/bin/python3
"""Writes the FastICA benchmark inputs (float64, C order) into a directory:

  laplace_40x1e6.npy  1,000,000 samples × 40 features: 40 Laplace sources
                      mixed by a standard-normal 40×40 matrix
  images_500x27648.npy 500 samples × 27648 features: "images" of 96×96×3
                      pixels, each a sum of 40 smooth random patterns with
                      independent heavy-tailed weights (Laplace cubed), plus
                      1% noise: 40 components hold the signal, and FastICA
                      converges in ~20 iterations (with Laplace weights 500
                      samples are too few: neither engine converges in 200)
  winit_40.npy        the 40×40 w_init both engines start from

usage: /usr/bin/python3 make_data.py DIR
"""
import os
import sys

import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(2026)

n, k = 1_000_000, 40
s = rng.laplace(size=(n, k))
a = rng.normal(size=(k, k))
x = s @ a.T
np.save(os.path.join(out, "laplace_40x1e6.npy"), np.ascontiguousarray(x))
del s, x

pat = rng.normal(size=(40, 96 * 96 * 3))
for _ in range(3):  # cheap smoothing along the pixel axis
    pat = (pat + np.roll(pat, 1, axis=1) + np.roll(pat, 96, axis=1)) / 3
w = rng.laplace(size=(500, 40)) ** 3
img = w @ pat + 0.01 * rng.normal(size=(500, 96 * 96 * 3))
np.save(os.path.join(out, "images_500x27648.npy"), np.ascontiguousarray(img))
np.save(os.path.join(out, "winit_40.npy"), rng.normal(size=(40, 40)))
