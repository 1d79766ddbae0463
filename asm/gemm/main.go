// Command gemm generates the GEMM micro-kernels of package kernels: one
// register-blocked MR×NR tile kernel per element type and instruction set.
//
// The kernel multiplies a packed MR×kc panel of op(A) (for each p, MR
// consecutive values) by a packed kc×NR panel of op(B) (for each p, NR
// consecutive values). The NR columns are vectors (NR = NV·lanes), the MR
// rows are broadcast scalars, so one step of p costs NV vector loads, MR
// broadcasts and MR·NV FMAs into MR·NV accumulator registers that stay in
// registers for the whole reduction. Shapes:
//
//	AVX-512: 14×32 f32 / 14×16 f64 (28 accumulators + 2 B + 2 A registers of 32)
//	AVX2:     6×16 f32 /  6×8  f64 (12 accumulators + 2 B + 2 A registers of 16)
//
// Both keep two FMA ports busy: each step has MR·NV independent FMAs,
// far more than the 8 in flight that FMA latency × throughput needs.
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/deepica/deepica/asm/isa"
)

// shape is the register tile of a target.
type shape struct{ mr, nv int }

func tile(d isa.Desc) shape {
	if d.Set == isa.AVX512 {
		return shape{mr: 14, nv: 2}
	}
	return shape{mr: 6, nv: 2}
}

// gramTile is the tile of the Gram kernel, whose A panel is a slice of a B
// panel (astride = NR): its MR must divide NR. GEMM uses the same short
// tile (gemmMicroShort) when m is a multiple of it but not of the tall
// tile's MR: 32 output channels are 4 tiles of 8 rather than 3 of 14 (42
// rows computed for 32).
func gramTile(d isa.Desc) shape {
	if d.Set == isa.AVX512 {
		return shape{mr: 8, nv: 2}
	}
	return shape{mr: 4, nv: 2}
}

const unroll = 4

// microOpt selects a variant of the micro-kernel (see micro).
type microOpt struct{ nt, ald bool }

// aAhead is how many reduction steps ahead of its use the A stream is
// prefetched, every cache line of it.
const aAhead = 16

func main() {
	ConstraintExpr("!purego")
	for _, d := range isa.All() {
		s := tile(d)
		micro(d, "gemmMicro", s, s.mr, true, microOpt{})
	}
	for _, d := range isa.All() {
		s := gramTile(d)
		micro(d, "gemmMicroShort", s, s.mr, true, microOpt{})
	}
	for _, d := range isa.All() {
		s := gramTile(d)
		micro(d, "gramMicro", s, s.nv*d.Lanes(), false, microOpt{})
	}
	for _, d := range isa.All() {
		s := tile(d)
		micro(d, "gemmMicroNT", s, s.mr, true, microOpt{nt: true})
	}
	for _, d := range isa.All() {
		s := gramTile(d)
		micro(d, "gemmMicroShortNT", s, s.mr, true, microOpt{nt: true})
	}
	for _, d := range isa.All() {
		s := gramTile(d)
		micro(d, "gramMicroInPlace", s, 0, true, microOpt{ald: true})
	}
	for _, d := range isa.All() {
		if d.Set == isa.AVX512 {
			packGather(d)
		}
	}
	packTrans14()
	sfence()
	for _, d := range isa.All() {
		if d.Set == isa.AVX512 {
			packTransB(d, false)
		}
	}
	for _, d := range isa.All() {
		if d.Set == isa.AVX512 && d.Elem == isa.F64 {
			packTransB(d, true)
		}
	}
	for _, d := range isa.All() {
		packRowsB(d, false)
		if d.Set == isa.AVX512 {
			packRowsB(d, true)
		}
	}
	Generate()
}

// micro emits an MR×NR tile kernel whose A panel advances by astride
// elements per reduction step (MR for a packed A panel, NR when the A panel
// is a slice of a packed B panel, as in Gram). With ldb set, B's rows are
// ldb elements apart (a packed panel has ldb = NR; an unpacked row-major B
// is read in place); otherwise ldb is NR.
//
// Variants: with o.nt the overwrite path (accum = 0) stores C with
// non-temporal stores (c 64-byte aligned, ldc·size a multiple of 64; the
// caller fences) and C is not prefetched: for a C far larger than the
// caches, written once. With o.ald (needs ldb) the A operand is read in
// place too, ldb elements per step, a[p·ldb+i]: Gram of a row-major
// matrix's columns (XᵀX) without packing.
func micro(d isa.Desc, base string, s shape, astride int, ldb bool, o microOpt) {
	nr := s.nv * d.Lanes()
	t := d.GoType()
	name := d.Name(base)
	bs := fmt.Sprint(nr)
	as := fmt.Sprint(astride)
	if o.ald {
		as = "ldb"
	}
	if ldb {
		bs = "ldb"
		TEXT(name, NOSPLIT, fmt.Sprintf("func(kc int, a, b *%s, ldb int, c *%s, ldc int, alpha, beta %s, accum int)", t, t, t))
	} else {
		TEXT(name, NOSPLIT, fmt.Sprintf("func(kc int, a, b, c *%s, ldc int, alpha, beta %s, accum int)", t, t))
	}
	Doc(fmt.Sprintf("%s computes, for the %d×%d tile c (row stride ldc elements),", name, s.mr, nr),
		fmt.Sprintf("c[i][j] = alpha·Σ_p a[p·%s+i]·b[p·%s+j] (+ beta·c[i][j] when accum ≠ 0), p < kc:", as, bs),
		"",
		"\tfor i := range MR { for j := range NR {",
		"\t\tvar acc T",
		fmt.Sprintf("\t\tfor p := range kc { acc = fma(a[p*%s+i], b[p*%s+j], acc) }", as, bs),
		"\t\tif accum != 0 { c[i*ldc+j] = fma(beta, c[i*ldc+j], alpha*acc) } else { c[i*ldc+j] = alpha*acc }",
		"\t}}",
		"",
		fmt.Sprintf("kc ≥ 0; a holds (kc−1)·%s+MR and b (kc−1)·%s+NR elements; c must be a full tile.", as, bs))
	if o.nt {
		Doc("With accum = 0, c is written with non-temporal stores: c must be 64-byte",
			"aligned and ldc·size a multiple of 64, and the caller runs sfence before",
			"anything else may read c.")
	}
	Pragma("noescape")

	nacc := s.mr * s.nv
	acc := func(i, v int) reg.VecPhysical { return d.Phys(i*s.nv + v) }
	breg := make([]reg.VecPhysical, s.nv)
	for v := range breg {
		breg[v] = d.Phys(nacc + v)
	}
	areg := []reg.VecPhysical{d.Phys(nacc + s.nv), d.Phys(nacc + s.nv + 1)}
	if nacc+s.nv+2 > d.Regs() {
		panic("gemm: register tile too large for " + d.Set.String())
	}

	kc := Load(Param("kc"), GP64())
	pa := Load(Param("a"), GP64())
	pb := Load(Param("b"), GP64())
	var bstr, pb2 reg.Register // B row stride in bytes; pb + 2 rows
	if ldb {
		bstr = Load(Param("ldb"), GP64())
		SHLQ(U8(log2(d.Size())), bstr)
		pb2 = GP64()
	}
	pc := Load(Param("c"), GP64())
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(log2(d.Size())), ldc) // bytes per C row

	// Warm the C tile while the reduction runs: it is needed only at the
	// end. One row per unrolled step, not all at once: MR·NV misses issued
	// together fill the L1's miss buffers and stall the A stream behind them.
	var cpf, cend reg.Register
	if !o.nt {
		cpf, cend = GP64(), GP64()
		MOVQ(pc, cpf)
		IMUL3Q(U32(s.mr), ldc, cend)
		ADDQ(pc, cend)
	}
	var pa2 reg.Register // pa + 2 rows, for o.ald
	if o.ald {
		pa2 = GP64()
	}

	for i := 0; i < s.mr; i++ {
		for v := 0; v < s.nv; v++ {
			d.Zero(acc(i, v))
		}
	}

	astep := astride * d.Size()
	bstep := nr * d.Size()
	brow := func(u int) Mem { // row u of the current group of B rows
		if !ldb {
			return Mem{Base: pb, Disp: u * bstep}
		}
		m := Mem{Base: pb}
		if u >= 2 {
			m.Base = pb2
		}
		if u%2 == 1 {
			m.Index, m.Scale = bstr, 1
		}
		return m
	}
	step := func(u int) {
		for v := 0; v < s.nv; v++ {
			d.Load(brow(u).Offset(v*d.VecBytes()), breg[v])
		}
		for i := 0; i < s.mr; i++ {
			ar := areg[i%2]
			am := Mem{Base: pa, Disp: u*astep + i*d.Size()}
			if o.ald {
				am = Mem{Base: pa, Disp: i * d.Size()}
				if u >= 2 {
					am.Base = pa2
				}
				if u%2 == 1 {
					am.Index, am.Scale = bstr, 1
				}
			}
			d.Broadcast(am, ar)
			for v := 0; v < s.nv; v++ {
				d.FMA231(breg[v], ar, acc(i, v))
			}
		}
	}

	Comment("Reduction: unrolled by 4, then single steps.")
	Label(name + "_unrolled")
	CMPQ(kc, U8(unroll))
	JL(LabelRef(name + "_single"))
	if !o.nt {
		CMPQ(cpf, cend)
		JAE(LabelRef(name + "_cdone"))
		PREFETCHT0(Mem{Base: cpf})
		if s.nv*d.VecBytes() > 64 {
			PREFETCHT0(Mem{Base: cpf, Disp: s.nv*d.VecBytes() - 1})
		}
		ADDQ(ldc, cpf)
		Label(name + "_cdone")
	}
	// Keep the A stream ahead of its use (every line of a packed panel, one
	// line per step of a panel slice). A packed B panel is L1-resident; B
	// read in place comes from memory (see below). A read in place (o.ald)
	// is the same rows as B: sequential, left to the hardware prefetcher.
	if !o.ald {
		pfStep := 64 // a packed A panel: every line
		if astride > s.mr {
			pfStep = astep // a slice of a B panel: the line each step reads
		}
		for off := 0; off < unroll*astep; off += pfStep {
			PREFETCHT0(Mem{Base: pa, Disp: aAhead*astep + off})
		}
	} else {
		LEAQ(Mem{Base: pa, Index: bstr, Scale: 2}, pa2)
	}
	if ldb {
		// The same rows of the next NR columns: the next panel, which the
		// first tile of the next call streams from memory.
		LEAQ(Mem{Base: pb, Index: bstr, Scale: 2}, pb2)
		for u := 0; u < unroll; u++ {
			for off := 0; off < s.nv*d.VecBytes(); off += 64 {
				PREFETCHT0(brow(u).Offset(bstep + off))
			}
		}
	}
	for u := 0; u < unroll; u++ {
		step(u)
	}
	if o.ald {
		LEAQ(Mem{Base: pa, Index: bstr, Scale: 4}, pa)
	} else {
		ADDQ(U32(unroll*astep), pa)
	}
	if ldb {
		LEAQ(Mem{Base: pb, Index: bstr, Scale: 4}, pb)
	} else {
		ADDQ(U32(unroll*bstep), pb)
	}
	SUBQ(U8(unroll), kc)
	JMP(LabelRef(name + "_unrolled"))

	Label(name + "_single")
	TESTQ(kc, kc)
	JZ(LabelRef(name + "_update"))
	step(0)
	if o.ald {
		ADDQ(bstr, pa)
	} else {
		ADDQ(U32(astep), pa)
	}
	if ldb {
		ADDQ(bstr, pb)
	} else {
		ADDQ(U32(bstep), pb)
	}
	DECQ(kc)
	JMP(LabelRef(name + "_single"))

	Label(name + "_update")
	Comment("C update: scale by alpha, then add beta·C unless C is to be overwritten.")
	alpha, beta := breg[0], breg[1]
	d.Broadcast(paramAddr("alpha"), alpha)
	d.Broadcast(paramAddr("beta"), beta)
	for i := 0; i < s.mr; i++ {
		for v := 0; v < s.nv; v++ {
			d.Mul(alpha, acc(i, v), acc(i, v))
		}
	}
	accum := Load(Param("accum"), GP64())
	TESTQ(accum, accum)
	JZ(LabelRef(name + "_overwrite"))
	update(d, s, acc, pc, ldc, func(i, v int, m Mem) {
		d.FMA231(m, beta, acc(i, v))
		d.Store(acc(i, v), m)
	})
	VZEROUPPER()
	RET()

	Label(name + "_overwrite")
	update(d, s, acc, pc, ldc, func(i, v int, m Mem) {
		if o.nt {
			if d.Elem == isa.F32 {
				VMOVNTPS(acc(i, v), m)
			} else {
				VMOVNTPD(acc(i, v), m)
			}
		} else {
			d.Store(acc(i, v), m)
		}
	})
	VZEROUPPER()
	RET()
}

func update(d isa.Desc, s shape, acc func(i, v int) reg.VecPhysical, pc, ldc reg.Register, op func(i, v int, m Mem)) {
	for i := 0; i < s.mr; i++ {
		for v := 0; v < s.nv; v++ {
			op(i, v, Mem{Base: pc, Disp: v * d.VecBytes()})
		}
		if i < s.mr-1 {
			ADDQ(ldc, pc)
		}
	}
}

// paramAddr is the stack address of a scalar argument, for instructions that
// take it straight from memory.
func paramAddr(name string) Mem {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

func log2(n int) int {
	l := 0
	for 1<<l < n {
		l++
	}
	return l
}

// packGather emits the transposing pack of a full B panel (AVX-512 only):
// NR source rows of kc contiguous values become kc rows of NR values. Each
// output vector is one gather of lanes values, one from each source row at
// the same p, so the cost is about one load per element with no shuffles;
// the scalar Go loop it replaces stores one element per cycle at best and
// was a third of XXᵀ's time.
func packGather(d isa.Desc) {
	s := tile(d)
	nr := s.nv * d.Lanes()
	t := d.GoType()
	name := d.Name("packGather")
	TEXT(name, NOSPLIT, fmt.Sprintf("func(src *%s, idx *int32, dst *%s, kc int, shift *%s)", t, t, t))
	Doc(fmt.Sprintf("%s transposes %d rows of src into dst, subtracting shift:", name, nr),
		"",
		fmt.Sprintf("\tfor p := range kc { for q := range %d { dst[p*%d+q] = src[q*ld+p] - shift[q] } }", nr, nr),
		"",
		fmt.Sprintf("idx[q] = q·ld·%d for q < %d: the byte offsets of the first %d rows, which", d.Size(), d.Lanes(), d.Lanes()),
		fmt.Sprintf("must fit in int32; rows %d and up follow at the same spacing.", d.Lanes()))
	Pragma("noescape")
	src := Load(Param("src"), GP64())
	pidx := Load(Param("idx"), GP64())
	dst := Load(Param("dst"), GP64())
	kc := Load(Param("kc"), GP64())
	psh := Load(Param("shift"), GP64())

	// Index vector: Lanes int32 offsets (a ZMM for f32, a YMM for f64).
	var idx reg.VecVirtual
	if d.Elem == isa.F32 {
		idx = ZMM()
		VMOVDQU32(Mem{Base: pidx}, idx)
	} else {
		idx = YMM()
		VMOVDQU(Mem{Base: pidx}, idx)
	}
	// Second group of Lanes rows: Lanes·spacing bytes further.
	src2 := GP64()
	spacing := GP64()
	MOVLQSX(Mem{Base: pidx, Disp: 4}, spacing)
	IMUL3Q(U8(d.Lanes()), spacing, spacing)
	LEAQ(Mem{Base: src, Index: spacing, Scale: 1}, src2)

	sh := make([]reg.VecVirtual, s.nv)
	for v := range sh {
		sh[v] = d.Vec()
		d.Load(Mem{Base: psh, Disp: v * d.VecBytes()}, sh[v])
	}
	bases := []reg.Register{src, src2}
	k := K()
	x := d.Vec()
	Label(name + "_loop")
	TESTQ(kc, kc)
	JZ(LabelRef(name + "_done"))
	for v := 0; v < s.nv; v++ {
		m := Mem{Base: bases[v], Index: idx, Scale: 1}
		if d.Elem == isa.F32 {
			KXNORW(k, k, k)
			VGATHERDPS(m, k, x)
		} else {
			KXNORB(k, k, k)
			VGATHERDPD(m, k, x)
		}
		d.Sub(sh[v], x, x)
		d.Store(x, Mem{Base: dst, Disp: v * d.VecBytes()})
	}
	ADDQ(U8(d.Size()), src)
	ADDQ(U8(d.Size()), src2)
	ADDQ(U32(nr*d.Size()), dst)
	DECQ(kc)
	JMP(LabelRef(name + "_loop"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// packTrans14 emits the transposing pack of a full 14-row float32 A panel
// (the AVX-512 tile's MR) for a reduction that is a multiple of 16: each
// block of 16 columns of the 14 rows (two rows repeated to make 16) is
// transposed in registers by the usual four interleave/shuffle stages and
// stored as 16 masked 14-lane rows. The Go loop it replaces stores one
// element at a time and was a fifth of a convolution's backward pass (the
// ∂W product packs the whole column matrix this way).
func packTrans14() {
	const mr = 14
	name := "packTrans14F32AVX512"
	TEXT(name, NOSPLIT, "func(src *float32, ld int, dst *float32, kc16 int)")
	Doc(name+" transposes 14 rows of src (row stride ld elements) into dst:",
		"",
		"\tfor p := range 16*kc16 { for q := range 14 { dst[p*14+q] = src[q*ld+p] } }")
	Pragma("noescape")
	src := Load(Param("src"), GP64())
	ld := Load(Param("ld"), GP64())
	dst := Load(Param("dst"), GP64())
	n := Load(Param("kc16"), GP64())
	SHLQ(U8(2), ld) // bytes
	ld3, ld5, ld7, src8 := GP64(), GP64(), GP64(), GP64()
	LEAQ(Mem{Base: ld, Index: ld, Scale: 2}, ld3)
	LEAQ(Mem{Base: ld, Index: ld, Scale: 4}, ld5)
	LEAQ(Mem{Base: ld3, Index: ld, Scale: 4}, ld7)
	LEAQ(Mem{Base: src, Index: ld, Scale: 8}, src8)
	mask := GP32()
	MOVL(U32(1<<mr-1), mask)
	k := K()
	KMOVW(mask, k)
	// row i's address
	rows := func(i int) Mem {
		base := src
		if i >= 8 {
			base, i = src8, i-8
		}
		switch i {
		case 0:
			return Mem{Base: base}
		case 1, 2, 4, 8:
			return Mem{Base: base, Index: ld, Scale: uint8(i)}
		case 3:
			return Mem{Base: base, Index: ld3, Scale: 1}
		case 5:
			return Mem{Base: base, Index: ld5, Scale: 1}
		case 6:
			return Mem{Base: base, Index: ld3, Scale: 2}
		}
		return Mem{Base: base, Index: ld7, Scale: 1}
	}
	Label(name + "_loop")
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	r := make([]reg.VecVirtual, 16)
	for i := 0; i < mr; i++ {
		r[i] = ZMM()
		VMOVUPS(rows(i), r[i])
	}
	r[14], r[15] = r[13], r[13]
	// t[2i], t[2i+1]: rows 2i and 2i+1 interleaved by element
	t := make([]reg.VecVirtual, 16)
	for i := 0; i < 8; i++ {
		t[2*i], t[2*i+1] = ZMM(), ZMM()
		VUNPCKLPS(r[2*i+1], r[2*i], t[2*i])
		VUNPCKHPS(r[2*i+1], r[2*i], t[2*i+1])
	}
	// u[4i+j], 128-bit lane l: rows 4i..4i+3 at column 4l+j
	u := make([]reg.VecVirtual, 16)
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			u[4*i+j] = ZMM()
		}
		VUNPCKLPD(t[4*i+2], t[4*i], u[4*i])
		VUNPCKHPD(t[4*i+2], t[4*i], u[4*i+1])
		VUNPCKLPD(t[4*i+3], t[4*i+1], u[4*i+2])
		VUNPCKHPD(t[4*i+3], t[4*i+1], u[4*i+3])
	}
	// column 4l+j gathers lane l of u[j], u[4+j], u[8+j], u[12+j]
	for j := 0; j < 4; j++ {
		v := []reg.VecVirtual{ZMM(), ZMM(), ZMM(), ZMM()}
		VSHUFF32X4(U8(0x44), u[4+j], u[j], v[0])
		VSHUFF32X4(U8(0xEE), u[4+j], u[j], v[1])
		VSHUFF32X4(U8(0x44), u[12+j], u[8+j], v[2])
		VSHUFF32X4(U8(0xEE), u[12+j], u[8+j], v[3])
		for l := 0; l < 4; l++ {
			o := ZMM()
			imm := U8(0x88)
			if l%2 == 1 {
				imm = U8(0xDD)
			}
			VSHUFF32X4(imm, v[l/2+2], v[l/2], o)
			VMOVUPS(o, k, Mem{Base: dst, Disp: (4*l + j) * mr * 4})
		}
	}
	ADDQ(U8(64), src)
	ADDQ(U8(64), src8)
	ADDQ(U32(16*mr*4), dst)
	DECQ(n)
	JMP(LabelRef(name + "_loop"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// packTransB emits the transposing pack of a full AVX-512 B panel (NR = 32
// f32 / 16 f64 rows of kc contiguous values become kc rows of NR values,
// minus a per-row shift), for a reduction that is a multiple of the vector
// length L (the Go caller packs the rest): each block of L columns of a
// group of L rows is transposed in registers (f32 16×16: four
// unpack/shuffle stages; f64 8×8: three) and each column is stored as one
// vector. Shuffles cost about one port-5 operation per element moved,
// against the gather's several, which made packing a fifth of XXᵀ.
//
// With wide (f64 only: packTransBWide) src holds float32 values, each
// row's 8 read and widened by one VCVTPS2PD: the float64 Gram of float32
// data (GramWide) packs at the f64 kernel's cost, with no widened copy.
func packTransB(d isa.Desc, wide bool) {
	s := tile(d)
	nr := s.nv * d.Lanes()
	L := d.Lanes()
	t := d.GoType()
	st, srcSize, fn, elem := t, d.Size(), "packTransB", "src[q*ld+p]"
	if wide {
		st, srcSize, fn, elem = "float32", 4, "packTransBWide", "float64(src[q*ld+p])"
	}
	name := d.Name(fn)
	TEXT(name, NOSPLIT, fmt.Sprintf("func(src *%s, ld int, dst *%s, kcl int, shift *%s)", st, t, t))
	Doc(fmt.Sprintf("%s transposes %d rows of src (row stride ld elements) into dst,", name, nr),
		"subtracting shift:",
		"",
		fmt.Sprintf("\tfor p := range %d*kcl { for q := range %d { dst[p*%d+q] = %s - shift[q] } }", L, nr, nr, elem))
	Pragma("noescape")
	src := Load(Param("src"), GP64())
	ld := Load(Param("ld"), GP64())
	dst := Load(Param("dst"), GP64())
	n := Load(Param("kcl"), GP64())
	psh := Load(Param("shift"), GP64())
	SHLQ(U8(log2(srcSize)), ld) // bytes
	ld3, ld5, ld7 := GP64(), GP64(), GP64()
	LEAQ(Mem{Base: ld, Index: ld, Scale: 2}, ld3)
	LEAQ(Mem{Base: ld, Index: ld, Scale: 4}, ld5)
	LEAQ(Mem{Base: ld3, Index: ld, Scale: 4}, ld7)
	// bases[g]: row 8g, so that rows 8g..8g+7 are base + {0,1,2,4,8}·ld etc.
	nb := nr / 8
	bases := make([]reg.Register, nb)
	bases[0] = src
	for g := 1; g < nb; g++ {
		bases[g] = GP64()
		LEAQ(Mem{Base: bases[g-1], Index: ld, Scale: 8}, bases[g])
	}
	row := func(i int) Mem {
		base := bases[i/8]
		switch i % 8 {
		case 0:
			return Mem{Base: base}
		case 1, 2, 4:
			return Mem{Base: base, Index: ld, Scale: uint8(i % 8)}
		case 3:
			return Mem{Base: base, Index: ld3, Scale: 1}
		case 5:
			return Mem{Base: base, Index: ld5, Scale: 1}
		case 6:
			return Mem{Base: base, Index: ld3, Scale: 2}
		}
		return Mem{Base: base, Index: ld7, Scale: 1}
	}
	sh := make([]reg.VecVirtual, s.nv)
	for v := range sh {
		sh[v] = d.Vec()
		d.Load(Mem{Base: psh, Disp: v * d.VecBytes()}, sh[v])
	}
	Label(name + "_loop")
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	for g := 0; g < s.nv; g++ { // group of L rows: vector g of each output row
		store := func(col int, v reg.VecVirtual) {
			d.Sub(sh[g], v, v)
			d.Store(v, Mem{Base: dst, Disp: col*nr*d.Size() + g*d.VecBytes()})
		}
		r := make([]reg.VecVirtual, L)
		for i := range r {
			r[i] = d.Vec()
			if wide {
				VCVTPS2PD(row(g*L+i), r[i])
			} else {
				d.Load(row(g*L+i), r[i])
			}
		}
		if d.Elem == isa.F32 {
			transpose16F32(r, store)
		} else {
			transpose8F64(r, store)
		}
	}
	for _, b := range bases {
		ADDQ(U8(L*srcSize), b)
	}
	ADDQ(U32(L*nr*d.Size()), dst)
	DECQ(n)
	JMP(LabelRef(name + "_loop"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// packRowsB emits the packer of one B panel from a row-major op(B) (rows
// ld elements apart), centring it: NR = NV vectors per row, copied and
// shifted with whole vectors, two rows per loop step. The Go loop it
// replaces handled one element at a time, and its packing was most of a
// centred XᵀX of a tall matrix (FastICA's covariance whitening). With tail
// (AVX-512), packRowsBTail: the last, partial panel of a block, cols < NR
// values per row read with masked loads (the lanes past them are neither
// read nor shifted) and whole rows stored, zero-padded.
func packRowsB(d isa.Desc, tail bool) {
	s := tile(d)
	nr := s.nv * d.Lanes()
	t := d.GoType()
	name, sig := d.Name("packRowsB"), fmt.Sprintf("func(src *%s, ld int, dst *%s, kc int, shift *%s)", t, t, t)
	doc := []string{fmt.Sprintf("%s packs kc rows of %d values of src (row stride ld elements) into dst,", name, nr),
		"subtracting shift:", "",
		fmt.Sprintf("\tfor p := range kc { for q := range %d { dst[p*%d+q] = src[p*ld+q] - shift[q] } }", nr, nr)}
	if tail {
		name, sig = d.Name("packRowsBTail"), fmt.Sprintf("func(src *%s, ld int, dst *%s, kc int, shift *%s, cols int)", t, t, t)
		doc = []string{fmt.Sprintf("%s packs kc rows of cols < %d values of src (row stride ld elements) into dst,", name, nr),
			"subtracting shift, and zero-pads them:", "",
			fmt.Sprintf("\tfor p := range kc { for q := range %d { dst[p*%d+q] = 0; if q < cols { dst[p*%d+q] = src[p*ld+q] - shift[q] } } }", nr, nr, nr)}
	}
	TEXT(name, NOSPLIT, sig)
	Doc(doc...)
	Pragma("noescape")
	src := Load(Param("src"), GP64())
	ld := Load(Param("ld"), GP64())
	dst := Load(Param("dst"), GP64())
	n := Load(Param("kc"), GP64())
	psh := Load(Param("shift"), GP64())
	SHLQ(U8(log2(d.Size())), ld) // bytes
	load := func(m Mem, v int, x reg.VecVirtual) { d.Load(m, x) }
	if tail {
		// masks: the lanes of vector v below cols − v·L
		ks := make([]reg.Register, s.nv)
		for v := range ks {
			ks[v] = K()
			c := Load(Param("cols"), GP64())
			SUBQ(U32(v*d.Lanes()), c)
			zero, top := GP64(), GP64()
			XORQ(zero, zero)
			CMPQ(c, zero)
			CMOVQLT(zero, c) // max(c, 0)
			MOVQ(U32(d.Lanes()), top)
			CMPQ(c, top)
			CMOVQGT(top, c) // min(c, L)
			d.TailMask(c.(reg.GPVirtual), ks[v])
		}
		load = func(m Mem, v int, x reg.VecVirtual) { d.MaskedLoad(m, ks[v], x) }
	}
	sh := make([]reg.VecVirtual, s.nv)
	for v := range sh {
		sh[v] = d.Vec()
		load(Mem{Base: psh, Disp: v * d.VecBytes()}, v, sh[v])
	}
	row := func(next bool) {
		for v := range sh {
			x := d.Vec()
			m := Mem{Base: src, Disp: v * d.VecBytes()}
			disp := v * d.VecBytes()
			if next {
				m.Index, m.Scale = ld, 1
				disp += nr * d.Size()
			}
			load(m, v, x)
			d.Sub(sh[v], x, x)
			d.Store(x, Mem{Base: dst, Disp: disp})
		}
	}
	Label(name + "_pairs")
	CMPQ(n, U8(2))
	JB(LabelRef(name + "_last"))
	row(false)
	row(true)
	LEAQ(Mem{Base: src, Index: ld, Scale: 2}, src)
	ADDQ(U32(2*nr*d.Size()), dst)
	SUBQ(U8(2), n)
	JMP(LabelRef(name + "_pairs"))
	Label(name + "_last")
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	row(false)
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// transpose16F32 transposes the 16×16 float32 block held in r (row i in
// r[i]) and hands column c to store as it is formed.
func transpose16F32(r []reg.VecVirtual, store func(col int, v reg.VecVirtual)) {
	// t[2i], t[2i+1]: rows 2i and 2i+1 interleaved by element
	t := make([]reg.VecVirtual, 16)
	for i := 0; i < 8; i++ {
		t[2*i], t[2*i+1] = ZMM(), ZMM()
		VUNPCKLPS(r[2*i+1], r[2*i], t[2*i])
		VUNPCKHPS(r[2*i+1], r[2*i], t[2*i+1])
	}
	// u[4i+j], 128-bit lane l: rows 4i..4i+3 at column 4l+j
	u := make([]reg.VecVirtual, 16)
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			u[4*i+j] = ZMM()
		}
		VUNPCKLPD(t[4*i+2], t[4*i], u[4*i])
		VUNPCKHPD(t[4*i+2], t[4*i], u[4*i+1])
		VUNPCKLPD(t[4*i+3], t[4*i+1], u[4*i+2])
		VUNPCKHPD(t[4*i+3], t[4*i+1], u[4*i+3])
	}
	// column 4l+j gathers lane l of u[j], u[4+j], u[8+j], u[12+j]
	for j := 0; j < 4; j++ {
		v := []reg.VecVirtual{ZMM(), ZMM(), ZMM(), ZMM()}
		VSHUFF32X4(U8(0x44), u[4+j], u[j], v[0])
		VSHUFF32X4(U8(0xEE), u[4+j], u[j], v[1])
		VSHUFF32X4(U8(0x44), u[12+j], u[8+j], v[2])
		VSHUFF32X4(U8(0xEE), u[12+j], u[8+j], v[3])
		for l := 0; l < 4; l++ {
			o := ZMM()
			imm := U8(0x88)
			if l%2 == 1 {
				imm = U8(0xDD)
			}
			VSHUFF32X4(imm, v[l/2+2], v[l/2], o)
			store(4*l+j, o)
		}
	}
}

// transpose8F64 transposes the 8×8 float64 block held in r and hands
// column c to store as it is formed.
func transpose8F64(r []reg.VecVirtual, store func(col int, v reg.VecVirtual)) {
	// t[2i] (t[2i+1]): rows 2i, 2i+1 at the even (odd) columns; 128-bit
	// lane l holds column 2l (2l+1).
	t := make([]reg.VecVirtual, 8)
	for i := 0; i < 4; i++ {
		t[2*i], t[2*i+1] = ZMM(), ZMM()
		VUNPCKLPD(r[2*i+1], r[2*i], t[2*i])
		VUNPCKHPD(r[2*i+1], r[2*i], t[2*i+1])
	}
	for h := 0; h < 2; h++ { // h = 0: even columns, 1: odd
		// v0 lanes: cols {0,4} of rows 0-1, cols {0,4} of rows 2-3 (offset by h)
		v := []reg.VecVirtual{ZMM(), ZMM(), ZMM(), ZMM()}
		VSHUFF64X2(U8(0x88), t[2+h], t[h], v[0]) // rows 0-3, columns 0, 4 (+h)
		VSHUFF64X2(U8(0xDD), t[2+h], t[h], v[1]) // rows 0-3, columns 2, 6 (+h)
		VSHUFF64X2(U8(0x88), t[6+h], t[4+h], v[2])
		VSHUFF64X2(U8(0xDD), t[6+h], t[4+h], v[3])
		for q := 0; q < 4; q++ { // column 2q+h: q = 0,2 from v[0]/v[2], 1,3 from v[1]/v[3]
			o := ZMM()
			imm := U8(0x88)
			if q >= 2 {
				imm = U8(0xDD)
			}
			VSHUFF64X2(imm, v[2+q%2], v[q%2], o)
			store(2*q+h, o)
		}
	}
}

// sfence emits the store fence that orders the non-temporal C stores of
// the NT micro-kernels before whatever the caller does next.
func sfence() {
	TEXT("sfence", NOSPLIT, "func()")
	Doc("sfence orders earlier non-temporal stores before later stores (SFENCE).")
	SFENCE()
	RET()
}
