// Command icastep generates kernels/icastep_amd64.s and its stubs: the
// block kernel of the fused FastICA step for float32/float64 on AVX2+FMA
// and AVX-512, one function per contrast.
//
// One call handles a block of B columns of X (B·size = 1536 bytes: 384
// float32 or 192 float64 columns) in four phases:
//
//  0. The block is copied into xb (k×B, rows 1536 bytes apart): X is read
//     from memory once, whatever its leading dimension, and the phases
//     below address it with immediate offsets.
//  1. U = Wp·X_blk (mp×B, U's rows are B apart). Register tile MR×(NV
//     vectors): MR = 4 rows of Wp broadcast, NV vectors of one X row
//     loaded per step of the k-loop (AVX-512: 4×6 accumulators, AVX2: 4×2);
//     column groups outside, row tiles inside, so the group's k×NV vectors
//     of xb stay in L1.
//  2. U ← g(U) row by row for the first m rows, g' added into gp (one
//     vector of lane partial sums per row, float64 lanes for the float32
//     Exp contrast, which is evaluated in float64).
//  3. acc += G·X_blkᵀ as lane partials: acc holds, for every (i, l), one
//     vector whose lanes sum G[i, j]·X[l, j] over the columns j ≡ lane
//     (mod lanes). Register tile IR = 4 rows of G × LR rows of X (AVX-512
//     4×6, AVX2 4×3), walking the B columns one vector at a time; k mod LR
//     leftover rows of X get their own narrower tiles; X row tiles outside,
//     G row tiles inside. The caller adds the lanes (in a fixed order) once
//     per chunk of columns.
//
// Wp is W padded with zero rows to mp (a multiple of 4), row-major with
// leading dimension k. X is read from memory once per step: the packed
// block is re-read from L1/L2 by phases 1 and 3.
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/deepica/deepica/asm/ewkit"
)

const (
	blockBytes = 1536
	mr         = 4 // rows of W per projection tile = rows of G per accumulation tile
)

func main() {
	ConstraintExpr("!purego")
	for _, d := range ewkit.All() {
		for _, kind := range []string{ewkit.LogCosh, ewkit.Exp, ewkit.Cube} {
			block(d, kind)
		}
		tiled(d)
	}
	Generate()
}

func nv(d *ewkit.Desc) int { // vectors per projection tile row
	if d.Wide() {
		return 6
	}
	return 2
}

func lr(d *ewkit.Desc) int { // rows of X per accumulation tile
	if d.Wide() {
		return 6
	}
	return 3
}

func block(d *ewkit.Desc, kind string) {
	t := d.GoType()
	B := blockBytes / d.Size()
	name := d.Name("icaBlock" + kind)
	d.Begin(name, fmt.Sprintf("func(w, x *%s, ldx, k, m, mp int, xb, u, acc, gp *%s, alpha %s)", t, t, t),
		name+" runs one block of the fused FastICA step (see asm/icastep):",
		"",
		"\tcopy the block's columns of X into xb (k×B, rows B apart)",
		fmt.Sprintf("\tfor j := 0; j < %d; j++ { // the block's columns", B),
		"\t\tfor i := 0; i < mp; i++ {",
		"\t\t\tu[i*B+j] = Σ_l w[i*k+l] * x[l*ldx+j]",
		"\t\t}",
		"\t\tfor i := 0; i < m; i++ {",
		"\t\t\tgp[i*L+j%L] += g'(u[i*B+j]); u[i*B+j] = g(u[i*B+j])",
		"\t\t}",
		"\t\tfor i := 0; i < mp; i++ {",
		"\t\t\tfor l := 0; l < k; l++ {",
		"\t\t\t\tacc[(i*k+l)*L+j%L] += u[i*B+j] * x[l*ldx+j]",
		"\t\t\t}",
		"\t\t}",
		"\t}",
		"",
		fmt.Sprintf("with B = %d, L = %d lanes (gp: %d bytes per row), mp a multiple of %d and k ≥ 1.", B, d.Lanes(), d.Width(), mr))
	pack(d)
	project(d, B)
	applyContrast(d, kind, B)
	accumulate(d, B)
	d.End()
}

// pack copies the block of X (k rows of blockBytes, ldx apart) into xb,
// rows blockBytes apart: the phases below then address X with immediate
// offsets, and no leading dimension of X (a multiple of 4096 bytes, say)
// can make its rows collide in the same L1 sets.
func pack(d *ewkit.Desc) {
	Comment("Phase 0: xb = X_blk")
	src := Load(Param("x"), GP64())
	dst := Load(Param("xb"), GP64())
	ldx := Load(Param("ldx"), GP64())
	SHLQ(U8(log2(d.Size())), ldx)
	lc := Load(Param("k"), GP64())
	Label("p0rows")
	n := blockBytes / d.Width()
	for v0 := 0; v0 < n; v0 += 8 {
		vs := d.Vecs(min(8, n-v0))
		for i := range vs {
			d.Load(Mem{Base: src, Disp: (v0 + i) * d.Width()}, vs[i])
		}
		for i := range vs {
			d.Store(vs[i], Mem{Base: dst, Disp: (v0 + i) * d.Width()})
		}
	}
	ADDQ(ldx, src)
	ADDQ(U32(blockBytes), dst)
	DECQ(lc)
	JNZ(LabelRef("p0rows"))
}

// project: U[:, group] = Wp·X[:, group], group by group (the group's
// columns of X, k×NV vectors, stay in L1 while every row tile uses them).
func project(d *ewkit.Desc, B int) {
	Comment("Phase 1: U = Wp·X_blk")
	NV := nv(d)
	groups := B / (NV * d.Lanes())
	xg := Load(Param("xb"), GP64())
	ug := Load(Param("u"), GP64())
	kb := Load(Param("k"), GP64())
	SHLQ(U8(log2(d.Size())), kb) // k in bytes: the distance between rows of Wp
	k3 := GP64()
	LEAQ(Mem{Base: kb, Index: kb, Scale: 2}, k3)
	gc := GP64()
	MOVQ(U32(groups), gc)
	Label("p1groups")
	{
		wrow := Load(Param("w"), GP64())
		urow := GP64()
		MOVQ(ug, urow)
		ic := Load(Param("mp"), GP64())
		SHRQ(U8(2), ic)
		Label("p1rows")
		acc := make([][]reg.VecVirtual, mr)
		for r := range acc {
			acc[r] = d.Vecs(NV)
			for _, a := range acc[r] {
				d.Zero(a)
			}
		}
		xp, wp := GP64(), GP64()
		MOVQ(xg, xp)
		MOVQ(wrow, wp)
		lc := Load(Param("k"), GP64())
		Label("p1k")
		xs := d.Vecs(NV)
		for v := range xs {
			d.Load(Mem{Base: xp, Disp: v * d.Width()}, xs[v])
		}
		wm := []Mem{{Base: wp}, {Base: wp, Index: kb, Scale: 1}, {Base: wp, Index: kb, Scale: 2}, {Base: wp, Index: k3, Scale: 1}}
		for r := 0; r < mr; r++ {
			b := d.Vec()
			d.Broadcast(wm[r], b)
			for v := 0; v < NV; v++ {
				d.FMA231(xs[v], b, acc[r][v])
			}
		}
		ADDQ(U32(blockBytes), xp)
		ADDQ(U8(d.Size()), wp)
		DECQ(lc)
		JNZ(LabelRef("p1k"))
		for r := 0; r < mr; r++ {
			for v := 0; v < NV; v++ {
				d.Store(acc[r][v], Mem{Base: urow, Disp: r*blockBytes + v*d.Width()})
			}
		}
		ADDQ(U32(mr*blockBytes), urow)
		LEAQ(Mem{Base: wrow, Index: kb, Scale: 4}, wrow)
		DECQ(ic)
		JNZ(LabelRef("p1rows"))
	}
	ADDQ(U32(NV*d.Width()), xg)
	ADDQ(U32(NV*d.Width()), ug)
	DECQ(gc)
	JNZ(LabelRef("p1groups"))
}

// applyContrast: rows 0..m−1 of U through g, g' into gp.
func applyContrast(d *ewkit.Desc, kind string, B int) {
	Comment("Phase 2: U ← g(U), gp += g'(U)")
	m := Load(Param("m"), GP64())
	TESTQ(m, m)
	JZ(LabelRef("p2done"))
	urow := Load(Param("u"), GP64())
	gp := Load(Param("gp"), GP64())
	var alpha reg.VecVirtual
	if kind == ewkit.LogCosh {
		alpha = d.Vec()
		d.Broadcast(Load(Param("alpha"), XMM()), alpha)
	}
	s := d.NewContrastState(kind, alpha)
	Label("p2rows")
	d.AccDesc(kind).Load(Mem{Base: gp}, s.Acc)
	G := d.Group(kind)
	if (B/d.Lanes())%G != 0 {
		panic("icastep: block not a multiple of the contrast group")
	}
	jc := GP64()
	MOVQ(U32(B/d.Lanes()/G), jc)
	Label("p2cols")
	v := d.Vecs(G)
	for i := range v {
		d.Load(Mem{Base: urow, Disp: i * d.Width()}, v[i])
	}
	g := d.ContrastN(s, v)
	for i := range g {
		d.Store(g[i], Mem{Base: urow, Disp: i * d.Width()})
	}
	ADDQ(U32(G*d.Width()), urow)
	DECQ(jc)
	JNZ(LabelRef("p2cols"))
	d.AccDesc(kind).Store(s.Acc, Mem{Base: gp})
	ADDQ(U32(d.Width()), gp)
	DECQ(m)
	JNZ(LabelRef("p2rows"))
	Label("p2done")
}

// accumulate: acc[i, l] += G[i, :]·X[l, :] as lane partials, X row tiles
// outside, G row tiles inside (the tile's X rows stay in L1 while the rows
// of G stream by).
func accumulate(d *ewkit.Desc, B int) {
	Comment("Phase 3: acc += G·X_blkᵀ (lane partials)")
	LR := lr(d)
	frame := AllocLocal(24)           // X rows left, U row of the G tile, acc tile
	xl := Load(Param("xb"), GP64())   // X row l0
	apl := Load(Param("acc"), GP64()) // acc (0, l0)
	MOVQ(Load(Param("k"), GP64()), frame)
	Label("p3tiles")
	CMPQ(frame, U8(LR))
	JB(LabelRef("p3edge"))
	rowTiles(d, B, LR, xl, apl, frame, "full")
	ADDQ(U32(LR*blockBytes), xl)
	ADDQ(U32(LR*d.Width()), apl)
	SUBQ(U8(LR), frame)
	JMP(LabelRef("p3tiles"))
	Label("p3edge")
	for w := LR - 1; w >= 1; w-- {
		CMPQ(frame, U8(w))
		JNE(LabelRef(fmt.Sprintf("p3not%d", w)))
		rowTiles(d, B, w, xl, apl, frame, fmt.Sprint(w))
		JMP(LabelRef("p3done"))
		Label(fmt.Sprintf("p3not%d", w))
	}
	Label("p3done")
}

// rowTiles runs the tiles of every 4 rows of G against the w rows of X at xl.
func rowTiles(d *ewkit.Desc, B, w int, xl, apl reg.Register, frame Mem, tag string) {
	MOVQ(Load(Param("u"), GP64()), frame.Offset(8))
	MOVQ(apl, frame.Offset(16))
	ic := Load(Param("mp"), GP64())
	SHRQ(U8(2), ic)
	Label("p3rows" + tag)
	tile(d, B, w, xl, frame, tag)
	kw := Load(Param("k"), GP64())
	SHLQ(U8(log2(d.Width())+2), kw) // 4 rows of acc
	ADDQ(kw, frame.Offset(16))
	ADDQ(U32(mr*blockBytes), frame.Offset(8))
	DECQ(ic)
	JNZ(LabelRef("p3rows" + tag))
}

// tile emits one IR×w accumulation tile at X row pointer xl, acc pointer ap.
func tile(d *ewkit.Desc, B, w int, xl reg.Register, frame Mem, tag string) {
	ap := GP64()
	MOVQ(frame.Offset(16), ap)
	kw := Load(Param("k"), GP64())
	SHLQ(U8(log2(d.Width())), kw) // acc row stride in bytes
	ap3 := GP64()
	LEAQ(Mem{Base: ap, Index: kw, Scale: 2}, ap3)
	ADDQ(kw, ap3)
	am := func(r, c int) Mem {
		switch r {
		case 0:
			return Mem{Base: ap, Disp: c * d.Width()}
		case 1:
			return Mem{Base: ap, Index: kw, Scale: 1, Disp: c * d.Width()}
		case 2:
			return Mem{Base: ap, Index: kw, Scale: 2, Disp: c * d.Width()}
		}
		return Mem{Base: ap3, Disp: c * d.Width()}
	}
	acc := make([][]reg.VecVirtual, mr)
	for r := range acc {
		acc[r] = d.Vecs(w)
		for c := range acc[r] {
			d.Load(am(r, c), acc[r][c])
		}
	}
	xp := GP64()
	MOVQ(xl, xp)
	xm := func(c int) Mem { return Mem{Base: xp, Disp: c * blockBytes} }
	ur := GP64()
	MOVQ(frame.Offset(8), ur)
	jc := GP64()
	MOVQ(U32(B/d.Lanes()), jc)
	loop := "p3j" + tag
	Label(loop)
	xs := d.Vecs(w)
	for c := 0; c < w; c++ {
		d.Load(xm(c), xs[c])
	}
	for r := 0; r < mr; r++ {
		g := d.Vec()
		d.Load(Mem{Base: ur, Disp: r * blockBytes}, g)
		for c := 0; c < w; c++ {
			d.FMA231(xs[c], g, acc[r][c])
		}
	}
	ADDQ(U32(d.Width()), xp)
	ADDQ(U32(d.Width()), ur)
	DECQ(jc)
	JNZ(LabelRef(loop))
	for r := range acc {
		for c := range acc[r] {
			d.Store(acc[r][c], am(r, c))
		}
	}
}

func log2(n int) int {
	k := 0
	for 1<<k < n {
		k++
	}
	return k
}
