package npyfile

import (
	"fmt"
	"io"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// MatrixWriter writes a 2-D rows×cols array of T (little-endian, C order)
// whose rows arrive in blocks, so that a large result need not be stored
// whole before it is written. NewMatrixWriter writes the header; Close
// reports a row count that does not match it.
type MatrixWriter[T kernels.Float] struct {
	w          io.Writer
	rows, cols int
	done       int
}

// NewMatrixWriter writes the header of a rows×cols array of T to w.
func NewMatrixWriter[T kernels.Float](w io.Writer, rows, cols int) (*MatrixWriter[T], error) {
	if rows < 0 || cols < 0 {
		return nil, fmt.Errorf("npyfile: shape (%d, %d)", rows, cols)
	}
	if _, err := w.Write(header(dtypeOf[T](), []int{rows, cols})); err != nil {
		return nil, fmt.Errorf("npyfile: %w", err)
	}
	return &MatrixWriter[T]{w: w, rows: rows, cols: cols}, nil
}

// WriteRows appends the rows of b, which must have the array's column
// count and fit in its row count.
func (mw *MatrixWriter[T]) WriteRows(b *matrix.Dense[T]) error {
	if b.Cols != mw.cols {
		return fmt.Errorf("npyfile: block has %d columns, array has %d", b.Cols, mw.cols)
	}
	if mw.done+b.Rows > mw.rows {
		return fmt.Errorf("npyfile: %d rows written to an array of %d", mw.done+b.Rows, mw.rows)
	}
	rows := [][]T{}
	if b.Stride == b.Cols || b.Rows <= 1 {
		if b.Rows > 0 {
			rows = append(rows, b.Data[:b.Rows*b.Cols])
		}
	} else {
		for i := 0; i < b.Rows; i++ {
			rows = append(rows, b.Row(i))
		}
	}
	if err := writeRows(mw.w, rows); err != nil {
		return err
	}
	mw.done += b.Rows
	return nil
}

// Close checks that every row was written (it does not close the
// underlying writer).
func (mw *MatrixWriter[T]) Close() error {
	if mw.done != mw.rows {
		return fmt.Errorf("npyfile: %d of %d rows written", mw.done, mw.rows)
	}
	return nil
}
