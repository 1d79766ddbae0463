package conv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/deepica/deepica/kernels"
)

// Init selects a weight initialisation. fanIn = C·KH·KW, fanOut = OutC·KH·KW.
type Init int

// The initialisations.
const (
	// InitHe draws from N(0, 2/fanIn) (He et al. 2015, for ReLU-like units).
	InitHe Init = iota
	// InitGlorot draws from U(−a, a), a = √(6/(fanIn + fanOut)) (Glorot & Bengio 2010).
	InitGlorot
	// InitNormal005 draws from N(0, 0.05²), the study's choice.
	InitNormal005
)

func (in Init) String() string {
	switch in {
	case InitHe:
		return "he"
	case InitGlorot:
		return "glorot"
	case InitNormal005:
		return "normal0.05"
	}
	return fmt.Sprintf("Init(%d)", int(in))
}

// ParseInit parses "he", "glorot" or "normal0.05".
func ParseInit(s string) (Init, error) {
	for _, in := range []Init{InitHe, InitGlorot, InitNormal005} {
		if strings.EqualFold(s, in.String()) {
			return in, nil
		}
	}
	return 0, fmt.Errorf("conv: unknown initialisation %q (want he, glorot or normal0.05)", s)
}

// fill draws w from the initialisation with a PCG generator seeded by seed,
// so a seed fixes the weights on every machine.
func fillInit[T kernels.Float](in Init, w []T, fanIn, fanOut int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 0x6465657069636121))
	var draw func() float64
	switch in {
	case InitHe:
		s := math.Sqrt(2 / float64(fanIn))
		draw = func() float64 { return s * rng.NormFloat64() }
	case InitGlorot:
		a := math.Sqrt(6 / float64(fanIn+fanOut))
		draw = func() float64 { return a * (2*rng.Float64() - 1) }
	case InitNormal005:
		draw = func() float64 { return 0.05 * rng.NormFloat64() }
	default:
		return fmt.Errorf("conv: unknown initialisation %d", int(in))
	}
	for i := range w {
		w[i] = T(draw())
	}
	return nil
}
