// Package npyfile reads and writes NumPy .npy files holding 2-D float32 or
// float64 arrays in C (row-major) order, the layout of matrix.Dense, and 1-D
// float vectors.
//
// The header is parsed by codeberg.org/sbinet/npyio. The payload is moved
// with one io.ReadFull / Write into the matrix storage (byte-swapped only for
// big-endian files), because npyio decodes element by element, which costs
// seconds on the 320 MB inputs deepica is benchmarked on, and treats a file
// cut at an element boundary as complete.
package npyfile

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"unsafe"

	"codeberg.org/sbinet/npyio/npy"
	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// Header describes a .npy array: its element type and shape.
type Header struct {
	// DType is "float32" or "float64" for the arrays this package reads;
	// other NumPy types are named in errors.
	DType string
	// Shape is the array shape, as NumPy reports it.
	Shape []int
	// bigEndian is true for '>' descriptors.
	bigEndian bool
	esize     int
}

// readHeader parses the header with npyio and validates that the array is a
// C-order float32/float64 array; it does not check the number of dimensions.
func readHeader(r io.Reader) (h Header, err error) {
	// npyio slices the header with indices it does not check, so a corrupt
	// header panics inside it; report that as an error.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("npyfile: malformed .npy header (%v)", p)
		}
	}()
	rr, err := npy.NewReader(r)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return h, errors.New("npyfile: file ends inside the .npy header (truncated or empty file)")
		}
		if errors.Is(err, npy.ErrInvalidNumPyFormat) {
			return h, errors.New("npyfile: not a .npy file (bad magic string)")
		}
		return h, fmt.Errorf("npyfile: bad .npy header: %w", err)
	}
	d := rr.Header.Descr
	h.Shape = append([]int(nil), d.Shape...)
	for _, s := range h.Shape {
		if s < 0 {
			return h, fmt.Errorf("npyfile: negative dimension in shape %v", h.Shape)
		}
	}
	t := strings.Trim(strings.TrimSpace(d.Type), `'"`)
	if len(t) < 2 {
		return h, fmt.Errorf("npyfile: unsupported dtype %q", t)
	}
	order, code := t[0], t[1:]
	switch order {
	case '<', '|', '=':
	case '>':
		h.bigEndian = true
	default:
		// descriptors such as "f8" without a byte-order mark
		order, code = '<', t
	}
	_ = order
	switch code {
	case "f4":
		h.DType, h.esize = "float32", 4
	case "f8":
		h.DType, h.esize = "float64", 8
	default:
		return h, fmt.Errorf("npyfile: dtype %s (%s) is not supported: want float32 or float64", dtypeName(code), t)
	}
	if d.Fortran {
		return h, fmt.Errorf("npyfile: array is stored in Fortran (column-major) order; save it in C order (numpy.ascontiguousarray)")
	}
	return h, nil
}

// dtypeName spells a NumPy type code the way users know it.
func dtypeName(code string) string {
	if len(code) >= 2 {
		kind, size := code[0], code[1:]
		bits := map[string]string{"1": "8", "2": "16", "4": "32", "8": "64", "16": "128"}[size]
		switch kind {
		case 'i':
			return "integer int" + bits
		case 'u':
			return "unsigned integer uint" + bits
		case 'f':
			return "float" + bits
		case 'c':
			return "complex" + map[string]string{"8": "64", "16": "128", "32": "256"}[size]
		case 'b':
			return "bool"
		case 'U', 'S':
			return "string"
		case 'O':
			return "object"
		}
	}
	if code == "?" {
		return "bool"
	}
	return code
}

// ReadHeader reads only the header of the .npy file at path.
func ReadHeader(path string) (Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return Header{}, fmt.Errorf("npyfile: %w", err)
	}
	defer f.Close()
	h, err := readHeader(bufio.NewReader(f))
	if err != nil {
		return h, fmt.Errorf("%s: %w", path, err)
	}
	return h, nil
}

// Read reads a 2-D float32 or float64 C-order array from r into a new
// Dense[T] (rows = shape[0], cols = shape[1]), converting the element type
// if the file holds the other one. It fails on other dtypes, Fortran order,
// arrays that are not 2-D, truncated data and trailing bytes.
func Read[T kernels.Float](r io.Reader) (*matrix.Dense[T], error) {
	br := bufio.NewReaderSize(r, 1<<16)
	h, err := readHeader(br)
	if err != nil {
		return nil, err
	}
	if len(h.Shape) != 2 {
		return nil, fmt.Errorf("npyfile: array has %d dimensions (shape %v); want a 2-D matrix (samples × features)", len(h.Shape), h.Shape)
	}
	rows, cols := h.Shape[0], h.Shape[1]
	if rows > 0 && cols > math.MaxInt/rows/8 {
		return nil, fmt.Errorf("npyfile: shape %v is too large", h.Shape)
	}
	m := matrix.New[T](rows, cols)
	if err := readPayload(br, h, m.Data); err != nil {
		return nil, err
	}
	return m, nil
}

// ReadFile is Read on the file at path; errors name the file.
func ReadFile[T kernels.Float](path string) (*matrix.Dense[T], error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("npyfile: %w", err)
	}
	defer f.Close()
	m, err := Read[T](f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// readPayload fills dst (len = number of elements) from r and checks that
// nothing follows.
func readPayload[T kernels.Float](r io.Reader, h Header, dst []T) error {
	var z T
	same := int(unsafe.Sizeof(z)) == h.esize
	if same {
		if err := readFull(r, bytesOf(dst), len(dst), h.esize); err != nil {
			return err
		}
		if h.bigEndian != hostBigEndian {
			swap(bytesOf(dst), h.esize)
		}
	} else {
		// Convert through a bounded buffer so a float32 file read as
		// float64 (or back) needs no second full-size copy.
		const chunk = 1 << 14
		buf := make([]byte, chunk*h.esize)
		for off := 0; off < len(dst); off += chunk {
			n := min(chunk, len(dst)-off)
			b := buf[:n*h.esize]
			if err := readFull(r, b, len(dst), h.esize); err != nil {
				return err
			}
			if h.bigEndian != hostBigEndian {
				swap(b, h.esize)
			}
			if h.esize == 4 {
				src := unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(b))), n)
				for i, v := range src {
					dst[off+i] = T(v)
				}
			} else {
				src := unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(b))), n)
				for i, v := range src {
					dst[off+i] = T(v)
				}
			}
		}
	}
	var one [1]byte
	if n, _ := io.ReadFull(r, one[:]); n != 0 {
		return fmt.Errorf("npyfile: file has extra bytes after the %d elements its header announces", len(dst))
	}
	return nil
}

func readFull(r io.Reader, b []byte, total, esize int) error {
	if _, err := io.ReadFull(r, b); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("npyfile: file is truncated: header announces %d elements (%d bytes of data)", total, total*esize)
		}
		return fmt.Errorf("npyfile: %w", err)
	}
	return nil
}

var hostBigEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 0
}()

func bytesOf[T kernels.Float](x []T) []byte {
	if len(x) == 0 {
		return nil
	}
	var z T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x))), len(x)*int(unsafe.Sizeof(z)))
}

func swap(b []byte, esize int) {
	for i := 0; i+esize <= len(b); i += esize {
		e := b[i : i+esize]
		for l, r := 0, esize-1; l < r; l, r = l+1, r-1 {
			e[l], e[r] = e[r], e[l]
		}
	}
}

// header builds a version-1.0 .npy header for a little-endian C-order array,
// padded with spaces so that the data starts at a multiple of 64 bytes, as
// NumPy itself writes it.
func header(dtype string, shape []int) []byte {
	descr := "<f8"
	if dtype == "float32" {
		descr = "<f4"
	}
	var sh string
	switch len(shape) {
	case 1:
		sh = fmt.Sprintf("(%d,)", shape[0])
	default:
		parts := make([]string, len(shape))
		for i, s := range shape {
			parts[i] = fmt.Sprint(s)
		}
		sh = "(" + strings.Join(parts, ", ") + ")"
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, sh)
	pre := len(npy.Magic) + 2 + 2
	total := pre + len(dict) + 1
	pad := (64 - total%64) % 64
	out := make([]byte, 0, total+pad)
	out = append(out, npy.Magic[:]...)
	out = append(out, 1, 0)
	out = binary.LittleEndian.AppendUint16(out, uint16(len(dict)+pad+1))
	out = append(out, dict...)
	for range pad {
		out = append(out, ' ')
	}
	return append(out, '\n')
}

func dtypeOf[T kernels.Float]() string {
	var z T
	if unsafe.Sizeof(z) == 4 {
		return "float32"
	}
	return "float64"
}

func writeArray[T kernels.Float](w io.Writer, shape []int, rows [][]T) error {
	if _, err := w.Write(header(dtypeOf[T](), shape)); err != nil {
		return fmt.Errorf("npyfile: %w", err)
	}
	return writeRows(w, rows)
}

// writeRows writes the values of rows in order, little-endian.
func writeRows[T kernels.Float](w io.Writer, rows [][]T) error {
	for _, r := range rows {
		b := bytesOf(r)
		if hostBigEndian {
			b = append([]byte(nil), b...)
			swap(b, len(b)/max(1, len(r)))
		}
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("npyfile: %w", err)
		}
	}
	return nil
}

// Write writes m as a 2-D little-endian C-order array of m's element type.
func Write[T kernels.Float](w io.Writer, m *matrix.Dense[T]) error {
	rows := make([][]T, 0, 1)
	if m.Stride == m.Cols || m.Rows <= 1 {
		rows = append(rows, m.Data[:m.Rows*m.Cols])
	} else {
		for i := 0; i < m.Rows; i++ {
			rows = append(rows, m.Row(i))
		}
	}
	return writeArray(w, []int{m.Rows, m.Cols}, rows)
}

// WriteVector writes v as a 1-D array of length len(v).
func WriteVector[T kernels.Float](w io.Writer, v []T) error {
	return writeArray(w, []int{len(v)}, [][]T{v})
}

// WriteFile writes m to a new file at path (created or truncated).
func WriteFile[T kernels.Float](path string, m *matrix.Dense[T]) error {
	return writeFile(path, func(w io.Writer) error { return Write(w, m) })
}

// WriteVectorFile writes v to a new file at path (created or truncated).
func WriteVectorFile[T kernels.Float](path string, v []T) error {
	return writeFile(path, func(w io.Writer) error { return WriteVector(w, v) })
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("npyfile: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("npyfile: %w", err)
	}
	return nil
}
