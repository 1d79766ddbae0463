package main

// The transposed ("component-lane") fused step.
//
// The block kernel in main.go puts columns of X in the vector lanes, so its
// G·Xᵀ product reduces along the lanes (lane partials in a 100 KB array in
// L2) and its blocks do not fit L1. The functions generated here put
// components in the lanes instead: every operand is a whole vector or a
// broadcast, nothing is reduced across lanes, and a block (BcP pairs of
// columns) of X, its Uᵀ, the packed W and the accumulator fit the 48 KB
// L1d at k = 40 (45 KB for float64).
//
// A vector holds cpv components (AVX-512: 8, AVX2: 4); for float32 each
// component has two lanes, one per column of a pair (lane 2c+p: component
// c, column 2jp+p), so one 8-byte broadcast (VBROADCASTSD) serves both
// element types: it yields X[l, j] (float64) or the pair X[l, 2jp:2jp+2]
// (float32) in every lane group. X is read in place (a copy into a packed
// block cost as much as a quarter of the projection). Per block:
//
//	icaTProj:  Uᵀ[jp, :] = Σ_l X[l, jp] · Wt[l, :]
//	           (tile R1 pair-columns × up to G1 vectors of components;
//	           prefetches a later block of X into L2)
//	icaTG*:    Uᵀ ← g(Uᵀ) in place; gp[v] += Σ_jp g'(Uᵀ[jp, v])
//	icaTAcc:   At[l, :] += Σ_jp X[l, jp] · Gᵀ[jp, :]
//	           (tile R3 rows of X × up to G3 vectors, over the block)
//
// Wt is W transposed (k rows of kv vectors, float32 entries duplicated for
// the two lanes of a pair, padded components zero: g(0) = 0 for every
// contrast, so they add nothing), At has the same layout, and the caller
// adds the pair lanes and transposes At once per chunk.
//
// The Rows variants serve kernels.ICAStepRows, whose X holds one sample
// per row (samples × features, as users store data): icaTPackRows centres
// a block of rows and packs it with one pair-column per row of xb (k·8
// bytes: a float64 sample, or two float32 samples interleaved so that the
// 8-byte broadcast still yields a pair), and icaTProjRows / icaTAccRows
// are icaTProj's product and icaTAcc with xb's two strides exchanged. The
// contrast kernels are shared.

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/deepica/deepica/asm/ewkit"
)

type tgeom struct {
	R1, G1 int // projection tile: pair-columns × component vectors
	R3, G3 int // accumulation tile: rows of X × component vectors
	BcP    int // pairs of columns (float64: columns) per block
}

func geom(d *ewkit.Desc) tgeom {
	if d.Wide() {
		return tgeom{R1: 4, G1: 6, R3: 5, G3: 5, BcP: 32}
	}
	return tgeom{R1: 6, G1: 2, R3: 6, G3: 2, BcP: 24}
}

// The projection prefetches X pfBlocks blocks ahead into L2 (PREFETCHT1):
// the L1 is full with Wt, Uᵀ, At and the block itself (45 KB of 48 at k = 40,
// float64), and prefetching into it was slower (f64 cube step, one thread:
// 64-71 ms with T1 four blocks ahead, 64-75 ms with T0 one block ahead,
// 74-99 ms with T0 two blocks ahead; 46 ms for the projection alone with
// the earlier burst of T0 prefetches at the start of each block against
// 35-41 ms spread over the product).
const pfBlocks = 4

// icaTProjRows prefetches into L2 a later block of samples, whose address
// the caller passes (kernels.icaPfBlocks blocks on): one line per two steps
// of its tiles' loops, 8·R1 bytes a step, which covers a block of adjacent
// samples. Prefetching in the pack, 160 lines in a burst at the start of
// each block, was slower (f64 rows step, one thread, three alternating
// runs: logcosh 122–133 → 117–119 ms, cube 98–101 → 83–89).
func pfInst(m Op) { PREFETCHT1(m) }

func tiled(d *ewkit.Desc) {
	tProj(d, false)
	for _, kind := range []string{ewkit.LogCosh, ewkit.Exp, ewkit.Cube} {
		tContrast(d, kind)
	}
	tAcc(d, false)
	tPackRows(d)
	tProj(d, true)
	tAcc(d, true)
}

// tProj emits icaTProj: Uᵀ = X_blkᵀ·Wt, reading X in place; with rows,
// icaTProjRows: the block is packed by icaTPackRows, one pair of columns
// per row of xb (k·8 bytes apart).
func tProj(d *ewkit.Desc, rows bool) {
	g := geom(d)
	t := d.GoType()
	if rows {
		name := d.Name("icaTProjRows")
		d.Begin(name, fmt.Sprintf("func(wt, xb *%s, k, kv int, ut, pf *%s)", t, t),
			name+" projects one block packed by icaTPackRows (see asm/icastep/tile.go):",
			"",
			fmt.Sprintf("\tfor jp := 0; jp < %d; jp++ {", g.BcP),
			"\t\tfor e := 0; e < kv*L; e++ { // L lanes per vector",
			"\t\t\tut[jp*kv*L+e] = Σ_l xb[jp*k*P+l*P+e%P] * wt[l*kv*L+e]",
			"\t\t}",
			"\t}",
			"",
			fmt.Sprintf("with P = %d element(s) per 8-byte pair, BcP = %d and k ≥ 1, prefetching", 8/d.Size(), g.BcP),
			"into L2 the block of samples from pf (a later one) while it runs.")
	} else {
		name := d.Name("icaTProj")
		d.Begin(name, fmt.Sprintf("func(wt, x *%s, ldx, k, kv int, ut *%s)", t, t),
			name+" projects one block of X in place (see asm/icastep/tile.go):",
			"",
			fmt.Sprintf("\tfor jp := 0; jp < %d; jp++ {", g.BcP),
			"\t\tfor e := 0; e < kv*L; e++ { // L lanes per vector",
			"\t\t\tut[jp*kv*L+e] = Σ_l x[l*ldx+jp*P+e%P] * wt[l*kv*L+e]",
			"\t\t}",
			"\t}",
			"",
			fmt.Sprintf("with P = %d element(s) per 8-byte pair, BcP = %d and k ≥ 1.", 8/d.Size(), g.BcP))

	}

	Comment("Project: Uᵀ = xbᵀ·Wt, groups of component vectors")
	stride := Load(Param("kv"), GP64())
	SHLQ(U8(log2(d.Width())), stride) // bytes per row of Wt, Uᵀ, At
	voff := GP64()                    // byte offset of the group's first vector
	XORQ(voff, voff)
	left := Load(Param("kv"), GP64())
	Label("tpgroups")
	CMPQ(left, U8(g.G1))
	JB(LabelRef("tpedge"))
	projGroup(d, g, g.G1, stride, voff, "full", rows)
	ADDQ(U32(g.G1*d.Width()), voff)
	SUBQ(U8(g.G1), left)
	JMP(LabelRef("tpgroups"))
	Label("tpedge")
	for w := g.G1 - 1; w >= 1; w-- {
		CMPQ(left, U8(w))
		JNE(LabelRef(fmt.Sprintf("tpnot%d", w)))
		projGroup(d, g, w, stride, voff, fmt.Sprint(w), rows)
		JMP(LabelRef("tpdone"))
		Label(fmt.Sprintf("tpnot%d", w))
	}
	Label("tpdone")
	d.End()
}

// strided addresses rows 0..5 of a block whose rows are s bytes apart,
// with the multiples of s that x86 addressing lacks (3s, 5s) kept in
// registers; newStrided computes them for up to n rows.
type strided struct{ s, s3, s5 reg.Register }

func newStrided(s reg.Register, n int) strided {
	st := strided{s: s}
	if n > 3 {
		st.s3 = GP64()
		LEAQ(Mem{Base: s, Index: s, Scale: 2}, st.s3)
	}
	if n > 5 {
		st.s5 = GP64()
		LEAQ(Mem{Base: s, Index: s, Scale: 4}, st.s5)
	}
	return st
}

func (st strided) row(base reg.Register, r int) Mem {
	switch r {
	case 0:
		return Mem{Base: base}
	case 1, 2, 4:
		return Mem{Base: base, Index: st.s, Scale: uint8(r)}
	case 3:
		return Mem{Base: base, Index: st.s3, Scale: 1}
	case 5:
		return Mem{Base: base, Index: st.s5, Scale: 1}
	}
	panic("icastep: tile of more than 6 strided rows")
}

// projGroup emits the column tiles of one group of w component vectors.
// With rows, the tile's R1 pair-columns are rows of xb cs = k·8 bytes
// apart (addressed through cs, 3·cs and 5·cs) and the k-loop steps 8 bytes
// along them; otherwise they are adjacent and the k-loop steps a row.
func projGroup(d *ewkit.Desc, g tgeom, w int, stride, voff reg.Register, tag string, rows bool) {
	var cols strided // with rows, the tile's pair-columns are rows of xb
	if rows {
		cs := Load(Param("k"), GP64())
		SHLQ(U8(3), cs)
		cols = newStrided(cs, g.R1)
	}
	colAddr := func(xp reg.Register, r int) Mem {
		if !rows {
			return Mem{Base: xp, Disp: 8 * r}
		}
		return cols.row(xp, r)
	}
	var xcol, ldx, pfp reg.Register // first pair-column of the tile; X's row stride; prefetch pointer
	if rows {
		xcol = Load(Param("xb"), GP64())
		pfp = Load(Param("pf"), GP64())
	} else {
		xcol = Load(Param("x"), GP64())
		ldx = Load(Param("ldx"), GP64())
		SHLQ(U8(log2(d.Size())), ldx)
	}
	up := Load(Param("ut"), GP64())
	ADDQ(voff, up)
	tc := GP64()
	MOVQ(U32(g.BcP/g.R1), tc)
	Label("tptiles" + tag)
	acc := make([][]reg.VecVirtual, g.R1)
	for r := range acc {
		acc[r] = d.Vecs(w)
		for _, a := range acc[r] {
			d.Zero(a)
		}
	}
	wp := Load(Param("wt"), GP64())
	ADDQ(voff, wp)
	xp := GP64()
	MOVQ(xcol, xp)
	lc := Load(Param("k"), GP64())
	Label("tpk" + tag)
	if rows {
		// 8·R1 bytes per step of every tile cover the BcP·k·8 bytes of
		// a block of adjacent samples over the block's tiles.
		pfInst(Mem{Base: pfp})
		ADDQ(U8(8*g.R1), pfp)
	}
	ws := d.Vecs(w)
	for c := range ws {
		d.Load(Mem{Base: wp, Disp: c * d.Width()}, ws[c])
	}
	if !rows {
		// Tiles start at most 64 bytes apart, so over the block this
		// touches every line of the block pfBlocks ahead, spread over the
		// product instead of in a burst that would fill the miss buffers.
		pfInst(Mem{Base: xp, Disp: pfBlocks * g.BcP * 8})
	}
	for r := 0; r < g.R1; r++ {
		b := d.Vec()
		VBROADCASTSD(colAddr(xp, r), b)
		for c := 0; c < w; c++ {
			d.FMA231(ws[c], b, acc[r][c])
		}
	}
	ADDQ(stride, wp)
	if rows {
		ADDQ(U8(8), xp)
	} else {
		ADDQ(ldx, xp)
	}
	DECQ(lc)
	JNZ(LabelRef("tpk" + tag))
	sp := GP64()
	MOVQ(up, sp)
	for r := 0; r < g.R1; r++ {
		for c := 0; c < w; c++ {
			d.Store(acc[r][c], Mem{Base: sp, Disp: c * d.Width()})
		}
		if r < g.R1-1 {
			ADDQ(stride, sp)
		}
	}
	ADDQ(stride, sp)
	MOVQ(sp, up)
	if rows {
		for range g.R1 {
			ADDQ(cols.s, xcol)
		}
	} else {
		ADDQ(U8(8*g.R1), xcol)
	}
	DECQ(tc)
	JNZ(LabelRef("tptiles" + tag))
}

// tAcc emits icaTAcc: At += X_blk·Gᵀ, reading the block of X in place;
// with rows, icaTAccRows on a block packed by icaTPackRows (pair-columns in
// rows of xb, k·8 bytes apart).
func tAcc(d *ewkit.Desc, rows bool) {
	g := geom(d)
	t := d.GoType()
	name, elem, sig := d.Name("icaTAcc"), "x[l*ldx+jp*P+e%P]", fmt.Sprintf("func(x *%s, ldx, k, kv int, ut, at *%s)", t, t)
	if rows {
		name, elem, sig = d.Name("icaTAccRows"), "xb[jp*k*P+l*P+e%P]", fmt.Sprintf("func(xb *%s, k, kv int, ut, at *%s)", t, t)
	}
	d.Begin(name, sig,
		name+" accumulates one block's G·Xᵀ (see asm/icastep/tile.go):",
		"",
		"\tfor l := 0; l < k; l++ {",
		"\t\tfor e := 0; e < kv*L; e++ { // L lanes per vector",
		fmt.Sprintf("\t\t\tfor jp := 0; jp < %d; jp++ {", g.BcP),
		"\t\t\t\tat[l*kv*L+e] += "+elem+" * ut[jp*kv*L+e]",
		"\t\t\t}",
		"\t\t}",
		"\t}",
		"",
		fmt.Sprintf("with P = %d element(s) per 8-byte pair, BcP = %d and k ≥ 1.", 8/d.Size(), g.BcP))
	stride := Load(Param("kv"), GP64())
	SHLQ(U8(log2(d.Width())), stride)
	frame := AllocLocal(16) // vectors left, group offset
	MOVQ(Load(Param("kv"), GP64()), frame)
	MOVQ(U32(0), frame.Offset(8))
	Label("tagroups")
	CMPQ(frame, U8(g.G3))
	JB(LabelRef("taedge"))
	accGroup(d, g, g.G3, stride, frame, "full", rows)
	ADDQ(U32(g.G3*d.Width()), frame.Offset(8))
	SUBQ(U8(g.G3), frame)
	JMP(LabelRef("tagroups"))
	Label("taedge")
	for w := g.G3 - 1; w >= 1; w-- {
		CMPQ(frame, U8(w))
		JNE(LabelRef(fmt.Sprintf("tanot%d", w)))
		accGroup(d, g, w, stride, frame, fmt.Sprint(w), rows)
		JMP(LabelRef("tadone"))
		Label(fmt.Sprintf("tanot%d", w))
	}
	Label("tadone")
	d.End()
}

// accGroup emits the row tiles of one group of w component vectors.
func accGroup(d *ewkit.Desc, g tgeom, w int, stride reg.Register, frame Mem, tag string, rows bool) {
	var xrow, xs reg.Register // row l0 of the block; bytes from one row of X to the next
	if rows {
		xrow = Load(Param("xb"), GP64())
	} else {
		xrow = Load(Param("x"), GP64())
		xs = Load(Param("ldx"), GP64())
		SHLQ(U8(log2(d.Size())), xs)
	}
	ap := Load(Param("at"), GP64()) // At row l0, group offset
	ADDQ(frame.Offset(8), ap)
	left := Load(Param("k"), GP64())
	Label("tarows" + tag)
	CMPQ(left, U8(g.R3))
	JB(LabelRef("taredge" + tag))
	accTile(d, g, g.R3, w, stride, frame, xrow, xs, ap, tag+"r", rows)
	if rows {
		ADDQ(U32(g.R3*8), xrow)
	} else {
		for range g.R3 {
			ADDQ(xs, xrow)
		}
	}
	SUBQ(U8(g.R3), left)
	JMP(LabelRef("tarows" + tag))
	Label("taredge" + tag)
	for r := g.R3 - 1; r >= 1; r-- {
		CMPQ(left, U8(r))
		JNE(LabelRef(fmt.Sprintf("tarnot%s_%d", tag, r)))
		accTile(d, g, r, w, stride, frame, xrow, xs, ap, fmt.Sprintf("%s_%d", tag, r), rows)
		JMP(LabelRef("tardone" + tag))
		Label(fmt.Sprintf("tarnot%s_%d", tag, r))
	}
	Label("tardone" + tag)
}

// accTile: R rows of At (from ap, advanced past them) × w vectors. The R
// rows of X are xs bytes apart and the column loop steps 8 bytes; with
// rows they are 8 bytes apart in xb and the loop steps a row of xb (k·8
// bytes).
func accTile(d *ewkit.Desc, g tgeom, R, w int, stride reg.Register, frame Mem, xrow, xs, ap reg.Register, tag string, rows bool) {
	acc := make([][]reg.VecVirtual, R)
	sp := GP64()
	MOVQ(ap, sp)
	for r := range acc {
		acc[r] = d.Vecs(w)
		for c := range acc[r] {
			d.Load(Mem{Base: sp, Disp: c * d.Width()}, acc[r][c])
		}
		if r < R-1 {
			ADDQ(stride, sp)
		}
	}
	var cs reg.Register
	var xrows strided
	if rows {
		cs = Load(Param("k"), GP64())
		SHLQ(U8(3), cs)
	} else {
		xrows = newStrided(xs, R)
	}
	rowAddr := func(xp reg.Register, r int) Mem {
		if rows {
			return Mem{Base: xp, Disp: 8 * r}
		}
		return xrows.row(xp, r)
	}
	gp := Load(Param("ut"), GP64())
	ADDQ(frame.Offset(8), gp)
	xp := GP64()
	MOVQ(xrow, xp)
	jc := GP64()
	MOVQ(U32(g.BcP), jc)
	Label("taj" + tag)
	gs := d.Vecs(w)
	for c := range gs {
		d.Load(Mem{Base: gp, Disp: c * d.Width()}, gs[c])
	}
	for r := 0; r < R; r++ {
		b := d.Vec()
		VBROADCASTSD(rowAddr(xp, r), b)
		for c := 0; c < w; c++ {
			d.FMA231(gs[c], b, acc[r][c])
		}
	}
	ADDQ(stride, gp)
	if rows {
		ADDQ(cs, xp)
	} else {
		ADDQ(U8(8), xp)
	}
	DECQ(jc)
	JNZ(LabelRef("taj" + tag))
	MOVQ(ap, sp)
	for r := range acc {
		for c := range acc[r] {
			d.Store(acc[r][c], Mem{Base: sp, Disp: c * d.Width()})
		}
		ADDQ(stride, sp)
	}
	MOVQ(sp, ap)
}

// tContrast emits icaTG<kind>: Uᵀ ← g(Uᵀ) over the block, gp += Σ g'.
// gp holds one vector per component vector (float64 contrast lanes for the
// float32 Exp contrast: two float64 vectors per component vector, the low
// and high halves of the float32 lanes).
func tContrast(d *ewkit.Desc, kind string) {
	g := geom(d)
	t := d.GoType()
	name := d.Name("icaTG" + kind)
	gpT := t
	if kind == ewkit.Exp {
		gpT = "float64"
	}
	d.Begin(name, fmt.Sprintf("func(ut *%s, kv int, gp *%s)", t, gpT),
		name+" applies the contrast to one block of Uᵀ in place (see asm/icastep/tile.go):",
		"",
		fmt.Sprintf("\tfor jp := 0; jp < %d; jp++ {", g.BcP),
		"\t\tfor e := 0; e < kv*L; e++ { // L lanes per vector",
		"\t\t\tgp[e] += g'(ut[jp*kv*L+e]); ut[jp*kv*L+e] = g(ut[jp*kv*L+e])",
		"\t\t}",
		"\t}",
		"",
		"(float32 Exp: gp has float64 lanes, the float32 lanes' low half first.",
		"LogCosh: g = tanh, g' = 1 − tanh²; the caller folds α into W and gp.)")
	stride := Load(Param("kv"), GP64())
	SHLQ(U8(log2(d.Width())), stride)
	// LogCosh: α is folded into Wt by the caller, so Uᵀ holds α·u, and gp
	// receives Σ(1 − tanh²), which the caller multiplies by α.
	var tc *tanhConsts
	s := d.NewContrastState(ewkit.Cube, nil) // just the g' accumulator
	if kind != ewkit.LogCosh {
		s = d.NewContrastState(kind, nil)
	}
	if kind == ewkit.LogCosh {
		tc = newTanhConsts(d)
	}
	G := d.Group(kind)
	if g.BcP%G != 0 {
		panic("icastep: block not a multiple of the contrast group")
	}
	exp32 := kind == ewkit.Exp && !d.Is64()
	col := Load(Param("ut"), GP64())
	gp := Load(Param("gp"), GP64())
	vc := Load(Param("kv"), GP64())
	Label("tgvecs")
	var acc2 reg.VecVirtual
	d.AccDesc(kind).Zero(s.Acc)
	if exp32 {
		acc2 = d.Vec()
		d.Zero(acc2)
	}
	p := GP64()
	MOVQ(col, p)
	jc := GP64()
	MOVQ(U32(g.BcP/G), jc)
	Label("tgrows")
	v := d.Vecs(G)
	for i := range v {
		// rows i apart: p + i·stride
		if i == 0 {
			d.Load(Mem{Base: p}, v[i])
		} else {
			d.Load(Mem{Base: p, Index: stride, Scale: 1}, v[i])
		}
	}
	var out []reg.VecVirtual
	if exp32 {
		out = exp32Contrast(d, v, s.Acc, acc2)
	} else if kind == ewkit.LogCosh {
		out = tanhG(d, tc, v, s.Acc)
	} else {
		out = d.ContrastN(s, v)
	}
	for i := range out {
		if i == 0 {
			d.Store(out[i], Mem{Base: p})
		} else {
			d.Store(out[i], Mem{Base: p, Index: stride, Scale: 1})
		}
	}
	for range G {
		ADDQ(stride, p)
	}
	DECQ(jc)
	JNZ(LabelRef("tgrows"))
	ad := d.AccDesc(kind)
	ad.Add(Mem{Base: gp}, s.Acc, s.Acc)
	ad.Store(s.Acc, Mem{Base: gp})
	if exp32 {
		ad.Add(Mem{Base: gp, Disp: d.Width()}, acc2, acc2)
		ad.Store(acc2, Mem{Base: gp, Disp: d.Width()})
		ADDQ(U32(2*d.Width()), gp)
	} else {
		ADDQ(U32(d.Width()), gp)
	}
	ADDQ(U32(d.Width()), col)
	DECQ(vc)
	JNZ(LabelRef("tgvecs"))
	d.End()
}

// exp32Contrast is the float32 Exp contrast evaluated in float64 with the
// g' of the low and high halves of the lanes kept apart (they belong to
// different components here).
func exp32Contrast(d *ewkit.Desc, v []reg.VecVirtual, accLo, accHi reg.VecVirtual) []reg.VecVirtual {
	e := d.F64()
	var out []reg.VecVirtual
	for i := range v {
		lo, hi := d.Widen(v[i])
		var gw []reg.VecVirtual
		for h, x := range []reg.VecVirtual{lo, hi} {
			acc := accLo
			if h == 1 {
				acc = accHi
			}
			gw = append(gw, expContrast64(e, x, acc))
		}
		out = append(out, d.Narrow(gw[0], gw[1]))
	}
	return out
}

// expContrast64 is g = x·e, acc += (1 − x²)·e with e = exp(−x²/2), float64.
func expContrast64(d *ewkit.Desc, x, acc reg.VecVirtual) reg.VecVirtual {
	t, h := d.Vec(), d.Vec()
	d.Mul(x, x, t)
	d.Mul(d.CV("ew_mhalf", -0.5), t, h)
	e := d.ExpNeg(h)
	g, o := d.Vec(), d.Vec()
	d.Mul(e, x, g)
	d.Load(d.CV("ew_one", 1), o)
	d.Sub(t, o, o)
	d.FMA231(o, e, acc)
	return g
}

// tPackRows emits icaTPackRows: one block of X stored one sample per row
// (rows ldx elements apart), centred by mu, into the layout icaTProjRows
// and icaTAccRows read: one pair-column per row of xb, k·8 bytes long.
// For float64 a pair-column is one sample, so the pack is a centring copy
// of BcP rows. For float32 it is two samples interleaved element by
// element (X[2jp, l], X[2jp+1, l] side by side, the 8-byte pair that
// VBROADCASTSD puts in every lane group), so 2·BcP rows are read.
// Centring here keeps the products exact however large the mean is, at the
// cost of one subtraction per element.
func tPackRows(d *ewkit.Desc) {
	g := geom(d)
	t := d.GoType()
	name := d.Name("icaTPackRows")
	body := "\t\tfor l := 0; l < k; l++ { xb[j*k+l] = x[j*ldx+l] - mu[l] }"
	rowsRead := g.BcP
	if !d.Is64() {
		body = "\t\tfor l := 0; l < k; l++ { for p := 0; p < 2; p++ { xb[j*2*k+2*l+p] = x[(2*j+p)*ldx+l] - mu[l] } }"
		rowsRead = 2 * g.BcP
	}
	d.Begin(name, fmt.Sprintf("func(x *%s, ldx, k int, mu, xb *%s)", t, t),
		fmt.Sprintf("%s packs one block of %d samples (rows of x) for icaTProjRows (see asm/icastep/tile.go):", name, rowsRead),
		"",
		fmt.Sprintf("\tfor j := 0; j < %d; j++ {", g.BcP),
		body,
		"\t}")
	src := Load(Param("x"), GP64())
	ldx := Load(Param("ldx"), GP64())
	SHLQ(U8(log2(d.Size())), ldx) // bytes
	dst := Load(Param("xb"), GP64())
	jc := GP64()
	MOVQ(U32(g.BcP), jc)
	L, W := d.Lanes(), d.Width()
	Label("prow")
	a := GP64()
	MOVQ(src, a)
	var b reg.Register
	if !d.Is64() {
		b = GP64()
		LEAQ(Mem{Base: src, Index: ldx, Scale: 1}, b)
	}
	m := Load(Param("mu"), GP64())
	left := Load(Param("k"), GP64())
	// piece packs n = lanes elements of each row read with vectors of
	// width bytes, advancing the pointers.
	piece := func(width int) {
		lanes := width / d.Size()
		vec := func() reg.VecVirtual {
			switch width {
			case 64:
				return ZMM()
			case 32:
				return YMM()
			}
			return XMM()
		}
		sub := func(v reg.VecVirtual) {
			d.Sub(Mem{Base: m}, v, v)
		}
		va := vec()
		d.Load(Mem{Base: a}, va)
		sub(va)
		if d.Is64() {
			d.Store(va, Mem{Base: dst})
		} else {
			vb := vec()
			d.Load(Mem{Base: b}, vb)
			sub(vb)
			lo, hi := vec(), vec()
			VUNPCKLPS(vb, va, lo) // a0 b0 a1 b1 per 128-bit lane
			VUNPCKHPS(vb, va, hi) // a2 b2 a3 b3 per 128-bit lane
			o0, o1 := vec(), vec()
			switch width {
			case 64:
				t0, t1 := vec(), vec()
				VSHUFF32X4(U8(0x44), hi, lo, t0) // lo.L0 lo.L1 hi.L0 hi.L1
				VSHUFF32X4(U8(0xEE), hi, lo, t1) // lo.L2 lo.L3 hi.L2 hi.L3
				VSHUFF32X4(U8(0xD8), t0, t0, o0) // lo.L0 hi.L0 lo.L1 hi.L1
				VSHUFF32X4(U8(0xD8), t1, t1, o1)
			case 32:
				VPERM2F128(U8(0x20), hi, lo, o0)
				VPERM2F128(U8(0x31), hi, lo, o1)
			default:
				panic("icastep: no 16-byte interleave")
			}
			d.Store(o0, Mem{Base: dst})
			d.Store(o1, Mem{Base: dst, Disp: width})
			ADDQ(U32(width), b)
		}
		ADDQ(U32(width), a)
		ADDQ(U32(width), m)
		if d.Is64() {
			ADDQ(U32(width), dst)
		} else {
			ADDQ(U32(2*width), dst) // two samples interleaved
		}
		SUBQ(U8(lanes), left)
	}
	Label("pfull")
	CMPQ(left, U8(L))
	JB(LabelRef("phalf"))
	piece(W)
	JMP(LabelRef("pfull"))
	Label("phalf")
	if d.Wide() {
		CMPQ(left, U8(L/2))
		JB(LabelRef("pscalar"))
		piece(W / 2)
	}
	Label("pscalar")
	TESTQ(left, left)
	JZ(LabelRef("pnext"))
	{
		x := XMM()
		d.LoadScalar(Mem{Base: a}, x)
		d.Pick(VSUBSS, VSUBSD)(Mem{Base: m}, x, x)
		d.StoreScalar(x, Mem{Base: dst})
		if !d.Is64() {
			y := XMM()
			VMOVSS(Mem{Base: b}, y)
			VSUBSS(Mem{Base: m}, y, y)
			VMOVSS(y, Mem{Base: dst, Disp: 4})
			ADDQ(U8(4), b)
		}
		ADDQ(U8(d.Size()), a)
		ADDQ(U8(d.Size()), m)
		ADDQ(U8(8), dst)
		DECQ(left)
		JMP(LabelRef("pscalar"))
	}
	Label("pnext")
	ADDQ(ldx, src)
	if !d.Is64() {
		ADDQ(ldx, src)
	}
	DECQ(jc)
	JNZ(LabelRef("prow"))
	d.End()
}
