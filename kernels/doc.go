// Package kernels is deepica's numerical engine: the only package with
// assembly. Every kernel has a pure-Go reference (files *_generic.go, always
// compiled: the specification and the test oracle) and, where the machine
// allows, an assembly implementation chosen once at start-up.
//
// Conventions shared by every kernel:
//   - Matrices are row-major: element (i, j) of a matrix with leading
//     dimension ld is at index i*ld+j. ld ≥ the number of columns.
//   - Images are NCHW: batch, channel, row, column, the column varying fastest.
//   - Kernels are generic over Float (float32, float64 and types defined on
//     them); the element type selects the implementation at compile time.
//   - Shape errors are programming errors and panic with a message naming the
//     kernel and the sizes, like a BLAS. Packages above kernels validate user
//     input and return errors; they never let a kernel panic on user data.
//   - NaN and ±Inf propagate as IEEE arithmetic says; no kernel hides them.
//
// Implementation levels ("generic", "avx2", "avx512", "neon") are reported by
// Impl. DEEPICA_KERNELS forces a lower level; the purego build tag compiles no
// assembly at all. Large kernels split their work over Threads goroutines;
// the reduction order is fixed by block sizes, never by the thread count, so a
// given level produces bit-identical results for any thread count.
package kernels

// Float is the element type constraint of every kernel.
type Float interface{ ~float32 | ~float64 }
