//go:build !purego

#include "textflag.h"
#include "neon_arm64.h"

// GEMM micro-kernels for arm64 NEON: C[0:MR, 0:NR] += alpha · Apanel·Bpanel
// over kc packed steps (the packing is done by gemm_arm64.go). The
// accumulators live in V16–V31; each step loads one column of the A panel
// (MR values) and one row of the B panel (NR values) and does 16 FMLA by
// element (fmla vd, vb, va.s[i]).
//
// Cost on a Neoverse-N1-class core (2 FMLA per cycle, latency 4; 2 quad
// loads per cycle): per step 16 FMLA (8 cycles) against 4 (f32) or 6 (f64)
// quad loads and 2 loop instructions, so the loop runs at the FMLA rate:
//   float32 8×8: 128 flops per 8 cycles = 16 flops/cycle = peak
//     (0.0625 c per multiply-add);
//   float64 4×8: 64 flops per 8 cycles = 8 flops/cycle = peak.
// Each accumulator is updated every 8 cycles, twice the FMLA latency, so the
// dependency chains do not stall. The C update (MR row loads, 16 FMLA, MR
// stores) is amortised over kc = 256 steps (< 2%).

// func gemmMicroNEON32(kc int, a, b, c []float32, ldc int, alpha float32)
// a: kc×8 packed (8 rows per step), b: kc×8 packed, c: 8 rows of 8 at stride ldc.
TEXT ·gemmMicroNEON32(SB), NOSPLIT, $0-92
	MOVD	kc+0(FP), R3
	MOVD	a_base+8(FP), R0
	MOVD	b_base+32(FP), R1
	MOVD	c_base+56(FP), R2
	MOVD	ldc+80(FP), R4
	LSL	$2, R4, R4
	VEOR	V16.B16, V16.B16, V16.B16
	VEOR	V17.B16, V17.B16, V17.B16
	VEOR	V18.B16, V18.B16, V18.B16
	VEOR	V19.B16, V19.B16, V19.B16
	VEOR	V20.B16, V20.B16, V20.B16
	VEOR	V21.B16, V21.B16, V21.B16
	VEOR	V22.B16, V22.B16, V22.B16
	VEOR	V23.B16, V23.B16, V23.B16
	VEOR	V24.B16, V24.B16, V24.B16
	VEOR	V25.B16, V25.B16, V25.B16
	VEOR	V26.B16, V26.B16, V26.B16
	VEOR	V27.B16, V27.B16, V27.B16
	VEOR	V28.B16, V28.B16, V28.B16
	VEOR	V29.B16, V29.B16, V29.B16
	VEOR	V30.B16, V30.B16, V30.B16
	VEOR	V31.B16, V31.B16, V31.B16
	CBZ	R3, g32store
g32loop:
	VLD1.P	32(R0), [V0.S4, V1.S4]
	VLD1.P	32(R1), [V2.S4, V3.S4]
	FMLAE4S(0, 0, 2, 16) // fmla v16.4s, v2.4s, v0.s[0]
	FMLAE4S(0, 0, 3, 17) // fmla v17.4s, v3.4s, v0.s[0]
	FMLAE4S(0, 1, 2, 18) // fmla v18.4s, v2.4s, v0.s[1]
	FMLAE4S(0, 1, 3, 19) // fmla v19.4s, v3.4s, v0.s[1]
	FMLAE4S(0, 2, 2, 20) // fmla v20.4s, v2.4s, v0.s[2]
	FMLAE4S(0, 2, 3, 21) // fmla v21.4s, v3.4s, v0.s[2]
	FMLAE4S(0, 3, 2, 22) // fmla v22.4s, v2.4s, v0.s[3]
	FMLAE4S(0, 3, 3, 23) // fmla v23.4s, v3.4s, v0.s[3]
	FMLAE4S(1, 0, 2, 24) // fmla v24.4s, v2.4s, v1.s[0]
	FMLAE4S(1, 0, 3, 25) // fmla v25.4s, v3.4s, v1.s[0]
	FMLAE4S(1, 1, 2, 26) // fmla v26.4s, v2.4s, v1.s[1]
	FMLAE4S(1, 1, 3, 27) // fmla v27.4s, v3.4s, v1.s[1]
	FMLAE4S(1, 2, 2, 28) // fmla v28.4s, v2.4s, v1.s[2]
	FMLAE4S(1, 2, 3, 29) // fmla v29.4s, v3.4s, v1.s[2]
	FMLAE4S(1, 3, 2, 30) // fmla v30.4s, v2.4s, v1.s[3]
	FMLAE4S(1, 3, 3, 31) // fmla v31.4s, v3.4s, v1.s[3]
	SUBS	$1, R3, R3
	BNE	g32loop
g32store:
	FMOVS	alpha+88(FP), F4
#define G32ROW(r0, r1) \
	VLD1	(R2), [V6.S4, V7.S4]; \
	FMLAE4S(4, 0, r0, 6); \
	FMLAE4S(4, 0, r1, 7); \
	VST1	[V6.S4, V7.S4], (R2); \
	ADD	R4, R2, R2
	G32ROW(16, 17)
	G32ROW(18, 19)
	G32ROW(20, 21)
	G32ROW(22, 23)
	G32ROW(24, 25)
	G32ROW(26, 27)
	G32ROW(28, 29)
	G32ROW(30, 31)
	RET

// func gemmMicroNEON64(kc int, a, b, c []float64, ldc int, alpha float64)
// a: kc×4 packed, b: kc×8 packed, c: 4 rows of 8 at stride ldc.
TEXT ·gemmMicroNEON64(SB), NOSPLIT, $0-96
	MOVD	kc+0(FP), R3
	MOVD	a_base+8(FP), R0
	MOVD	b_base+32(FP), R1
	MOVD	c_base+56(FP), R2
	MOVD	ldc+80(FP), R4
	LSL	$3, R4, R4
	VEOR	V16.B16, V16.B16, V16.B16
	VEOR	V17.B16, V17.B16, V17.B16
	VEOR	V18.B16, V18.B16, V18.B16
	VEOR	V19.B16, V19.B16, V19.B16
	VEOR	V20.B16, V20.B16, V20.B16
	VEOR	V21.B16, V21.B16, V21.B16
	VEOR	V22.B16, V22.B16, V22.B16
	VEOR	V23.B16, V23.B16, V23.B16
	VEOR	V24.B16, V24.B16, V24.B16
	VEOR	V25.B16, V25.B16, V25.B16
	VEOR	V26.B16, V26.B16, V26.B16
	VEOR	V27.B16, V27.B16, V27.B16
	VEOR	V28.B16, V28.B16, V28.B16
	VEOR	V29.B16, V29.B16, V29.B16
	VEOR	V30.B16, V30.B16, V30.B16
	VEOR	V31.B16, V31.B16, V31.B16
	CBZ	R3, g64store
g64loop:
	VLD1.P	32(R0), [V0.D2, V1.D2]
	VLD1.P	64(R1), [V2.D2, V3.D2, V4.D2, V5.D2]
	FMLAE2D(0, 0, 2, 16) // fmla v16.2d, v2.2d, v0.d[0]
	FMLAE2D(0, 0, 3, 17) // fmla v17.2d, v3.2d, v0.d[0]
	FMLAE2D(0, 0, 4, 18) // fmla v18.2d, v4.2d, v0.d[0]
	FMLAE2D(0, 0, 5, 19) // fmla v19.2d, v5.2d, v0.d[0]
	FMLAE2D(0, 1, 2, 20) // fmla v20.2d, v2.2d, v0.d[1]
	FMLAE2D(0, 1, 3, 21) // fmla v21.2d, v3.2d, v0.d[1]
	FMLAE2D(0, 1, 4, 22) // fmla v22.2d, v4.2d, v0.d[1]
	FMLAE2D(0, 1, 5, 23) // fmla v23.2d, v5.2d, v0.d[1]
	FMLAE2D(1, 0, 2, 24) // fmla v24.2d, v2.2d, v1.d[0]
	FMLAE2D(1, 0, 3, 25) // fmla v25.2d, v3.2d, v1.d[0]
	FMLAE2D(1, 0, 4, 26) // fmla v26.2d, v4.2d, v1.d[0]
	FMLAE2D(1, 0, 5, 27) // fmla v27.2d, v5.2d, v1.d[0]
	FMLAE2D(1, 1, 2, 28) // fmla v28.2d, v2.2d, v1.d[1]
	FMLAE2D(1, 1, 3, 29) // fmla v29.2d, v3.2d, v1.d[1]
	FMLAE2D(1, 1, 4, 30) // fmla v30.2d, v4.2d, v1.d[1]
	FMLAE2D(1, 1, 5, 31) // fmla v31.2d, v5.2d, v1.d[1]
	SUBS	$1, R3, R3
	BNE	g64loop
g64store:
	FMOVD	alpha+88(FP), F10
#define G64ROW(r0, r1, r2, r3) \
	VLD1	(R2), [V6.D2, V7.D2, V8.D2, V9.D2]; \
	FMLAE2D(10, 0, r0, 6); \
	FMLAE2D(10, 0, r1, 7); \
	FMLAE2D(10, 0, r2, 8); \
	FMLAE2D(10, 0, r3, 9); \
	VST1	[V6.D2, V7.D2, V8.D2, V9.D2], (R2); \
	ADD	R4, R2, R2
	G64ROW(16, 17, 18, 19)
	G64ROW(20, 21, 22, 23)
	G64ROW(24, 25, 26, 27)
	G64ROW(28, 29, 30, 31)
	RET
