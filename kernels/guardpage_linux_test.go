//go:build linux

package kernels

import (
	"syscall"
	"testing"
	"unsafe"
)

// pageBuffer returns n elements of T in freshly mapped memory that end
// exactly at a PROT_NONE page (after = true) or begin exactly after one
// (after = false), so that an access one element beyond faults. The mapping
// is released when tb's test ends.
func pageBuffer[T Float](tb testing.TB, n int, after bool) []T {
	tb.Helper()
	page := syscall.Getpagesize()
	var z T
	size := int(unsafe.Sizeof(z))
	dataPages := (n*size + page - 1) / page
	if dataPages == 0 {
		dataPages = 1
	}
	mem, err := syscall.Mmap(-1, 0, (dataPages+1)*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		tb.Fatalf("mmap: %v", err)
	}
	tb.Cleanup(func() { syscall.Munmap(mem) })
	guard, data := mem[dataPages*page:], mem[:dataPages*page]
	if !after {
		guard, data = mem[:page], mem[page:]
	}
	if err := syscall.Mprotect(guard, syscall.PROT_NONE); err != nil {
		tb.Fatalf("mprotect: %v", err)
	}
	all := unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(data))), len(data)/size)
	if after {
		return all[len(all)-n : len(all) : len(all)]
	}
	return all[:n:n]
}

// guardPagesUsable reports whether guard-page placements can be used: not
// under an emulator, whose wide memory accesses for scalar operations would
// fault on correct code (issue 3).
func guardPagesUsable() bool { return !emulated() }
