//go:build !purego

#include "textflag.h"
#include "neon_arm64.h"

// Vectorised exp, expm1 and tanh for arm64 NEON, and the kernels built on
// them: the FastICA contrast functions (contrastNEON32/64) and the
// activations (actNEON32/64, in this file because they share the math).
//
// All transcendental work is done in float64, two lanes per register; the
// float32 kernels widen four lanes with FCVTL/FCVTL2, run the float64 code
// and narrow once with FCVTN (round to nearest), so a float32 result is the
// float64 result (within a few float64 ulp) rounded: within 1 ulp of the
// correctly rounded value, inside the 2-ulp bound.
//
// exp(x): clamp x to [−746, 710] (FMIN/FMAX keep NaN), k = round(x/ln2),
// r = x − k·ln2hi − k·ln2lo (Cody–Waite; k·ln2hi is exact since ln2hi has
// 21 trailing zero bits), |r| ≤ ln2/2; p = Σ_{j≤13} r^j/j! by Horner (the
// truncation error r^14/14! < 4e-18 is far below the 1.1e-16 ulp); then
// exp(x) = p·2^⌊k/2⌋·2^(k−⌊k/2⌋): two exact power-of-two factors keep both
// in the normal range for every clamped k, so overflow gives +Inf and the
// subnormal range is rounded once, as math.Exp does.
// expm1(x), x ≤ 0 (ELU): q = Σ_{1≤j≤13} r^j/j!, expm1 = q·2^k + (2^k − 1)
// with one fused rounding; for k = 0 it is q itself, so small |x| keeps its
// relative accuracy.
// tanh(y): for |y| < 0.625 the Cephes rational form used by math.Tanh,
// y + y·z·P(z)/Q(z) with z = y²; otherwise 1 − 2/(e^{2|y|} + 1) with 2|y|
// clamped to 40 (tanh rounds to 1 there), sign copied from y. The two
// branches are merged lane by lane (BIT) before a single FDIV.
//
// Coefficients of the Horner steps are fetched from the neonmath table with
// LDRQ (the load pipes are otherwise idle) so that only the general
// constants occupy registers. Register use in every kernel of this file:
//   V16 1/ln2   V17 ln2hi   V18 ln2lo   V19 710   V20 −746   V21 1023 (int64)
//   V22 1       V23 0.625   V24 40      V25 −2    V26 sign bit
//   V27 α       V28, V29 Σg' accumulators          V30 −1/2   V31 0
//   R9 → neonmath. V0–V15 are per-iteration temporaries; two independent
//   vectors (even and odd registers) are in flight per iteration.
//
// Cost per element on a Neoverse-N1-class core (2 ASIMD pipes, FP ops
// 2/cycle, FDIV.2D about one per 7 cycles, FSQRT.2D about one per 9), float64,
// counting ASIMD operations per 2-lane vector:
//   exp (full range): 2 clamp + 5 reduction + 14 Horner FMLA + 8 scaling = 29
//     ops → 14.5 c per vector, ≈ 7 c/element; the Horner chain (14 × 4-cycle
//     latency) is hidden by the second vector and out-of-order overlap of
//     consecutive iterations.
//   tanh: ≈ 27 (exp, no clamps, one scale) + 21 = 48 ops + 1 FDIV → ≈ 12 c/element.
//   logcosh contrast: tanh + 4 (α·u, 1 − t², accumulate) → ≈ 13 c/element;
//   exp contrast: exp + 6 → ≈ 9 c/element; cube: 4 ops → ≈ 1 c/element f64.
//   float32 (logcosh/exp): the same float64 work per element plus 3
//   conversions per 4 elements: ≈ 13 and 9 c/element.
//   sigmoid: exp + 2 + FDIV → ≈ 8 c/element; ELU: expm1 ≈ 32 ops → ≈ 9 c/element.

//   0: 1/ln 2
DATA neonmath<>+0(SB)/8, $0x3FF71547652B82FE
DATA neonmath<>+8(SB)/8, $0x3FF71547652B82FE
//  16: ln 2, high part (low 21 bits zero: k·ln2hi is exact)
DATA neonmath<>+16(SB)/8, $0x3FE62E42FEE00000
DATA neonmath<>+24(SB)/8, $0x3FE62E42FEE00000
//  32: ln 2 − ln2hi
DATA neonmath<>+32(SB)/8, $0x3DEA39EF35793C76
DATA neonmath<>+40(SB)/8, $0x3DEA39EF35793C76
//  48: exp clamp: above ln(MaxFloat64)
DATA neonmath<>+48(SB)/8, $0x4086300000000000
DATA neonmath<>+56(SB)/8, $0x4086300000000000
//  64: exp clamp: below ln(smallest subnormal)
DATA neonmath<>+64(SB)/8, $0xC087500000000000
DATA neonmath<>+72(SB)/8, $0xC087500000000000
//  80: 1023 as int64: exponent bias
DATA neonmath<>+80(SB)/8, $0x00000000000003FF
DATA neonmath<>+88(SB)/8, $0x00000000000003FF
//  96: 1
DATA neonmath<>+96(SB)/8, $0x3FF0000000000000
DATA neonmath<>+104(SB)/8, $0x3FF0000000000000
// 112: tanh: rational form below this |x|
DATA neonmath<>+112(SB)/8, $0x3FE4000000000000
DATA neonmath<>+120(SB)/8, $0x3FE4000000000000
// 128: tanh: 2|x| clamp (tanh = 1 in float64 beyond 19.1)
DATA neonmath<>+128(SB)/8, $0x4044000000000000
DATA neonmath<>+136(SB)/8, $0x4044000000000000
// 144: -2
DATA neonmath<>+144(SB)/8, $0xC000000000000000
DATA neonmath<>+152(SB)/8, $0xC000000000000000
// 160: sign bit
DATA neonmath<>+160(SB)/8, $0x8000000000000000
DATA neonmath<>+168(SB)/8, $0x8000000000000000
// 176: -1/2
DATA neonmath<>+176(SB)/8, $0xBFE0000000000000
DATA neonmath<>+184(SB)/8, $0xBFE0000000000000
// 192: c0 = 1/0!
DATA neonmath<>+192(SB)/8, $0x3FF0000000000000
DATA neonmath<>+200(SB)/8, $0x3FF0000000000000
// 208: c1 = 1/1!
DATA neonmath<>+208(SB)/8, $0x3FF0000000000000
DATA neonmath<>+216(SB)/8, $0x3FF0000000000000
// 224: c2 = 1/2!
DATA neonmath<>+224(SB)/8, $0x3FE0000000000000
DATA neonmath<>+232(SB)/8, $0x3FE0000000000000
// 240: c3 = 1/3!
DATA neonmath<>+240(SB)/8, $0x3FC5555555555555
DATA neonmath<>+248(SB)/8, $0x3FC5555555555555
// 256: c4 = 1/4!
DATA neonmath<>+256(SB)/8, $0x3FA5555555555555
DATA neonmath<>+264(SB)/8, $0x3FA5555555555555
// 272: c5 = 1/5!
DATA neonmath<>+272(SB)/8, $0x3F81111111111111
DATA neonmath<>+280(SB)/8, $0x3F81111111111111
// 288: c6 = 1/6!
DATA neonmath<>+288(SB)/8, $0x3F56C16C16C16C17
DATA neonmath<>+296(SB)/8, $0x3F56C16C16C16C17
// 304: c7 = 1/7!
DATA neonmath<>+304(SB)/8, $0x3F2A01A01A01A01A
DATA neonmath<>+312(SB)/8, $0x3F2A01A01A01A01A
// 320: c8 = 1/8!
DATA neonmath<>+320(SB)/8, $0x3EFA01A01A01A01A
DATA neonmath<>+328(SB)/8, $0x3EFA01A01A01A01A
// 336: c9 = 1/9!
DATA neonmath<>+336(SB)/8, $0x3EC71DE3A556C734
DATA neonmath<>+344(SB)/8, $0x3EC71DE3A556C734
// 352: c10 = 1/10!
DATA neonmath<>+352(SB)/8, $0x3E927E4FB7789F5C
DATA neonmath<>+360(SB)/8, $0x3E927E4FB7789F5C
// 368: c11 = 1/11!
DATA neonmath<>+368(SB)/8, $0x3E5AE64567F544E4
DATA neonmath<>+376(SB)/8, $0x3E5AE64567F544E4
// 384: c12 = 1/12!
DATA neonmath<>+384(SB)/8, $0x3E21EED8EFF8D898
DATA neonmath<>+392(SB)/8, $0x3E21EED8EFF8D898
// 400: c13 = 1/13!
DATA neonmath<>+400(SB)/8, $0x3DE6124613A86D09
DATA neonmath<>+408(SB)/8, $0x3DE6124613A86D09
// 416: tanhP[0] = -0.9643991794250523 (Cephes, as in math.Tanh)
DATA neonmath<>+416(SB)/8, $0xBFEEDC5BAAFD6F4B
DATA neonmath<>+424(SB)/8, $0xBFEEDC5BAAFD6F4B
// 432: tanhP[1] = -99.28772310019185 (Cephes, as in math.Tanh)
DATA neonmath<>+432(SB)/8, $0xC058D26A0E26682D
DATA neonmath<>+440(SB)/8, $0xC058D26A0E26682D
// 448: tanhP[2] = -1614.6876844170845 (Cephes, as in math.Tanh)
DATA neonmath<>+448(SB)/8, $0xC0993AC030580563
DATA neonmath<>+456(SB)/8, $0xC0993AC030580563
// 464: tanhQ[0] = 112.81167849163293 (Cephes, as in math.Tanh)
DATA neonmath<>+464(SB)/8, $0x405C33F28A581B86
DATA neonmath<>+472(SB)/8, $0x405C33F28A581B86
// 480: tanhQ[1] = 2235.4883906010045 (Cephes, as in math.Tanh)
DATA neonmath<>+480(SB)/8, $0x40A176FA0E5535FA
DATA neonmath<>+488(SB)/8, $0x40A176FA0E5535FA
// 496: tanhQ[2] = 4844.063053251255 (Cephes, as in math.Tanh)
DATA neonmath<>+496(SB)/8, $0x40B2EC102442040C
DATA neonmath<>+504(SB)/8, $0x40B2EC102442040C
// 512: 3 (float64)
DATA neonmath<>+512(SB)/8, $0x4008000000000000
DATA neonmath<>+520(SB)/8, $0x4008000000000000
// 528: 3 (float32 ×4)
DATA neonmath<>+528(SB)/8, $0x4040000040400000
DATA neonmath<>+536(SB)/8, $0x4040000040400000
GLOBL neonmath<>(SB), RODATA|NOPTR, $544

// LOADCONST sets up V16–V26, V30, V31 and R9 (see the register map above)
// and clears the accumulators V28, V29.
#define LOADCONST \
	MOVD	$neonmath<>(SB), R9; \
	LDRQ(0, 9, 16); \
	LDRQ(16, 9, 17); \
	LDRQ(32, 9, 18); \
	LDRQ(48, 9, 19); \
	LDRQ(64, 9, 20); \
	LDRQ(80, 9, 21); \
	LDRQ(96, 9, 22); \
	LDRQ(112, 9, 23); \
	LDRQ(128, 9, 24); \
	LDRQ(144, 9, 25); \
	LDRQ(160, 9, 26); \
	LDRQ(176, 9, 30); \
	VEOR	V31.B16, V31.B16, V31.B16; \
	VEOR	V28.B16, V28.B16, V28.B16; \
	VEOR	V29.B16, V29.B16, V29.B16

// EXP_REDUCE: t = float(k), k = round(x/ln2) as int64, x ← r = x − k·ln2.
#define EXP_REDUCE(x, k, t) \
	FMUL2D(16, x, t); \
	FCVTNS2D(t, k); \
	SCVTF2D(k, t); \
	FMLS2D(17, t, x); \
	FMLS2D(18, t, x)

// POLY_C1: t ← Σ_{j=1..13} r^{j−1}/j! (Horner, coefficients from the table);
// r in x, u is a temporary.
#define POLY_C1(x, t, u) \
	LDRQ(400, 9, t); \
	LDRQ(384, 9, u); FMLA2D(x, t, u); \
	LDRQ(368, 9, t); FMLA2D(x, u, t); \
	LDRQ(352, 9, u); FMLA2D(x, t, u); \
	LDRQ(336, 9, t); FMLA2D(x, u, t); \
	LDRQ(320, 9, u); FMLA2D(x, t, u); \
	LDRQ(304, 9, t); FMLA2D(x, u, t); \
	LDRQ(288, 9, u); FMLA2D(x, t, u); \
	LDRQ(272, 9, t); FMLA2D(x, u, t); \
	LDRQ(256, 9, u); FMLA2D(x, t, u); \
	LDRQ(240, 9, t); FMLA2D(x, u, t); \
	LDRQ(224, 9, u); FMLA2D(x, t, u); \
	LDRQ(208, 9, t); FMLA2D(x, u, t)

// EXPFULL: x ← exp(x) over the whole float64 range; k, t, u clobbered.
#define EXPFULL(x, k, t, u) \
	FMIN2D(19, x, x); \
	FMAX2D(20, x, x); \
	EXP_REDUCE(x, k, t); \
	POLY_C1(x, t, u); \
	LDRQ(192, 9, u); FMLA2D(x, t, u); \
	SSHR2D1(k, t); \
	SUB2D(t, k, k); \
	ADD2D(21, t, t); \
	ADD2D(21, k, k); \
	SHL2D52(t, t); \
	SHL2D52(k, k); \
	FMUL2D(t, u, u); \
	FMUL2D(k, u, x)

// EXPSMALL: x ← exp(x) for 0 ≤ x ≤ 40 or NaN (one power-of-two factor).
#define EXPSMALL(x, k, t, u) \
	EXP_REDUCE(x, k, t); \
	POLY_C1(x, t, u); \
	LDRQ(192, 9, u); FMLA2D(x, t, u); \
	ADD2D(21, k, k); \
	SHL2D52(k, k); \
	FMUL2D(k, u, x)

// EXPM1NEG: u ← expm1(min(x, 0)); x, k, t clobbered.
#define EXPM1NEG(x, k, t, u) \
	FMIN2D(31, x, x); \
	FMAX2D(20, x, x); \
	EXP_REDUCE(x, k, t); \
	POLY_C1(x, t, u); \
	FMUL2D(x, t, t); \
	SSHR2D1(k, u); \
	SUB2D(u, k, k); \
	ADD2D(21, u, u); \
	ADD2D(21, k, k); \
	SHL2D52(u, u); \
	SHL2D52(k, k); \
	FMUL2D(u, t, t); \
	FMUL2D(k, u, u); \
	FSUB2D(22, u, u); \
	FMLA2D(k, t, u)

// TANH: t ← tanh(y); y is kept, ax, w, k, u, v clobbered.
#define TANH(y, ax, w, k, t, u, v) \
	FABS2D(y, ax); \
	FADD2D(ax, ax, w); \
	FMIN2D(24, w, w); \
	FCMGT2D(ax, 23, ax); \
	EXPSMALL(w, k, t, u); \
	FADD2D(22, w, w); \
	FMUL2D(y, y, k); \
	LDRQ(416, 9, t); \
	LDRQ(432, 9, u); FMLA2D(k, t, u); \
	LDRQ(448, 9, t); FMLA2D(k, u, t); \
	FMUL2D(k, t, t); \
	FMUL2D(y, t, t); \
	LDRQ(464, 9, u); FADD2D(k, u, u); \
	LDRQ(480, 9, v); FMLA2D(k, u, v); \
	LDRQ(496, 9, u); FMLA2D(k, v, u); \
	VBIT16(ax, u, w); \
	VMOV16(25, v); \
	VBIT16(ax, t, v); \
	VMOV16(22, k); \
	VBIT16(ax, y, k); \
	FDIV2D(w, v, t); \
	FADD2D(t, k, t); \
	VBIT16(26, y, t)

// Loop bodies on the four float64 values in V0 (elements 0–1) and V1 (2–3).
// Each leaves g in V8, V9 and adds g' to the accumulators V28, V29.

// LOGCOSH_BODY: g = tanh(αu), g' = α(1 − g²).
#define LOGCOSH_BODY \
	FMUL2D(27, 0, 0); \
	FMUL2D(27, 1, 1); \
	TANH(0, 2, 4, 6, 8, 10, 12); \
	TANH(1, 3, 5, 7, 9, 11, 13); \
	VMOV16(22, 10); \
	VMOV16(22, 11); \
	FMLS2D(8, 8, 10); \
	FMLS2D(9, 9, 11); \
	FMLA2D(10, 27, 28); \
	FMLA2D(11, 27, 29)

// EXP_BODY: e = exp(−u²/2), g = u·e, g' = (1 − u²)·e.
#define EXP_BODY \
	FMUL2D(0, 0, 2); \
	FMUL2D(1, 1, 3); \
	FMUL2D(30, 2, 2); \
	FMUL2D(30, 3, 3); \
	EXPFULL(2, 4, 6, 10); \
	EXPFULL(3, 5, 7, 11); \
	FMUL2D(2, 0, 8); \
	FMUL2D(3, 1, 9); \
	VMOV16(22, 12); \
	VMOV16(22, 13); \
	FMLS2D(0, 0, 12); \
	FMLS2D(1, 1, 13); \
	FMLA2D(2, 12, 28); \
	FMLA2D(3, 13, 29)

// REDUCE_RET adds the accumulators and stores the float64 sum at off(FP).
#define REDUCE_ACC \
	FADD2D(29, 28, 28); \
	FADDPD(28, 28)

// func contrastNEON64(f Contrast, alpha float64, u []float64) float64
// Replaces u[i] by g(u[i]) for i < len(u)&^3 and returns Σ g'(u[i]).
TEXT ·contrastNEON64(SB), NOSPLIT, $0-48
	LOADCONST
	MOVD	f+0(FP), R3
	FMOVD	alpha+8(FP), F27
	VDUP	V27.D[0], V27.D2
	MOVD	u_base+16(FP), R0
	MOVD	u_len+24(FP), R2
	LSR	$2, R2, R2
	CBZ	R2, c64done
	CMP	$1, R3
	BEQ	c64exp
	BGT	c64cube
c64logcosh:
	VLD1	(R0), [V0.D2, V1.D2]
	LOGCOSH_BODY
	VST1.P	[V8.D2, V9.D2], 32(R0)
	SUBS	$1, R2, R2
	BNE	c64logcosh
	B	c64done
c64exp:
	VLD1	(R0), [V0.D2, V1.D2]
	EXP_BODY
	VST1.P	[V8.D2, V9.D2], 32(R0)
	SUBS	$1, R2, R2
	BNE	c64exp
	B	c64done
c64cube:
	LDRQ(512, 9, 14)
c64cubeloop:
	VLD1	(R0), [V0.D2, V1.D2]
	FMUL2D(0, 0, 2)   // u²
	FMUL2D(1, 1, 3)
	FMUL2D(0, 2, 8)   // g = u²·u
	FMUL2D(1, 3, 9)
	FMUL2D(14, 0, 4)  // 3u
	FMUL2D(14, 1, 5)
	FMLA2D(0, 4, 28)  // Σ 3u·u
	FMLA2D(1, 5, 29)
	VST1.P	[V8.D2, V9.D2], 32(R0)
	SUBS	$1, R2, R2
	BNE	c64cubeloop
c64done:
	REDUCE_ACC
	FMOVD	F28, ret+40(FP)
	RET

// func contrastNEON32(f Contrast, alpha float64, u []float32) float64
// Replaces u[i] by g(u[i]) for i < len(u)&^3 and returns Σ g'(u[i]) summed
// in float64. logcosh and exp are evaluated in float64 and rounded once;
// cube is computed in float32 like the reference (u·u·u and 3·u·u).
TEXT ·contrastNEON32(SB), NOSPLIT, $0-48
	LOADCONST
	MOVD	f+0(FP), R3
	FMOVD	alpha+8(FP), F27
	VDUP	V27.D[0], V27.D2
	MOVD	u_base+16(FP), R0
	MOVD	u_len+24(FP), R2
	LSR	$2, R2, R2
	CBZ	R2, c32done
	CMP	$1, R3
	BEQ	c32exp
	BGT	c32cube
c32logcosh:
	VLD1	(R0), [V14.S4]
	FCVTL(14, 0)
	FCVTL2(14, 1)
	LOGCOSH_BODY
	FCVTN(8, 14)
	FCVTN2(9, 14)
	VST1.P	[V14.S4], 16(R0)
	SUBS	$1, R2, R2
	BNE	c32logcosh
	B	c32done
c32exp:
	VLD1	(R0), [V14.S4]
	FCVTL(14, 0)
	FCVTL2(14, 1)
	EXP_BODY
	FCVTN(8, 14)
	FCVTN2(9, 14)
	VST1.P	[V14.S4], 16(R0)
	SUBS	$1, R2, R2
	BNE	c32exp
	B	c32done
c32cube:
	LDRQ(528, 9, 15)
c32cubeloop:
	VLD1	(R0), [V0.S4]
	FMUL4S(0, 0, 2)   // u²
	FMUL4S(0, 2, 8)   // g = u²·u
	FMUL4S(15, 0, 4)  // 3u
	FMUL4S(0, 4, 4)   // g' = 3u·u (float32, as the reference)
	FCVTL(4, 6)
	FCVTL2(4, 7)
	FADD2D(6, 28, 28)
	FADD2D(7, 29, 29)
	VST1.P	[V8.S4], 16(R0)
	SUBS	$1, R2, R2
	BNE	c32cubeloop
c32done:
	REDUCE_ACC
	FMOVD	F28, ret+40(FP)
	RET

// Activation bodies, on V0 (elements 0–1) and V1 (2–3); results in V8, V9.

// TANH_ACT: y = tanh(x).
#define TANH_ACT \
	TANH(0, 2, 4, 6, 8, 10, 12); \
	TANH(1, 3, 5, 7, 9, 11, 13)

// SIGMOID_ACT: y = 1/(1 + e^−x).
#define SIGMOID_ACT \
	FNEG2D(0, 2); \
	FNEG2D(1, 3); \
	EXPFULL(2, 4, 6, 10); \
	EXPFULL(3, 5, 7, 11); \
	FADD2D(22, 2, 2); \
	FADD2D(22, 3, 3); \
	FDIV2D(2, 22, 8); \
	FDIV2D(3, 22, 9)

// ELU_ACT: y = x for x > 0, else α·expm1(x) (NaN stays NaN: x > 0 is false
// and expm1 propagates it).
#define ELU_ACT \
	VMOV16(0, 2); \
	VMOV16(1, 3); \
	EXPM1NEG(2, 4, 6, 8); \
	EXPM1NEG(3, 5, 7, 9); \
	FMUL2D(27, 8, 8); \
	FMUL2D(27, 9, 9); \
	FCMGTZ2D(0, 10); \
	FCMGTZ2D(1, 11); \
	VBIT16(10, 0, 8); \
	VBIT16(11, 1, 9)

// func actNEON64(act Activation, alpha float64, x, y []float64)
// y[i] = act(x[i]) for i < len(x)&^3.
TEXT ·actNEON64(SB), NOSPLIT, $0-64
	LOADCONST
	MOVD	act+0(FP), R3
	FMOVD	alpha+8(FP), F27
	VDUP	V27.D[0], V27.D2
	MOVD	x_base+16(FP), R0
	MOVD	x_len+24(FP), R2
	MOVD	y_base+40(FP), R1
	LSR	$2, R2, R2
	CBZ	R2, a64done
	CMP	$1, R3
	BLT	a64elu
	BEQ	a64relu
	CMP	$2, R3
	BEQ	a64tanh
a64sigmoid:
	VLD1.P	32(R0), [V0.D2, V1.D2]
	SIGMOID_ACT
	VST1.P	[V8.D2, V9.D2], 32(R1)
	SUBS	$1, R2, R2
	BNE	a64sigmoid
	B	a64done
a64elu:
	VLD1.P	32(R0), [V0.D2, V1.D2]
	ELU_ACT
	VST1.P	[V8.D2, V9.D2], 32(R1)
	SUBS	$1, R2, R2
	BNE	a64elu
	B	a64done
a64relu:
	VLD1.P	32(R0), [V0.D2, V1.D2]
	FMAX2D(31, 0, 8) // max(x, +0): −0 → +0, NaN stays NaN
	FMAX2D(31, 1, 9)
	VST1.P	[V8.D2, V9.D2], 32(R1)
	SUBS	$1, R2, R2
	BNE	a64relu
	B	a64done
a64tanh:
	VLD1.P	32(R0), [V0.D2, V1.D2]
	TANH_ACT
	VST1.P	[V8.D2, V9.D2], 32(R1)
	SUBS	$1, R2, R2
	BNE	a64tanh
a64done:
	RET

// func actNEON32(act Activation, alpha float64, x, y []float32)
// y[i] = act(x[i]) for i < len(x)&^3; ELU, tanh and sigmoid in float64,
// rounded once.
TEXT ·actNEON32(SB), NOSPLIT, $0-64
	LOADCONST
	MOVD	act+0(FP), R3
	FMOVD	alpha+8(FP), F27
	VDUP	V27.D[0], V27.D2
	MOVD	x_base+16(FP), R0
	MOVD	x_len+24(FP), R2
	MOVD	y_base+40(FP), R1
	LSR	$2, R2, R2
	CBZ	R2, a32done
	CMP	$1, R3
	BLT	a32elu
	BEQ	a32relu
	CMP	$2, R3
	BEQ	a32tanh
a32sigmoid:
	VLD1.P	16(R0), [V14.S4]
	FCVTL(14, 0)
	FCVTL2(14, 1)
	SIGMOID_ACT
	FCVTN(8, 14)
	FCVTN2(9, 14)
	VST1.P	[V14.S4], 16(R1)
	SUBS	$1, R2, R2
	BNE	a32sigmoid
	B	a32done
a32elu:
	VLD1.P	16(R0), [V14.S4]
	FCVTL(14, 0)
	FCVTL2(14, 1)
	ELU_ACT
	FCVTN(8, 14)
	FCVTN2(9, 14)
	VST1.P	[V14.S4], 16(R1)
	SUBS	$1, R2, R2
	BNE	a32elu
	B	a32done
a32relu:
	VLD1.P	16(R0), [V0.S4]
	FMAX4S(31, 0, 8)
	VST1.P	[V8.S4], 16(R1)
	SUBS	$1, R2, R2
	BNE	a32relu
	B	a32done
a32tanh:
	VLD1.P	16(R0), [V14.S4]
	FCVTL(14, 0)
	FCVTL2(14, 1)
	TANH_ACT
	FCVTN(8, 14)
	FCVTN2(9, 14)
	VST1.P	[V14.S4], 16(R1)
	SUBS	$1, R2, R2
	BNE	a32tanh
a32done:
	RET

// func mathNEON64(fn int, x []float64)
// In place, for i < len(x)&^3: fn 0 exp, 1 expm1 (of min(x, 0)), 2 tanh.
// The elementary functions alone, for the accuracy tests.
TEXT ·mathNEON64(SB), NOSPLIT, $0-32
	LOADCONST
	MOVD	fn+0(FP), R3
	MOVD	x_base+8(FP), R0
	MOVD	x_len+16(FP), R2
	LSR	$2, R2, R2
	CBZ	R2, m64done
	CMP	$1, R3
	BLT	m64exp
	BEQ	m64expm1
m64tanh:
	VLD1	(R0), [V0.D2, V1.D2]
	TANH_ACT
	VST1.P	[V8.D2, V9.D2], 32(R0)
	SUBS	$1, R2, R2
	BNE	m64tanh
	B	m64done
m64exp:
	VLD1	(R0), [V0.D2, V1.D2]
	EXPFULL(0, 4, 6, 10)
	EXPFULL(1, 5, 7, 11)
	VST1.P	[V0.D2, V1.D2], 32(R0)
	SUBS	$1, R2, R2
	BNE	m64exp
	B	m64done
m64expm1:
	VLD1	(R0), [V0.D2, V1.D2]
	EXPM1NEG(0, 4, 6, 8)
	EXPM1NEG(1, 5, 7, 9)
	VST1.P	[V8.D2, V9.D2], 32(R0)
	SUBS	$1, R2, R2
	BNE	m64expm1
m64done:
	RET
