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
