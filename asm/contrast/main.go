// Command contrast generates kernels/contrast_amd64.s and its stubs: the
// FastICA contrast functions g applied in place to a row, returning the sum
// of g' over it, for float32/float64 on AVX2+FMA and AVX-512.
//
// The vectorised tanh and exp and their measured accuracy are described in
// asm/ewkit/math.go. Each routine handles the whole vectors of its row
// (len &^ (lanes−1) elements); the Go wrapper finishes the tail with the
// reference. The float32 Exp and logcosh contrasts are evaluated in float64
// (the arguments −u²/2 and α·u are then exact, as in the reference) and sum
// g' in float64; the fused ICA step keeps the faster float32 logcosh.
package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/deepica/deepica/asm/ewkit"
)

func main() {
	ConstraintExpr("!purego")
	for _, d := range ewkit.All() {
		for _, kind := range []string{ewkit.LogCosh, ewkit.Exp, ewkit.Cube} {
			contrast(d, kind)
		}
	}
	Generate()
}

var loops = map[string][2]string{
	ewkit.LogCosh: {"u[i], s = tanh(α·u[i]), s + α·(1 − tanh²(α·u[i]))", "func(alpha T, u []T) T"},
	ewkit.Exp:     {"e := exp(−u[i]²/2); u[i], s = u[i]·e, s + (1 − u[i]²)·e", "func(u []T) T"},
	ewkit.Cube:    {"u[i], s = u[i]·u[i]·u[i], s + 3·u[i]·u[i]", "func(u []T) T"},
}

func contrast(d *ewkit.Desc, kind string) {
	t := d.GoType()
	name := d.Name("contrast" + kind)
	sig := "func(u []" + t + ") " + t
	if kind == ewkit.LogCosh {
		sig = "func(alpha " + t + ", u []" + t + ") " + t
	}
	d.Begin(name, sig,
		name+" applies a FastICA contrast in place to the whole vectors of u",
		"(len(u) &^ "+ewkit.Itoa(d.Lanes()-1)+" elements) and returns the sum of g' over them:",
		"",
		"\tfor i := 0; i < len(u)&^"+ewkit.Itoa(d.Lanes()-1)+"; i++ {",
		"\t\t"+loops[kind][0],
		"\t}",
		"",
		"tanh and exp are vectorised (asm/ewkit/math.go); the sum is kept in "+ewkit.Itoa(d.Lanes())+" lanes",
		"(vectors added in order), the lanes added by halves at the end.")
	exact := kind == ewkit.LogCosh && !d.Is64()
	var alpha reg.VecVirtual
	if kind == ewkit.LogCosh && !exact {
		alpha = d.Vec()
		d.Broadcast(Load(Param("alpha"), XMM()), alpha)
	}
	u := Mem{Base: Load(Param("u").Base(), GP64())}
	n := Load(Param("u").Len(), GP64())
	SHRQ(U8(log2(d.Lanes())), n)
	var s *ewkit.ContrastState
	G := d.Group(kind)
	if exact {
		// float32 logcosh in float64 (see ewkit.ContrastState.ExactArg).
		e := d.F64()
		s = &ewkit.ContrastState{Kind: kind, ExactArg: true, Acc: d.Vec()}
		d.Zero(s.Acc)
		s.Alpha64, s.Clamp64 = e.Vec(), e.TanhClamp()
		a := Load(Param("alpha"), XMM())
		VCVTSS2SD(a, a, a)
		VBROADCASTSD(a, s.Alpha64)
		G = 1
	} else {
		s = d.NewContrastState(kind, alpha)
	}
	Label("group")
	CMPQ(n, U8(G))
	JB(LabelRef("single"))
	v := d.Vecs(G)
	for i := range v {
		d.Load(u.Offset(i*d.Width()), v[i])
	}
	g := d.ContrastN(s, v)
	for i := range g {
		d.Store(g[i], u.Offset(i*d.Width()))
	}
	ADDQ(U32(G*d.Width()), u.Base)
	SUBQ(U8(G), n)
	JMP(LabelRef("group"))
	Label("single")
	TESTQ(n, n)
	JZ(LabelRef("done"))
	v1 := d.Vec()
	d.Load(u, v1)
	g1 := d.Contrast(s, v1)
	d.Store(g1, u)
	ADDQ(U32(d.Width()), u.Base)
	DECQ(n)
	JMP(LabelRef("single"))
	Label("done")
	ad := d
	if s.Acc64(d) {
		ad = d.F64()
	}
	sum := ad.ReduceAdd(s.Acc)
	if ad.Is64() && !d.Is64() {
		VCVTSD2SS(sum, sum, sum)
	}
	VZEROUPPER()
	Store(sum, ReturnIndex(0))
	RET()
}

func log2(n int) int {
	k := 0
	for 1<<k < n {
		k++
	}
	return k
}
