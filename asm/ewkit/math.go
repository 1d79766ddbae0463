package ewkit

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/deepica/deepica/asm/isa"
)

// Vectorised exp, expm1 and tanh.
//
// Algorithm (the same for float32 and float64, constants per type):
//
//	expm1(x), |x| bounded by the caller so that 2ⁿ below is a normal number:
//	  n  = round(x·log2(e))            (shifter trick: kd = x·log2e + 1.5·2^p,
//	                                    n = kd − 1.5·2^p, the low mantissa
//	                                    bits of kd hold n in two's complement)
//	  r  = x − n·ln2_hi − n·ln2_lo      (Cody–Waite, |r| ≤ ln2/2; n·ln2_hi exact)
//	  q  = expm1(r) = r + r²·P(r)       (Taylor series to r^13/13! for float64,
//	                                    r^8/8! for float32; the truncation is
//	                                    < 2⁻⁵⁶ resp. 2⁻³⁰ relative on |r| ≤ ln2/2;
//	                                    P by Estrin's scheme)
//	  s  = 2ⁿ                          (built from kd's bits: kd<<p + bias<<p)
//	  expm1(x) = s·q + (s − 1)          (one FMA; s − 1 is exact for the n used)
//
//	tanh(y) = sign(y)·E/(E+2), E = expm1(2·min(|y|, c)), c = 20 (float64),
//	  10 (float32): beyond c, tanh rounds to ±1 in the type. This single
//	  formula is accurate for small |y| too because E is computed with
//	  relative accuracy (expm1, not exp − 1). NaN propagates (VMIN returns
//	  its first Go operand when it is NaN), tanh(±0) = ±0, ±Inf → ±1.
//
//	exp(h) for h ≤ 0 (float64 only, the Exp contrast): h is clamped below at
//	  −746 (exp rounds to 0 there), n = round(h·log2e) ∈ [−1077, 0] is split
//	  as n₁ = round(n/2), n₂ = n − n₁ so that both 2^n₁ and 2^n₂ are normal;
//	  exp(h) = (s₁ + s₁·q)·s₂ rounds once into the subnormal range.
//
// Measured accuracy (kernels/contrast_amd64_test.go and act_amd64_test.go
// sweep a dense grid, log-spaced magnitudes from 2⁻¹⁰⁷⁴ to 2¹⁰²³, 150,000
// random arguments including random bit patterns, and the special values;
// identical on AVX2 and AVX-512), largest error in ulp of the result:
//
//	tanh float64 vs math.Tanh                         2 ulp
//	tanh float32 formula (ICA step) vs float32(math.Tanh(x))   2 ulp; with α ≠ 1 the
//	                                                    rounding of α·x adds up to ½ ulp
//	float32 logcosh of ApplyContrast (float64 math)   1 ulp vs float32(math.Tanh(α·x))
//	x·exp(−x²/2) float64 vs x·math.Exp(−x²/2)          2 ulp (exp's error plus the product's
//	                                                    rounding; absolute near 2⁻¹⁰²² where
//	                                                    exp(−x²/2) is subnormal)
//	x·exp(−x²/2) float32 (float64 math)                0 ulp vs the float64 result rounded
//	expm1 (ELU) float64                                1 ulp; sigmoid float64 3 ulp vs
//	                                                    1/(1+math.Exp(−x)) (whose own error
//	                                                    is part of that)
//
// No argument overflows to NaN: arguments are clamped before the exponent
// is built (tanh saturates to ±1, exp underflows to 0).

// CV returns a read-only vector constant: v replicated over one vector of
// the descriptor's width, usable as the memory operand of any instruction.
func (d *Desc) CV(name string, v float64) Mem {
	if d.Is64() {
		return d.CVBits(name, math.Float64bits(v))
	}
	return d.CVBits(name, uint64(math.Float32bits(float32(v))))
}

// CVBits is CV with the element given by its bits.
func (d *Desc) CVBits(name string, bits uint64) Mem {
	key := fmt.Sprintf("%s%d_%d", name, d.Size()*8, d.Width())
	if m, ok := fileConsts[key]; ok {
		return m
	}
	m := GLOBL(key, RODATA|NOPTR)
	for off := 0; off < d.Width(); off += d.Size() {
		if d.Is64() {
			DATA(off, U64(bits))
		} else {
			DATA(off, U32(uint32(bits)))
		}
	}
	fileConsts[key] = m
	return m
}

// Taylor coefficients 1/k! of expm1 for k = 2 … deg.
func (d *Desc) expm1Deg() int {
	if d.Is64() {
		return 13
	}
	return 8
}

func fact(k int) float64 {
	f := 1.0
	for i := 2; i <= k; i++ {
		f *= float64(i)
	}
	return f
}

// V is a group of vectors processed together: each step of an algorithm
// is emitted for every member before the next step, so that the
// independent dependency chains interleave in the instruction stream (the
// out-of-order window is too small to find that parallelism across a long
// single-vector chain of ~30 dependent instructions).
type V = []reg.VecVirtual

func (d *Desc) vecs(n int) V { return d.Vecs(n) }

type expParts struct {
	kd, n, r, q V
}

// reduce computes kd, n, r and q = expm1(r) for x (|x| bounded, see above).
// If twice is true the argument is 2x (x itself is left untouched).
func (d *Desc) reduce(x V, twice bool) expParts {
	N := len(x)
	var p expParts
	shifter := 1.5 * math.Ldexp(1, 52)
	ln2hi, ln2lo := math.Float64frombits(0x3fe62e42fee00000), 1.90821492927058770002e-10
	if !d.Is64() {
		shifter = 1.5 * math.Ldexp(1, 23)
		ln2hi, ln2lo = float64(math.Float32frombits(0x3f318000)), float64(math.Float32frombits(0xb95e8083))
	}
	l2e := math.Log2E
	if twice {
		l2e *= 2
	}
	p.kd, p.n, p.r = d.vecs(N), d.vecs(N), d.vecs(N)
	for i := range N {
		d.Load(d.CV("ew_shifter", shifter), p.kd[i])
	}
	for i := range N {
		d.FMA231(d.CV(fmt.Sprintf("ew_log2e%v", twice), l2e), x[i], p.kd[i])
	}
	for i := range N {
		d.Sub(d.CV("ew_shifter", shifter), p.kd[i], p.n[i])
	}
	for i := range N {
		if twice {
			d.Add(x[i], x[i], p.r[i])
		} else {
			d.Load(x[i], p.r[i]) // register copy
		}
	}
	for i := range N {
		d.FNMA231(d.CV("ew_ln2hi", ln2hi), p.n[i], p.r[i])
	}
	for i := range N {
		d.FNMA231(d.CV("ew_ln2lo", ln2lo), p.n[i], p.r[i])
	}
	// P(r) = Σ_{k=2..deg} r^(k−2)/k! by Estrin's scheme: pairs c_k + c_{k+1}·r,
	// then pairs of those with r², r⁴, …: the same work as Horner's rule
	// with a dependency chain of log2(deg) steps instead of deg.
	deg := d.expm1Deg()
	var terms []V
	for k := 2; k <= deg; k += 2 {
		t := d.vecs(N)
		if k+1 <= deg {
			for i := range N {
				d.Load(d.CV(fmt.Sprintf("ew_inv%dfact", k+1), 1/fact(k+1)), t[i])
			}
			for i := range N {
				d.FMA213(d.CV(fmt.Sprintf("ew_inv%dfact", k), 1/fact(k)), p.r[i], t[i]) // c_k + r·c_{k+1}
			}
		} else {
			for i := range N {
				d.Load(d.CV(fmt.Sprintf("ew_inv%dfact", k), 1/fact(k)), t[i])
			}
		}
		terms = append(terms, t)
	}
	r2 := d.vecs(N)
	for i := range N {
		d.Mul(p.r[i], p.r[i], r2[i])
	}
	pw := r2 // r^(2^level)
	for len(terms) > 1 {
		var next []V
		for j := 0; j+1 < len(terms); j += 2 {
			for i := range N {
				d.FMA231(terms[j+1][i], pw[i], terms[j][i]) // t_j + r^2^l·t_{j+1}
			}
			next = append(next, terms[j])
		}
		if len(terms)%2 == 1 {
			next = append(next, terms[len(terms)-1])
		}
		terms = next
		if len(terms) > 1 {
			sq := d.vecs(N)
			for i := range N {
				d.Mul(pw[i], pw[i], sq[i])
			}
			pw = sq
		}
	}
	pp := terms[0]
	for i := range N {
		d.FMA213(p.r[i], r2[i], pp[i]) // pp = r²·P + r
	}
	p.q = pp
	return p
}

// pow2 returns 2ⁿ given kd (n in kd's low mantissa bits), n a normal exponent.
func (d *Desc) pow2(kd V) V {
	s := d.vecs(len(kd))
	bits, bias := 52, uint64(1023)<<52
	if !d.Is64() {
		bits, bias = 23, uint64(127)<<23
	}
	for i := range kd {
		d.ISHL(bits, kd[i], s[i])
	}
	for i := range kd {
		d.IADD(d.CVBits("ew_expbias", bias), s[i], s[i])
	}
	return s
}

// Expm1SmallN returns expm1(x) for x already bounded (|x| ≤ 40 float64,
// ≤ 20 float32); NaN propagates.
func (d *Desc) Expm1SmallN(x V, twice bool) V {
	p := d.reduce(x, twice)
	s := d.pow2(p.kd)
	e := d.vecs(len(x))
	for i := range x {
		d.Sub(d.CV("ew_one", 1), s[i], e[i]) // s − 1
	}
	for i := range x {
		d.FMA231(s[i], p.q[i], e[i]) // s·q + (s − 1)
	}
	return e
}

// Expm1Small is Expm1SmallN for one vector.
func (d *Desc) Expm1Small(x reg.VecVirtual, twice bool) reg.VecVirtual {
	return d.Expm1SmallN(V{x}, twice)[0]
}

// TanhClamp returns the register holding the tanh argument clamp (the
// caller loads it once outside its loop).
func (d *Desc) TanhClamp() reg.VecVirtual {
	c := d.Vec()
	v := 20.0
	if !d.Is64() {
		v = 10
	}
	d.Load(d.CV("ew_tanhclamp", v), c)
	return c
}

// SignMask is the memory constant with only the sign bit set.
func (d *Desc) SignMask() Mem {
	if d.Is64() {
		return d.CVBits("ew_sign", 1<<63)
	}
	return d.CVBits("ew_sign", 1<<31)
}

// AbsMask is the memory constant with every bit but the sign set.
func (d *Desc) AbsMask() Mem {
	if d.Is64() {
		return d.CVBits("ew_abs", 1<<63-1)
	}
	return d.CVBits("ew_abs", 1<<31-1)
}

// TanhN returns tanh(y) in new registers; y is left unchanged. clamp is
// the register from TanhClamp.
func (d *Desc) TanhN(y V, clamp reg.VecVirtual) V {
	N := len(y)
	a := d.vecs(N)
	for i := range N {
		d.And(d.AbsMask(), y[i], a[i])
	}
	for i := range N {
		d.Min(a[i], clamp, a[i]) // NaN in a is kept: VMIN returns its first Go operand then
	}
	e := d.Expm1SmallN(a, true)
	den, t, sg := d.vecs(N), d.vecs(N), d.vecs(N)
	for i := range N {
		d.Add(d.CV("ew_two", 2), e[i], den[i])
	}
	for i := range N {
		d.Div(den[i], e[i], t[i])
	}
	for i := range N {
		d.And(d.SignMask(), y[i], sg[i])
	}
	for i := range N {
		d.Or(sg[i], t[i], t[i])
	}
	return t
}

// Tanh is TanhN for one vector.
func (d *Desc) Tanh(y, clamp reg.VecVirtual) reg.VecVirtual { return d.TanhN(V{y}, clamp)[0] }

// ExpNegN returns exp(h) for h ≤ 0 or NaN (float64 only), h unchanged.
func (d *Desc) ExpNegN(h V) V {
	if !d.Is64() {
		panic("ewkit: ExpNeg is float64 only")
	}
	N := len(h)
	low := d.lowClamp()
	x := d.vecs(N)
	for i := range N {
		d.Max(h[i], low, x[i]) // NaN kept (first Go operand)
	}
	p := d.reduce(x, false)
	// n = n1 + n2 with n1 = round(n/2): both 2^n1 and 2^n2 are normal.
	shifter := 1.5 * math.Ldexp(1, 52)
	kd1, n1, kd2 := d.vecs(N), d.vecs(N), d.vecs(N)
	for i := range N {
		d.Load(d.CV("ew_shifter", shifter), kd1[i])
		d.FMA231(d.CV("ew_half", 0.5), p.n[i], kd1[i])
	}
	for i := range N {
		d.Sub(d.CV("ew_shifter", shifter), kd1[i], n1[i])
	}
	for i := range N {
		d.Sub(n1[i], p.n[i], kd2[i])
		d.Add(d.CV("ew_shifter", shifter), kd2[i], kd2[i])
	}
	s1 := d.pow2(kd1)
	s2 := d.pow2(kd2)
	e := d.vecs(N)
	for i := range N {
		d.Load(s1[i], e[i])
		d.FMA213(s1[i], p.q[i], e[i]) // e = q·s1 + s1
	}
	for i := range N {
		d.Mul(s2[i], e[i], e[i])
	}
	return e
}

// ExpNeg is ExpNegN for one vector.
func (d *Desc) ExpNeg(h reg.VecVirtual) reg.VecVirtual { return d.ExpNegN(V{h})[0] }

func (d *Desc) lowClamp() reg.VecVirtual {
	c := d.Vec()
	d.Load(d.CV("ew_explow", -746), c)
	return c
}

// F64 returns the float64 descriptor of the same instruction set.
func (d *Desc) F64() *Desc {
	e := *d
	e.Elem = isa.F64
	return &e
}

// Widen converts the float32 vector v into two float64 vectors (low and
// high halves) of the same width.
func (d *Desc) Widen(v reg.VecVirtual) (lo, hi reg.VecVirtual) {
	lo, hi = d.Vec(), d.Vec()
	if d.Wide() {
		h := YMM()
		VEXTRACTF64X4(U8(1), v, h)
		VCVTPS2PD(v.AsY(), lo)
		VCVTPS2PD(h, hi)
		return lo, hi
	}
	h := XMM()
	VEXTRACTF128(U8(1), v, h)
	VCVTPS2PD(v.AsX(), lo)
	VCVTPS2PD(h, hi)
	return lo, hi
}

// Narrow rounds two float64 vectors to float32 and packs them into one.
func (d *Desc) Narrow(lo, hi reg.VecVirtual) reg.VecVirtual {
	out := d.Vec()
	if d.Wide() {
		h := YMM()
		VCVTPD2PS(lo, out.AsY())
		VCVTPD2PS(hi, h)
		VINSERTF64X4(U8(1), h, out, out)
		return out
	}
	h := XMM()
	VCVTPD2PSY(lo, out.AsX())
	VCVTPD2PSY(hi, h)
	VINSERTF128(U8(1), h, out, out)
	return out
}

// Contrast kinds, as kernels.Contrast.
const (
	LogCosh = "Tanh"
	Exp     = "Exp"
	Cube    = "Cube"
)

// ContrastState holds what a contrast loop keeps in registers: α (logcosh),
// the tanh clamp and the accumulator of g' (float64 lanes for the float32
// Exp contrast, which is evaluated in float64).
type ContrastState struct {
	Kind         string
	Alpha, Clamp reg.VecVirtual
	Acc          reg.VecVirtual
	// ExactArg makes the float32 logcosh evaluate in float64, like the
	// reference: tanh of the exact product α·u, rounded once (the float32
	// formula is within 2 ulp of tanh(y) for the rounded y = α·u, which
	// alone costs up to another half ulp where tanh(y) ≈ y). Alpha64 and
	// Clamp64 are then α and the tanh clamp in float64 lanes, and Acc has
	// float64 lanes. The ICA step, whose u carries a whole dot product's
	// rounding, keeps the float32 formula.
	ExactArg         bool
	Alpha64, Clamp64 reg.VecVirtual
}

// Acc64 reports whether the g' accumulator has float64 lanes.
func (s *ContrastState) Acc64(d *Desc) bool {
	return d.Is64() || s.Kind == Exp || (s.Kind == LogCosh && s.ExactArg)
}

// AccDesc is the descriptor of the g' accumulator's lanes.
func (d *Desc) AccDesc(kind string) *Desc {
	if kind == Exp {
		return d.F64()
	}
	return d
}

// NewContrastState loads the loop-invariant registers and zeroes Acc;
// alpha is a register holding α broadcast (logcosh only, else nil).
func (d *Desc) NewContrastState(kind string, alpha reg.VecVirtual) *ContrastState {
	s := &ContrastState{Kind: kind, Alpha: alpha}
	if kind == LogCosh {
		s.Clamp = d.TanhClamp()
	}
	s.Acc = d.Vec()
	d.Zero(s.Acc)
	return s
}

// ContrastN returns g(v) for the vectors v (unchanged) and adds g'(v) to
// s.Acc:
//
//	LogCosh: g = tanh(αv),  g' = α(1 − g²)
//	Exp:     g = v·e,       g' = (1 − v²)·e,  e = exp(−v²/2) (float64 math)
//	Cube:    g = (v·v)·v,   g' = (3v)·v
func (d *Desc) ContrastN(s *ContrastState, v V) V {
	N := len(v)
	switch s.Kind {
	case LogCosh:
		if s.ExactArg && !d.Is64() {
			return d.tanhContrastVia64(s, v)
		}
		y := d.vecs(N)
		for i := range N {
			d.Mul(s.Alpha, v[i], y[i])
		}
		t := d.TanhN(y, s.Clamp)
		o := d.vecs(N)
		for i := range N {
			d.Load(d.CV("ew_one", 1), o[i])
			d.FNMA231(t[i], t[i], o[i]) // 1 − t²
		}
		for i := range N {
			d.FMA231(o[i], s.Alpha, s.Acc)
		}
		return t
	case Cube:
		g, t := d.vecs(N), d.vecs(N)
		for i := range N {
			d.Mul(v[i], v[i], g[i])
			d.Mul(v[i], g[i], g[i])
			d.Mul(d.CV("ew_three", 3), v[i], t[i])
			d.FMA231(t[i], v[i], s.Acc)
		}
		return g
	case Exp:
		if d.Is64() {
			return d.expContrast64(v, s.Acc)
		}
		e := d.F64()
		var w V
		for i := range N {
			lo, hi := d.Widen(v[i])
			w = append(w, lo, hi)
		}
		var gw V
		if d.Wide() {
			gw = e.expContrast64(w, s.Acc)
		} else {
			// One half at a time: two float64 chains at once need more
			// than AVX2's 16 registers, and Avo would reach for Y16–Y31,
			// which only exist with AVX-512.
			for _, h := range w {
				gw = append(gw, e.expContrast64(V{h}, s.Acc)...)
			}
		}
		g := d.vecs(N)
		for i := range N {
			g[i] = d.Narrow(gw[2*i], gw[2*i+1])
		}
		return g
	}
	panic("ewkit: unknown contrast " + s.Kind)
}

// Contrast is ContrastN for one vector.
func (d *Desc) Contrast(s *ContrastState, v reg.VecVirtual) reg.VecVirtual {
	return d.ContrastN(s, V{v})[0]
}

// tanhContrastVia64 is the float32 logcosh evaluated in float64 (see
// ContrastState.ExactArg), one float64 half-vector at a time.
func (d *Desc) tanhContrastVia64(s *ContrastState, v V) V {
	e := d.F64()
	g := d.vecs(len(v))
	for i := range v {
		lo, hi := d.Widen(v[i])
		var th V
		for _, h := range []reg.VecVirtual{lo, hi} {
			y := e.Vec()
			e.Mul(s.Alpha64, h, y)
			t := e.Tanh(y, s.Clamp64)
			o := e.Vec()
			e.Load(e.CV("ew_one", 1), o)
			e.FNMA231(t, t, o) // 1 − t²
			e.FMA231(o, s.Alpha64, s.Acc)
			th = append(th, t)
		}
		g[i] = d.Narrow(th[0], th[1])
	}
	return g
}

func (d *Desc) expContrast64(x V, acc reg.VecVirtual) V {
	N := len(x)
	t, h := d.vecs(N), d.vecs(N)
	for i := range N {
		d.Mul(x[i], x[i], t[i])
	}
	for i := range N {
		d.Mul(d.CV("ew_mhalf", -0.5), t[i], h[i])
	}
	e := d.ExpNegN(h)
	g, o := d.vecs(N), d.vecs(N)
	for i := range N {
		d.Mul(e[i], x[i], g[i])
	}
	for i := range N {
		d.Load(d.CV("ew_one", 1), o[i])
		d.Sub(t[i], o[i], o[i]) // 1 − v²
	}
	for i := range N {
		d.FMA231(o[i], e[i], acc)
	}
	return g
}

// Group is how many vectors the contrast loops process together: enough
// independent chains to fill the pipelines, few enough for the registers.
func (d *Desc) Group(kind string) int {
	g := 1
	if d.Wide() {
		g = 2 // Estrin's scheme keeps ~10 registers per vector live
	}
	if kind == Exp && !d.Is64() {
		g = max(1, g/2) // each float32 vector becomes two float64 ones
	}
	if kind == Cube {
		g = 1
	}
	return g
}
