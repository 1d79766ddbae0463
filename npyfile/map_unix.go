//go:build unix

package npyfile

import (
	"os"
	"syscall"
)

// mapFile maps length bytes of f from offset off, privately (writes stay in
// this process), and returns them with the function that unmaps them. The
// mapping starts at the page containing off.
func mapFile(f *os.File, off int64, length int) ([]byte, func() error, error) {
	page := int64(os.Getpagesize())
	start := off &^ (page - 1)
	b, err := syscall.Mmap(int(f.Fd()), start, int(off-start)+length, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	if err != nil {
		return nil, nil, err
	}
	return b[off-start:], func() error { return syscall.Munmap(b) }, nil
}
