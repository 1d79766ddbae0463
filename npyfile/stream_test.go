package npyfile

import (
	"bytes"
	"strings"
	"testing"

	"github.com/deepica/deepica/matrix"
)

// TestMatrixWriter: an array written in blocks (compact and strided, of
// uneven sizes) is byte for byte what Write produces for the whole matrix,
// and reads back equal; wrong shapes and counts are errors.
func TestMatrixWriter(t *testing.T) {
	m := matrix.New[float32](11, 3)
	for i := range m.Data {
		m.Data[i] = float32(i) - 7.25
	}
	var whole, blocks bytes.Buffer
	if err := Write(&whole, m); err != nil {
		t.Fatal(err)
	}
	mw, err := NewMatrixWriter[float32](&blocks, 11, 3)
	if err != nil {
		t.Fatal(err)
	}
	wide := matrix.New[float32](5, 4) // strided block source
	for i := 0; i < 5; i++ {
		copy(wide.Row(i)[:3], m.Row(6+i))
	}
	for _, b := range []*matrix.Dense[float32]{m.Slice(0, 4, 0, 3), m.Slice(4, 4, 0, 3), m.Slice(4, 6, 0, 3), wide.Slice(0, 5, 0, 3)} {
		if err := mw.WriteRows(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(whole.Bytes(), blocks.Bytes()) {
		t.Fatalf("blockwise output differs from Write's")
	}
	back, err := Read[float32](&blocks)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range back.Data {
		if v != m.Data[i] {
			t.Fatalf("element %d: %v, want %v", i, v, m.Data[i])
		}
	}
	if err := mw.WriteRows(m.Slice(0, 1, 0, 3)); err == nil || !strings.Contains(err.Error(), "12 rows") {
		t.Errorf("row overflow: %v", err)
	}
	mw2, _ := NewMatrixWriter[float32](&bytes.Buffer{}, 2, 3)
	if err := mw2.WriteRows(matrix.New[float32](1, 2)); err == nil {
		t.Error("wrong column count accepted")
	}
	if err := mw2.Close(); err == nil {
		t.Error("short array closed without error")
	}
}
