// Command vec generates kernels/vec_amd64.s and its stubs: Dot, Sum, Axpy,
// Scale and Mul for float32/float64 on AVX2+FMA and AVX-512.
//
// Each routine handles the whole vectors of its input (len &^ (lanes−1)
// elements); the Go wrapper finishes the remaining < lanes elements with the
// reference loop. Reductions keep four vector accumulators (lane j of
// accumulator a sums elements ≡ a·lanes+j mod 4·lanes of the unrolled part;
// leftover whole vectors go to accumulator 0), combine them as
// (a0+a1)+(a2+a3) and then add the lanes pairwise by halves: a fixed order
// per level, independent of alignment and thread count.
package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/deepica/deepica/asm/ewkit"
)

const unroll = 4

var _ = reg.X0

func main() {
	ConstraintExpr("!purego")
	for _, d := range ewkit.All() {
		reduction(d, "dot")
		reduction(d, "sum")
	}
	for _, d := range ewkit.All() {
		axpy(d)
		scale(d)
		mul(d)
	}
	Generate()
}

// loops emits the unrolled and the single-vector loop over n elements
// (a GP register holding a multiple of lanes), calling body(off, i) for
// vector i at byte offset off from the current pointers, then advance().
func loops(d *ewkit.Desc, n reg.Register, body func(i int), advance func(vectors int)) {
	l := d.Lanes()
	Label("big")
	CMPQ(n, U32(unroll*l))
	JB(LabelRef("one"))
	for i := 0; i < unroll; i++ {
		body(i)
	}
	advance(unroll)
	SUBQ(U32(unroll*l), n)
	JMP(LabelRef("big"))
	Label("one")
	CMPQ(n, U32(l))
	JB(LabelRef("done"))
	body(0)
	advance(1)
	SUBQ(U32(l), n)
	JMP(LabelRef("one"))
	Label("done")
}

func reduction(d *ewkit.Desc, kind string) {
	t := d.GoType()
	var sig, loop string
	if kind == "dot" {
		sig = "func(x, y []" + t + ") " + t
		loop = "s += x[i] * y[i]"
	} else {
		sig = "func(x []" + t + ") " + t
		loop = "s += x[i]"
	}
	d.Begin(d.Name(kind), sig,
		d.Name(kind)+" returns the "+kind+" of the first len(x) &^ "+ewkit.Itoa(d.Lanes()-1)+" elements:",
		"",
		"\tfor i := 0; i < len(x)&^"+ewkit.Itoa(d.Lanes()-1)+"; i++ {",
		"\t\t"+loop,
		"\t}",
		"",
		"summed in 4×"+ewkit.Itoa(d.Lanes())+" lanes (see the package comment of asm/vec).")
	x := Mem{Base: Load(Param("x").Base(), GP64())}
	var y Mem
	if kind == "dot" {
		y = Mem{Base: Load(Param("y").Base(), GP64())}
	}
	n := Load(Param("x").Len(), GP64())
	ANDQ(I32(^(d.Lanes() - 1)), n)
	acc := d.Vecs(unroll)
	for _, a := range acc {
		d.Zero(a)
	}
	loops(d, n, func(i int) {
		if kind == "dot" {
			v := d.Vec()
			d.Load(x.Offset(i*d.Width()), v)
			d.FMA231(y.Offset(i*d.Width()), v, acc[i])
		} else {
			d.Add(x.Offset(i*d.Width()), acc[i], acc[i])
		}
	}, func(v int) {
		ADDQ(U32(v*d.Width()), x.Base)
		if kind == "dot" {
			ADDQ(U32(v*d.Width()), y.Base)
		}
	})
	d.Add(acc[1], acc[0], acc[0])
	d.Add(acc[3], acc[2], acc[2])
	d.Add(acc[2], acc[0], acc[0])
	s := d.ReduceAdd(acc[0])
	VZEROUPPER()
	Store(s, ReturnIndex(0))
	RET()
}

func axpy(d *ewkit.Desc) {
	t := d.GoType()
	d.Begin(d.Name("axpy"), "func(alpha "+t+", x, y []"+t+")",
		d.Name("axpy")+" computes, for the whole vectors of x (len(y) ≥ len(x)):",
		"",
		"\tfor i := 0; i < len(x)&^"+ewkit.Itoa(d.Lanes()-1)+"; i++ {",
		"\t\ty[i] += alpha * x[i]",
		"\t}")
	a := d.Vec()
	d.Broadcast(Load(Param("alpha"), XMM()), a)
	x := Mem{Base: Load(Param("x").Base(), GP64())}
	y := Mem{Base: Load(Param("y").Base(), GP64())}
	n := Load(Param("x").Len(), GP64())
	ANDQ(I32(^(d.Lanes() - 1)), n)
	loops(d, n, func(i int) {
		v := d.Vec()
		d.Load(y.Offset(i*d.Width()), v)
		d.FMA231(x.Offset(i*d.Width()), a, v)
		d.Store(v, y.Offset(i*d.Width()))
	}, func(v int) {
		ADDQ(U32(v*d.Width()), x.Base)
		ADDQ(U32(v*d.Width()), y.Base)
	})
	d.End()
}

func scale(d *ewkit.Desc) {
	t := d.GoType()
	d.Begin(d.Name("scale"), "func(alpha "+t+", x []"+t+")",
		d.Name("scale")+" computes, for the whole vectors of x:",
		"",
		"\tfor i := 0; i < len(x)&^"+ewkit.Itoa(d.Lanes()-1)+"; i++ {",
		"\t\tx[i] *= alpha",
		"\t}")
	a := d.Vec()
	d.Broadcast(Load(Param("alpha"), XMM()), a)
	x := Mem{Base: Load(Param("x").Base(), GP64())}
	n := Load(Param("x").Len(), GP64())
	ANDQ(I32(^(d.Lanes() - 1)), n)
	loops(d, n, func(i int) {
		v := d.Vec()
		d.Mul(x.Offset(i*d.Width()), a, v)
		d.Store(v, x.Offset(i*d.Width()))
	}, func(v int) {
		ADDQ(U32(v*d.Width()), x.Base)
	})
	d.End()
}

func mul(d *ewkit.Desc) {
	t := d.GoType()
	d.Begin(d.Name("mul"), "func(dst, x, y []"+t+")",
		d.Name("mul")+" computes, for the whole vectors of x (len(y), len(dst) ≥ len(x)):",
		"",
		"\tfor i := 0; i < len(x)&^"+ewkit.Itoa(d.Lanes()-1)+"; i++ {",
		"\t\tdst[i] = x[i] * y[i]",
		"\t}")
	dst := Mem{Base: Load(Param("dst").Base(), GP64())}
	x := Mem{Base: Load(Param("x").Base(), GP64())}
	y := Mem{Base: Load(Param("y").Base(), GP64())}
	n := Load(Param("x").Len(), GP64())
	ANDQ(I32(^(d.Lanes() - 1)), n)
	loops(d, n, func(i int) {
		v := d.Vec()
		d.Load(x.Offset(i*d.Width()), v)
		d.Mul(y.Offset(i*d.Width()), v, v)
		d.Store(v, dst.Offset(i*d.Width()))
	}, func(v int) {
		ADDQ(U32(v*d.Width()), dst.Base)
		ADDQ(U32(v*d.Width()), x.Base)
		ADDQ(U32(v*d.Width()), y.Base)
	})
	d.End()
}
