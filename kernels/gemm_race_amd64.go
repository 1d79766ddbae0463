//go:build !purego && race

package kernels

import (
	"runtime"
	"unsafe"
)

// raceGemm tells the race detector what the assembly reads and writes: the
// operands are read and C written, which it cannot see inside assembly.
func raceGemm[T Float](g *gemmArgs[T]) {
	size := int(unsafe.Sizeof(g.alpha))
	ar, ac := g.m, g.k
	if g.transA {
		ar, ac = g.k, g.m
	}
	br, bc := g.k, g.n
	if g.transB {
		br, bc = g.n, g.k
	}
	if l := matLen(ar, ac, g.lda); l > 0 && g.wide != nil {
		runtime.RaceReadRange(unsafe.Pointer(&g.wide[0]), l*4)
	} else if l > 0 {
		runtime.RaceReadRange(unsafe.Pointer(&g.a[0]), l*size)
	}
	if l := matLen(br, bc, g.ldb); l > 0 && g.wide == nil {
		runtime.RaceReadRange(unsafe.Pointer(&g.b[0]), l*size)
	}
	if l := matLen(g.m, g.n, g.ldc); l > 0 {
		runtime.RaceWriteRange(unsafe.Pointer(&g.c[0]), l*size)
	}
}
