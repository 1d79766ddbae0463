package kernels

import "fmt"

// Contrast names a FastICA non-linearity g (the derivative of the contrast
// function G) as in scikit-learn's FastICA:
//
//	LogCosh: G(u) = log(cosh(αu))/α, g(u) = tanh(αu),   g'(u) = α(1 − tanh²(αu))
//	Exp:     G(u) = −exp(−u²/2),     g(u) = u·exp(−u²/2), g'(u) = (1 − u²)·exp(−u²/2)
//	Cube:    G(u) = u⁴/4,            g(u) = u³,           g'(u) = 3u²
//
// α (alpha) is used by LogCosh only.
type Contrast int

// The contrast functions.
const (
	LogCosh Contrast = iota
	Exp
	Cube
)

func (f Contrast) String() string {
	switch f {
	case LogCosh:
		return "logcosh"
	case Exp:
		return "exp"
	case Cube:
		return "cube"
	}
	return fmt.Sprintf("Contrast(%d)", int(f))
}

// ParseContrast parses "logcosh", "exp" or "cube".
func ParseContrast(s string) (Contrast, error) {
	for _, f := range []Contrast{LogCosh, Exp, Cube} {
		if f.String() == s {
			return f, nil
		}
	}
	return 0, fmt.Errorf("kernels: unknown contrast %q (want logcosh, exp or cube)", s)
}

func (f Contrast) check(kernel string) {
	if f < LogCosh || f > Cube {
		panic(fmt.Sprintf("kernels.%s: unknown contrast %d", kernel, int(f)))
	}
}

// contrastBlock is the column-block width of the contrast and ICA-step
// kernels: per-row sums of g' are taken over blocks of this many columns and
// the block sums added in order, which bounds the error of the mean and
// fixes the summation order.
const contrastBlock = 256

// ApplyContrast replaces every element u of the rows×cols matrix u (leading
// dimension ld) by g(u) and writes the mean of g'(u) over each row into
// gpMean (length rows), in one pass over the data. Block sums of g' are
// added in float64.
func ApplyContrast[T Float](f Contrast, alpha T, rows, cols int, u []T, ld int, gpMean []T) {
	f.check("ApplyContrast")
	checkMat("ApplyContrast", "u", rows, cols, len(u), ld)
	checkSameLen("ApplyContrast(gpMean)", len(gpMean), rows)
	if cols == 0 {
		// u spans no elements: u[i·ld:] would be out of range for i > 0.
		clear(gpMean)
		return
	}
	var part [1]T
	for i := 0; i < rows; i++ {
		var s float64
		row := u[i*ld : i*ld+cols]
		for j0 := 0; j0 < cols; j0 += contrastBlock {
			part[0] = 0
			blk := row[j0:min(cols, j0+contrastBlock)]
			if is32[T]() {
				contrast32(f, float32(alpha), 1, len(blk), f32(blk), len(blk), f32(part[:]))
			} else {
				contrast64(f, float64(alpha), 1, len(blk), f64(blk), len(blk), f64(part[:]))
			}
			s += float64(part[0])
		}
		if cols > 0 {
			gpMean[i] = T(s / float64(cols))
		} else {
			gpMean[i] = 0
		}
	}
}
