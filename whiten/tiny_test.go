package whiten

import (
	"math"
	"testing"

	"github.com/deepica/deepica/matrix"
)

// Two samples have one principal direction, their difference d, with
// variance ‖d‖²/2 (ddof 1): a closed form for the smallest shapes.
func TestTwoSamplesClosedForm(t *testing.T) {
	for _, p := range []int{1, 2, 3, 50} {
		x := matrix.New[float64](2, p)
		var d2 float64
		for j := 0; j < p; j++ {
			x.Set(0, j, float64(j)+1)
			x.Set(1, j, -0.5*float64(j*j)+3)
			d := x.At(0, j) - x.At(1, j)
			d2 += d * d
		}
		for _, solver := range []Solver{SolverAuto, SolverCovariance, SolverGram} {
			m, s, err := FitTransform(x, PCAOptions{NComponents: 1, Solver: solver})
			if err != nil {
				t.Fatalf("p=%d %v: %v", p, solver, err)
			}
			if math.Abs(m.ExplainedVariance[0]-d2/2) > 1e-12*d2 || math.Abs(m.ExplainedVarianceRatio[0]-1) > 1e-12 {
				t.Errorf("p=%d %v: variance %v ratio %v, want %v and 1", p, solver, m.ExplainedVariance[0], m.ExplainedVarianceRatio[0], d2/2)
			}
			// Scores ±‖d‖/2, the largest-magnitude one positive (svd_flip):
			// a tie, so the first sample's.
			h := math.Sqrt(d2) / 2
			if math.Abs(s.At(0, 0)-h) > 1e-12*h || math.Abs(s.At(1, 0)+h) > 1e-12*h {
				t.Errorf("p=%d %v: scores %v %v, want ±%v", p, solver, s.At(0, 0), s.At(1, 0), h)
			}
			for j := 0; j < p; j++ {
				want := (x.At(0, j) - x.At(1, j)) / math.Sqrt(d2)
				if math.Abs(m.Components.At(0, j)-want) > 1e-12 {
					t.Errorf("p=%d %v: component[%d] = %v, want %v", p, solver, j, m.Components.At(0, j), want)
				}
			}
		}
		w, err := ForICA(x, ICAOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if w.NComponents != 1 || math.Abs(math.Abs(w.White.At(0, 0))-1) > 1e-12 {
			t.Errorf("p=%d: ForICA k=%d white %v", p, w.NComponents, w.White.Data)
		}
		st, err := FitPCAStream(SliceBlocks(x, 1), PCAOptions{NComponents: 1})
		if err != nil || math.Abs(st.ExplainedVariance[0]-d2/2) > 1e-12*d2 {
			t.Errorf("p=%d stream: %v %v", p, err, st)
		}
		kp, err := FitKernelPCA(x, KernelPCAOptions{Kernel: NewKernel(KernelLinear)})
		if err != nil || kp.NComponents != 1 || math.Abs(kp.Eigenvalues[0]-d2/2) > 1e-12*d2 {
			t.Errorf("p=%d kernel PCA: %v %+v", p, err, kp)
		}
	}
}
