package fastica

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// TestFitStreamMatchesFit: FitStream hands over exactly Fit's sources (bit
// for bit, in order, every row once) and the same model, on the streamed
// path (whitened float64 or arbitrary-variance, no order) and the
// fallbacks (float32 unit-variance, kurtosis order, no whitening), with n
// not a multiple of the block size.
func TestFitStreamMatchesFit(t *testing.T) {
	n := 2*sourceBlock + 77
	if testing.Short() {
		n = sourceBlock + 77
	}
	x, _, _ := mixture(7, n, 4, 6, laplace)
	cases := []Options{
		{Seed: 1},
		{Seed: 1, FixSign: true},
		{Seed: 1, Whiten: ArbitraryVariance},
		{Seed: 1, Algorithm: Deflation, Components: 3},
		{Seed: 1, Order: OrderKurtosis, FixSign: true},
		{Seed: 1, Order: OrderVariance},
		{Seed: 1, Whiten: NoWhitening, MaxIter: 20},
	}
	// One thread: the sink runs in line; two: on its own goroutine while
	// the next block is computed (streamBlocks).
	defer kernels.SetThreads(0)
	for _, th := range []int{1, 2} {
		kernels.SetThreads(th)
		for i, opt := range cases {
			t.Run(fmt.Sprintf("threads=%d/f64/%d", th, i), func(t *testing.T) { streamMatches(t, x, opt) })
			t.Run(fmt.Sprintf("threads=%d/f32/%d", th, i), func(t *testing.T) { streamMatches(t, matrix.Convert[float32](x), opt) })
		}
	}
}

func streamMatches[T kernels.Float](t *testing.T, x *matrix.Dense[T], opt Options) {
	m1, s1, err := Fit(x, opt)
	if err != nil { // (no whitening of uncentred float32 data diverges) FitStream must fail alike
		if _, err2 := FitStream(x, opt, func(int, *matrix.Dense[T]) error { return nil }); err2 == nil || err2.Error() != err.Error() {
			t.Fatalf("Fit: %v; FitStream: %v", err, err2)
		}
		return
	}
	next := 0
	m2, err := FitStream(x, opt, func(r0 int, b *matrix.Dense[T]) error {
		if r0 != next {
			return fmt.Errorf("block at row %d, want %d", r0, next)
		}
		for i := 0; i < b.Rows; i++ {
			for j, v := range b.Row(i) {
				if w := s1.At(r0+i, j); math.Float64bits(float64(v)) != math.Float64bits(float64(w)) {
					return fmt.Errorf("source (%d, %d) = %v, Fit gave %v", r0+i, j, v, w)
				}
			}
		}
		next += b.Rows
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if next != x.Rows {
		t.Fatalf("sink saw %d rows, want %d", next, x.Rows)
	}
	for name, pair := range map[string][2]*matrix.Dense[float64]{
		"components": {m1.Components, m2.Components}, "mixing": {m1.Mixing, m2.Mixing}, "unmixing": {m1.Unmixing, m2.Unmixing},
	} {
		for i, v := range pair[0].Data {
			if math.Float64bits(v) != math.Float64bits(pair[1].Data[i]) {
				t.Fatalf("%s differ at %d: %v vs %v", name, i, v, pair[1].Data[i])
			}
		}
	}
	if m1.NIter != m2.NIter || m1.Converged != m2.Converged {
		t.Errorf("n_iter/converged %d/%v vs %d/%v", m1.NIter, m1.Converged, m2.NIter, m2.Converged)
	}
}

// TestFitStreamSinkError: an error from the sink ends the fit and is
// returned as is.
func TestFitStreamSinkError(t *testing.T) {
	x, _, _ := mixture(9, 3*sourceBlock+5, 3, 3, uniform)
	stop := errors.New("disk full")
	defer kernels.SetThreads(0)
	for _, th := range []int{1, 2} {
		kernels.SetThreads(th)
		for _, opt := range []Options{{Seed: 2}, {Seed: 2, Order: OrderKurtosis}} {
			calls := 0
			_, err := FitStream(x, opt, func(int, *matrix.Dense[float64]) error { calls++; return stop })
			if !errors.Is(err, stop) || calls != 1 {
				t.Errorf("threads %d, %+v: error %v after %d calls, want the sink's error after 1", th, opt, err, calls)
			}
		}
	}
	if _, err := FitStream[float64](x, Options{}, nil); err == nil {
		t.Error("nil sink accepted")
	}
}

// TestWhiteSourceStd: the standard deviations of the float64 sources
// computed from X1's second moments before S exists agree with the sources'
// own (float64-accumulated, two-pass) standard deviations: unit-variance
// sources come out with std 1 to rounding.
func TestWhiteSourceStd(t *testing.T) {
	x, _, _ := mixture(10, 20000, 5, 8, laplace)
	_, s, err := Fit(x, Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	// n·eps per accumulated sum, a few sums deep
	tol := 8 * float64(x.Rows) * 0x1p-53
	for j, sd := range columnStd(s) {
		if math.Abs(sd-1) > tol {
			t.Errorf("source %d: std %v, want 1 within %g", j, sd, tol)
		}
	}
}

// TestFloat32NonFinite: float32 input is whitened through float64 blocks
// whose NaN/Inf check rides on the block moments; every position of a
// non-finite value is still reported, with the element named.
func TestFloat32NonFinite(t *testing.T) {
	x, _, _ := mixture(11, 9, 2, 3, laplace)
	for i := 0; i < x.Rows; i++ {
		for j := 0; j < x.Cols; j++ {
			for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
				y := matrix.Convert[float32](x)
				y.Set(i, j, float32(v))
				_, _, err := Fit(y, Options{Seed: 1, Components: 2})
				if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("element (%d, %d)", i, j)) {
					t.Errorf("%v at (%d, %d): error %v", v, i, j, err)
				}
			}
		}
	}
}

// TestWhiteSourceStdFloat32: float32 sources are scaled by a std taken
// from the float64 X1's moments (accumulated while whitening); measured on
// the float32 sources themselves it is 1 within their rounding: each
// source entry is a k-term float32 dot product of float32-rounded inputs,
// relative error about (k+2)·eps32.
func TestWhiteSourceStdFloat32(t *testing.T) {
	for _, p := range []int{8, 30000} { // covariance and Gram routes
		n := 20000
		if p > 1000 {
			n = 200
		}
		x, _, _ := mixture(12, n, 5, p, laplace)
		x32 := matrix.Convert[float32](x)
		_, s, err := Fit(x32, Options{Seed: 3, Components: 5})
		if err != nil {
			t.Fatal(err)
		}
		tol := 4 * float64(5+2) * 0x1p-24
		for j, sd := range columnStd(s) {
			if math.Abs(sd-1) > tol {
				t.Errorf("p=%d source %d: std %v, want 1 within %g", p, j, sd, tol)
			}
		}
	}
}
