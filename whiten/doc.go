// Package whiten holds deepica's second-order decompositions: centering,
// covariance or Gram matrices chosen by shape, PCA, whitening for FastICA,
// streaming fits from row blocks, and kernel PCA (dense and Nyström).
//
// Conventions:
//   - Data matrices are row-major *matrix.Dense[T], rows = samples, columns =
//     features (n_samples × n_features), as in scikit-learn.
//   - Every function is generic over kernels.Float. The heavy products
//     (covariance, Gram, projections) run on kernels in T; the symmetric
//     eigendecompositions always run in float64, also for float32 input.
//   - The cheaper second-moment matrix is picked from the shape: the p×p
//     covariance XcᵀXc when n_samples ≥ n_features, otherwise the n×n Gram
//     matrix XcXcᵀ. Results say which one was used (Solver). Both give the
//     same components up to rounding.
//   - Signs are deterministic: PCA follows scikit-learn's svd_flip (the
//     largest-magnitude entry of each score column is positive); ICA
//     whitening follows scikit-learn's FastICA rule u *= sign(u[0]) with a
//     robust fallback (see ForICA); kernel PCA makes the largest-magnitude
//     entry of each eigenvector positive.
//   - Directions whose variance is zero to working precision are dropped,
//     never divided by, and reported as Warning values: outputs never contain
//     NaN or Inf for finite input. Bad input (nil, empty, NaN/Inf, wrong
//     shapes, more components than samples or features) is an error.
//   - Results are bit-identical for every kernels.SetThreads value (the
//     kernels' reduction order does not depend on it, and everything else
//     here is sequential).
package whiten
