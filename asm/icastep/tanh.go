package main

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/deepica/deepica/asm/ewkit"
)

// The fused step's tanh. ewkit's tanh (expm1 by a degree-13 Taylor
// polynomial, then E/(E+2)) costs ~34 vector µops, and at k = 40 the step
// does only 80 FMAs per vector of tanh, so it would take ~30% of the FMA
// ports. This one evaluates, for a = min(|y|, c):
//
//	n = round(2a/ln2), h = a − n·ln2/2      (|h| ≤ ln2/4; Cody–Waite, two parts)
//	τ = tanh(h) ≈ p/q, p = h·P(h²), q = Q(h²)
//	    (minimax rational with P(0) = Q(0) = 1, relative error 5.5e-18 for
//	    float64 with P, Q of degree 2; 6.6e-10 for float32 with degree 1;
//	    fitted by asm/icastep/tanhfit.py)
//	s = 2ⁿ, so that e^{2a} = s·(1+τ)/(1−τ) and
//	tanh(a) = ((s−1)·q + (s+1)·p) / ((s+1)·q + (s−1)·p)
//
// with one division. s−1 and s+1 are exact (n ≤ 58), a ≥ 0 so n ≥ 0 and
// neither sum cancels (for n ≥ 1, (s−1)·q ≥ 1 > 2·(s+1)·|p|), and for n = 0
// the quotient is p/q = τ itself (exactly h for tiny h, subnormals
// included). The sign of y is put back with an OR (tanh(−0) = −0); NaN
// propagates, ±Inf gives ±1 (c = 20 float64, 10 float32: tanh rounds to 1
// beyond). Accuracy is tested by kernels/icastep_amd64_test.go
// (TestICAStepTanh).

var (
	tanhP64 = []float64{1, 0.11109937809867821576, 0.0010574194206853949917}
	tanhQ64 = []float64{1, 0.444432711432005801, 0.015868323233219409597}
	tanhP32 = []float64{1, 0.0665868696277}
	tanhQ32 = []float64{1, 0.399919955576}
)

// tanhConsts are the registers the tanh keeps across a loop.
type tanhConsts struct {
	one   reg.VecVirtual // 1.0 (VSCALEF needs it in a register; AVX-512)
	clamp reg.VecVirtual // c (VMIN keeps a NaN only in its other operand; AVX2)
}

func newTanhConsts(d *ewkit.Desc) *tanhConsts {
	c := &tanhConsts{}
	if d.Wide() {
		c.one = d.Vec()
		d.Load(d.CV("ew_one", 1), c.one)
		c.clamp = d.Vec()
		d.Load(d.CV("it_clamp", tanhClamp(d)), c.clamp)
	} else {
		c.clamp = d.Vec()
		d.Load(d.CV("it_clamp", tanhClamp(d)), c.clamp)
	}
	return c
}

func tanhClamp(d *ewkit.Desc) float64 {
	if d.Is64() {
		return 20
	}
	return 10
}

// tanhG returns tanh(y) for the vectors y (unchanged) and adds 1 − tanh²
// to acc.
func tanhG(d *ewkit.Desc, c *tanhConsts, y []reg.VecVirtual, acc reg.VecVirtual) []reg.VecVirtual {
	N := len(y)
	vs := func() []reg.VecVirtual { return d.Vecs(N) }
	shifter, l2e := 1.5*math.Ldexp(1, 52), 2*math.Log2E
	c1, c2 := math.Float64frombits(0x3fe62e42fee00000)/2, 1.90821492927058770002e-10/2
	P, Q := tanhP64, tanhQ64
	if !d.Is64() {
		shifter = 1.5 * math.Ldexp(1, 23)
		c1, c2 = float64(math.Float32frombits(0x3f318000))/2, float64(math.Float32frombits(0xb95e8083))/2
		P, Q = tanhP32, tanhQ32
	}
	a := vs()
	// (VRANGEPD would do |y| and the clamp in one µop, but drops a NaN.)
	for i := range N {
		d.And(d.AbsMask(), y[i], a[i])
	}
	for i := range N {
		d.Min(a[i], c.clamp, a[i]) // NaN in a is kept (first Go operand)
	}
	kd, n := vs(), vs()
	for i := range N {
		d.Load(d.CV("ew_shifter", shifter), kd[i])
		d.FMA231(d.CV("it_2log2e", l2e), a[i], kd[i])
	}
	for i := range N {
		d.Sub(d.CV("ew_shifter", shifter), kd[i], n[i])
	}
	h := a
	for i := range N {
		d.FNMA231(d.CV("it_c1", c1), n[i], h[i])
	}
	for i := range N {
		d.FNMA231(d.CV("it_c2", c2), n[i], h[i])
	}
	z := vs()
	for i := range N {
		d.Mul(h[i], h[i], z[i])
	}
	poly := func(cs []float64, name string) []reg.VecVirtual {
		r := vs()
		deg := len(cs) - 1
		for i := range N {
			d.Load(d.CV(name+Itoa(deg), cs[deg]), r[i])
		}
		for j := deg - 1; j >= 0; j-- {
			for i := range N {
				d.FMA213(d.CV(name+Itoa(j), cs[j]), z[i], r[i])
			}
		}
		return r
	}
	pp := poly(P, "it_p")
	q := poly(Q, "it_q")
	for i := range N {
		d.Mul(h[i], pp[i], pp[i]) // p = h·P
	}
	s := vs()
	if d.Wide() {
		for i := range N {
			d.Pick(VSCALEFPS, VSCALEFPD)(n[i], c.one, s[i])
		}
	} else {
		bits, bias := 52, uint64(1023)<<52
		if !d.Is64() {
			bits, bias = 23, uint64(127)<<23
		}
		for i := range N {
			d.ISHL(bits, kd[i], s[i])
		}
		for i := range N {
			d.IADD(d.CVBits("ew_expbias", bias), s[i], s[i])
		}
	}
	sm, sp := n, kd // free now
	for i := range N {
		d.Sub(d.CV("ew_one", 1), s[i], sm[i])
		d.Add(d.CV("ew_one", 1), s[i], sp[i])
	}
	num, den := z, s
	for i := range N {
		d.Mul(sp[i], pp[i], num[i]) // (s+1)·p, the smaller term, rounded
		d.FMA231(sm[i], q[i], num[i])
	}
	for i := range N {
		d.Mul(sm[i], pp[i], den[i])
		d.FMA231(sp[i], q[i], den[i])
	}
	t := vs()
	for i := range N {
		d.Div(den[i], num[i], t[i])
	}
	if d.Wide() {
		for i := range N {
			d.Pick(VPTERNLOGD, VPTERNLOGQ)(U8(0xf8), d.SignMask(), y[i], t[i]) // t | (y & sign)
		}
	} else {
		sg := vs()
		for i := range N {
			d.And(d.SignMask(), y[i], sg[i])
			d.Or(sg[i], t[i], t[i])
		}
	}
	for i := range N {
		o := d.Vec()
		d.Load(d.CV("ew_one", 1), o)
		d.FNMA231(t[i], t[i], o) // 1 − t²
		d.Add(o, acc, acc)
	}
	return t
}

// Itoa formats i.
func Itoa(i int) string { return ewkit.Itoa(i) }
