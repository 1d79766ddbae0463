package whiten

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/gonum"
)

var lapackImpl gonum.Implementation

// symEig computes the eigenvalues of the symmetric n×n row-major matrix a
// (only the upper triangle is read; a is destroyed) in descending order, asks
// choose how many leading eigenvectors are wanted, and returns them as the
// columns of the row-major n×k matrix vecs. choose sees all n eigenvalues.
// The method actually used is returned.
func symEig(a []float64, n int, method Eigensolver, choose func(vals []float64) (int, error)) (vals, vecs []float64, k int, used Eigensolver, err error) {
	if n == 0 {
		return nil, nil, 0, EigenFull, fmt.Errorf("whiten: empty eigenproblem")
	}
	if method == EigenTopK || method == EigenAuto {
		vals, vecs, k, err = symEigTopK(a, n, choose, method == EigenAuto)
		if err != errUseFull {
			return vals, vecs, k, EigenTopK, err
		}
	}
	vals, vecs, k, err = symEigFull(a, n, choose)
	return vals, vecs, k, EigenFull, err
}

// symEigFull is dsyev on all eigenpairs.
func symEigFull(a []float64, n int, choose func([]float64) (int, error)) (vals, vecs []float64, k int, err error) {
	w := make([]float64, n)
	var q [1]float64
	// Row-major upper = column-major lower: gonum's lapack is row-major, so
	// blas.Upper reads the upper triangle of a as laid out here.
	lapackImpl.Dsyev(lapack.EVCompute, blas.Upper, n, a, n, w, q[:], -1)
	work := make([]float64, int(q[0]))
	if ok := lapackImpl.Dsyev(lapack.EVCompute, blas.Upper, n, a, n, w, work, len(work)); !ok {
		return nil, nil, 0, fmt.Errorf("whiten: symmetric eigensolver (dsyev, n=%d) did not converge", n)
	}
	vals = make([]float64, n)
	for i := range vals {
		vals[i] = w[n-1-i]
	}
	if k, err = choose(vals); err != nil {
		return nil, nil, 0, err
	}
	vecs = make([]float64, n*k)
	for i := 0; i < n; i++ {
		row := a[i*n : (i+1)*n]
		for j := 0; j < k; j++ {
			vecs[i*k+j] = row[n-1-j]
		}
	}
	return vals, vecs, k, nil
}
