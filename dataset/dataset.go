// Package dataset loads image data sets into matrices for the study: the
// STL-10 binary files, a folder of PNG/JPEG images, and .npy matrices of
// flattened images.
//
// Every loader returns Images: one image per row of a float64 matrix, values
// in CHW order (channel, then row, then column; the NCHW layout of conv/),
// pixel intensities scaled to [0, 1] for 8-bit sources.
package dataset

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/deepica/deepica/matrix"
)

// Images is a set of equally sized images.
type Images struct {
	// X is N×(C·H·W): row i is image i in CHW order, element (c, y, x) at
	// index c·H·W + y·W + x.
	X       *matrix.Dense[float64]
	C, H, W int
	// Labels holds a class number per image where the source has labels
	// (STL-10: 1–10), else nil.
	Labels []int
	// Names identifies each image: a file name, or file[index] for images
	// read from a binary file.
	Names []string
	// Source describes where the images came from, for reports.
	Source string
}

// N returns the number of images.
func (im *Images) N() int { return im.X.Rows }

// ParseShape parses an image shape "HxWxC" or "HxW" (C = 1), as given to the
// npy loader. C must be 1 or 3.
func ParseShape(s string) (h, w, c int, err error) {
	parts := strings.Split(strings.ToLower(s), "x")
	if len(parts) != 2 && len(parts) != 3 {
		return 0, 0, 0, fmt.Errorf("dataset: shape %q: want HxWxC or HxW", s)
	}
	v := []int{0, 0, 1}
	for i, p := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 {
			return 0, 0, 0, fmt.Errorf("dataset: shape %q: %q is not a positive integer", s, p)
		}
		v[i] = n
	}
	if v[2] != 1 && v[2] != 3 {
		return 0, 0, 0, fmt.Errorf("dataset: shape %q: %d channels, want 1 or 3", s, v[2])
	}
	return v[0], v[1], v[2], nil
}
