package npyfile

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"unsafe"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// BlockReader streams a 2-D .npy file as blocks of rows, so data larger than
// memory can be fitted (it satisfies whiten.Blocks). Each block is decoded
// into one reused buffer; only rows×cols elements are ever held.
type BlockReader[T kernels.Float] struct {
	path       string
	f          *os.File
	br         *bufio.Reader
	h          Header
	rows, cols int // of the whole file
	blockRows  int
	done       int // rows returned since the last Reset
	buf        *matrix.Dense[T]
	raw        []byte
}

// OpenBlocks opens the 2-D float32/float64 C-order .npy file at path for
// reading in blocks of blockRows rows (the last block may be shorter).
// Close releases the file.
func OpenBlocks[T kernels.Float](path string, blockRows int) (*BlockReader[T], error) {
	if blockRows < 1 {
		return nil, fmt.Errorf("npyfile: block size %d rows, want ≥ 1", blockRows)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("npyfile: %w", err)
	}
	b := &BlockReader[T]{path: path, f: f, blockRows: blockRows}
	if err := b.Reset(); err != nil {
		f.Close()
		return nil, err
	}
	if len(b.h.Shape) != 2 {
		f.Close()
		return nil, fmt.Errorf("%s: npyfile: array has %d dimensions (shape %v); want a 2-D matrix (samples × features)", path, len(b.h.Shape), b.h.Shape)
	}
	b.rows, b.cols = b.h.Shape[0], b.h.Shape[1]
	if b.rows > 0 && b.cols > math.MaxInt/b.rows/8 {
		f.Close()
		return nil, fmt.Errorf("%s: npyfile: shape %v is too large", path, b.h.Shape)
	}
	// A file shorter than its header promises is reported now, not after a
	// fit has consumed most of it.
	if st, err := f.Stat(); err == nil {
		hdr, _ := f.Seek(0, io.SeekCurrent)
		hdr -= int64(b.br.Buffered())
		need := int64(b.rows) * int64(b.cols) * int64(b.h.esize)
		if have := st.Size() - hdr; have < need {
			f.Close()
			return nil, fmt.Errorf("%s: npyfile: file is truncated: header announces %d elements (%d bytes of data), file has %d", path, b.rows*b.cols, need, have)
		}
	}
	return b, nil
}

// Shape returns the (rows, cols) of the whole array.
func (b *BlockReader[T]) Shape() (int, int) { return b.rows, b.cols }

// Reset rewinds to the first block.
func (b *BlockReader[T]) Reset() error {
	if _, err := b.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("%s: npyfile: %w", b.path, err)
	}
	b.br = bufio.NewReaderSize(b.f, 1<<20)
	h, err := readHeader(b.br)
	if err != nil {
		return fmt.Errorf("%s: %w", b.path, err)
	}
	b.h, b.done = h, 0
	return nil
}

// Next returns the next block of rows, or (nil, io.EOF) after the last. The
// block's storage is reused by the following call.
func (b *BlockReader[T]) Next() (*matrix.Dense[T], error) {
	if b.done >= b.rows {
		return nil, io.EOF
	}
	n := min(b.blockRows, b.rows-b.done)
	if b.buf == nil {
		b.buf = matrix.New[T](min(b.blockRows, b.rows), b.cols)
	}
	blk := &matrix.Dense[T]{Rows: n, Cols: b.cols, Stride: b.cols, Data: b.buf.Data[:n*b.cols]}
	var z T
	if int(unsafe.Sizeof(z)) == b.h.esize {
		if err := readFull(b.br, bytesOf(blk.Data), b.rows*b.cols, b.h.esize); err != nil {
			return nil, fmt.Errorf("%s: %w", b.path, err)
		}
		if b.h.bigEndian != hostBigEndian {
			swap(bytesOf(blk.Data), b.h.esize)
		}
	} else {
		if need := len(blk.Data) * b.h.esize; cap(b.raw) < need {
			b.raw = make([]byte, need)
		}
		raw := b.raw[:len(blk.Data)*b.h.esize]
		if err := readFull(b.br, raw, b.rows*b.cols, b.h.esize); err != nil {
			return nil, fmt.Errorf("%s: %w", b.path, err)
		}
		if b.h.bigEndian != hostBigEndian {
			swap(raw, b.h.esize)
		}
		if b.h.esize == 4 {
			for i, v := range unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(raw))), len(blk.Data)) {
				blk.Data[i] = T(v)
			}
		} else {
			for i, v := range unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(raw))), len(blk.Data)) {
				blk.Data[i] = T(v)
			}
		}
	}
	b.done += n
	return blk, nil
}

// Close closes the file.
func (b *BlockReader[T]) Close() error { return b.f.Close() }
