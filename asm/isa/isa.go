// Package isa describes the targets every deepica generator is written over:
// an element type (float32, float64) and an instruction set (AVX2+FMA3 with
// 16 YMM registers, AVX-512 with 32 ZMM registers and K masks). A generator
// takes a Desc and emits one function per target through the methods below,
// which pick the PS or PD form of each instruction, so the generator body is
// written once:
//
//	for _, d := range isa.All() {
//		TEXT(d.Name("axpy"), NOSPLIT, "func(a "+d.GoType()+", x, y []"+d.GoType()+")")
//		...
//		d.FMA231(x, a, y) // y += x·a, VFMADD231PS or VFMADD231PD
//	}
//
// Operand order is Go/Avo order: sources first, destination last.
// Anything not covered here is reached with Pick (Pick(VANDPS, VANDPD)) or
// by switching on Elem/Set directly.
package isa

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Set is an instruction set.
type Set int

const (
	AVX2   Set = iota // AVX2 + FMA3, YMM registers
	AVX512            // AVX-512 F/VL/DQ/BW, ZMM registers, K masks
)

func (s Set) String() string {
	if s == AVX512 {
		return "AVX512"
	}
	return "AVX2"
}

// Elem is an element type.
type Elem int

const (
	F32 Elem = iota
	F64
)

func (e Elem) String() string {
	if e == F64 {
		return "F64"
	}
	return "F32"
}

// Desc is one generation target.
type Desc struct {
	Elem Elem
	Set  Set
}

// All lists the four targets in a fixed order (the order functions appear
// in generated files): F32 AVX2, F64 AVX2, F32 AVX512, F64 AVX512.
func All() []Desc {
	return []Desc{{F32, AVX2}, {F64, AVX2}, {F32, AVX512}, {F64, AVX512}}
}

// Suffix names the target, e.g. "F32AVX512".
func (d Desc) Suffix() string { return d.Elem.String() + d.Set.String() }

// Name is base followed by the suffix: Name("gemmMicro") = "gemmMicroF32AVX512".
func (d Desc) Name(base string) string { return base + d.Suffix() }

// GoType is "float32" or "float64".
func (d Desc) GoType() string {
	if d.Elem == F64 {
		return "float64"
	}
	return "float32"
}

// Size is the element size in bytes.
func (d Desc) Size() int {
	if d.Elem == F64 {
		return 8
	}
	return 4
}

// VecBytes is the vector register size in bytes.
func (d Desc) VecBytes() int {
	if d.Set == AVX512 {
		return 64
	}
	return 32
}

// Lanes is the number of elements per vector register.
func (d Desc) Lanes() int { return d.VecBytes() / d.Size() }

// Regs is the number of vector registers.
func (d Desc) Regs() int {
	if d.Set == AVX512 {
		return 32
	}
	return 16
}

// Vec allocates a virtual vector register of the target's width.
func (d Desc) Vec() reg.VecVirtual {
	if d.Set == AVX512 {
		return ZMM()
	}
	return YMM()
}

// Phys is physical vector register i (Y0–Y15 or Z0–Z31), for kernels that
// lay out their registers by hand.
func (d Desc) Phys(i int) reg.VecPhysical {
	if i < 0 || i >= d.Regs() {
		panic(fmt.Sprintf("isa: %s has no vector register %d", d.Set, i))
	}
	if d.Set == AVX512 {
		return zmm[i]
	}
	return ymm[i]
}

// Half is the register of half the width aliasing v's low half (the YMM of a
// ZMM, the XMM of a YMM), for horizontal reductions.
func Half(v reg.Register) reg.Register {
	switch v.Size() {
	case 64:
		return v.(reg.Vec).AsY()
	case 32:
		return v.(reg.Vec).AsX()
	}
	panic("isa: Half of a " + fmt.Sprint(v.Size()) + "-byte register")
}

var ymm = []reg.VecPhysical{reg.Y0, reg.Y1, reg.Y2, reg.Y3, reg.Y4, reg.Y5, reg.Y6, reg.Y7,
	reg.Y8, reg.Y9, reg.Y10, reg.Y11, reg.Y12, reg.Y13, reg.Y14, reg.Y15}

var zmm = []reg.VecPhysical{reg.Z0, reg.Z1, reg.Z2, reg.Z3, reg.Z4, reg.Z5, reg.Z6, reg.Z7,
	reg.Z8, reg.Z9, reg.Z10, reg.Z11, reg.Z12, reg.Z13, reg.Z14, reg.Z15,
	reg.Z16, reg.Z17, reg.Z18, reg.Z19, reg.Z20, reg.Z21, reg.Z22, reg.Z23,
	reg.Z24, reg.Z25, reg.Z26, reg.Z27, reg.Z28, reg.Z29, reg.Z30, reg.Z31}

// Op is the signature of Avo's variadic instruction builders.
type Op = func(...operand.Op)

// Pick returns ps for float32 targets and pd for float64 ones.
func (d Desc) Pick(ps, pd Op) Op {
	if d.Elem == F64 {
		return pd
	}
	return ps
}

// Packed instructions, in Avo operand order (sources first, destination last).
// Masked AVX-512 forms take the mask before the destination, as in Avo.
func (d Desc) Load(ops ...operand.Op)      { d.Pick(VMOVUPS, VMOVUPD)(ops...) }           // unaligned load
func (d Desc) Store(ops ...operand.Op)     { d.Pick(VMOVUPS, VMOVUPD)(ops...) }           // unaligned store
func (d Desc) Broadcast(ops ...operand.Op) { d.Pick(VBROADCASTSS, VBROADCASTSD)(ops...) } // scalar (mem or xmm) to all lanes
func (d Desc) Add(ops ...operand.Op)       { d.Pick(VADDPS, VADDPD)(ops...) }
func (d Desc) Sub(ops ...operand.Op)       { d.Pick(VSUBPS, VSUBPD)(ops...) }
func (d Desc) Mul(ops ...operand.Op)       { d.Pick(VMULPS, VMULPD)(ops...) }
func (d Desc) Div(ops ...operand.Op)       { d.Pick(VDIVPS, VDIVPD)(ops...) }
func (d Desc) Max(ops ...operand.Op)       { d.Pick(VMAXPS, VMAXPD)(ops...) }
func (d Desc) Min(ops ...operand.Op)       { d.Pick(VMINPS, VMINPD)(ops...) }
func (d Desc) And(ops ...operand.Op)       { d.Pick(VANDPS, VANDPD)(ops...) }
func (d Desc) Or(ops ...operand.Op)        { d.Pick(VORPS, VORPD)(ops...) }
func (d Desc) Xor(ops ...operand.Op)       { d.Pick(VXORPS, VXORPD)(ops...) }

// FMA231 is acc = a·b + acc: FMA231(a, b, acc) (a may be memory).
func (d Desc) FMA231(ops ...operand.Op) { d.Pick(VFMADD231PS, VFMADD231PD)(ops...) }

// FMA213 is x = y·x + c: FMA213(c, y, x) (c may be memory).
func (d Desc) FMA213(ops ...operand.Op) { d.Pick(VFMADD213PS, VFMADD213PD)(ops...) }

// FNMA231 is acc = −a·b + acc: FNMA231(a, b, acc).
func (d Desc) FNMA231(ops ...operand.Op) { d.Pick(VFNMADD231PS, VFNMADD231PD)(ops...) }

// Zero clears vector register v.
func (d Desc) Zero(v reg.Register) { d.Xor(v, v, v) }

// Scalar (lowest-lane) instructions on XMM registers.
func (d Desc) LoadScalar(ops ...operand.Op)  { d.Pick(VMOVSS, VMOVSD)(ops...) }
func (d Desc) StoreScalar(ops ...operand.Op) { d.Pick(VMOVSS, VMOVSD)(ops...) }
func (d Desc) AddScalar(ops ...operand.Op)   { d.Pick(VADDSS, VADDSD)(ops...) }
func (d Desc) MulScalar(ops ...operand.Op)   { d.Pick(VMULSS, VMULSD)(ops...) }

// MaskedLoad loads the lanes selected by k from src into dst and zeroes the
// others; masked-off lanes are not read, so it may run past a slice's end
// (AVX-512 only).
func (d Desc) MaskedLoad(src operand.Op, k reg.Register, dst reg.Register) {
	d.needMasks()
	d.Pick(func(o ...operand.Op) { VMOVUPS_Z(o[0], o[1], o[2]) },
		func(o ...operand.Op) { VMOVUPD_Z(o[0], o[1], o[2]) })(src, k, dst)
}

// MaskedStore stores the lanes of src selected by k (AVX-512 only).
func (d Desc) MaskedStore(src reg.Register, k reg.Register, dst operand.Op) {
	d.needMasks()
	d.Store(src, k, dst)
}

// TailMask sets mask k to the low n lanes (0 ≤ n ≤ Lanes), n in a general
// register that is clobbered (AVX-512 only; BZHI needs BMI2, which every
// AVX-512 CPU has and the Requires: line lists).
func (d Desc) TailMask(n reg.GPVirtual, k reg.Register) {
	d.needMasks()
	ones := GP64()
	MOVQ(operand.U32(0xffff), ones)
	BZHIQ(n, ones, n)
	if d.Elem == F64 {
		KMOVB(n.As32(), k)
	} else {
		KMOVW(n.As32(), k)
	}
}

func (d Desc) needMasks() {
	if d.Set != AVX512 {
		panic("isa: masks need AVX-512")
	}
}
