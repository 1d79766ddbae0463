//go:build !purego

#include "textflag.h"
#include "neon_arm64.h"

// Vector kernels for arm64 NEON. Each routine handles whole vectors only
// (len rounded down to 4 float32 or 2 float64 lanes); the Go wrappers in
// vec_arm64.go finish the last few elements.
//
// Expected cost on a Neoverse-N1-class core (2 FP/ASIMD pipes: FMLA latency
// 4, FADD 2, FMUL 3, each 2 per cycle; 2 loads and 1 store of 16 bytes per
// cycle from L1), with data in L1:
//   dot:   per 32 float32: 16 quad loads (8 c), 8 FMLA (4 c) → load-bound,
//          0.25 c/element (f64: 0.5 c/element). Eight accumulators cover
//          the 4-cycle FMLA latency at 2 per cycle.
//   sum:   8 quad loads (4 c), 8 FADD (4 c) per 32 float32 → 0.125 c/element.
//   axpy:  per 16 float32: 8 quad loads (4 c), 4 quad stores (4 c), 4 FMLA
//          → 0.25 c/element (f64: 0.5).
//   scale: 4 loads, 4 stores, 4 FMUL per 16 float32 → store-bound, 0.25 c/element.
//   mul:   8 loads, 4 stores, 4 FMUL per 16 float32 → 0.25 c/element.
// Beyond L1 all of them are bandwidth-bound.

#define ZERO8ACC \
	VEOR	V16.B16, V16.B16, V16.B16; \
	VEOR	V17.B16, V17.B16, V17.B16; \
	VEOR	V18.B16, V18.B16, V18.B16; \
	VEOR	V19.B16, V19.B16, V19.B16; \
	VEOR	V20.B16, V20.B16, V20.B16; \
	VEOR	V21.B16, V21.B16, V21.B16; \
	VEOR	V22.B16, V22.B16, V22.B16; \
	VEOR	V23.B16, V23.B16, V23.B16

// func dotNEON32(x, y []float32) float32
// Returns Σ x[i]·y[i] over len(x) &^ 3 elements.
TEXT ·dotNEON32(SB), NOSPLIT, $0-52
	MOVD	x_base+0(FP), R0
	MOVD	x_len+8(FP), R2
	MOVD	y_base+24(FP), R1
	ZERO8ACC
	LSR	$5, R2, R3
	CBZ	R3, dot32tail
dot32loop:
	VLD1.P	64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P	64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P	64(R1), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1.P	64(R1), [V12.S4, V13.S4, V14.S4, V15.S4]
	VFMLA	V8.S4, V0.S4, V16.S4
	VFMLA	V9.S4, V1.S4, V17.S4
	VFMLA	V10.S4, V2.S4, V18.S4
	VFMLA	V11.S4, V3.S4, V19.S4
	VFMLA	V12.S4, V4.S4, V20.S4
	VFMLA	V13.S4, V5.S4, V21.S4
	VFMLA	V14.S4, V6.S4, V22.S4
	VFMLA	V15.S4, V7.S4, V23.S4
	SUBS	$1, R3, R3
	BNE	dot32loop
dot32tail:
	AND	$31, R2, R4
	LSR	$2, R4, R4
	CBZ	R4, dot32reduce
dot32loop4:
	VLD1.P	16(R0), [V0.S4]
	VLD1.P	16(R1), [V8.S4]
	VFMLA	V8.S4, V0.S4, V16.S4
	SUBS	$1, R4, R4
	BNE	dot32loop4
dot32reduce:
	FADD4S(20, 16, 16) // fadd v16.4s, v16.4s, v20.4s
	FADD4S(21, 17, 17) // fadd v17.4s, v17.4s, v21.4s
	FADD4S(22, 18, 18) // fadd v18.4s, v18.4s, v22.4s
	FADD4S(23, 19, 19) // fadd v19.4s, v19.4s, v23.4s
	FADD4S(18, 16, 16) // fadd v16.4s, v16.4s, v18.4s
	FADD4S(19, 17, 17) // fadd v17.4s, v17.4s, v19.4s
	FADD4S(17, 16, 16) // fadd v16.4s, v16.4s, v17.4s
	FADDP4S(16, 16, 16) // faddp v16.4s, v16.4s, v16.4s
	FADDPS(16, 16)      // faddp s16, v16.2s
	FMOVS	F16, ret+48(FP)
	RET

// func dotNEON64(x, y []float64) float64
// Returns Σ x[i]·y[i] over len(x) &^ 1 elements.
TEXT ·dotNEON64(SB), NOSPLIT, $0-56
	MOVD	x_base+0(FP), R0
	MOVD	x_len+8(FP), R2
	MOVD	y_base+24(FP), R1
	ZERO8ACC
	LSR	$4, R2, R3
	CBZ	R3, dot64tail
dot64loop:
	VLD1.P	64(R0), [V0.D2, V1.D2, V2.D2, V3.D2]
	VLD1.P	64(R0), [V4.D2, V5.D2, V6.D2, V7.D2]
	VLD1.P	64(R1), [V8.D2, V9.D2, V10.D2, V11.D2]
	VLD1.P	64(R1), [V12.D2, V13.D2, V14.D2, V15.D2]
	VFMLA	V8.D2, V0.D2, V16.D2
	VFMLA	V9.D2, V1.D2, V17.D2
	VFMLA	V10.D2, V2.D2, V18.D2
	VFMLA	V11.D2, V3.D2, V19.D2
	VFMLA	V12.D2, V4.D2, V20.D2
	VFMLA	V13.D2, V5.D2, V21.D2
	VFMLA	V14.D2, V6.D2, V22.D2
	VFMLA	V15.D2, V7.D2, V23.D2
	SUBS	$1, R3, R3
	BNE	dot64loop
dot64tail:
	AND	$15, R2, R4
	LSR	$1, R4, R4
	CBZ	R4, dot64reduce
dot64loop2:
	VLD1.P	16(R0), [V0.D2]
	VLD1.P	16(R1), [V8.D2]
	VFMLA	V8.D2, V0.D2, V16.D2
	SUBS	$1, R4, R4
	BNE	dot64loop2
dot64reduce:
	FADD2D(20, 16, 16) // fadd v16.2d, v16.2d, v20.2d
	FADD2D(21, 17, 17) // fadd v17.2d, v17.2d, v21.2d
	FADD2D(22, 18, 18) // fadd v18.2d, v18.2d, v22.2d
	FADD2D(23, 19, 19) // fadd v19.2d, v19.2d, v23.2d
	FADD2D(18, 16, 16) // fadd v16.2d, v16.2d, v18.2d
	FADD2D(19, 17, 17) // fadd v17.2d, v17.2d, v19.2d
	FADD2D(17, 16, 16) // fadd v16.2d, v16.2d, v17.2d
	FADDPD(16, 16)     // faddp d16, v16.2d
	FMOVD	F16, ret+48(FP)
	RET

// func sumNEON32(x []float32) float32
// Returns Σ x[i] over len(x) &^ 3 elements.
TEXT ·sumNEON32(SB), NOSPLIT, $0-28
	MOVD	x_base+0(FP), R0
	MOVD	x_len+8(FP), R2
	ZERO8ACC
	LSR	$5, R2, R3
	CBZ	R3, sum32tail
sum32loop:
	VLD1.P	64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P	64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	FADD4S(0, 16, 16) // fadd v16.4s, v16.4s, v0.4s
	FADD4S(1, 17, 17) // fadd v17.4s, v17.4s, v1.4s
	FADD4S(2, 18, 18) // fadd v18.4s, v18.4s, v2.4s
	FADD4S(3, 19, 19) // fadd v19.4s, v19.4s, v3.4s
	FADD4S(4, 20, 20) // fadd v20.4s, v20.4s, v4.4s
	FADD4S(5, 21, 21) // fadd v21.4s, v21.4s, v5.4s
	FADD4S(6, 22, 22) // fadd v22.4s, v22.4s, v6.4s
	FADD4S(7, 23, 23) // fadd v23.4s, v23.4s, v7.4s
	SUBS	$1, R3, R3
	BNE	sum32loop
sum32tail:
	AND	$31, R2, R4
	LSR	$2, R4, R4
	CBZ	R4, sum32reduce
sum32loop4:
	VLD1.P	16(R0), [V0.S4]
	FADD4S(0, 16, 16) // fadd v16.4s, v16.4s, v0.4s
	SUBS	$1, R4, R4
	BNE	sum32loop4
sum32reduce:
	FADD4S(20, 16, 16) // fadd v16.4s, v16.4s, v20.4s
	FADD4S(21, 17, 17) // fadd v17.4s, v17.4s, v21.4s
	FADD4S(22, 18, 18) // fadd v18.4s, v18.4s, v22.4s
	FADD4S(23, 19, 19) // fadd v19.4s, v19.4s, v23.4s
	FADD4S(18, 16, 16) // fadd v16.4s, v16.4s, v18.4s
	FADD4S(19, 17, 17) // fadd v17.4s, v17.4s, v19.4s
	FADD4S(17, 16, 16) // fadd v16.4s, v16.4s, v17.4s
	FADDP4S(16, 16, 16) // faddp v16.4s, v16.4s, v16.4s
	FADDPS(16, 16)      // faddp s16, v16.2s
	FMOVS	F16, ret+24(FP)
	RET

// func sumNEON64(x []float64) float64
// Returns Σ x[i] over len(x) &^ 1 elements.
TEXT ·sumNEON64(SB), NOSPLIT, $0-32
	MOVD	x_base+0(FP), R0
	MOVD	x_len+8(FP), R2
	ZERO8ACC
	LSR	$4, R2, R3
	CBZ	R3, sum64tail
sum64loop:
	VLD1.P	64(R0), [V0.D2, V1.D2, V2.D2, V3.D2]
	VLD1.P	64(R0), [V4.D2, V5.D2, V6.D2, V7.D2]
	FADD2D(0, 16, 16) // fadd v16.2d, v16.2d, v0.2d
	FADD2D(1, 17, 17) // fadd v17.2d, v17.2d, v1.2d
	FADD2D(2, 18, 18) // fadd v18.2d, v18.2d, v2.2d
	FADD2D(3, 19, 19) // fadd v19.2d, v19.2d, v3.2d
	FADD2D(4, 20, 20) // fadd v20.2d, v20.2d, v4.2d
	FADD2D(5, 21, 21) // fadd v21.2d, v21.2d, v5.2d
	FADD2D(6, 22, 22) // fadd v22.2d, v22.2d, v6.2d
	FADD2D(7, 23, 23) // fadd v23.2d, v23.2d, v7.2d
	SUBS	$1, R3, R3
	BNE	sum64loop
sum64tail:
	AND	$15, R2, R4
	LSR	$1, R4, R4
	CBZ	R4, sum64reduce
sum64loop2:
	VLD1.P	16(R0), [V0.D2]
	FADD2D(0, 16, 16) // fadd v16.2d, v16.2d, v0.2d
	SUBS	$1, R4, R4
	BNE	sum64loop2
sum64reduce:
	FADD2D(20, 16, 16) // fadd v16.2d, v16.2d, v20.2d
	FADD2D(21, 17, 17) // fadd v17.2d, v17.2d, v21.2d
	FADD2D(22, 18, 18) // fadd v18.2d, v18.2d, v22.2d
	FADD2D(23, 19, 19) // fadd v19.2d, v19.2d, v23.2d
	FADD2D(18, 16, 16) // fadd v16.2d, v16.2d, v18.2d
	FADD2D(19, 17, 17) // fadd v17.2d, v17.2d, v19.2d
	FADD2D(17, 16, 16) // fadd v16.2d, v16.2d, v17.2d
	FADDPD(16, 16)     // faddp d16, v16.2d
	FMOVD	F16, ret+24(FP)
	RET

// func axpyNEON32(a float32, x, y []float32)
// y[i] += a·x[i] for i < len(x) &^ 3 (fused multiply-add).
TEXT ·axpyNEON32(SB), NOSPLIT, $0-56
	FMOVS	a+0(FP), F31
	VDUP	V31.S[0], V31.S4
	MOVD	x_base+8(FP), R0
	MOVD	x_len+16(FP), R2
	MOVD	y_base+32(FP), R1
	LSR	$4, R2, R3
	CBZ	R3, axpy32tail
axpy32loop:
	VLD1.P	64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1	(R1), [V4.S4, V5.S4, V6.S4, V7.S4]
	VFMLA	V31.S4, V0.S4, V4.S4
	VFMLA	V31.S4, V1.S4, V5.S4
	VFMLA	V31.S4, V2.S4, V6.S4
	VFMLA	V31.S4, V3.S4, V7.S4
	VST1.P	[V4.S4, V5.S4, V6.S4, V7.S4], 64(R1)
	SUBS	$1, R3, R3
	BNE	axpy32loop
axpy32tail:
	AND	$15, R2, R4
	LSR	$2, R4, R4
	CBZ	R4, axpy32done
axpy32loop4:
	VLD1.P	16(R0), [V0.S4]
	VLD1	(R1), [V4.S4]
	VFMLA	V31.S4, V0.S4, V4.S4
	VST1.P	[V4.S4], 16(R1)
	SUBS	$1, R4, R4
	BNE	axpy32loop4
axpy32done:
	RET

// func axpyNEON64(a float64, x, y []float64)
// y[i] += a·x[i] for i < len(x) &^ 1 (fused multiply-add).
TEXT ·axpyNEON64(SB), NOSPLIT, $0-56
	FMOVD	a+0(FP), F31
	VDUP	V31.D[0], V31.D2
	MOVD	x_base+8(FP), R0
	MOVD	x_len+16(FP), R2
	MOVD	y_base+32(FP), R1
	LSR	$3, R2, R3
	CBZ	R3, axpy64tail
axpy64loop:
	VLD1.P	64(R0), [V0.D2, V1.D2, V2.D2, V3.D2]
	VLD1	(R1), [V4.D2, V5.D2, V6.D2, V7.D2]
	VFMLA	V31.D2, V0.D2, V4.D2
	VFMLA	V31.D2, V1.D2, V5.D2
	VFMLA	V31.D2, V2.D2, V6.D2
	VFMLA	V31.D2, V3.D2, V7.D2
	VST1.P	[V4.D2, V5.D2, V6.D2, V7.D2], 64(R1)
	SUBS	$1, R3, R3
	BNE	axpy64loop
axpy64tail:
	AND	$7, R2, R4
	LSR	$1, R4, R4
	CBZ	R4, axpy64done
axpy64loop2:
	VLD1.P	16(R0), [V0.D2]
	VLD1	(R1), [V4.D2]
	VFMLA	V31.D2, V0.D2, V4.D2
	VST1.P	[V4.D2], 16(R1)
	SUBS	$1, R4, R4
	BNE	axpy64loop2
axpy64done:
	RET

// func scaleNEON32(a float32, x []float32)
// x[i] *= a for i < len(x) &^ 3.
TEXT ·scaleNEON32(SB), NOSPLIT, $0-32
	FMOVS	a+0(FP), F31
	VDUP	V31.S[0], V31.S4
	MOVD	x_base+8(FP), R0
	MOVD	x_len+16(FP), R2
	LSR	$4, R2, R3
	CBZ	R3, scale32tail
scale32loop:
	VLD1	(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	FMUL4S(31, 0, 0) // fmul v0.4s, v0.4s, v31.4s
	FMUL4S(31, 1, 1) // fmul v1.4s, v1.4s, v31.4s
	FMUL4S(31, 2, 2) // fmul v2.4s, v2.4s, v31.4s
	FMUL4S(31, 3, 3) // fmul v3.4s, v3.4s, v31.4s
	VST1.P	[V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)
	SUBS	$1, R3, R3
	BNE	scale32loop
scale32tail:
	AND	$15, R2, R4
	LSR	$2, R4, R4
	CBZ	R4, scale32done
scale32loop4:
	VLD1	(R0), [V0.S4]
	FMUL4S(31, 0, 0) // fmul v0.4s, v0.4s, v31.4s
	VST1.P	[V0.S4], 16(R0)
	SUBS	$1, R4, R4
	BNE	scale32loop4
scale32done:
	RET

// func scaleNEON64(a float64, x []float64)
// x[i] *= a for i < len(x) &^ 1.
TEXT ·scaleNEON64(SB), NOSPLIT, $0-32
	FMOVD	a+0(FP), F31
	VDUP	V31.D[0], V31.D2
	MOVD	x_base+8(FP), R0
	MOVD	x_len+16(FP), R2
	LSR	$3, R2, R3
	CBZ	R3, scale64tail
scale64loop:
	VLD1	(R0), [V0.D2, V1.D2, V2.D2, V3.D2]
	FMUL2D(31, 0, 0) // fmul v0.2d, v0.2d, v31.2d
	FMUL2D(31, 1, 1) // fmul v1.2d, v1.2d, v31.2d
	FMUL2D(31, 2, 2) // fmul v2.2d, v2.2d, v31.2d
	FMUL2D(31, 3, 3) // fmul v3.2d, v3.2d, v31.2d
	VST1.P	[V0.D2, V1.D2, V2.D2, V3.D2], 64(R0)
	SUBS	$1, R3, R3
	BNE	scale64loop
scale64tail:
	AND	$7, R2, R4
	LSR	$1, R4, R4
	CBZ	R4, scale64done
scale64loop2:
	VLD1	(R0), [V0.D2]
	FMUL2D(31, 0, 0) // fmul v0.2d, v0.2d, v31.2d
	VST1.P	[V0.D2], 16(R0)
	SUBS	$1, R4, R4
	BNE	scale64loop2
scale64done:
	RET

// func mulNEON32(dst, x, y []float32)
// dst[i] = x[i]·y[i] for i < len(x) &^ 3.
TEXT ·mulNEON32(SB), NOSPLIT, $0-72
	MOVD	dst_base+0(FP), R5
	MOVD	x_base+24(FP), R0
	MOVD	x_len+32(FP), R2
	MOVD	y_base+48(FP), R1
	LSR	$4, R2, R3
	CBZ	R3, mul32tail
mul32loop:
	VLD1.P	64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P	64(R1), [V4.S4, V5.S4, V6.S4, V7.S4]
	FMUL4S(4, 0, 0) // fmul v0.4s, v0.4s, v4.4s
	FMUL4S(5, 1, 1) // fmul v1.4s, v1.4s, v5.4s
	FMUL4S(6, 2, 2) // fmul v2.4s, v2.4s, v6.4s
	FMUL4S(7, 3, 3) // fmul v3.4s, v3.4s, v7.4s
	VST1.P	[V0.S4, V1.S4, V2.S4, V3.S4], 64(R5)
	SUBS	$1, R3, R3
	BNE	mul32loop
mul32tail:
	AND	$15, R2, R4
	LSR	$2, R4, R4
	CBZ	R4, mul32done
mul32loop4:
	VLD1.P	16(R0), [V0.S4]
	VLD1.P	16(R1), [V4.S4]
	FMUL4S(4, 0, 0) // fmul v0.4s, v0.4s, v4.4s
	VST1.P	[V0.S4], 16(R5)
	SUBS	$1, R4, R4
	BNE	mul32loop4
mul32done:
	RET

// func mulNEON64(dst, x, y []float64)
// dst[i] = x[i]·y[i] for i < len(x) &^ 1.
TEXT ·mulNEON64(SB), NOSPLIT, $0-72
	MOVD	dst_base+0(FP), R5
	MOVD	x_base+24(FP), R0
	MOVD	x_len+32(FP), R2
	MOVD	y_base+48(FP), R1
	LSR	$3, R2, R3
	CBZ	R3, mul64tail
mul64loop:
	VLD1.P	64(R0), [V0.D2, V1.D2, V2.D2, V3.D2]
	VLD1.P	64(R1), [V4.D2, V5.D2, V6.D2, V7.D2]
	FMUL2D(4, 0, 0) // fmul v0.2d, v0.2d, v4.2d
	FMUL2D(5, 1, 1) // fmul v1.2d, v1.2d, v5.2d
	FMUL2D(6, 2, 2) // fmul v2.2d, v2.2d, v6.2d
	FMUL2D(7, 3, 3) // fmul v3.2d, v3.2d, v7.2d
	VST1.P	[V0.D2, V1.D2, V2.D2, V3.D2], 64(R5)
	SUBS	$1, R3, R3
	BNE	mul64loop
mul64tail:
	AND	$7, R2, R4
	LSR	$1, R4, R4
	CBZ	R4, mul64done
mul64loop2:
	VLD1.P	16(R0), [V0.D2]
	VLD1.P	16(R1), [V4.D2]
	FMUL2D(4, 0, 0) // fmul v0.2d, v0.2d, v4.2d
	VST1.P	[V0.D2], 16(R5)
	SUBS	$1, R4, R4
	BNE	mul64loop2
mul64done:
	RET
