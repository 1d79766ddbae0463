// Package deep is the deep ICA model of the study: convolution layers → a
// PCA layer → a FastICA layer, split into streams, trained end to end by
// hand-written back-propagation of the ICA objective, with Adam.
//
// # Model
//
// A batch of B images (NCHW) goes through the conv stack (conv.Conv2D →
// activation → optional 2×2 pooling, per Config.Conv) to B×D features. The
// batch is split into S = Config.Streams contiguous streams of B/S images;
// each stream has its own PCA layer (the B/S×B/S Gram matrix of its
// features, top k = Config.Components eigenvectors, whitened eigen-images
// Z, k×D) and its own ICA layer (Y = W·Z with W k×k orthogonal). The loss
// is minus the negentropy approximation Σᵢ (mean G(Yᵢ) − E[G(ν)])² summed
// over streams, for the contrast G of Config.Contrast (logcosh, exp, cube).
// Its gradient flows back through the ICA layer, the eigendecomposition
// (see "Eigenvector derivative") and the shared conv layers, whose weights Adam updates (bias
// correction with the step count). W is updated by Adam on the same loss
// ("adam", the study's choice) or replaced by the FastICA fixed-point
// target ("fixed-point"), then symmetrically decorrelated. The study's two
// bugs are fixed: Adam's bias correction uses the step count, and cube's
// derivative is 3u² (kernels.ICAStep).
//
// # API
//
//	cfg := deep.DefaultConfig()          // or deep.LoadConfig("model.json")
//	m, err := deep.New(cfg, seed)        // seeded: same seed, same model
//	hist, err := m.Train(X, func(p deep.Progress) { … })  // X: N×(C·H·W), rows CHW
//	c := m.Components()                  // ICA/PCA components, feature and pixel space
//	maps, err := m.FeatureMaps(X.Row(0)) // each conv block's output for one image
//
// hist.Loss is the loss per step (the convergence curve). Training is
// deterministic for a given seed, data, kernel level and kernels.Threads().
// Config.DType selects float32 (default, fast) or float64 arithmetic; small
// matrices (Gram eigendecomposition, decorrelation) are always float64.
//
// # Eigenvector derivative
//
// The PCA layer's backward pass differentiates the symmetric
// eigendecomposition, whose eigenvector derivative has factors
// 1/(λᵢ − λⱼ). They are replaced by (λᵢ − λⱼ)/((λᵢ − λⱼ)² + ε²) with
// ε = Config.EigenGapEps·λ₁: equal to the exact factor to relative error
// (ε/gap)² for well-separated eigenvalues, bounded by 1/(2ε) for close ones
// and 0 for equal ones (where any rotation of the eigenspace is as good).
// Features of lower rank than the components asked for are an error.
//
// # On data with known sources
//
// TestTrainingOnKnownSources (generated 24×24 colour images, 8 sparse
// spatial sources with Laplace coefficients, two conv blocks, one stream of
// 8 components, 36 steps) shows, reproducibly: training lowers the loss
// (smoothed −0.025 → −0.19; on all images −0.12 → −0.44), but the
// components mapped to pixel space match the true sources (Hungarian-matched
// |corr|) less well than plain FastICA on the raw pixels, which scores
// 0.998: 0.89 (fixed-point) and 0.72 (adam) with W refitted to the whole set,
// 0.81 and 0.57 with the trained W as is, and 0.94 with untrained conv
// layers and a refitted W. Two reasons: the conv weights are trained to make
// the eigen-images non-Gaussian, which sparse feature maps achieve without
// separating the sources; and the PCA layer's basis belongs to each
// mini-batch (close eigenvalues make it an arbitrary rotation from batch to
// batch), so W cannot converge across batches — hence the refit option.
package deep
