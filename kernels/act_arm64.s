//go:build !purego

#include "textflag.h"
#include "neon_arm64.h"

// Activation backward passes and the Adam update for arm64 NEON, in the
// precision of the data (no transcendental functions: those forward passes
// are in contrast_arm64.s). One vector per iteration; the Go wrappers finish
// the tails.
//
// Cost on a Neoverse-N1-class core (2 ASIMD pipes; 2 loads and 1 store of 16
// bytes per cycle): backward passes take 3 loads, 1 store and 2–4 ASIMD ops
// per vector → load/store-bound, ≈ 1.5 c per vector: 0.75 c/element f64,
// 0.4 c/element f32. Adam does 4 loads, 3 stores, 10 ASIMD ops, one FSQRT
// and one FDIV per vector; the divide/square-root unit (FDIV.2D about one per
// 7 cycles, FSQRT.2D one per 9; .4S about one per 5 and 6) bounds it at
// ≈ 8 c/element f64 and ≈ 3 c/element f32.

// Registers: V27 α, V22 1, V31 0; V0 x, V1 y, V2 dy, V3 dx.

// func actBackNEON64(act Activation, alpha float64, x, y, dy, dx []float64)
TEXT ·actBackNEON64(SB), NOSPLIT, $0-112
	MOVD	act+0(FP), R6
	FMOVD	alpha+8(FP), F27
	VDUP	V27.D[0], V27.D2
	FMOVD	$1.0, F22
	VDUP	V22.D[0], V22.D2
	VEOR	V31.B16, V31.B16, V31.B16
	MOVD	x_base+16(FP), R0
	MOVD	x_len+24(FP), R5
	MOVD	y_base+40(FP), R1
	MOVD	dy_base+64(FP), R2
	MOVD	dx_base+88(FP), R3
	LSR	$1, R5, R5
	CBZ	R5, b64done
	CMP	$1, R6
	BLT	b64elu
	BEQ	b64relu
	CMP	$2, R6
	BEQ	b64tanh
b64sigmoid:
	VLD1.P	16(R1), [V1.D2]
	VLD1.P	16(R2), [V2.D2]
	FMUL2D(1, 2, 3)  // dy·y
	FSUB2D(1, 22, 4) // 1 − y
	FMUL2D(4, 3, 3)  // dy·y·(1 − y)
	VST1.P	[V3.D2], 16(R3)
	SUBS	$1, R5, R5
	BNE	b64sigmoid
	B	b64done
b64elu:
	VLD1.P	16(R0), [V0.D2]
	VLD1.P	16(R1), [V1.D2]
	VLD1.P	16(R2), [V2.D2]
	FADD2D(27, 1, 3) // y + α
	FMUL2D(3, 2, 3)  // dy·(y + α)
	FCMGTZ2D(0, 4)   // x > 0
	VBIT16(4, 2, 3)  // x > 0 ? dy : dy·(y + α)
	VST1.P	[V3.D2], 16(R3)
	SUBS	$1, R5, R5
	BNE	b64elu
	B	b64done
b64relu:
	VLD1.P	16(R0), [V0.D2]
	VLD1.P	16(R2), [V2.D2]
	FMAX2D(31, 0, 3) // NaN stays NaN, everything else not > 0 becomes +0
	FMIN2D(31, 3, 3)
	FCMGTZ2D(0, 4)
	VBIT16(4, 2, 3)  // x > 0 ? dy : (NaN ? x : 0)
	VST1.P	[V3.D2], 16(R3)
	SUBS	$1, R5, R5
	BNE	b64relu
	B	b64done
b64tanh:
	VLD1.P	16(R1), [V1.D2]
	VLD1.P	16(R2), [V2.D2]
	VMOV16(22, 3)
	FMLS2D(1, 1, 3)  // 1 − y²
	FMUL2D(3, 2, 3)  // dy·(1 − y²)
	VST1.P	[V3.D2], 16(R3)
	SUBS	$1, R5, R5
	BNE	b64tanh
b64done:
	RET

// func actBackNEON32(act Activation, alpha float32, x, y, dy, dx []float32)
TEXT ·actBackNEON32(SB), NOSPLIT, $0-112
	MOVD	act+0(FP), R6
	FMOVS	alpha+8(FP), F27
	VDUP	V27.S[0], V27.S4
	FMOVS	$1.0, F22
	VDUP	V22.S[0], V22.S4
	VEOR	V31.B16, V31.B16, V31.B16
	MOVD	x_base+16(FP), R0
	MOVD	x_len+24(FP), R5
	MOVD	y_base+40(FP), R1
	MOVD	dy_base+64(FP), R2
	MOVD	dx_base+88(FP), R3
	LSR	$2, R5, R5
	CBZ	R5, b32done
	CMP	$1, R6
	BLT	b32elu
	BEQ	b32relu
	CMP	$2, R6
	BEQ	b32tanh
b32sigmoid:
	VLD1.P	16(R1), [V1.S4]
	VLD1.P	16(R2), [V2.S4]
	FMUL4S(1, 2, 3)
	FSUB4S(1, 22, 4)
	FMUL4S(4, 3, 3)
	VST1.P	[V3.S4], 16(R3)
	SUBS	$1, R5, R5
	BNE	b32sigmoid
	B	b32done
b32elu:
	VLD1.P	16(R0), [V0.S4]
	VLD1.P	16(R1), [V1.S4]
	VLD1.P	16(R2), [V2.S4]
	FADD4S(27, 1, 3)
	FMUL4S(3, 2, 3)
	FCMGTZ4S(0, 4)
	VBIT16(4, 2, 3)
	VST1.P	[V3.S4], 16(R3)
	SUBS	$1, R5, R5
	BNE	b32elu
	B	b32done
b32relu:
	VLD1.P	16(R0), [V0.S4]
	VLD1.P	16(R2), [V2.S4]
	FMAX4S(31, 0, 3)
	FMIN4S(31, 3, 3)
	FCMGTZ4S(0, 4)
	VBIT16(4, 2, 3)
	VST1.P	[V3.S4], 16(R3)
	SUBS	$1, R5, R5
	BNE	b32relu
	B	b32done
b32tanh:
	VLD1.P	16(R1), [V1.S4]
	VLD1.P	16(R2), [V2.S4]
	VMOV16(22, 3)
	FMLS4S(1, 1, 3)
	FMUL4S(3, 2, 3)
	VST1.P	[V3.S4], 16(R3)
	SUBS	$1, R5, R5
	BNE	b32tanh
b32done:
	RET

// Adam registers: V16 β₁, V17 1−β₁, V18 β₂, V19 1−β₂, V20 lr, V21 c₁,
// V22 c₂, V23 ε; V0 p, V1 g, V2 m, V3 v.

// func adamNEON64(p, g, m, v []float64, c *[8]float64)
TEXT ·adamNEON64(SB), NOSPLIT, $0-104
	MOVD	c+96(FP), R5
	VLD1	(R5), [V24.D2, V25.D2, V26.D2, V27.D2]
	VDUP	V24.D[0], V16.D2
	VDUP	V24.D[1], V17.D2
	VDUP	V25.D[0], V18.D2
	VDUP	V25.D[1], V19.D2
	VDUP	V26.D[0], V20.D2
	VDUP	V26.D[1], V21.D2
	VDUP	V27.D[0], V22.D2
	VDUP	V27.D[1], V23.D2
	MOVD	p_base+0(FP), R0
	MOVD	p_len+8(FP), R6
	MOVD	g_base+24(FP), R1
	MOVD	m_base+48(FP), R2
	MOVD	v_base+72(FP), R3
	LSR	$1, R6, R6
	CBZ	R6, adam64done
adam64loop:
	VLD1.P	16(R1), [V1.D2]
	VLD1	(R2), [V2.D2]
	VLD1	(R3), [V3.D2]
	VLD1	(R0), [V0.D2]
	FMUL2D(16, 2, 2) // β₁m
	FMLA2D(17, 1, 2) // + (1−β₁)g
	FMUL2D(19, 1, 4) // (1−β₂)g
	FMUL2D(18, 3, 3) // β₂v
	FMLA2D(1, 4, 3)  // + (1−β₂)g·g
	FMUL2D(21, 2, 5) // m·c₁
	FMUL2D(20, 5, 5) // lr·(m·c₁)
	FMUL2D(22, 3, 6) // v·c₂
	FSQRT2D(6, 6)
	FADD2D(23, 6, 6) // √(v·c₂) + ε
	FDIV2D(6, 5, 5)
	FSUB2D(5, 0, 0)
	VST1.P	[V2.D2], 16(R2)
	VST1.P	[V3.D2], 16(R3)
	VST1.P	[V0.D2], 16(R0)
	SUBS	$1, R6, R6
	BNE	adam64loop
adam64done:
	RET

// func adamNEON32(p, g, m, v []float32, c *[8]float32)
TEXT ·adamNEON32(SB), NOSPLIT, $0-104
	MOVD	c+96(FP), R5
	VLD1	(R5), [V24.S4, V25.S4]
	VDUP	V24.S[0], V16.S4
	VDUP	V24.S[1], V17.S4
	VDUP	V24.S[2], V18.S4
	VDUP	V24.S[3], V19.S4
	VDUP	V25.S[0], V20.S4
	VDUP	V25.S[1], V21.S4
	VDUP	V25.S[2], V22.S4
	VDUP	V25.S[3], V23.S4
	MOVD	p_base+0(FP), R0
	MOVD	p_len+8(FP), R6
	MOVD	g_base+24(FP), R1
	MOVD	m_base+48(FP), R2
	MOVD	v_base+72(FP), R3
	LSR	$2, R6, R6
	CBZ	R6, adam32done
adam32loop:
	VLD1.P	16(R1), [V1.S4]
	VLD1	(R2), [V2.S4]
	VLD1	(R3), [V3.S4]
	VLD1	(R0), [V0.S4]
	FMUL4S(16, 2, 2)
	FMLA4S(17, 1, 2)
	FMUL4S(19, 1, 4)
	FMUL4S(18, 3, 3)
	FMLA4S(1, 4, 3)
	FMUL4S(21, 2, 5)
	FMUL4S(20, 5, 5)
	FMUL4S(22, 3, 6)
	FSQRT4S(6, 6)
	FADD4S(23, 6, 6)
	FDIV4S(6, 5, 5)
	FSUB4S(5, 0, 0)
	VST1.P	[V2.S4], 16(R2)
	VST1.P	[V3.S4], 16(R3)
	VST1.P	[V0.S4], 16(R0)
	SUBS	$1, R6, R6
	BNE	adam32loop
adam32done:
	RET
