package dataset

import (
	"fmt"

	"github.com/deepica/deepica/npyfile"
)

// ReadNPY reads a 2-D .npy matrix (float32 or float64) whose rows are images
// of h×w×c values in HWC order, as NumPy's images.reshape(N, h*w*c) gives
// for an (N, h, w, c) array, and returns them in CHW order. Values are kept
// as they are (no scaling).
func ReadNPY(path string, h, w, c int) (*Images, error) {
	if h < 1 || w < 1 || (c != 1 && c != 3) {
		return nil, fmt.Errorf("dataset: npy: bad shape %dx%dx%d", h, w, c)
	}
	m, err := npyfile.ReadFile[float64](path)
	if err != nil {
		return nil, fmt.Errorf("dataset: npy: %w", err)
	}
	if m.Cols != h*w*c {
		return nil, fmt.Errorf("dataset: npy: %s has %d columns, shape %dx%dx%d needs %d", path, m.Cols, h, w, c, h*w*c)
	}
	if m.Rows < 1 {
		return nil, fmt.Errorf("dataset: npy: %s has no rows", path)
	}
	if err := m.CheckFinite(); err != nil {
		return nil, fmt.Errorf("dataset: npy: %s: %w", path, err)
	}
	im := &Images{
		X: m, C: c, H: h, W: w,
		Names:  make([]string, m.Rows),
		Source: fmt.Sprintf("npy %s (%dx%dx%d)", path, h, w, c),
	}
	hw := h * w
	tmp := make([]float64, m.Cols)
	for i := 0; i < m.Rows; i++ {
		row := m.Row(i)
		copy(tmp, row)
		for p := 0; p < hw; p++ {
			for ch := 0; ch < c; ch++ {
				row[ch*hw+p] = tmp[p*c+ch]
			}
		}
		im.Names[i] = fmt.Sprintf("row %d", i)
	}
	return im, nil
}
