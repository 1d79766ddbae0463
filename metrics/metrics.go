// Package metrics measures how well a blind source separation recovered its
// sources: the Amari index of the gain matrix (estimated unmixing × true
// mixing), Hungarian-matched absolute correlation between estimated and true
// sources, and the signal-to-interference ratio in dB.
//
// Matrices are matrix.Dense[float64]; source matrices are samples × sources
// (rows = samples), as scikit-learn returns them.
package metrics

import (
	"errors"
	"fmt"
	"math"

	"github.com/deepica/deepica/matrix"
)

// Amari returns the normalised Amari index of the square gain matrix
// P = W·A (estimated unmixing times true mixing), in [0, 1]; 0 means P is a
// scaled permutation, i.e. perfect separation:
//
//	(1 / (2k(k−1))) · [ Σ_i (Σ_j |p_ij| / max_j |p_ij| − 1) + Σ_j (Σ_i |p_ij| / max_i |p_ij| − 1) ]
//
// (Amari, Cichocki & Yang 1996, normalised as in Macchi & Moreau). k = 1
// gives 0.
func Amari(p *matrix.Dense[float64]) (float64, error) {
	k, err := checkGain(p)
	if err != nil {
		return 0, err
	}
	if k == 1 {
		return 0, nil
	}
	s := ratioSums(p, k, math.Abs)
	return s / (2 * float64(k) * float64(k-1)), nil
}

// AmariPicard returns the squared variant of the Amari distance used by
// Picard (Ablin, Cardoso & Gramfort; picard.amari_distance), which squares
// the entries and normalises by 2k instead of 2k(k−1):
//
//	(1 / (2k)) · [ Σ_i (Σ_j p_ij² / max_j p_ij² − 1) + Σ_j (Σ_i p_ij² / max_i p_ij² − 1) ]
//
// It is not bounded by 1 (its maximum is k−1) and is not comparable with
// Amari; it is provided to compare with numbers published with Picard.
func AmariPicard(p *matrix.Dense[float64]) (float64, error) {
	k, err := checkGain(p)
	if err != nil {
		return 0, err
	}
	s := ratioSums(p, k, func(x float64) float64 { return x * x })
	return s / (2 * float64(k)), nil
}

// Gain returns P = W·A for an estimated unmixing W (k×p) and a true mixing
// A (p×k).
func Gain(w, a *matrix.Dense[float64]) (*matrix.Dense[float64], error) {
	if w.Cols != a.Rows || w.Rows != a.Cols {
		return nil, fmt.Errorf("metrics: unmixing is %d×%d and mixing %d×%d; want k×p and p×k", w.Rows, w.Cols, a.Rows, a.Cols)
	}
	p := matrix.New[float64](w.Rows, a.Cols)
	for i := 0; i < w.Rows; i++ {
		for l, wv := range w.Row(i) {
			ar := a.Row(l)
			pr := p.Row(i)
			for j := range pr {
				pr[j] += wv * ar[j]
			}
		}
	}
	return p, nil
}

func checkGain(p *matrix.Dense[float64]) (int, error) {
	if p == nil || p.Rows == 0 || p.Rows != p.Cols {
		if p == nil {
			return 0, errors.New("metrics: nil gain matrix")
		}
		return 0, fmt.Errorf("metrics: gain matrix is %d×%d; want square and non-empty", p.Rows, p.Cols)
	}
	if err := p.CheckFinite(); err != nil {
		return 0, fmt.Errorf("metrics: gain matrix: %w", err)
	}
	for i := 0; i < p.Rows; i++ {
		var rmax, cmax float64
		for j := 0; j < p.Cols; j++ {
			rmax = max(rmax, math.Abs(p.At(i, j)))
			cmax = max(cmax, math.Abs(p.At(j, i)))
		}
		if rmax == 0 {
			return 0, fmt.Errorf("metrics: row %d of the gain matrix is zero (a component was lost)", i)
		}
		if cmax == 0 {
			return 0, fmt.Errorf("metrics: column %d of the gain matrix is zero (a source was not recovered)", i)
		}
	}
	return p.Rows, nil
}

func ratioSums(p *matrix.Dense[float64], k int, f func(float64) float64) float64 {
	var s float64
	for i := 0; i < k; i++ {
		var sum, mx float64
		for j := 0; j < k; j++ {
			v := f(p.At(i, j))
			sum += v
			mx = max(mx, v)
		}
		s += sum/mx - 1
	}
	for j := 0; j < k; j++ {
		var sum, mx float64
		for i := 0; i < k; i++ {
			v := f(p.At(i, j))
			sum += v
			mx = max(mx, v)
		}
		s += sum/mx - 1
	}
	return s
}
