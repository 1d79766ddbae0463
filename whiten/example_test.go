package whiten_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/deepica/deepica/matrix"
	"github.com/deepica/deepica/whiten"
)

func exampleData(n, p int) *matrix.Dense[float64] {
	rng := rand.New(rand.NewPCG(1, 1))
	x := matrix.New[float64](n, p)
	for i := 0; i < n; i++ {
		for j := 0; j < p; j++ {
			x.Set(i, j, rng.NormFloat64()*float64(p-j))
		}
	}
	return x
}

func ExampleFitTransform() {
	x := exampleData(200, 10) // 200 samples × 10 features
	pca, scores, err := whiten.FitTransform(x, whiten.PCAOptions{NComponents: 3, Whiten: true})
	if err != nil {
		panic(err)
	}
	fmt.Println(pca.Solver, pca.Components.Rows, pca.Components.Cols, scores.Rows, scores.Cols)
	// Output: covariance 3 10 200 3
}

func ExampleForICA() {
	x := exampleData(50, 400) // wide: the Gram route is chosen
	w, err := whiten.ForICA(x, whiten.ICAOptions{NComponents: 5})
	if err != nil {
		panic(err)
	}
	// K is 5×400; White = √n·K·(X − Mean)ᵀ is 5×50 with identity covariance.
	fmt.Println(w.Solver, w.K.Rows, w.K.Cols, w.White.Rows, w.White.Cols, len(w.Warnings))
	// Output: gram 5 400 5 50 0
}

func ExampleFitKernelPCA() {
	x := exampleData(100, 4)
	m, err := whiten.FitKernelPCA(x, whiten.KernelPCAOptions{
		Kernel: whiten.NewKernel(whiten.KernelRBF), NComponents: 2, FitInverseTransform: true, Alpha: 0.1})
	if err != nil {
		panic(err)
	}
	y, _ := m.Transform(x.Slice(0, 5, 0, 4))
	back, _ := m.InverseTransform(y)
	fmt.Println(m.Solver, y.Rows, y.Cols, back.Rows, back.Cols)
	// Output: dense 5 2 5 4
}
