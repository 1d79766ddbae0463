// Command peak generates kernels/peak/peak_amd64.s: the machine-limit probes
// every benchmark report is measured against. An FMA loop with enough
// independent accumulator chains to hide the FMA latency (4 cycles on
// Skylake-X and later, two FMA ports: at least 8 chains; 12 leaves margin)
// measures the arithmetic peak of a level; a read loop measures the
// streaming bandwidth a kernel that reads its inputs once can reach.
package main

import (
	"flag"
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

const chains = 12

type isa struct {
	name  string
	vec   func() reg.VecVirtual
	bytes int
}

func main() {
	flag.Parse()
	ConstraintExpr("!purego")
	for _, s := range []isa{{"AVX2", YMM, 32}, {"AVX512", ZMM, 64}} {
		for _, el := range []string{"F32", "F64"} {
			fmaLoop(s, el)
		}
		readLoop(s)
	}
	Generate()
}

// fmaLoop emits fmaLoop<ISA><El>(iters int): iters × chains FMAs per vector.
func fmaLoop(s isa, el string) {
	TEXT(fmt.Sprintf("fmaLoop%s%s", s.name, el), NOSPLIT, "func(iters int)")
	Doc(fmt.Sprintf("fmaLoop%s%s runs iters×%d independent %s FMAs on %d-byte vectors.", s.name, el, chains, el, s.bytes))
	n := Load(Param("iters"), GP64())
	acc := make([]reg.VecVirtual, chains)
	for i := range acc {
		acc[i] = s.vec()
		VXORPS(acc[i], acc[i], acc[i])
	}
	a, b := s.vec(), s.vec()
	VXORPS(a, a, a)
	VXORPS(b, b, b)
	Label("loop")
	TESTQ(n, n)
	JZ(LabelRef("done"))
	for i := range acc {
		if el == "F32" {
			VFMADD231PS(a, b, acc[i])
		} else {
			VFMADD231PD(a, b, acc[i])
		}
	}
	DECQ(n)
	JMP(LabelRef("loop"))
	Label("done")
	VZEROUPPER()
	RET()
}

// readLoop emits readLoop<ISA>(x []byte): loads every byte of x (whole
// 4-vector blocks) into OR accumulators, the cheapest way to touch memory.
func readLoop(s isa) {
	TEXT(fmt.Sprintf("readLoop%s", s.name), NOSPLIT, "func(x []byte) uint64")
	Doc(fmt.Sprintf("readLoop%s reads x in %d-byte blocks (the tail is ignored) and returns a checksum word.", s.name, 4*s.bytes))
	p := Load(Param("x").Base(), GP64())
	n := Load(Param("x").Len(), GP64())
	acc := make([]reg.VecVirtual, 4)
	for i := range acc {
		acc[i] = s.vec()
		vpxor(acc[i], acc[i], acc[i], s)
	}
	Label("loop")
	CMPQ(n, U32(4*s.bytes))
	JB(LabelRef("done"))
	for i := range acc {
		vpor(Mem{Base: p, Disp: i * s.bytes}, acc[i], acc[i], s)
	}
	ADDQ(U32(4*s.bytes), p)
	SUBQ(U32(4*s.bytes), n)
	JMP(LabelRef("loop"))
	Label("done")
	for i := 1; i < len(acc); i++ {
		vpor(acc[i], acc[0], acc[0], s)
	}
	out := GP64()
	VMOVQ(acc[0].AsX(), out)
	Store(out, ReturnIndex(0))
	VZEROUPPER()
	RET()
}

// vpxor and vpor pick the VEX (AVX2) or EVEX (AVX-512) form.
func vpxor(a, b, dst reg.VecVirtual, s isa) {
	if s.bytes == 64 {
		VPXORQ(a, b, dst)
		return
	}
	VPXOR(a, b, dst)
}

func vpor(a Op, b, dst reg.VecVirtual, s isa) {
	if s.bytes == 64 {
		VPORQ(a, b, dst)
		return
	}
	VPOR(a, b, dst)
}
