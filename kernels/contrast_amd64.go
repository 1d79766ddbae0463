//go:build !purego

package kernels

//go:generate go -C ../asm run ./contrast -out ../kernels/contrast_amd64.s -stubs ../kernels/contrast_stubs_amd64.go -pkg kernels

// contrast32/64 run the assembly over the whole vectors of each row and
// the reference over the rest of it; the row's g' sum is the assembly's
// (lane sums added by halves) followed by the tail's.

func contrast32(f Contrast, alpha float32, rows, cols int, u []float32, ld int, gpSum []float32) {
	var n int
	switch Impl() {
	case AVX512:
		n = cols &^ 15
	case AVX2:
		n = cols &^ 7
	default:
		contrastGeneric(f, alpha, rows, cols, u, ld, gpSum)
		return
	}
	for i := 0; i < rows; i++ {
		row := u[i*ld : i*ld+cols]
		ewRaceWrite(row[:n])
		gpSum[i] += contrastRow32(f, alpha, row[:n])
		contrastGeneric(f, alpha, 1, cols-n, row[n:], cols-n, gpSum[i:i+1])
	}
}

// contrastRow32 applies g to row (a whole number of vectors at the current
// level) and returns Σg'.
func contrastRow32(f Contrast, alpha float32, row []float32) float32 {
	if Impl() == AVX512 {
		switch f {
		case LogCosh:
			return contrastTanhF32AVX512(alpha, row)
		case Exp:
			return contrastExpF32AVX512(row)
		default:
			return contrastCubeF32AVX512(row)
		}
	}
	switch f {
	case LogCosh:
		return contrastTanhF32AVX2(alpha, row)
	case Exp:
		return contrastExpF32AVX2(row)
	default:
		return contrastCubeF32AVX2(row)
	}
}

func contrast64(f Contrast, alpha float64, rows, cols int, u []float64, ld int, gpSum []float64) {
	var n int
	switch Impl() {
	case AVX512:
		n = cols &^ 7
	case AVX2:
		n = cols &^ 3
	default:
		contrastGeneric(f, alpha, rows, cols, u, ld, gpSum)
		return
	}
	for i := 0; i < rows; i++ {
		row := u[i*ld : i*ld+cols]
		ewRaceWrite(row[:n])
		gpSum[i] += contrastRow64(f, alpha, row[:n])
		contrastGeneric(f, alpha, 1, cols-n, row[n:], cols-n, gpSum[i:i+1])
	}
}

func contrastRow64(f Contrast, alpha float64, row []float64) float64 {
	if Impl() == AVX512 {
		switch f {
		case LogCosh:
			return contrastTanhF64AVX512(alpha, row)
		case Exp:
			return contrastExpF64AVX512(row)
		default:
			return contrastCubeF64AVX512(row)
		}
	}
	switch f {
	case LogCosh:
		return contrastTanhF64AVX2(alpha, row)
	case Exp:
		return contrastExpF64AVX2(row)
	default:
		return contrastCubeF64AVX2(row)
	}
}
