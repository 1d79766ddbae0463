package kernels

// The verification harness shared by every kernel test.
//
// Every check function takes the implementation under test as a function
// value and reports through a testing.TB, so the same code checks the
// exported kernels at every level, the references against naive float64
// computations, and deliberately broken variants (harness_selftest_test.go)
// through a recording fake TB.
//
// Memory is handed to implementations through gmat: a matrix (a vector is a
// 1×n matrix) placed inside a larger buffer whose every other element —
// before, after and in the leading-dimension padding between rows — holds a
// NaN with a recognisable payload. A write out of bounds changes a sentinel;
// a read out of bounds brings a NaN into the result. Placements shift the
// start by 0–7 elements, or put the data flush against a PROT_NONE page
// (guardpage_*_test.go) so that an over-read faults outright.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
)

// forEachLevel runs fn once for every level this machine can run, each
// forced with SetLevel, as subtests named impl=<level>. The level in force
// before is restored afterwards. Subtests must not call t.Parallel: the level
// is process-wide.
func forEachLevel(t *testing.T, fn func(t *testing.T, l Level)) {
	t.Helper()
	prev := Impl()
	defer func() {
		if err := SetLevel(prev); err != nil {
			t.Errorf("restoring level %s: %v", prev, err)
		}
	}()
	for _, l := range Available() {
		t.Run("impl="+l.String(), func(t *testing.T) {
			if err := SetLevel(l); err != nil {
				t.Fatal(err)
			}
			fn(t, l)
		})
	}
}

// withThreads runs fn with SetThreads(n) and restores the previous setting.
func withThreads(n int, fn func()) {
	prev := int(threads.Load())
	SetThreads(n)
	defer SetThreads(prev)
	fn()
}

// ---- element-type facts ------------------------------------------------

// epsOf is the machine epsilon of T (the spacing of T at 1): 2⁻²³ or 2⁻⁵².
func epsOf[T Float]() float64 {
	if is32[T]() {
		return 0x1p-23
	}
	return 0x1p-52
}

// tinyOf is the smallest positive subnormal of T: the most an operation
// whose result underflows can be off by (twice the rounding error).
func tinyOf[T Float]() float64 {
	if is32[T]() {
		return math.SmallestNonzeroFloat32
	}
	return math.SmallestNonzeroFloat64
}

// maxOf is the largest finite T.
func maxOf[T Float]() float64 {
	if is32[T]() {
		return math.MaxFloat32
	}
	return math.MaxFloat64
}

func dtypeName[T Float]() string {
	if is32[T]() {
		return "f32"
	}
	return "f64"
}

// bitsOf returns the bit pattern of v, widened to 64 bits.
func bitsOf[T Float](v T) uint64 {
	if is32[T]() {
		return uint64(math.Float32bits(float32(v)))
	}
	return math.Float64bits(float64(v))
}

// sentinel is the NaN stored around every buffer: a quiet NaN whose payload
// no arithmetic produces, so an unchanged guard is recognised bit for bit.
func sentinel[T Float]() T {
	if is32[T]() {
		return T(math.Float32frombits(0x7fe5a5a5))
	}
	return T(math.Float64frombits(0x7ffca5a5a5a5a5a5))
}

// specialValues are the IEEE edge cases every kernel is fed: signed zeros,
// infinities, NaN, subnormals, the smallest normal and ±1. huge adds values
// near the top of the range, for elementwise kernels whose arithmetic cannot
// overflow (reductions would overflow in an order-dependent way).
func specialValues[T Float](huge bool) []T {
	z := T(0)
	v := []T{z, -z, T(math.Inf(1)), T(math.Inf(-1)), T(math.NaN()), 1, -1}
	if is32[T]() {
		v = append(v, T(math.Float32frombits(1)), -T(math.Float32frombits(1)),
			T(math.Float32frombits(0x007fffff)), T(math.Float32frombits(0x00800000)))
	} else {
		v = append(v, T(math.Float64frombits(1)), -T(math.Float64frombits(1)),
			T(math.Float64frombits(0x000fffffffffffff)), T(math.Float64frombits(0x0010000000000000)))
	}
	if huge {
		m := T(maxOf[T]())
		v = append(v, m, -m, m/3, -m/7, T(1e4), T(-1e4), T(88.7), T(-103.9), T(710), T(-745))
	}
	return v
}

// ---- data --------------------------------------------------------------

// dataSeeds are the random dataSeeds every data-driven test runs over.
var dataSeeds = []uint64{1, 2, 0x5eed}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)) }

// randVal returns a value uniform in [-1, 1), occasionally scaled so that
// cancellation and differing magnitudes occur.
func randVal[T Float](r *rand.Rand) T {
	v := 2*r.Float64() - 1
	if r.IntN(8) == 0 {
		v *= math.Ldexp(1, r.IntN(13)-6)
	}
	return T(v)
}

// ---- guarded matrices ---------------------------------------------------

// placement says where a gmat's data lies in its buffer.
type placement struct {
	off  int // elements of sentinels before the data beyond the fixed guard (0–7)
	page int // 0: heap buffer; +1: data ends flush against a PROT_NONE page; -1: begins right after one
}

func (p placement) String() string {
	switch p.page {
	case 1:
		return "page-after"
	case -1:
		return "page-before"
	}
	return fmt.Sprintf("off=%d", p.off)
}

// offsets are the heap placements with start offsets 0–7.
func startOffsets() []placement {
	p := make([]placement, 8)
	for i := range p {
		p[i].off = i
	}
	return p
}

// guardElems is how many sentinels lie beyond each end of a heap buffer: a
// 64-byte vector of float32 plus one, so a whole-vector overrun is seen.
const guardElems = 17

// gmat is a rows×cols row-major matrix with leading dimension ld, placed in
// a sentinel-filled buffer. data is the slice handed to implementations: it
// spans exactly (rows−1)·ld+cols elements and its capacity ends there, so Go
// code cannot grow it; assembly that ignores the length hits the sentinels.
type gmat[T Float] struct {
	name           string
	rows, cols, ld int
	buf            []T
	start          int
	data           []T
}

// newGmat allocates a guarded matrix filled with zeros (sentinels around).
// Page-backed placements need tb for cleanup; they are only requested by
// tests that checked guardPagesUsable.
func newGmat[T Float](tb testing.TB, name string, rows, cols, ld int, p placement) *gmat[T] {
	tb.Helper()
	if ld < cols {
		tb.Fatalf("newGmat %s: ld %d < cols %d", name, ld, cols)
	}
	span := matLen(rows, cols, ld)
	m := &gmat[T]{name: name, rows: rows, cols: cols, ld: ld}
	switch p.page {
	case 0:
		m.buf = make([]T, guardElems+p.off+span+guardElems)
		m.start = guardElems + p.off
	default:
		m.buf = pageBuffer[T](tb, span+guardElems+p.off, p.page > 0)
		if p.page > 0 {
			m.start = len(m.buf) - span
		} else {
			m.start = 0
		}
	}
	s := sentinel[T]()
	for i := range m.buf {
		m.buf[i] = s
	}
	m.data = m.buf[m.start : m.start+span : m.start+span]
	for i := 0; i < rows && span > 0; i++ {
		clear(m.data[i*ld : i*ld+cols])
	}
	return m
}

// newVec is a guarded vector of n elements.
func newVec[T Float](tb testing.TB, name string, n int, p placement) *gmat[T] {
	tb.Helper()
	return newGmat[T](tb, name, 1, n, max(n, 1), p)
}

func (m *gmat[T]) at(i, j int) T     { return m.data[i*m.ld+j] }
func (m *gmat[T]) set(i, j int, v T) { m.data[i*m.ld+j] = v }

// fill sets every element from f.
func (m *gmat[T]) fill(f func(i, j int) T) *gmat[T] {
	for i := 0; i < m.rows; i++ {
		for j := 0; j < m.cols; j++ {
			m.set(i, j, f(i, j))
		}
	}
	return m
}

// randomize fills the matrix with randVal values.
func (m *gmat[T]) randomize(r *rand.Rand) *gmat[T] {
	return m.fill(func(int, int) T { return randVal[T](r) })
}

// sprinkle overwrites about frac of the elements with values from vals.
func (m *gmat[T]) sprinkle(r *rand.Rand, frac float64, vals []T) *gmat[T] {
	for i := 0; i < m.rows; i++ {
		for j := 0; j < m.cols; j++ {
			if r.Float64() < frac {
				m.set(i, j, vals[r.IntN(len(vals))])
			}
		}
	}
	return m
}

// plain returns a copy of the data in an ordinary slice with the same
// layout, padding as zeros: what the oracle computes from.
func (m *gmat[T]) plain() []T {
	out := make([]T, len(m.data))
	for i := 0; i < m.rows && len(out) > 0; i++ {
		copy(out[i*m.ld:i*m.ld+m.cols], m.data[i*m.ld:i*m.ld+m.cols])
	}
	return out
}

// inside reports whether buffer index k holds a matrix element.
func (m *gmat[T]) inside(k int) bool {
	k -= m.start
	if k < 0 || k >= len(m.data) {
		return false
	}
	return k%m.ld < m.cols
}

// checkGuards reports every sentinel that no longer holds its bit pattern:
// a write outside the matrix, before it, after it or between its rows.
func (m *gmat[T]) checkGuards(tb testing.TB) bool {
	tb.Helper()
	want := bitsOf(sentinel[T]())
	bad, first := 0, -1
	for k, v := range m.buf {
		if !m.inside(k) && bitsOf(v) != want {
			if first < 0 {
				first = k
			}
			bad++
		}
	}
	if bad > 0 {
		rel := first - m.start
		tb.Errorf("%s: %d guard element(s) overwritten (out-of-bounds write); first at offset %d from the data start (%d×%d, ld %d): %v",
			m.name, bad, rel, m.rows, m.cols, m.ld, m.buf[first])
		return false
	}
	return true
}

// checkUnchanged reports if an input matrix was modified: its elements must
// equal, bit for bit, the snapshot taken by plain before the call.
func (m *gmat[T]) checkUnchanged(tb testing.TB, before []T) bool {
	tb.Helper()
	ok := m.checkGuards(tb)
	for i := 0; i < m.rows; i++ {
		for j := 0; j < m.cols; j++ {
			if k := i*m.ld + j; bitsOf(m.data[k]) != bitsOf(before[k]) {
				tb.Errorf("%s: input modified at (%d,%d): %v, was %v", m.name, i, j, m.data[k], before[k])
				return false
			}
		}
	}
	return ok
}

// ---- calling implementations -------------------------------------------

// call runs fn, turning a fault on a guard page (or a panic) into a test
// error instead of a crash. Page-backed checks run with one thread so that
// the fault happens on this goroutine, where SetPanicOnFault applies.
func callGuarded(tb testing.TB, what string, fn func()) (ok bool) {
	tb.Helper()
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprint(r)
			if e, isErr := r.(interface{ Addr() uintptr }); isErr {
				msg = fmt.Sprintf("memory fault at %#x (read or write beyond the slice into a guard page): %v", e.Addr(), r)
			}
			tb.Errorf("%s: %s", what, msg)
			ok = false
		}
	}()
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	fn()
	return true
}

// ---- exact float64 accumulation ---------------------------------------

// xsum accumulates a sum of products in double-double arithmetic: the
// result is the exact sum rounded once (to far better than any float32 or
// float64 kernel), and abs collects Σ|terms| for the tolerance. NaN and
// infinities follow IEEE rules through the plain float64 sum.
type xsum struct {
	hi, lo  float64
	special float64 // plain sum of the non-finite terms
	nonfin  bool
	abs     float64
	n       int
}

func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	e = (a - (s - bb)) + (b - bb)
	return
}

func (x *xsum) add(v float64) {
	x.n++
	if math.IsNaN(v) || math.IsInf(v, 0) {
		if !x.nonfin {
			x.special = v
		} else {
			x.special += v
		}
		x.nonfin = true
		x.abs = math.Inf(1)
		return
	}
	x.abs += math.Abs(v)
	s, e := twoSum(x.hi, v)
	x.hi = s
	x.lo += e
}

// addProd adds a·b exactly: the product's rounding error, recovered with
// an FMA, joins the low part.
func (x *xsum) addProd(a, b float64) {
	p := a * b
	if math.IsNaN(p) || math.IsInf(p, 0) {
		x.add(p)
		return
	}
	x.add(p)
	x.lo += math.FMA(a, b, -p)
}

func (x *xsum) value() float64 {
	if x.nonfin {
		return x.special
	}
	return x.hi + x.lo
}

// ---- tolerances and comparison -------------------------------------------

// tolerance is the bound on |got − want| for a result of ops roundings in T
// over terms whose absolute values sum to abs: ops·eps(T)·abs, plus ops
// smallest subnormals for results that underflow. With eps the spacing at 1
// (twice the unit roundoff), this covers the error of both sides when two
// implementations, each within ops·u·abs of the exact value, are compared.
func tolerance[T Float](ops int, abs float64) float64 {
	if ops < 1 {
		ops = 1
	}
	return float64(ops)*epsOf[T]()*abs + float64(ops)*tinyOf[T]()
}

// ulpDiff is the distance between a and b in units of the last place of T
// (NaN only matches NaN; the infinities only themselves).
func ulpDiff[T Float](a, b T) uint64 {
	if a != a || b != b {
		if a != a && b != b {
			return 0
		}
		return math.MaxUint64
	}
	if is32[T]() {
		return ulp32(float32(a), float32(b))
	}
	return ulp64(float64(a), float64(b))
}

func ulp32(a, b float32) uint64 {
	ia, ib := int64(math.Float32bits(a)), int64(math.Float32bits(b))
	if ia < 0x80000000 {
		ia = 0x80000000 + ia
	} else {
		ia = 0x100000000 - ia
	}
	if ib < 0x80000000 {
		ib = 0x80000000 + ib
	} else {
		ib = 0x100000000 - ib
	}
	if ia > ib {
		return uint64(ia - ib)
	}
	return uint64(ib - ia)
}

func ulp64(a, b float64) uint64 {
	// Map the sign-magnitude bit patterns to a monotone unsigned scale.
	m := func(v float64) uint64 {
		u := math.Float64bits(v)
		if u>>63 == 0 {
			return u | 1<<63
		}
		return ^u + 1
	}
	ua, ub := m(a), m(b)
	if ua > ub {
		return ua - ub
	}
	return ub - ua
}

// sameClass reports whether got and want agree on being NaN or an infinity
// of a given sign; the rest of the comparison applies to finite values.
func sameClass(got, want float64) bool {
	switch {
	case math.IsNaN(want):
		return math.IsNaN(got)
	case math.IsNaN(got):
		return false
	case math.IsInf(want, 0) || math.IsInf(got, 0):
		return got == want
	}
	return true
}

// reporter limits how many mismatches one check prints.
type reporter struct {
	tb   testing.TB
	what string
	n    int
}

func (r *reporter) errorf(format string, args ...any) {
	r.tb.Helper()
	r.n++
	if r.n <= 4 {
		r.tb.Errorf("%s: "+format, append([]any{r.what}, args...)...)
	}
}

func (r *reporter) done() bool {
	r.tb.Helper()
	if r.n > 4 {
		r.tb.Errorf("%s: %d mismatches in all", r.what, r.n)
	}
	return r.n == 0
}

// closeTo compares one value: NaN and infinities must match exactly (a NaN
// that vanished or appeared is an error), finite values within tol.
func closeTo(got, want, tol float64) bool {
	if !sameClass(got, want) {
		return false
	}
	if math.IsNaN(want) || math.IsInf(want, 0) {
		return true
	}
	if math.IsNaN(tol) {
		// Σ|terms| met 0·Inf: the terms include an infinity, so only the
		// class comparison above is meaningful.
		return true
	}
	return math.Abs(got-want) <= tol
}

// compareMat checks every element of got (rows×cols, ld) against want
// (same layout) within tol(i, j).
func compareMat[T Float](tb testing.TB, what string, rows, cols int, got []T, gld int, want []T, wld int, tol func(i, j int) float64) bool {
	tb.Helper()
	r := reporter{tb: tb, what: what}
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			g, w := float64(got[i*gld+j]), float64(want[i*wld+j])
			if t := tol(i, j); !closeTo(g, w, t) {
				r.errorf("(%d,%d) = %v, want %v (|diff| %.3g > tolerance %.3g)", i, j, g, w, math.Abs(g-w), t)
			}
		}
	}
	return r.done()
}

// compareExact checks got against want bit for bit (both NaN counts as
// equal): for kernels that only move data, and for determinism.
func compareExact[T Float](tb testing.TB, what string, got, want []T) bool {
	tb.Helper()
	r := reporter{tb: tb, what: what}
	if len(got) != len(want) {
		tb.Errorf("%s: length %d, want %d", what, len(got), len(want))
		return false
	}
	for i := range got {
		g, w := got[i], want[i]
		if bitsOf(g) != bitsOf(w) && !(g != g && w != w) {
			r.errorf("[%d] = %v (%#x), want %v (%#x)", i, g, bitsOf(g), w, bitsOf(w))
		}
	}
	return r.done()
}

// checkNaNAt checks that every listed output element is NaN: the outputs
// that depend on a NaN input. A NaN must never vanish.
func checkNaNAt[T Float](tb testing.TB, what string, got []T, idx []int) bool {
	tb.Helper()
	r := reporter{tb: tb, what: what}
	for _, k := range idx {
		if v := got[k]; v == v {
			r.errorf("element %d = %v depends on a NaN input but is not NaN (NaN dropped)", k, v)
		}
	}
	return r.done()
}

// sizesUpTo returns 0..n inclusive.
func sizesUpTo(n int) []int {
	s := make([]int, n+1)
	for i := range s {
		s[i] = i
	}
	return s
}

// around returns the sizes b−1, b, b+1 for each block size b (positive only),
// deduplicated and sorted.
func around(bs ...int) []int {
	var s []int
	for _, b := range bs {
		for d := -1; d <= 1; d++ {
			if b+d > 0 {
				s = append(s, b+d)
			}
		}
	}
	slices.Sort(s)
	return slices.Compact(s)
}

// caseName builds a compact subtest-free description of a case for messages.
func caseName(parts ...any) string {
	var b strings.Builder
	for i := 0; i+1 < len(parts); i += 2 {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%v=%v", parts[i], parts[i+1])
	}
	return b.String()
}

// emulated reports whether the tests run under an instruction emulator
// (DEEPICA_EMULATED set by CI for qemu runs), where guard-page tests are
// unreliable: qemu reads 16 bytes for a scalar FMA memory operand.
func emulated() bool { return os.Getenv("DEEPICA_EMULATED") != "" }

// raceEnabled is set by race_test.go under the race detector, whose
// instrumentation makes the large cases slow.
var raceEnabled bool

// big reports whether a test may run its large cases.
func bigCases() bool { return !testing.Short() && !raceEnabled }

// skipReferenceUnderRace skips a reference-versus-exact test under the race
// detector: the reference's arithmetic is checked natively, and its
// parallel paths run under -race in the impl=generic level tests.
func skipReferenceUnderRace(t *testing.T) {
	if raceEnabled {
		t.Skip("reference arithmetic is checked without -race")
	}
}

// overlay writes fuzzer-chosen bit patterns over the matrix: chunk q of raw
// (the element size each) goes to element (7q + salt) mod count, until raw
// runs out. With tame > 0, finite values are brought to magnitudes below
// 2^tame (keeping sign, mantissa, NaN, infinities and subnormals), so that
// reductions cannot overflow in an order-dependent way.
func (m *gmat[T]) overlay(raw []byte, salt int, tame int) *gmat[T] {
	count := m.rows * m.cols
	if count == 0 {
		return m
	}
	size := 8
	if is32[T]() {
		size = 4
	}
	for q := 0; (q+1)*size <= len(raw); q++ {
		var u uint64
		for b := 0; b < size; b++ {
			u |= uint64(raw[q*size+b]) << (8 * b)
		}
		var v float64
		if size == 4 {
			v = float64(math.Float32frombits(uint32(u)))
		} else {
			v = math.Float64frombits(u)
		}
		if tame > 0 && !math.IsInf(v, 0) && !math.IsNaN(v) && math.Abs(v) >= math.Ldexp(1, tame) {
			fr, e := math.Frexp(v)
			v = math.Ldexp(fr, e%tame)
		}
		k := (7*q + salt) % count
		m.set(k/m.cols, k%m.cols, T(v))
	}
	return m
}
