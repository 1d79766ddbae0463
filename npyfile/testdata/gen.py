#!/usr/bin/python3
# Writes the .npy files npyfile's tests read, with NumPy itself (numpy 1.24).
# Run from this directory: /usr/bin/python3 gen.py
import numpy as np

a = np.arange(12, dtype=np.float64).reshape(3, 4) / 8.0 - 0.5  # exact in binary
np.save("f8_3x4.npy", a)
np.save("f4_3x4.npy", a.astype(np.float32))
np.save("f8be_3x4.npy", a.astype(">f8"))
np.save("f8_fortran.npy", np.asfortranarray(a))
np.save("i8_3x4.npy", np.arange(12, dtype=np.int64).reshape(3, 4))
np.save("f8_1d.npy", np.arange(5, dtype=np.float64))
np.save("f8_3d.npy", np.zeros((2, 2, 2)))
np.save("f8_0x4.npy", np.zeros((0, 4)))
