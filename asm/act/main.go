// Command act generates kernels/act_amd64.s and its stubs: activation
// forward/backward (ELU, ReLU, tanh, sigmoid) and the Adam update for
// float32/float64 on AVX2+FMA and AVX-512.
//
// Each routine handles the whole vectors of its operands (len(x) &^
// (lanes−1) elements); the Go wrapper finishes the tail with the
// reference. Semantics follow kernels/act_generic.go operation by
// operation:
//   - ELU, tanh and sigmoid of float32 are evaluated in float64 and
//     rounded, as the reference does (ELU rounds expm1 to float32 before
//     multiplying by α, as the reference does); tanh, expm1 and exp are
//     the vectorised ones of asm/ewkit/math.go.
//   - sigmoid is 1/(1+e) for x ≥ 0 and e/(1+e) for x < 0 with e = exp(−|x|),
//     and 0 below cut, where the reference's exp(−x) overflows (the caller
//     finds that point of math.Exp: 709.436… with Go's amd64 math.Exp,
//     709.78… in pure Go).
//   - ReLU keeps NaN and maps −0 to +0 (max(x, 0) + 0).
//   - the backward passes and Adam use no FMA: the same roundings as the
//     reference, so they agree bit for bit.
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/deepica/deepica/asm/ewkit"
)

func main() {
	ConstraintExpr("!purego")
	for _, d := range ewkit.All() {
		forward(d, "ELU")
		forward(d, "ReLU")
		forward(d, "Tanh")
		forward(d, "Sigmoid")
		backward(d, "ELU")
		backward(d, "ReLU")
		backward(d, "Tanh")
		backward(d, "Sigmoid")
		adam(d)
	}
	Generate()
}

// stream emits a loop over the whole vectors of the slice params, calling
// body with memory operands at the current vector.
func stream(d *ewkit.Desc, params []string, lenOf string, body func(m map[string]Mem)) {
	ptr := map[string]Mem{}
	for _, p := range params {
		ptr[p] = Mem{Base: Load(Param(p).Base(), GP64())}
	}
	n := Load(Param(lenOf).Len(), GP64())
	SHRQ(U8(log2(d.Lanes())), n)
	Label("loop")
	TESTQ(n, n)
	JZ(LabelRef("done"))
	body(ptr)
	for _, p := range params {
		ADDQ(U32(d.Width()), ptr[p].Base)
	}
	DECQ(n)
	JMP(LabelRef("loop"))
	Label("done")
	d.End()
}

var fwdLoop = map[string]string{
	"ELU":     "if x[i] > 0 { y[i] = x[i] } else { y[i] = alpha * T(expm1(x[i])) }",
	"ReLU":    "if x[i] > 0 || x[i] != x[i] { y[i] = x[i] } else { y[i] = 0 }",
	"Tanh":    "y[i] = T(tanh(x[i]))",
	"Sigmoid": "if x[i] < cut { y[i] = 0 } else { y[i] = T(1 / (1 + exp(−x[i]))) }",
}

func forward(d *ewkit.Desc, act string) {
	t := d.GoType()
	name := d.Name("actFwd" + act)
	sig := "func(x, y []" + t + ")"
	switch act {
	case "ELU":
		sig = "func(alpha " + t + ", x, y []" + t + ")"
	case "Sigmoid":
		sig = "func(cut float64, x, y []" + t + ")"
	}
	d.Begin(name, sig, name+" computes, for the whole vectors of x (len(y) ≥ len(x)):", "",
		"\tfor i := 0; i < len(x)&^"+ewkit.Itoa(d.Lanes()-1)+"; i++ {",
		"\t\t"+fwdLoop[act],
		"\t}")
	var alpha reg.VecVirtual
	if act == "ELU" {
		alpha = d.Vec()
		d.Broadcast(Load(Param("alpha"), XMM()), alpha)
	}
	e := d.F64()
	var cut reg.VecVirtual
	if act == "Sigmoid" {
		cut = e.Vec()
		e.Broadcast(Load(Param("cut"), XMM()), cut)
	}
	stream(d, []string{"x", "y"}, "x", func(m map[string]Mem) {
		x := d.Vec()
		d.Load(m["x"], x)
		var y reg.VecVirtual
		switch act {
		case "ReLU":
			zero := d.Vec()
			d.Zero(zero)
			y = d.Vec()
			d.Max(x, zero, y) // NaN: the first Go operand (x) is returned
			d.Add(zero, y, y) // −0 + 0 = +0
		case "Tanh":
			if d.Is64() {
				y = d.Tanh(x, d.TanhClamp())
			} else {
				lo, hi := d.Widen(x)
				c := e.TanhClamp()
				y = d.Narrow(e.Tanh(lo, c), e.Tanh(hi, c))
			}
		case "Sigmoid":
			if d.Is64() {
				y = sigmoid64(d, x, cut)
			} else {
				lo, hi := d.Widen(x)
				y = d.Narrow(sigmoid64(e, lo, cut), sigmoid64(e, hi, cut))
			}
		case "ELU":
			var em reg.VecVirtual
			if d.Is64() {
				em = expm1Neg(d, x)
			} else {
				lo, hi := d.Widen(x)
				em = d.Narrow(expm1Neg(e, lo), expm1Neg(e, hi))
			}
			d.Mul(alpha, em, em)
			zero := d.Vec()
			d.Zero(zero)
			pos := d.Cmp(ewkit.CmpGT, zero, x)
			y = d.Vec()
			d.Blend(pos, x, em, y)
		}
		d.Store(y, m["y"])
	})
}

// expm1Neg is expm1(min(x, 0)) for float64 lanes, NaN kept.
func expm1Neg(d *ewkit.Desc, x reg.VecVirtual) reg.VecVirtual {
	zero := d.Vec()
	d.Zero(zero)
	a := d.Vec()
	d.Min(x, zero, a)
	low := d.Vec()
	d.Load(d.CV("act_elulow", -40), low) // expm1 rounds to −1 below −40
	d.Max(a, low, a)
	return d.Expm1Small(a, false)
}

// sigmoid64 is 1/(1+exp(−x)) for float64 lanes (see the file comment).
func sigmoid64(d *ewkit.Desc, x, cut reg.VecVirtual) reg.VecVirtual {
	h := d.Vec()
	d.Or(d.SignMask(), x, h) // −|x|
	ex := d.ExpNeg(h)
	den := d.Vec()
	d.Add(d.CV("ew_one", 1), ex, den)
	zero := d.Vec()
	d.Zero(zero)
	nonneg := d.Cmp(ewkit.CmpNLT, zero, x)
	num := d.Vec()
	d.Load(d.CV("ew_one", 1), num)
	d.Blend(nonneg, num, ex, num)
	s := d.Vec()
	d.Div(den, num, s)
	keep := d.Cmp(ewkit.CmpNLT, cut, x)
	d.Blend(keep, s, zero, s)
	return s
}

func backward(d *ewkit.Desc, act string) {
	t := d.GoType()
	name := d.Name("actBwd" + act)
	var params []string
	var loop string
	switch act {
	case "ELU":
		params, loop = []string{"x", "y", "dy", "dx"}, "if x[i] > 0 { dx[i] = dy[i] } else { dx[i] = dy[i] * (y[i] + alpha) }"
	case "ReLU":
		params, loop = []string{"x", "dy", "dx"}, "if x[i] > 0 { dx[i] = dy[i] } else if x[i] != x[i] { dx[i] = x[i] } else { dx[i] = 0 }"
	case "Tanh":
		params, loop = []string{"y", "dy", "dx"}, "dx[i] = dy[i] * (1 - y[i]*y[i])"
	case "Sigmoid":
		params, loop = []string{"y", "dy", "dx"}, "dx[i] = dy[i] * y[i] * (1 - y[i])"
	}
	sig := "func("
	if act == "ELU" {
		sig += "alpha " + t + ", "
	}
	for i, p := range params {
		if i > 0 {
			sig += ", "
		}
		sig += p
	}
	sig += " []" + t + ")"
	d.Begin(name, sig, name+" computes, for the whole vectors of "+params[0]+" (the others at least as long):", "",
		"\tfor i := 0; i < len("+params[0]+")&^"+ewkit.Itoa(d.Lanes()-1)+"; i++ {",
		"\t\t"+loop,
		"\t}")
	var alpha reg.VecVirtual
	if act == "ELU" {
		alpha = d.Vec()
		d.Broadcast(Load(Param("alpha"), XMM()), alpha)
	}
	stream(d, params, params[0], func(m map[string]Mem) {
		r := d.Vec()
		switch act {
		case "ELU":
			x, dy, p := d.Vec(), d.Vec(), d.Vec()
			d.Load(m["x"], x)
			d.Load(m["dy"], dy)
			d.Add(m["y"], alpha, p) // y + α
			d.Mul(p, dy, p)
			zero := d.Vec()
			d.Zero(zero)
			pos := d.Cmp(ewkit.CmpGT, zero, x)
			d.Blend(pos, dy, p, r)
		case "ReLU":
			x, dy := d.Vec(), d.Vec()
			d.Load(m["x"], x)
			d.Load(m["dy"], dy)
			zero := d.Vec()
			d.Zero(zero)
			nan := d.Cmp(ewkit.CmpUnord, x, x)
			z := d.Vec()
			d.Blend(nan, x, zero, z)
			pos := d.Cmp(ewkit.CmpGT, zero, x)
			d.Blend(pos, dy, z, r)
		case "Tanh":
			y, o := d.Vec(), d.Vec()
			d.Load(m["y"], y)
			d.Mul(y, y, y)
			d.Load(d.CV("ew_one", 1), o)
			d.Sub(y, o, o) // 1 − y²
			d.Mul(m["dy"], o, r)
		case "Sigmoid":
			y, o := d.Vec(), d.Vec()
			d.Load(m["y"], y)
			d.Load(d.CV("ew_one", 1), o)
			d.Sub(y, o, o) // 1 − y
			d.Mul(m["dy"], y, r)
			d.Mul(o, r, r)
		}
		d.Store(r, m[params[len(params)-1]])
	})
}

func adam(d *ewkit.Desc) {
	t := d.GoType()
	name := d.Name("adam")
	d.Begin(name, fmt.Sprintf("func(p, g, m, v []%s, lr, b1, nb1, b2, nb2, eps, c1, c2 %s)", t, t),
		name+" applies the Adam update to the whole vectors of p (nb1 = 1 − b1, nb2 = 1 − b2,",
		"c1, c2 the bias corrections):", "",
		"\tfor i := 0; i < len(p)&^"+ewkit.Itoa(d.Lanes()-1)+"; i++ {",
		"\t\tm[i] = b1*m[i] + nb1*g[i]",
		"\t\tv[i] = b2*v[i] + nb2*g[i]*g[i]",
		"\t\tp[i] -= lr * (m[i] * c1) / (sqrt(v[i]*c2) + eps)",
		"\t}")
	bc := map[string]reg.VecVirtual{}
	for _, s := range []string{"lr", "b1", "nb1", "b2", "nb2", "eps", "c1", "c2"} {
		bc[s] = d.Vec()
		d.Broadcast(Load(Param(s), XMM()), bc[s])
	}
	stream(d, []string{"p", "g", "m", "v"}, "p", func(mm map[string]Mem) {
		g, m, v, a := d.Vec(), d.Vec(), d.Vec(), d.Vec()
		d.Load(mm["g"], g)
		d.Mul(mm["m"], bc["b1"], m)
		d.Mul(g, bc["nb1"], a)
		d.Add(a, m, m)
		d.Store(m, mm["m"])
		d.Mul(mm["v"], bc["b2"], v)
		d.Mul(g, bc["nb2"], a)
		d.Mul(g, a, a)
		d.Add(a, v, v)
		d.Store(v, mm["v"])
		d.Mul(bc["c2"], v, v)
		d.Sqrt(v, v)
		d.Add(bc["eps"], v, v)
		d.Mul(bc["c1"], m, m)
		d.Mul(m, bc["lr"], m)
		d.Div(v, m, m)
		p := d.Vec()
		d.Load(mm["p"], p)
		d.Sub(m, p, p)
		d.Store(p, mm["p"])
	})
}

func log2(n int) int {
	k := 0
	for 1<<k < n {
		k++
	}
	return k
}
