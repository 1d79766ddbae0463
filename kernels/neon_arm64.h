// Advanced SIMD (NEON) instructions that Go's arm64 assembler does not know,
// encoded with WORD. Shared by every kernels/*_arm64.s file.
//
// Operands are register numbers (0–31 for V0–V31), written in Go's order:
// sources first, destination last. FADD2D(m, n, d) is the GNU instruction
// "fadd vd.2d, vn.2d, vm.2d"; a two-operand macro OP(n, d) is "op vd, vn".
// The comment beside each macro gives the GNU form. Arithmetic instructions
// use the current FPCR rounding mode (round to nearest even under Go).
//
// A few instructions Go does know (FMLA, FMLS, ADD, SUB, SHL, the bitwise
// ones) are here too, so that macro bodies such as the exp and tanh
// evaluators in contrast_arm64.s can name every register by number.
//
// How the encodings were checked (Dec 2026, Go 1.26, binutils 2.40):
// every macro below was instantiated with registers (d, n, m) = (1, 2, 3)
// and (29, 30, 31) (lane index 1, LDRQ offset 48) in a scratch arm64
// function, built with
// GOARCH=arm64 go build, and disassembled with `go tool objdump -gnu`; the
// GNU mnemonic printed by the disassembler matched the comment for all of
// them. The same GNU lines were assembled with aarch64-linux-gnu-as
// (binutils-aarch64-linux-gnu) and `aarch64-linux-gnu-objdump -d` gave the
// identical 32-bit words. Finally the kernels that use them are compared with
// the pure-Go references under qemu-aarch64-static (go test -exec), which
// executes them (the GEMM kernels use every lane index 0–3 of FMLAE4S).
// The first two checks are the step "neon_arm64.h: every WORD encoding = GNU
// as" in the arm64 block of .ci/run, which runs them on every CI run.

// Three-register floating point, 4 lanes of float32 (.4S) and 2 of float64 (.2D).
#define FADD4S(m, n, d) WORD $(0x4E20D400|((m)<<16)|((n)<<5)|(d)) // fadd vd.4s, vn.4s, vm.4s
#define FADD2D(m, n, d) WORD $(0x4E60D400|((m)<<16)|((n)<<5)|(d)) // fadd vd.2d, vn.2d, vm.2d
#define FSUB4S(m, n, d) WORD $(0x4EA0D400|((m)<<16)|((n)<<5)|(d)) // fsub vd.4s, vn.4s, vm.4s
#define FSUB2D(m, n, d) WORD $(0x4EE0D400|((m)<<16)|((n)<<5)|(d)) // fsub vd.2d, vn.2d, vm.2d
#define FMUL4S(m, n, d) WORD $(0x6E20DC00|((m)<<16)|((n)<<5)|(d)) // fmul vd.4s, vn.4s, vm.4s
#define FMUL2D(m, n, d) WORD $(0x6E60DC00|((m)<<16)|((n)<<5)|(d)) // fmul vd.2d, vn.2d, vm.2d
#define FDIV4S(m, n, d) WORD $(0x6E20FC00|((m)<<16)|((n)<<5)|(d)) // fdiv vd.4s, vn.4s, vm.4s
#define FDIV2D(m, n, d) WORD $(0x6E60FC00|((m)<<16)|((n)<<5)|(d)) // fdiv vd.2d, vn.2d, vm.2d
#define FMAX4S(m, n, d) WORD $(0x4E20F400|((m)<<16)|((n)<<5)|(d)) // fmax vd.4s, vn.4s, vm.4s
#define FMAX2D(m, n, d) WORD $(0x4E60F400|((m)<<16)|((n)<<5)|(d)) // fmax vd.2d, vn.2d, vm.2d
#define FMIN4S(m, n, d) WORD $(0x4EA0F400|((m)<<16)|((n)<<5)|(d)) // fmin vd.4s, vn.4s, vm.4s
#define FMIN2D(m, n, d) WORD $(0x4EE0F400|((m)<<16)|((n)<<5)|(d)) // fmin vd.2d, vn.2d, vm.2d
#define FADDP4S(m, n, d) WORD $(0x6E20D400|((m)<<16)|((n)<<5)|(d)) // faddp vd.4s, vn.4s, vm.4s
#define FADDP2D(m, n, d) WORD $(0x6E60D400|((m)<<16)|((n)<<5)|(d)) // faddp vd.2d, vn.2d, vm.2d
#define FMLA4S(m, n, d) WORD $(0x4E20CC00|((m)<<16)|((n)<<5)|(d)) // fmla vd.4s, vn.4s, vm.4s
#define FMLA2D(m, n, d) WORD $(0x4E60CC00|((m)<<16)|((n)<<5)|(d)) // fmla vd.2d, vn.2d, vm.2d
#define FMLS4S(m, n, d) WORD $(0x4EA0CC00|((m)<<16)|((n)<<5)|(d)) // fmls vd.4s, vn.4s, vm.4s
#define FMLS2D(m, n, d) WORD $(0x4EE0CC00|((m)<<16)|((n)<<5)|(d)) // fmls vd.2d, vn.2d, vm.2d
#define FCMGT4S(m, n, d) WORD $(0x6EA0E400|((m)<<16)|((n)<<5)|(d)) // fcmgt vd.4s, vn.4s, vm.4s
#define FCMGT2D(m, n, d) WORD $(0x6EE0E400|((m)<<16)|((n)<<5)|(d)) // fcmgt vd.2d, vn.2d, vm.2d

// FMLA by element: vd.2d += vn.2d * vm.d[i] (i = 0 or 1), vd.4s += vn.4s * vm.s[i] (i = 0..3).
#define FMLAE2D(m, i, n, d) WORD $(0x4FC01000|((i)<<11)|((m)<<16)|((n)<<5)|(d)) // fmla vd.2d, vn.2d, vm.d[i]
#define FMLAE4S(m, i, n, d) WORD $(0x4F801000|(((i)&1)<<21)|(((i)>>1)<<11)|((m)<<16)|((n)<<5)|(d)) // fmla vd.4s, vn.4s, vm.s[i]

// Two-register floating point.
#define FABS4S(n, d) WORD $(0x4EA0F800|((n)<<5)|(d))   // fabs vd.4s, vn.4s
#define FABS2D(n, d) WORD $(0x4EE0F800|((n)<<5)|(d))   // fabs vd.2d, vn.2d
#define FNEG4S(n, d) WORD $(0x6EA0F800|((n)<<5)|(d))   // fneg vd.4s, vn.4s
#define FNEG2D(n, d) WORD $(0x6EE0F800|((n)<<5)|(d))   // fneg vd.2d, vn.2d
#define FSQRT4S(n, d) WORD $(0x6EA1F800|((n)<<5)|(d))  // fsqrt vd.4s, vn.4s
#define FSQRT2D(n, d) WORD $(0x6EE1F800|((n)<<5)|(d))  // fsqrt vd.2d, vn.2d
#define FCMGTZ4S(n, d) WORD $(0x4EA0C800|((n)<<5)|(d)) // fcmgt vd.4s, vn.4s, #0.0
#define FCMGTZ2D(n, d) WORD $(0x4EE0C800|((n)<<5)|(d)) // fcmgt vd.2d, vn.2d, #0.0
#define FCVTNS2D(n, d) WORD $(0x4E61A800|((n)<<5)|(d)) // fcvtns vd.2d, vn.2d (to int64, nearest even)
#define SCVTF2D(n, d) WORD $(0x4E61D800|((n)<<5)|(d))  // scvtf vd.2d, vn.2d
#define FCVTL(n, d) WORD $(0x0E617800|((n)<<5)|(d))    // fcvtl vd.2d, vn.2s
#define FCVTL2(n, d) WORD $(0x4E617800|((n)<<5)|(d))   // fcvtl2 vd.2d, vn.4s
#define FCVTN(n, d) WORD $(0x0E616800|((n)<<5)|(d))    // fcvtn vd.2s, vn.2d
#define FCVTN2(n, d) WORD $(0x4E616800|((n)<<5)|(d))   // fcvtn2 vd.4s, vn.2d

// Horizontal adds into a scalar register (Sd/Dd, the low lane of Vd).
#define FADDPS(n, d) WORD $(0x7E30D800|((n)<<5)|(d)) // faddp sd, vn.2s
#define FADDPD(n, d) WORD $(0x7E70D800|((n)<<5)|(d)) // faddp dd, vn.2d

// Load of a 128-bit register from Xn + off (off a multiple of 16, < 65536):
// used to fetch constants from a table without spending a register on each.
#define LDRQ(off, n, t) WORD $(0x3DC00000|(((off)>>4)<<10)|((n)<<5)|(t)) // ldr qt, [xn, #off]

// Integer and bitwise, for building powers of two and selecting lanes.
#define ADD2D(m, n, d) WORD $(0x4EE08400|((m)<<16)|((n)<<5)|(d)) // add vd.2d, vn.2d, vm.2d
#define SUB2D(m, n, d) WORD $(0x6EE08400|((m)<<16)|((n)<<5)|(d)) // sub vd.2d, vn.2d, vm.2d
#define SHL2D52(n, d) WORD $(0x4F745400|((n)<<5)|(d))            // shl vd.2d, vn.2d, #52
#define SSHR2D1(n, d) WORD $(0x4F7F0400|((n)<<5)|(d))            // sshr vd.2d, vn.2d, #1
#define VAND16(m, n, d) WORD $(0x4E201C00|((m)<<16)|((n)<<5)|(d)) // and vd.16b, vn.16b, vm.16b
#define VORR16(m, n, d) WORD $(0x4EA01C00|((m)<<16)|((n)<<5)|(d)) // orr vd.16b, vn.16b, vm.16b
#define VEOR16(m, n, d) WORD $(0x6E201C00|((m)<<16)|((n)<<5)|(d)) // eor vd.16b, vn.16b, vm.16b
#define VBSL16(m, n, d) WORD $(0x6E601C00|((m)<<16)|((n)<<5)|(d)) // bsl vd.16b, vn.16b, vm.16b (d = d ? n : m, bitwise)
#define VBIT16(m, n, d) WORD $(0x6EA01C00|((m)<<16)|((n)<<5)|(d)) // bit vd.16b, vn.16b, vm.16b (d = m ? n : d, bitwise)
#define VMOV16(n, d) WORD $(0x4EA01C00|((n)<<16)|((n)<<5)|(d))    // mov vd.16b, vn.16b (orr vd.16b, vn.16b, vn.16b)
