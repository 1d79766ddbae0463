package npyfile_test

import (
	"io"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deepica/deepica/matrix"
	"github.com/deepica/deepica/npyfile"
	"github.com/deepica/deepica/whiten"
)

func randomMatrix(r *rand.Rand, rows, cols int) *matrix.Dense[float64] {
	m := matrix.New[float64](rows, cols)
	for i := range m.Data {
		m.Data[i] = r.NormFloat64()*float64(1+i%cols) + 10 // offset mean, unequal variances
	}
	return m
}

// Every block size must return exactly the file's rows, in order, and a
// Reset must start over.
func TestBlockReaderRows(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	m := randomMatrix(r, 37, 5)
	path := filepath.Join(t.TempDir(), "x.npy")
	if err := npyfile.WriteFile(path, m); err != nil {
		t.Fatal(err)
	}
	for _, bs := range []int{1, 2, 5, 36, 37, 100} {
		br, err := npyfile.OpenBlocks[float32](path, bs)
		if err != nil {
			t.Fatal(err)
		}
		for pass := 0; pass < 2; pass++ {
			row := 0
			for {
				blk, err := br.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				for i := 0; i < blk.Rows; i++ {
					for j := 0; j < blk.Cols; j++ {
						if got, want := blk.At(i, j), float32(m.At(row+i, j)); got != want {
							t.Fatalf("block size %d pass %d: (%d,%d) = %v, want %v", bs, pass, row+i, j, got, want)
						}
					}
				}
				row += blk.Rows
			}
			if row != m.Rows {
				t.Fatalf("block size %d: read %d rows, file has %d", bs, row, m.Rows)
			}
			if err := br.Reset(); err != nil {
				t.Fatal(err)
			}
		}
		br.Close()
	}
}

// PCA fitted from a file in blocks equals the in-memory fit (the data set
// never has to be in memory as a whole).
func TestStreamingPCAFromFile(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	m := randomMatrix(r, 500, 8)
	path := filepath.Join(t.TempDir(), "x.npy")
	if err := npyfile.WriteFile(path, m); err != nil {
		t.Fatal(err)
	}
	want, err := whiten.FitPCA(m, whiten.PCAOptions{NComponents: 4})
	if err != nil {
		t.Fatal(err)
	}
	br, err := npyfile.OpenBlocks[float64](path, 64)
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()
	got, err := whiten.FitPCAStream[float64](br, whiten.PCAOptions{NComponents: 4})
	if err != nil {
		t.Fatal(err)
	}
	// Both fits form the same 8×8 covariance in a different summation order
	// (blocks merged by Chan's formula vs one pass): each entry differs by a
	// few n·ε relative; eigenvalues inherit that, eigenvectors that over the
	// eigengap, which is O(1) here (variances 1..64 plus noise).
	tol := 1e-9
	for i, v := range want.ExplainedVariance {
		if d := math.Abs(got.ExplainedVariance[i]-v) / v; d > tol {
			t.Errorf("explained variance %d: %v vs %v (rel %g)", i, got.ExplainedVariance[i], v, d)
		}
	}
	for i := range want.Components.Data {
		if d := math.Abs(got.Components.Data[i] - want.Components.Data[i]); d > tol {
			t.Errorf("component entry %d: %v vs %v", i, got.Components.Data[i], want.Components.Data[i])
		}
	}
}

func TestBlockReaderErrors(t *testing.T) {
	dir := t.TempDir()
	m := randomMatrix(rand.New(rand.NewSource(3)), 10, 3)
	path := filepath.Join(dir, "x.npy")
	if err := npyfile.WriteFile(path, m); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	short := filepath.Join(dir, "short.npy")
	os.WriteFile(short, b[:len(b)-8], 0o644)
	for name, c := range map[string]struct {
		path string
		rows int
		want string
	}{
		"missing":    {filepath.Join(dir, "none.npy"), 4, "no such file"},
		"truncated":  {short, 4, "truncated"},
		"block size": {path, 0, "block size"},
	} {
		_, err := npyfile.OpenBlocks[float64](c.path, c.rows)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", name, err, c.want)
		}
	}
}
