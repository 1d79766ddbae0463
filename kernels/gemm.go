package kernels

import "fmt"

// Transpose flags for Gemm and Gram.
const (
	NoTrans = false
	Trans   = true
)

// Gemm computes C = alpha·op(A)·op(B) + beta·C, where C is m×n with leading
// dimension ldc, op(A) is m×k and op(B) is k×n. op(A) = A when transA is
// false (A is m×k, lda ≥ k) and Aᵀ when true (A is k×m, lda ≥ m); likewise
// for B. When beta is 0, C is overwritten and its old contents (even NaN)
// are ignored, as in BLAS; likewise when alpha is 0 (or k is 0) A and B are
// not read, so NaN in them does not reach C.
//
// The work is split over Threads goroutines by tiles of C; each element's
// reduction over k runs in a fixed order, so results do not depend on the
// thread count. Floating-point operations: 2·m·n·k.
func Gemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	checkGemm(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if is32[T]() {
		gemm32(transA, transB, m, n, k, float32(alpha), f32(a), lda, f32(b), ldb, float32(beta), f32(c), ldc)
		return
	}
	gemm64(transA, transB, m, n, k, float64(alpha), f64(a), lda, f64(b), ldb, float64(beta), f64(c), ldc)
}

// matLen is the number of elements a rows×cols matrix with leading dimension
// ld spans.
func matLen(rows, cols, ld int) int {
	if rows == 0 || cols == 0 {
		return 0
	}
	return (rows-1)*ld + cols
}

func checkMat(kernel, name string, rows, cols, n, ld int) {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("kernels.%s: %s has negative shape %d×%d", kernel, name, rows, cols))
	}
	if ld < cols || ld < 1 {
		panic(fmt.Sprintf("kernels.%s: %s is %d×%d but its leading dimension is %d", kernel, name, rows, cols, ld))
	}
	if n < matLen(rows, cols, ld) {
		panic(fmt.Sprintf("kernels.%s: %s (%d×%d, ld %d) needs %d elements, has %d", kernel, name, rows, cols, ld, matLen(rows, cols, ld), n))
	}
}

func checkGemm(transA, transB bool, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	checkMat("Gemm", "A", ar, ac, la, lda)
	checkMat("Gemm", "B", br, bc, lb, ldb)
	checkMat("Gemm", "C", m, n, lc, ldc)
}
