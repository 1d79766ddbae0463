package main

import (
	"bufio"
	"fmt"
	"os"

	"codeberg.org/sbinet/npyio/npy"
	"gonum.org/v1/gonum/mat"
)

// Inputs are written once as float64 .npy files; every engine loads them and
// converts to its element type before the clock starts, so all engines see
// the same numbers.

func writeNpy(path string, rows, cols int, data []float64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := npy.Write(w, mat.NewDense(rows, cols, data)); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// readNpy reads a 2-D float64 .npy file as (rows, cols, row-major data).
func readNpy(path string) (int, int, []float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, nil, err
	}
	defer f.Close()
	var m mat.Dense
	if err := npy.Read(bufio.NewReaderSize(f, 1<<20), &m); err != nil {
		return 0, 0, nil, fmt.Errorf("reading %s: %w", path, err)
	}
	r, c := m.Dims()
	raw := m.RawMatrix()
	if raw.Stride != c {
		out := make([]float64, r*c)
		for i := 0; i < r; i++ {
			copy(out[i*c:(i+1)*c], raw.Data[i*raw.Stride:i*raw.Stride+c])
		}
		return r, c, out, nil
	}
	return r, c, raw.Data[:r*c], nil
}

func to32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}
