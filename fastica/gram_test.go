package fastica

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
	"github.com/deepica/deepica/whiten"
)

// TestFitGramIdentical: FastICA from a shared Gram (wide data, Gram
// whitening) returns exactly Fit's model and sources.
func TestFitGramIdentical(t *testing.T) {
	t.Run("f64", func(t *testing.T) { testFitGram[float64](t) })
	t.Run("f32", func(t *testing.T) { testFitGram[float32](t) })
}

func testFitGram[T kernels.Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n, p, k := 60, 200, 6
	s := matrix.New[float64](n, k)
	for i := range s.Data {
		s.Data[i] = rng.ExpFloat64() - rng.ExpFloat64()
	}
	a := matrix.New[float64](k, p)
	for i := range a.Data {
		a.Data[i] = rng.NormFloat64()
	}
	x := matrix.Convert[T](mul(s, a))
	g, err := whiten.NewGram(x)
	if err != nil {
		t.Fatal(err)
	}
	opt := Options{Components: k, Seed: 3}
	ma, sa, err := FitGram(g, opt)
	if err != nil {
		t.Fatal(err)
	}
	mb, sb, err := Fit(x, opt)
	if err != nil {
		t.Fatal(err)
	}
	if ma.WhitenSolver != "gram" || mb.WhitenSolver != "gram" {
		t.Fatalf("whitening solver %q / %q, want gram", ma.WhitenSolver, mb.WhitenSolver)
	}
	for name, pair := range map[string][2][]float64{
		"components": {ma.Components.Data, mb.Components.Data}, "mixing": {ma.Mixing.Data, mb.Mixing.Data},
		"mean": {ma.Mean, mb.Mean}, "trace": {ma.Trace, mb.Trace},
	} {
		if len(pair[0]) != len(pair[1]) {
			t.Fatalf("%s: lengths differ", name)
		}
		for i := range pair[0] {
			if math.Float64bits(pair[0][i]) != math.Float64bits(pair[1][i]) {
				t.Fatalf("%s[%d]: %v with the shared Gram, %v without", name, i, pair[0][i], pair[1][i])
			}
		}
	}
	for i := range sa.Data {
		if sa.Data[i] != sb.Data[i] {
			t.Fatalf("sources[%d]: %v with the shared Gram, %v without", i, sa.Data[i], sb.Data[i])
		}
	}
}
