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

// ICAStepRows is ICAStep for data stored one sample per row and centred on
// the fly: X is n×k (row j is sample j, leading dimension ldx ≥ k) and mu
// (length k; nil means zero) is subtracted from every row. With
// Xc = X − 1·muᵀ it computes
//
//	out = (1/n)·g(W·Xcᵀ)·Xc − diag(mean_j g'(W·Xcᵀ)_ij)·W
//
// which is ICAStep of Xcᵀ (k×n) without forming it: FastICA iterates on a
// caller's samples×features matrix this way when the whitening is square,
// folding the whitening into W, so no whitened copy of the data is made.
// The centring is exact in T (each block of rows is centred as it is
// read), so a large mean costs no accuracy. Same blocking, chunking and
// determinism as ICAStep; out must not overlap W, X or mu.
func ICAStepRows[T Float](f Contrast, alpha T, m, k, n int, w []T, ldw int, x []T, ldx int, mu []T, out []T, ldo int, gpMean []T) {
	f.check("ICAStepRows")
	checkMat("ICAStepRows", "W", m, k, len(w), ldw)
	checkMat("ICAStepRows", "X", n, k, len(x), ldx)
	checkMat("ICAStepRows", "out", m, k, len(out), ldo)
	if mu != nil {
		checkSameLen("ICAStepRows(mu)", len(mu), k)
	}
	if gpMean != nil {
		checkSameLen("ICAStepRows(gpMean)", len(gpMean), m)
	}
	if is32[T]() {
		icaStepRows32(f, float32(alpha), m, k, n, f32(w), ldw, f32(x), ldx, f32(mu), f32(out), ldo, f32(gpMean))
		return
	}
	icaStepRows64(f, float64(alpha), m, k, n, f64(w), ldw, f64(x), ldx, f64(mu), f64(out), ldo, f64(gpMean))
}
