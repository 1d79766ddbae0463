package npyfile

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deepica/deepica/matrix"
)

// want is the array gen.py saves: arange(12).reshape(3,4)/8 − 0.5, exact in
// both float32 and float64.
func want(i, j int) float64 { return float64(i*4+j)/8 - 0.5 }

func checkMatrix[T float32 | float64](t *testing.T, name string, m *matrix.Dense[T]) {
	t.Helper()
	if m.Rows != 3 || m.Cols != 4 {
		t.Fatalf("%s: shape %d×%d, want 3×4", name, m.Rows, m.Cols)
	}
	for i := 0; i < 3; i++ {
		for j := 0; j < 4; j++ {
			if float64(m.At(i, j)) != want(i, j) {
				t.Fatalf("%s: (%d,%d) = %v, want %v", name, i, j, m.At(i, j), want(i, j))
			}
		}
	}
}

func TestReadNumPyFiles(t *testing.T) {
	for _, f := range []string{"f8_3x4.npy", "f4_3x4.npy", "f8be_3x4.npy"} {
		m64, err := ReadFile[float64](filepath.Join("testdata", f))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		checkMatrix(t, f+" as float64", m64)
		m32, err := ReadFile[float32](filepath.Join("testdata", f))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		checkMatrix(t, f+" as float32", m32)
	}
	m, err := ReadFile[float64]("testdata/f8_0x4.npy")
	if err != nil || m.Rows != 0 || m.Cols != 4 {
		t.Fatalf("0×4: %v %v", m, err)
	}
}

func TestReadErrors(t *testing.T) {
	cases := []struct{ file, want string }{
		{"i8_3x4.npy", "integer int64"},
		{"f8_fortran.npy", "Fortran"},
		{"f8_1d.npy", "1 dimensions"},
		{"f8_3d.npy", "3 dimensions"},
		{"missing.npy", "no such file"},
	}
	for _, c := range cases {
		_, err := ReadFile[float64](filepath.Join("testdata", c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.file, err, c.want)
		}
	}
}

func TestReadTruncatedAndCorrupt(t *testing.T) {
	full, err := os.ReadFile("testdata/f8_3x4.npy")
	if err != nil {
		t.Fatal(err)
	}
	hdr := len(full) - 12*8
	// Every cut inside the data, including ones at element boundaries,
	// which npyio itself would accept as complete.
	for cut := hdr; cut < len(full); cut++ {
		_, err := Read[float64](bytes.NewReader(full[:cut]))
		if err == nil || !strings.Contains(err.Error(), "truncated") {
			t.Fatalf("cut at %d of %d: error %v, want truncated", cut, len(full), err)
		}
	}
	for cut := 0; cut < hdr; cut++ {
		if _, err := Read[float64](bytes.NewReader(full[:cut])); err == nil {
			t.Fatalf("cut inside header at %d: no error", cut)
		}
	}
	if _, err := Read[float64](bytes.NewReader(append(append([]byte(nil), full...), 0))); err == nil || !strings.Contains(err.Error(), "extra bytes") {
		t.Fatalf("trailing byte: %v", err)
	}
	bad := append([]byte(nil), full...)
	copy(bad, "XNUMPY")
	if _, err := Read[float64](bytes.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "not a .npy") {
		t.Fatalf("bad magic: %v", err)
	}
	// A header without its terminating newline makes npyio index out of
	// range; that must come back as an error.
	nonl := append([]byte(nil), full[:hdr]...)
	nonl[hdr-1] = ' '
	if _, err := Read[float64](bytes.NewReader(nonl)); err == nil {
		t.Fatal("header without newline: no error")
	}
}

func TestWriteRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src, _ := ReadFile[float64]("testdata/f8_3x4.npy")
	// A strided view must be written compactly.
	big := matrix.New[float64](3, 6)
	for i := 0; i < 3; i++ {
		copy(big.Row(i)[1:5], src.Row(i))
	}
	view := big.Slice(0, 3, 1, 5)
	p := filepath.Join(dir, "a.npy")
	if err := WriteFile(p, view); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile[float64](p)
	if err != nil {
		t.Fatal(err)
	}
	checkMatrix(t, "round trip", got)
	// Our float64 writer must produce NumPy's bytes exactly (NumPy also pads
	// the header to 64 bytes).
	ours, _ := os.ReadFile(p)
	numpy, _ := os.ReadFile("testdata/f8_3x4.npy")
	if !bytes.Equal(ours, numpy) {
		t.Errorf("written file differs from numpy.save's:\n%q\n%q", ours, numpy)
	}
	p32 := filepath.Join(dir, "b.npy")
	if err := WriteFile(p32, matrix.Convert[float32](src)); err != nil {
		t.Fatal(err)
	}
	ours32, _ := os.ReadFile(p32)
	numpy32, _ := os.ReadFile("testdata/f4_3x4.npy")
	if !bytes.Equal(ours32, numpy32) {
		t.Errorf("float32 file differs from numpy.save's")
	}
	pv := filepath.Join(dir, "v.npy")
	if err := WriteVectorFile(pv, []float64{0, 1, 2, 3, 4}); err != nil {
		t.Fatal(err)
	}
	v, _ := os.ReadFile(pv)
	numpyv, _ := os.ReadFile("testdata/f8_1d.npy")
	if !bytes.Equal(v, numpyv) {
		t.Errorf("vector file differs from numpy.save's:\n%q\n%q", v, numpyv)
	}
	h, err := ReadHeader(pv)
	if err != nil || h.DType != "float64" || len(h.Shape) != 1 || h.Shape[0] != 5 {
		t.Errorf("header %+v %v", h, err)
	}
}

func TestMap(t *testing.T) {
	for _, f := range []string{"f8_3x4.npy", "f4_3x4.npy", "f8be_3x4.npy"} {
		m, release, err := Map[float64](filepath.Join("testdata", f))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		checkMatrix(t, f+" mapped", m)
		m.Set(0, 0, 42) // private mapping: must not reach the file
		if err := release(); err != nil {
			t.Fatal(err)
		}
		m32, release, err := Map[float32](filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		checkMatrix(t, f+" mapped as float32", m32)
		release()
	}
	again, _ := ReadFile[float64]("testdata/f8_3x4.npy")
	checkMatrix(t, "file after writing to its mapping", again)
	full, _ := os.ReadFile("testdata/f8_3x4.npy")
	dir := t.TempDir()
	for name, b := range map[string][]byte{"cut.npy": full[:len(full)-3], "cut8.npy": full[:len(full)-8], "extra.npy": append(append([]byte{}, full...), 1, 2)} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		if _, _, err := Map[float64](p); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	for _, c := range []struct{ file, want string }{{"i8_3x4.npy", "integer"}, {"f8_fortran.npy", "Fortran"}, {"f8_1d.npy", "1 dimensions"}} {
		if _, _, err := Map[float64](filepath.Join("testdata", c.file)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.file, err)
		}
	}
}
