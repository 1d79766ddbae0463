// Package ewkit extends the shared descriptor asm/isa with what the
// elementwise generators (vec, contrast, icastep, act) need on top of it:
// read-only constants, integer bit operations on float lanes, fixed-order
// horizontal sums and function prologue/epilogue helpers. It is local to
// these generators so that asm/isa stays the GEMM family's.
package ewkit

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/deepica/deepica/asm/isa"
)

// Desc is an isa.Desc with the helpers below.
type Desc struct {
	isa.Desc
}

// All returns the four targets in isa.All's order.
func All() []*Desc {
	var ds []*Desc
	for _, d := range isa.All() {
		ds = append(ds, &Desc{d})
	}
	return ds
}

// Is64 reports whether the element type is float64.
func (d *Desc) Is64() bool { return d.Elem == isa.F64 }

// Wide reports whether the target is AVX-512.
func (d *Desc) Wide() bool { return d.Set == isa.AVX512 }

// Width is the vector width in bytes.
func (d *Desc) Width() int { return d.VecBytes() }

// Requires is the doc line listing the CPU features the function needs.
func (d *Desc) Requires() string {
	if d.Wide() {
		return "Requires: AVX512F, AVX512DQ, AVX512VL"
	}
	return "Requires: AVX, AVX2, FMA3"
}

// Vecs allocates n virtual vector registers.
func (d *Desc) Vecs(n int) []reg.VecVirtual {
	v := make([]reg.VecVirtual, n)
	for i := range v {
		v[i] = d.Vec()
	}
	return v
}

// Begin starts a function: TEXT with the signature, the doc lines followed
// by the Requires line, and the noescape pragma.
func (d *Desc) Begin(name, sig string, doc ...string) {
	TEXT(name, NOSPLIT, sig)
	Pragma("noescape")
	Doc(append(append([]string{}, doc...), "", d.Requires())...)
}

// End emits VZEROUPPER and RET (every return from AVX code goes through it).
func (d *Desc) End() {
	VZEROUPPER()
	RET()
}

// Integer bit operations on the lanes, in Avo operand order.
func (d *Desc) IAND(a, b, c Op) {
	if d.Wide() {
		d.Pick(VPANDD, VPANDQ)(a, b, c)
		return
	}
	VPAND(a, b, c)
}

// IANDN is c = ^b & a.
func (d *Desc) IANDN(a, b, c Op) {
	if d.Wide() {
		d.Pick(VPANDND, VPANDNQ)(a, b, c)
		return
	}
	VPANDN(a, b, c)
}

func (d *Desc) IOR(a, b, c Op) {
	if d.Wide() {
		d.Pick(VPORD, VPORQ)(a, b, c)
		return
	}
	VPOR(a, b, c)
}

func (d *Desc) IXOR(a, b, c Op) {
	if d.Wide() {
		d.Pick(VPXORD, VPXORQ)(a, b, c)
		return
	}
	VPXOR(a, b, c)
}

// IADD adds lanes as integers of the element's size.
func (d *Desc) IADD(a, b, c Op) { d.Pick(VPADDD, VPADDQ)(a, b, c) }

// ISUB subtracts lanes as integers (c = b − a).
func (d *Desc) ISUB(a, b, c Op) { d.Pick(VPSUBD, VPSUBQ)(a, b, c) }

// ISHL shifts lanes left by the immediate.
func (d *Desc) ISHL(n int, a, c Op) { d.Pick(VPSLLD, VPSLLQ)(U8(n), a, c) }

// ISAR shifts 32-bit lanes right arithmetically (float32 only; AVX2 has
// no 64-bit arithmetic shift).
func (d *Desc) ISRL(n int, a, c Op) { d.Pick(VPSRLD, VPSRLQ)(U8(n), a, c) }

// FNMA213 is x = −(y·x) + c: FNMA213(c, y, x).
func (d *Desc) FNMA213(a, b, c Op) { d.Pick(VFNMADD213PS, VFNMADD213PD)(a, b, c) }

// FMS231 is acc = a·b − acc.
func (d *Desc) FMS231(a, b, c Op) { d.Pick(VFMSUB231PS, VFMSUB231PD)(a, b, c) }

var fileConsts = map[string]Mem{}

// Const returns a read-only memory operand holding v as one element of the
// descriptor's type (to broadcast). Constants are shared by name in a file.
func (d *Desc) Const(name string, v float64) Mem {
	if d.Is64() {
		return d.ConstBits(name, math.Float64bits(v))
	}
	return d.ConstBits(name, uint64(math.Float32bits(float32(v))))
}

// ConstBits is Const with the element given by its bit pattern.
func (d *Desc) ConstBits(name string, bits uint64) Mem {
	key := fmt.Sprintf("%s%d", name, d.Size()*8)
	if m, ok := fileConsts[key]; ok {
		return m
	}
	m := GLOBL(key, RODATA|NOPTR)
	if d.Is64() {
		DATA(0, U64(bits))
	} else {
		DATA(0, U32(uint32(bits)))
	}
	fileConsts[key] = m
	return m
}

// VConst broadcasts the named constant into a new register.
func (d *Desc) VConst(name string, v float64) reg.VecVirtual {
	r := d.Vec()
	d.Broadcast(d.Const(name, v), r)
	return r
}

// VConstBits broadcasts the constant with the given bits into a new register.
func (d *Desc) VConstBits(name string, bits uint64) reg.VecVirtual {
	r := d.Vec()
	d.Broadcast(d.ConstBits(name, bits), r)
	return r
}

// ReduceAdd adds the lanes of v (clobbered) and leaves the sum in the low
// element of the returned XMM register, in a fixed order: the upper half is
// added to the lower half (512→256→128 bits), then within the 128-bit lane
// (f64: l0+l1; f32: (l0+l2)+(l1+l3)).
func (d *Desc) ReduceAdd(v reg.VecVirtual) reg.VecVirtual {
	if d.Wide() {
		y := YMM()
		VEXTRACTF64X4(U8(1), v, y)
		d.Add(y, v.AsY(), y)
		v = y
	}
	x := XMM()
	VEXTRACTF128(U8(1), v.AsY(), x)
	d.Add(x, v.AsX(), x)
	t := XMM()
	if d.Is64() {
		VPERMILPD(U8(1), x, t)
		VADDSD(t, x, x)
		return x
	}
	VMOVHLPS(x, x, t)
	VADDPS(t, x, x)
	VMOVSHDUP(x, t)
	VADDSS(t, x, x)
	return x
}

// Itoa formats i (for doc lines).
func Itoa(i int) string { return fmt.Sprint(i) }

// Comparison predicates (VCMPPS/VCMPPD immediates).
const (
	CmpUnord = 0x03 // unordered (either is NaN)
	CmpNLT   = 0x05 // not less than, true on NaN
	CmpGT    = 0x1e // greater than, false on NaN
)

// Cmp returns a lane mask of (src1 pred src2): a K register on AVX-512, a
// vector of all-ones/all-zeros lanes on AVX2.
func (d *Desc) Cmp(pred int, src2, src1 Op) reg.Register {
	var k reg.Register
	if d.Wide() {
		k = K()
	} else {
		k = d.Vec()
	}
	d.Pick(VCMPPS, VCMPPD)(U8(pred), src2, src1, k)
	return k
}

// Blend sets dst = mask ? a : b lane by lane (a, b registers).
func (d *Desc) Blend(mask reg.Register, a, b, dst Op) {
	if d.Wide() {
		d.Pick(VBLENDMPS, VBLENDMPD)(a, b, mask, dst)
		return
	}
	if d.Is64() {
		VBLENDVPD(mask, a, b, dst)
		return
	}
	VBLENDVPS(mask, a, b, dst)
}

// Sqrt is dst = √a.
func (d *Desc) Sqrt(a, dst Op) { d.Pick(VSQRTPS, VSQRTPD)(a, dst) }
