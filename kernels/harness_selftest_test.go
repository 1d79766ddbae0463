package kernels

// Proof that the harness catches bugs: deliberately broken variants of the
// kernels go through the same check functions as the real ones, with a
// recording fake testing.TB, and each must be reported. The correct
// implementation through the same path must not be.

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"unsafe"
)

// recordingTB is a testing.TB that records failures instead of failing the
// test. Methods not overridden (Helper, Cleanup, TempDir, Name…) go to the
// real test. Fatal and Skip end the goroutine, as in package testing, so
// checks run through recordingTB must run on their own goroutine (record).
type recordingTB struct {
	testing.TB
	mu      sync.Mutex
	failed  bool
	skipped bool
	msgs    []string
}

func (r *recordingTB) add(fail bool, s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if fail {
		r.failed = true
	}
	r.msgs = append(r.msgs, s)
}

func (r *recordingTB) Error(args ...any)                 { r.add(true, fmt.Sprint(args...)) }
func (r *recordingTB) Errorf(format string, args ...any) { r.add(true, fmt.Sprintf(format, args...)) }
func (r *recordingTB) Fail()                             { r.add(true, "Fail") }
func (r *recordingTB) FailNow()                          { r.add(true, "FailNow"); runtime.Goexit() }
func (r *recordingTB) Fatal(args ...any)                 { r.add(true, fmt.Sprint(args...)); runtime.Goexit() }
func (r *recordingTB) Fatalf(format string, args ...any) {
	r.add(true, fmt.Sprintf(format, args...))
	runtime.Goexit()
}
func (r *recordingTB) Log(args ...any)                 {}
func (r *recordingTB) Logf(format string, args ...any) {}
func (r *recordingTB) Skip(args ...any)                { r.skipped = true; runtime.Goexit() }
func (r *recordingTB) Skipf(format string, args ...any) {
	r.skipped = true
	runtime.Goexit()
}
func (r *recordingTB) SkipNow()      { r.skipped = true; runtime.Goexit() }
func (r *recordingTB) Skipped() bool { return r.skipped }
func (r *recordingTB) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

// record runs fn with a recordingTB on a fresh goroutine and returns it.
func record(t *testing.T, fn func(tb testing.TB)) *recordingTB {
	r := &recordingTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(r)
	}()
	<-done
	return r
}

// beyond returns s extended by k elements past its length and capacity,
// the way assembly that ignores the length sees memory.
func beyond[T Float](s []T, k int) []T {
	return unsafe.Slice(unsafe.SliceData(s), len(s)+k)
}

// expectCaught runs check through a recordingTB and fails t unless the
// harness reported a failure whose messages contain want.
func expectCaught(t *testing.T, name, want string, check func(tb testing.TB)) {
	t.Helper()
	r := record(t, check)
	if !r.Failed() {
		t.Errorf("%s: the harness did not catch the broken variant", name)
		return
	}
	all := strings.Join(r.msgs, "\n")
	if !strings.Contains(all, want) {
		t.Errorf("%s: caught, but not as %q:\n%s", name, want, all)
		return
	}
	t.Logf("%s: caught: %s", name, strings.SplitN(all, "\n", 2)[0])
}

// expectClean runs check through a recordingTB and fails t if the harness
// reported anything: the control that the harness does not cry wolf.
func expectClean(t *testing.T, name string, check func(tb testing.TB)) {
	t.Helper()
	if r := record(t, check); r.Failed() {
		t.Errorf("%s: the harness rejected a correct implementation:\n%s", name, strings.Join(r.msgs, "\n"))
	}
}

// Broken Dot variants.

// dotShortTail forgets the last element when the length is not a multiple
// of the lane count: the classic off-by-one in a tail loop.
func dotShortTail(x, y []float32) float32 {
	n := len(x)
	if n%vecLanes != 0 {
		n--
	}
	return dotGeneric(x[:n], y[:n])
}

// dotDropNaN skips NaN products, as a max/select-based kernel might.
func dotDropNaN(x, y []float32) float32 {
	var s float32
	for i := range x {
		if p := x[i] * y[i]; p == p {
			s += p
		}
	}
	return s
}

// dotOverRead loads one element past the end of x and uses it (0·x[n]).
func dotOverRead(x, y []float32) float32 {
	s := dotGeneric(x, y)
	if len(x) > 0 {
		s += 0 * beyond(x, 1)[len(x)]
	}
	return s
}

// harnessSink keeps the compiler from removing an unused load.
var harnessSink float32

// dotOverReadUnused loads one element past the end and ignores it: only a
// guard page can see this.
func dotOverReadUnused(x, y []float32) float32 {
	if len(x) > 0 {
		harnessSink = beyond(x, 1)[len(x)]
	}
	return dotGeneric(x, y)
}

// axpyWritePast stores to one element past the end of y.
func axpyWritePast(alpha float32, x, y []float32) {
	axpyGeneric(alpha, x, y)
	if len(y) > 0 {
		beyond(y, 1)[len(y)] = 0
	}
}

// axpyWriteBefore stores to the element before y (a negative-offset bug).
func axpyWriteBefore(alpha float32, x, y []float32) {
	axpyGeneric(alpha, x, y)
	if len(y) > 0 {
		p := unsafe.Pointer(unsafe.SliceData(y))
		*(*float32)(unsafe.Add(p, -4)) = 1
	}
}

func TestHarnessCatchesBrokenVectorKernels(t *testing.T) {
	cs := vecCases()
	var heap, pages []vecCase
	for _, c := range cs {
		if c.p[0].page == 0 {
			heap = append(heap, c)
		} else {
			pages = append(pages, c)
		}
	}
	var special []vecCase
	for _, c := range cs {
		if c.special {
			special = append(special, c)
		}
	}
	run := func(cases []vecCase, check func(tb testing.TB, c vecCase) bool) func(tb testing.TB) {
		return func(tb testing.TB) { runCases(tb, cases, check) }
	}
	ref := dotGeneric[float32]
	expectClean(t, "Dot correct", run(cs, func(tb testing.TB, c vecCase) bool { return verifyDot(tb, Dot[float32], ref, c) }))
	expectCaught(t, "Dot off-by-one tail", "Dot n=", run(heap, func(tb testing.TB, c vecCase) bool { return verifyDot(tb, dotShortTail, ref, c) }))
	expectCaught(t, "Dot dropped NaN", "NaN dropped", run(special, func(tb testing.TB, c vecCase) bool { return verifyDot(tb, dotDropNaN, ref, c) }))
	expectCaught(t, "Dot over-read (value used)", "got NaN", run(heap, func(tb testing.TB, c vecCase) bool { return verifyDot(tb, dotOverRead, ref, c) }))
	expectCaught(t, "Axpy write past end", "out-of-bounds write", run(heap, func(tb testing.TB, c vecCase) bool {
		return verifyAxpy(tb, axpyWritePast, axpyGeneric[float32], c)
	}))
	expectCaught(t, "Axpy write before start", "out-of-bounds write", run(heap, func(tb testing.TB, c vecCase) bool {
		return verifyAxpy(tb, axpyWriteBefore, axpyGeneric[float32], c)
	}))
	if !guardPagesUsable() {
		t.Log("guard pages unusable here (emulated or not linux): the unused over-read is not checked")
		return
	}
	expectCaught(t, "Dot over-read (value unused)", "memory fault", run(pages, func(tb testing.TB, c vecCase) bool {
		return verifyDot(tb, dotOverReadUnused, ref, c)
	}))
}

// ---- broken GEMM variants ----

// gemmShortK forgets the last step of the reduction when k is not a
// multiple of 4: an off-by-one in a k tail loop.
func gemmShortK(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if k%4 != 0 {
		k--
	}
	gemmGeneric(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmShortN leaves the last column of C alone when n is not a multiple of
// 4: an edge tile dropped.
func gemmShortN(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if n%4 != 0 {
		n--
	}
	gemmGeneric(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmDropNaN treats NaN inputs as zeros (a masked load gone wrong).
func gemmDropNaN(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	clean := func(s []float32) []float32 {
		o := append([]float32(nil), s...)
		for i, v := range o {
			if v != v {
				o[i] = 0
			}
		}
		return o
	}
	gemmGeneric(tA, tB, m, n, k, alpha, clean(a), lda, clean(b), ldb, beta, c, ldc)
}

// gemmBetaZeroReads computes beta·C even for beta = 0, so NaN in C leaks.
func gemmBetaZeroReads(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	old := append([]float32(nil), c...)
	gemmGeneric(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			c[i*ldc+j] += beta * old[i*ldc+j]
		}
	}
}

// gemmWritesPadding stores into the leading-dimension gap after each row
// of C: a full-vector store past the row's end.
func gemmWritesPadding(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemmGeneric(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	if ldc > n && m > 1 {
		c[n] = 0 // row 0's padding lies inside c when there is a row 1
	}
}

// gemmReadsPastB loads the element after B and ignores it.
func gemmReadsPastB(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if len(b) > 0 {
		harnessSink = beyond(b, 1)[len(b)]
	}
	gemmGeneric(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func TestHarnessCatchesBrokenGemm(t *testing.T) {
	cs := gemmCases()
	pick := func(keep func(c gemmCase) bool) []gemmCase {
		var out []gemmCase
		for _, c := range cs {
			if keep(c) {
				out = append(out, c)
			}
		}
		return out
	}
	heap := pick(func(c gemmCase) bool { return c.pa.page == 0 && !c.special && !c.nanC })
	run := func(cases []gemmCase, impl gemmFunc[float32]) func(tb testing.TB) {
		return func(tb testing.TB) {
			runCases(tb, cases, func(tb testing.TB, c gemmCase) bool { return verifyGemm(tb, impl, gemmGeneric[float32], c) })
		}
	}
	expectClean(t, "Gemm correct", run(cs, Gemm[float32]))
	expectCaught(t, "Gemm off-by-one k tail", "tolerance", run(heap, gemmShortK))
	expectCaught(t, "Gemm dropped n edge", "tolerance", run(heap, gemmShortN))
	expectCaught(t, "Gemm dropped NaN", "NaN dropped", run(pick(func(c gemmCase) bool { return c.special }), gemmDropNaN))
	expectCaught(t, "Gemm beta=0 reads C", "want", run(pick(func(c gemmCase) bool { return c.nanC }), gemmBetaZeroReads))
	expectCaught(t, "Gemm writes ld padding", "out-of-bounds write", run(pick(func(c gemmCase) bool { return c.padC > 0 && c.m > 1 && c.n > 0 }), gemmWritesPadding))
	if guardPagesUsable() {
		expectCaught(t, "Gemm over-read (value unused)", "memory fault",
			run(pick(func(c gemmCase) bool { return c.pb.page == 1 }), gemmReadsPastB))
	}
}

// ---- other kernels ----

// im2colSkipsPadding never writes the zero entries of the column matrix
// (a kernel that assumes a zeroed destination).
func im2colSkipsPadding(g ConvGeom, img, col []float32) {
	rows, cols := g.ColRows(), g.ColCols()
	for r := 0; r < rows; r++ {
		for p := 0; p < cols; p++ {
			if s := im2colSource(g, r, p); s >= 0 {
				col[r*cols+p] = img[s]
			}
		}
	}
}

// icaStepShortN drops the last column of X when n is odd.
func icaStepShortN(f Contrast, alpha float32, m, k, n int, w []float32, ldw int, x []float32, ldx int, out []float32, ldo int, gp []float32) {
	nn := n
	if n%2 == 1 {
		nn--
	}
	icaStepGeneric(f, alpha, m, k, nn, w, ldw, x, ldx, out, ldo, gp)
	if nn != n && nn > 0 {
		// Rescale as if all n columns had been summed: the classic bug
		// where the divisor is right and the loop bound is not.
		s := float32(nn) / float32(n)
		for i := 0; i < m; i++ {
			for j := 0; j < k; j++ {
				out[i*ldo+j] *= s
			}
		}
	}
}

// contrastDropNaN leaves NaN out of the mean of g'.
func contrastDropNaN(f Contrast, alpha float32, rows, cols int, u []float32, ld int, gpMean []float32) {
	applyContrastRef(f, alpha, rows, cols, u, ld, gpMean)
	for i := range gpMean {
		if gpMean[i] != gpMean[i] {
			gpMean[i] = 0
		}
	}
}

func TestHarnessCatchesBrokenOthers(t *testing.T) {
	conv := convCases()
	expectClean(t, "Im2col correct", func(tb testing.TB) {
		runCases(tb, conv, func(tb testing.TB, c convCase) bool {
			return verifyIm2col(tb, Im2col[float32], im2colGeneric[float32], c)
		})
	})
	expectCaught(t, "Im2col leaves padding unwritten", "want 0", func(tb testing.TB) {
		runCases(tb, conv, func(tb testing.TB, c convCase) bool {
			return verifyIm2col(tb, im2colSkipsPadding, im2colGeneric[float32], c)
		})
	})
	var ica []icaCase
	for _, c := range icaCases() {
		if c.n%2 == 1 && c.k > 0 && c.m > 0 && !c.special && c.pw.page == 0 {
			ica = append(ica, c)
		}
	}
	expectCaught(t, "ICAStep off-by-one column", "tolerance", func(tb testing.TB) {
		runCases(tb, ica, func(tb testing.TB, c icaCase) bool {
			return verifyICAStep(tb, icaStepShortN, icaStepGeneric[float32], c)
		})
	})
	var con []contrastCase
	for _, c := range contrastCases() {
		if c.special {
			con = append(con, c)
		}
	}
	expectCaught(t, "ApplyContrast drops NaN from the mean", "NaN dropped", func(tb testing.TB) {
		runCases(tb, con, func(tb testing.TB, c contrastCase) bool {
			return verifyContrast(tb, contrastDropNaN, applyContrastRef[float32], c)
		})
	})
	// A reduction whose order follows the thread count: checkDeterministic
	// must see the difference.
	x := randSliceOf[float32](11, 100_003)
	expectCaught(t, "thread-dependent reduction order", "threads=", func(tb testing.TB) {
		checkDeterministic(tb, "chunked sum", func() []float32 {
			th := Threads()
			var total float32
			for c := 0; c < th; c++ {
				total += sumGeneric(x[c*len(x)/th : (c+1)*len(x)/th])
			}
			return []float32{total}
		})
	})
}
