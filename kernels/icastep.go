package kernels

// ICAStep computes the FastICA fixed-point target for whitened data in one
// streaming pass over X:
//
//	out = (1/n)·g(W·X)·Xᵀ − diag(mean_j g'(W·X)_ij)·W
//
// W is m×k (leading dimension ldw; m = k for parallel FastICA, m = 1 for one
// deflation unit), X is k×n (ldx ≥ n) and out is m×k (ldo). W·X is never
// formed for all n: columns of X are taken in blocks, projected, passed
// through the contrast and accumulated, so X is read once. gpMean, when not
// nil (length m), receives mean_j g'(W·X)_ij. out must not overlap W or X.
//
// Column blocks are grouped in chunks of fixed width that run in parallel;
// chunk results are added in chunk order, so the result does not depend on
// the thread count. Floating-point operations: about 4·m·k·n plus n·m
// contrast evaluations.
func ICAStep[T Float](f Contrast, alpha T, m, k, n int, w []T, ldw int, x []T, ldx int, out []T, ldo int, gpMean []T) {
	f.check("ICAStep")
	checkMat("ICAStep", "W", m, k, len(w), ldw)
	checkMat("ICAStep", "X", k, n, len(x), ldx)
	checkMat("ICAStep", "out", m, k, len(out), ldo)
	if gpMean != nil {
		checkSameLen("ICAStep(gpMean)", len(gpMean), m)
	}
	if is32[T]() {
		icaStep32(f, float32(alpha), m, k, n, f32(w), ldw, f32(x), ldx, f32(out), ldo, f32(gpMean))
		return
	}
	icaStep64(f, float64(alpha), m, k, n, f64(w), ldw, f64(x), ldx, f64(out), ldo, f64(gpMean))
}
