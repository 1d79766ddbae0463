// Package conv holds the convolutional layers of the deep model — Conv2D,
// elementwise activations and 2×2 pooling — each with a forward pass and a
// hand-written backward pass, generic over float32 and float64.
//
// Conventions:
//   - A batch is NCHW, row-major: image n, channel c, row h, column w is
//     element ((n·C + c)·H + h)·W + w of a flat slice. Layers are built for a
//     fixed per-image input Shape and accept any batch size n ≥ 1.
//   - Forward keeps a reference to its input (and its output) for Backward:
//     the caller must not modify them until Backward has run. Forward's
//     result is owned by the layer and overwritten by its next Forward.
//   - Backward takes ∂L/∂y for the last Forward's batch, returns ∂L/∂x
//     (owned by the layer) and adds the parameter gradients into each
//     Param's Grad (call ZeroGrad between steps).
//   - Work is split over kernels.Threads() goroutines by image. Every
//     image's result is computed independently and per-image parameter
//     gradients are summed in image order, so results are bit-identical for
//     any thread count at a given kernel level.
//   - Invalid configuration or input sizes give errors, never panics.
package conv
