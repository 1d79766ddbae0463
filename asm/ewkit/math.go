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
//	                                    < 2⁻⁵⁶ resp. 2⁻³⁰ relative on |r| ≤ ln2/2)
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
// Measured accuracy (kernels/contrast_amd64_test.go sweeps a dense grid,
// random arguments over the whole range and the special values; figures
// in ulp of the result against math.Tanh/math.Exp, float32 against the
// float64 reference rounded to float32): see MaxULP in that test's log and
// bench/BENCHMARKS.md. At the time of writing: tanh f64 ≤ 2 ulp, tanh f32
// ≤ 1 ulp (α = 1), exp f64 ≤ 1 ulp.

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

type expParts struct {
	kd, n, r, q reg.VecVirtual
}

// reduce computes kd, n, r and q = expm1(r) for x (|x| bounded, see above).
// If twice is true the argument is 2x (x itself is left untouched).
func (d *Desc) reduce(x reg.VecVirtual, twice bool) expParts {
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
	p.kd = d.Vec()
	d.Load(d.CV("ew_shifter", shifter), p.kd)
	d.FMA231(d.CV(fmt.Sprintf("ew_log2e%v", twice), l2e), x, p.kd)
	p.n = d.Vec()
	d.Sub(d.CV("ew_shifter", shifter), p.kd, p.n)
	p.r = d.Vec()
	if twice {
		d.Add(x, x, p.r)
	} else {
		d.Load(x, p.r) // register copy
	}
	d.FNMA231(d.CV("ew_ln2hi", ln2hi), p.n, p.r)
	d.FNMA231(d.CV("ew_ln2lo", ln2lo), p.n, p.r)
	deg := d.expm1Deg()
	pp := d.Vec()
	d.Load(d.CV(fmt.Sprintf("ew_inv%dfact", deg), 1/fact(deg)), pp)
	for k := deg - 1; k >= 2; k-- {
		d.FMA213(d.CV(fmt.Sprintf("ew_inv%dfact", k), 1/fact(k)), p.r, pp)
	}
	r2 := d.Vec()
	d.Mul(p.r, p.r, r2)
	d.FMA213(p.r, r2, pp) // pp = r²·P + r
	p.q = pp
	return p
}

// pow2 returns 2ⁿ given kd (n in kd's low mantissa bits), n a normal exponent.
func (d *Desc) pow2(kd reg.VecVirtual) reg.VecVirtual {
	s := d.Vec()
	bits, bias := 52, uint64(1023)<<52
	if !d.Is64() {
		bits, bias = 23, uint64(127)<<23
	}
	d.ISHL(bits, kd, s)
	d.IADD(d.CVBits("ew_expbias", bias), s, s)
	return s
}

// Expm1Small returns expm1(x) for x already bounded (|x| ≤ 40 float64,
// ≤ 20 float32) and not NaN-sensitive beyond IEEE propagation.
func (d *Desc) Expm1Small(x reg.VecVirtual, twice bool) reg.VecVirtual {
	p := d.reduce(x, twice)
	s := d.pow2(p.kd)
	e := d.Vec()
	d.Sub(d.CV("ew_one", 1), s, e) // s − 1
	d.FMA231(s, p.q, e)            // s·q + (s − 1)
	return e
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

// Tanh returns tanh(y) in a new register; y is left unchanged. clamp is
// the register from TanhClamp.
func (d *Desc) Tanh(y, clamp reg.VecVirtual) reg.VecVirtual {
	a := d.Vec()
	d.And(d.AbsMask(), y, a)
	d.Min(a, clamp, a) // NaN in a is kept: VMIN returns its first Go operand then
	e := d.Expm1Small(a, true)
	den := d.Vec()
	d.Add(d.CV("ew_two", 2), e, den)
	t := d.Vec()
	d.Div(den, e, t)
	sg := d.Vec()
	d.And(d.SignMask(), y, sg)
	d.Or(sg, t, t)
	return t
}

// ExpNeg returns exp(h) for h ≤ 0 or NaN (float64 only), h unchanged.
func (d *Desc) ExpNeg(h reg.VecVirtual) reg.VecVirtual {
	if !d.Is64() {
		panic("ewkit: ExpNeg is float64 only")
	}
	x := d.Vec()
	d.Max(h, d.lowClamp(), x) // NaN kept (first Go operand)
	p := d.reduce(x, false)
	// n = n1 + n2 with n1 = round(n/2): both 2^n1 and 2^n2 are normal.
	shifter := 1.5 * math.Ldexp(1, 52)
	kd1 := d.Vec()
	d.Load(d.CV("ew_shifter", shifter), kd1)
	d.FMA231(d.CV("ew_half", 0.5), p.n, kd1)
	n1 := d.Vec()
	d.Sub(d.CV("ew_shifter", shifter), kd1, n1)
	kd2 := d.Vec()
	d.Sub(n1, p.n, kd2)
	d.Add(d.CV("ew_shifter", shifter), kd2, kd2)
	s1 := d.pow2(kd1)
	s2 := d.pow2(kd2)
	e := d.Vec()
	d.Load(s1, e)
	d.FMA213(s1, p.q, e) // e = q·s1 + s1
	d.Mul(s2, e, e)
	return e
}

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

// Contrast returns g(v) for the vector v (unchanged) and adds g'(v) to
// s.Acc:
//
//	LogCosh: g = tanh(αv),  g' = α(1 − g²)
//	Exp:     g = v·e,       g' = (1 − v²)·e,  e = exp(−v²/2) (float64 math)
//	Cube:    g = (v·v)·v,   g' = (3v)·v
func (d *Desc) Contrast(s *ContrastState, v reg.VecVirtual) reg.VecVirtual {
	switch s.Kind {
	case LogCosh:
		y := d.Vec()
		d.Mul(s.Alpha, v, y)
		t := d.Tanh(y, s.Clamp)
		o := d.Vec()
		d.Load(d.CV("ew_one", 1), o)
		d.FNMA231(t, t, o) // 1 − t²
		d.FMA231(o, s.Alpha, s.Acc)
		return t
	case Cube:
		g := d.Vec()
		d.Mul(v, v, g)
		d.Mul(v, g, g)
		t := d.Vec()
		d.Mul(d.CV("ew_three", 3), v, t)
		d.FMA231(t, v, s.Acc)
		return g
	case Exp:
		if d.Is64() {
			return d.expContrast64(v, s.Acc)
		}
		e := d.F64()
		lo, hi := d.Widen(v)
		glo := e.expContrast64(lo, s.Acc)
		ghi := e.expContrast64(hi, s.Acc)
		return d.Narrow(glo, ghi)
	}
	panic("ewkit: unknown contrast " + s.Kind)
}

func (d *Desc) expContrast64(x, acc reg.VecVirtual) reg.VecVirtual {
	t := d.Vec()
	d.Mul(x, x, t)
	h := d.Vec()
	d.Mul(d.CV("ew_mhalf", -0.5), t, h)
	e := d.ExpNeg(h)
	g := d.Vec()
	d.Mul(e, x, g)
	o := d.Vec()
	d.Load(d.CV("ew_one", 1), o)
	d.Sub(t, o, o) // 1 − v²
	d.FMA231(o, e, acc)
	return g
}
