package npyfile

import (
	"fmt"
	"io"
	"os"
	"unsafe"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// countingReader counts the bytes npyio consumes, which locates the payload.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Map returns the 2-D array in the file at path as a Dense[T]. Where the
// platform allows and the file already holds little-endian (host-order) T
// at an aligned offset, the storage is a private copy-on-write memory map of
// the file: nothing is copied up front and pages are read as the first
// computation touches them, which saves a full pass and the page faults of a
// fresh allocation on large inputs. Otherwise it falls back to ReadFile.
// The same checks as Read apply (dtype, order, 2-D, size). release unmaps
// the file; m must not be used afterwards. release is never nil.
func Map[T kernels.Float](path string) (m *matrix.Dense[T], release func() error, err error) {
	noop := func() error { return nil }
	f, err := os.Open(path)
	if err != nil {
		return nil, noop, fmt.Errorf("npyfile: %w", err)
	}
	defer f.Close()
	cr := &countingReader{r: f}
	h, err := readHeader(cr)
	if err != nil {
		return nil, noop, fmt.Errorf("%s: %w", path, err)
	}
	if len(h.Shape) != 2 {
		return nil, noop, fmt.Errorf("%s: npyfile: array has %d dimensions (shape %v); want a 2-D matrix (samples × features)", path, len(h.Shape), h.Shape)
	}
	var z T
	esize := int(unsafe.Sizeof(z))
	rows, cols := h.Shape[0], h.Shape[1]
	if rows > 0 && cols > (1<<62)/rows/8 {
		return nil, noop, fmt.Errorf("%s: npyfile: shape %v is too large", path, h.Shape)
	}
	st, err := f.Stat()
	if err != nil {
		return nil, noop, fmt.Errorf("npyfile: %w", err)
	}
	want := int64(rows) * int64(cols) * int64(h.esize)
	switch have := st.Size() - cr.n; {
	case have < want:
		return nil, noop, fmt.Errorf("%s: npyfile: file is truncated: header announces %d elements (%d bytes of data), file has %d", path, rows*cols, want, have)
	case have > want:
		return nil, noop, fmt.Errorf("%s: npyfile: file has extra bytes after the %d elements its header announces", path, rows*cols)
	}
	if h.esize != esize || h.bigEndian != hostBigEndian || cr.n%int64(esize) != 0 || want == 0 {
		m, err := ReadFile[T](path)
		return m, noop, err
	}
	data, unmap, err := mapFile(f, cr.n, int(want))
	if err != nil { // no mmap here: read instead
		m, err := ReadFile[T](path)
		return m, noop, err
	}
	vals := unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(data))), rows*cols)
	return &matrix.Dense[T]{Rows: rows, Cols: cols, Stride: cols, Data: vals}, unmap, nil
}
