package kernels

// Fuzz targets: every level against the reference on fuzzer-chosen shapes
// (bounded so that one input runs in milliseconds), placements, seeds and
// raw bit patterns laid over the data. The seed corpus (f.Add) runs in
// plain `go test`; `go test -fuzz FuzzGemm ./kernels` explores.

import (
	"testing"
)

// eachLevel runs fn at every available level (no subtests: fuzz functions
// report through their own T), restoring the level in force.
func eachLevel(t *testing.T, fn func(l Level)) {
	prev := Impl()
	defer SetLevel(prev)
	for _, l := range Available() {
		if err := SetLevel(l); err != nil {
			t.Fatal(err)
		}
		failed := t.Failed()
		fn(l)
		if t.Failed() && !failed {
			t.Logf("the failures above are at level %s", l)
		}
	}
}

// pl decodes a placement from a byte: low 3 bits the offset, and on
// platforms with guard pages 1 in 16 values flush against one.
func pl(b byte) placement {
	if guardPagesUsable() {
		switch b >> 4 {
		case 14:
			return placement{page: 1}
		case 15:
			return placement{page: -1}
		}
	}
	return placement{off: int(b & 7)}
}

var fuzzScalars = []float64{1, -1, 0.5, 0, 2.5, -0.75, 1e-3, 3}

func FuzzVec(f *testing.F) {
	f.Add(uint16(0), byte(0), byte(0), uint64(1), byte(0), []byte(nil))
	f.Add(uint16(17), byte(3), byte(5), uint64(2), byte(1), []byte{0, 0, 0xc0, 0x7f})
	f.Add(uint16(130), byte(0xe1), byte(0xf2), uint64(3), byte(2), []byte{1, 0, 0, 0, 0, 0, 0x80, 0x7f})
	f.Fuzz(func(t *testing.T, n uint16, px, py byte, seed uint64, alpha byte, raw []byte) {
		c := vecCase{n: int(n % 2048), p: [3]placement{pl(px), pl(py), pl(px ^ py)}, seed: seed, special: seed%3 == 0,
			alpha: fuzzScalars[alpha%8], raw: raw}
		eachLevel(t, func(Level) {
			withThreads(1, func() {
				verifyDot(t, Dot[float32], dotGeneric[float32], c)
				verifyDot(t, Dot[float64], dotGeneric[float64], c)
				verifySum(t, Sum[float32], sumGeneric[float32], c)
				verifySum(t, Sum[float64], sumGeneric[float64], c)
				verifyAxpy(t, Axpy[float32], axpyGeneric[float32], c)
				verifyAxpy(t, Axpy[float64], axpyGeneric[float64], c)
				verifyScale(t, Scale[float32], scaleGeneric[float32], c)
				verifyScale(t, Scale[float64], scaleGeneric[float64], c)
				verifyMul(t, Mul[float32], mulGeneric[float32], c)
				verifyMul(t, Mul[float64], mulGeneric[float64], c)
			})
		})
	})
}

func FuzzGemm(f *testing.F) {
	f.Add(uint8(0), uint8(0), uint8(0), byte(0), byte(0), byte(0), uint64(1), []byte(nil))
	f.Add(uint8(5), uint8(7), uint8(3), byte(3), byte(0x12), byte(0x21), uint64(2), []byte{0, 0, 0x80, 0x7f})
	f.Add(uint8(67), uint8(33), uint8(70), byte(1), byte(0x35), byte(0x07), uint64(3), []byte(nil))
	f.Add(uint8(13), uint8(16), uint8(9), byte(2), byte(0xe0), byte(0x40), uint64(4), []byte{0, 0, 0xc0, 0x7f, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, m, n, k uint8, flags, place, scal byte, seed uint64, raw []byte) {
		c := gemmCase{tA: flags&1 != 0, tB: flags&2 != 0, m: int(m % 100), n: int(n % 100), k: int(k),
			alpha: fuzzScalars[scal&7], beta: fuzzScalars[scal>>3&7], padA: int(flags >> 2 & 3), padB: int(flags >> 4 & 3), padC: int(flags >> 6),
			pa: pl(place), pb: pl(place << 4), pc: pl(place ^ 0x5a), seed: seed, special: seed%4 == 0, nanC: scal&0x40 != 0, raw: raw}
		if c.nanC {
			c.beta = 0
		}
		eachLevel(t, func(Level) {
			withThreads(1+int(seed%3), func() {
				if c.pa.page != 0 || c.pb.page != 0 || c.pc.page != 0 {
					SetThreads(1)
				}
				verifyGemm(t, Gemm[float32], gemmGeneric[float32], c)
				verifyGemm(t, Gemm[float64], gemmGeneric[float64], c)
			})
		})
	})
}

func FuzzGram(f *testing.F) {
	f.Add(uint8(0), uint8(0), byte(0), byte(0), uint64(1), []byte(nil))
	f.Add(uint8(9), uint8(7), byte(1), byte(0x13), uint64(2), []byte{0, 0, 0x80, 0xff})
	f.Add(uint8(70), uint8(40), byte(6), byte(0x31), uint64(3), []byte(nil))
	f.Fuzz(func(t *testing.T, n, k uint8, flags, place byte, seed uint64, raw []byte) {
		c := gramCase{trans: flags&1 != 0, n: int(n % 100), k: int(k), alpha: fuzzScalars[flags>>1&7], beta: fuzzScalars[flags>>4&7],
			padA: int(place & 3), padC: int(place >> 2 & 3), pa: pl(place), pc: pl(place << 4), seed: seed, special: seed%4 == 0,
			offset: float64(seed % 5), raw: raw}
		gramRef32 := func(tr bool, n, k int, al float32, a []float32, lda int, be float32, c []float32, ldc int) {
			gramGeneric(tr, n, k, al, a, lda, be, c, ldc, nil)
		}
		gramRef64 := func(tr bool, n, k int, al float64, a []float64, lda int, be float64, c []float64, ldc int) {
			gramGeneric(tr, n, k, al, a, lda, be, c, ldc, nil)
		}
		eachLevel(t, func(Level) {
			withThreads(1+int(seed%3), func() {
				if c.pa.page != 0 || c.pc.page != 0 {
					SetThreads(1)
				}
				verifyGram(t, Gram[float32], gramRef32, c)
				verifyGram(t, Gram[float64], gramRef64, c)
				verifyCenteredGram(t, CenteredGram[float32], centeredGramRef[float32], c)
				verifyCenteredGram(t, CenteredGram[float64], centeredGramRef[float64], c)
				verifyGramWide(t, c)
			})
		})
	})
}

func FuzzIm2col(f *testing.F) {
	f.Add(byte(1), byte(3), byte(3), byte(3), byte(3), byte(0), byte(0), byte(0), uint64(1), []byte(nil))
	f.Add(byte(3), byte(9), byte(12), byte(3), byte(2), byte(0x21), byte(0x11), byte(0x12), uint64(2), []byte{0, 0, 0xc0, 0x7f})
	f.Add(byte(2), byte(17), byte(5), byte(5), byte(1), byte(0x32), byte(0x20), byte(0), uint64(3), []byte(nil))
	f.Fuzz(func(t *testing.T, ch, h, w, kh, kw, stride, pad, dil byte, seed uint64, raw []byte) {
		g := ConvGeom{C: 1 + int(ch%4), H: 1 + int(h%24), W: 1 + int(w%24), KH: 1 + int(kh%6), KW: 1 + int(kw%6),
			StrideH: int(stride & 3), StrideW: int(stride >> 4 & 3), PadH: int(pad & 3), PadW: int(pad >> 4 & 3),
			DilH: int(dil & 3), DilW: int(dil >> 4 & 3)}
		if g.Validate() != nil {
			return
		}
		c := convCase{g: g, pi: pl(byte(seed)), pc: pl(byte(seed >> 8)), seed: seed, special: seed%4 == 0, raw: raw}
		eachLevel(t, func(Level) {
			verifyIm2col(t, Im2col[float32], im2colGeneric[float32], c)
			verifyIm2col(t, Im2col[float64], im2colGeneric[float64], c)
			verifyCol2im(t, Col2im[float32], col2imGeneric[float32], c)
			verifyCol2im(t, Col2im[float64], col2imGeneric[float64], c)
			verifyAdjoint(t, Im2col[float32], Col2im[float32], c)
		})
	})
}

func FuzzContrast(f *testing.F) {
	f.Add(byte(0), uint8(1), uint16(7), byte(0), uint64(1), []byte(nil))
	f.Add(byte(1), uint8(3), uint16(300), byte(1), uint64(2), []byte{0, 0, 0x80, 0x7f, 0, 0, 0x20, 0x41})
	f.Add(byte(2), uint8(2), uint16(257), byte(2), uint64(3), []byte{0xff, 0xff, 0x7f, 0x7f})
	f.Fuzz(func(t *testing.T, fn byte, rows uint8, cols uint16, sel byte, seed uint64, raw []byte) {
		c := contrastCase{f: Contrast(fn % 3), alpha: []float64{1, 1.5, 0.5, 2}[sel&3], rows: int(rows % 6), cols: int(cols % 1100),
			pad: int(sel >> 2 & 3), pu: pl(byte(seed)), pg: pl(byte(seed >> 8)), seed: seed, special: seed%3 == 0,
			scale: []float64{3, 0.01, 20, 1e3}[sel>>4&3], raw: raw}
		eachLevel(t, func(Level) {
			verifyContrast(t, ApplyContrast[float32], applyContrastRef[float32], c)
			verifyContrast(t, ApplyContrast[float64], applyContrastRef[float64], c)
		})
	})
}

func FuzzICAStep(f *testing.F) {
	f.Add(byte(0), uint8(3), uint8(3), uint16(100), byte(0), uint64(1), []byte(nil))
	f.Add(byte(1), uint8(1), uint8(8), uint16(257), byte(0x15), uint64(2), []byte{0, 0, 0xc0, 0x7f})
	f.Add(byte(2), uint8(16), uint8(16), uint16(700), byte(0x2a), uint64(3), []byte(nil))
	f.Fuzz(func(t *testing.T, fn byte, m, k uint8, n uint16, sel byte, seed uint64, raw []byte) {
		kk := int(k % 20)
		mm := int(m % 20)
		if mm > kk {
			mm = kk
		}
		c := icaCase{f: Contrast(fn % 3), alpha: []float64{1, 1.5}[sel&1], m: mm, k: kk, n: int(n % 2000),
			padW: int(sel >> 1 & 3), padX: int(sel >> 3 & 3), padO: int(sel >> 5 & 3), pw: pl(byte(seed)), px: pl(byte(seed >> 8)),
			po: pl(byte(seed >> 16)), seed: seed, special: seed%4 == 0, noMean: sel&0x80 != 0, raw: raw}
		eachLevel(t, func(Level) {
			withThreads(1+int(seed%3), func() {
				if c.pw.page != 0 || c.px.page != 0 || c.po.page != 0 {
					SetThreads(1)
				}
				verifyICAStep(t, ICAStep[float32], icaStepGeneric[float32], c)
				verifyICAStep(t, ICAStep[float64], icaStepGeneric[float64], c)
				verifyICAStepRows(t, ICAStepRows[float32], icaStepRowsGeneric[float32], c)
				verifyICAStepRows(t, ICAStepRows[float64], icaStepRowsGeneric[float64], c)
			})
		})
	})
}

func FuzzProjectRows(f *testing.F) {
	f.Add(uint8(40), uint8(40), uint16(100), byte(0), uint64(1))
	f.Add(uint8(3), uint8(17), uint16(777), byte(0x15), uint64(2))
	f.Add(uint8(9), uint8(1), uint16(64), byte(0x2a), uint64(4))
	f.Fuzz(func(t *testing.T, m, k uint8, n uint16, sel byte, seed uint64) {
		c := projRowsCase{m: int(m % 49), k: int(k % 49), n: int(n % 2000),
			padW: int(sel & 3), padX: int(sel >> 2 & 3), padD: int(sel >> 4 & 3),
			pw: pl(byte(seed)), px: pl(byte(seed >> 8)), pd: pl(byte(seed >> 16)),
			muScale: muScales[int(sel>>6)%len(muScales)], special: seed%4 == 0, seed: seed}
		eachLevel(t, func(Level) {
			withThreads(1+int(seed%3), func() {
				verifyProjectRows[float32](t, c)
				verifyProjectRows[float64](t, c)
			})
		})
	})
}

func FuzzActivation(f *testing.F) {
	f.Add(byte(0), uint16(9), byte(0), uint64(1), []byte(nil))
	f.Add(byte(2), uint16(100), byte(0x13), uint64(2), []byte{0, 0, 0x80, 0xff, 0, 0, 0xc0, 0x7f})
	f.Add(byte(3), uint16(33), byte(0x21), uint64(3), []byte{0xff, 0xff, 0x7f, 0x7f})
	f.Fuzz(func(t *testing.T, act byte, n uint16, sel byte, seed uint64, raw []byte) {
		c := actCase{vecCase: vecCase{n: int(n % 1100), p: [3]placement{pl(byte(seed)), pl(byte(seed >> 8)), pl(byte(seed >> 16))},
			seed: seed, special: seed%3 == 0, alpha: []float64{1, 0.5}[sel&1], raw: raw},
			act: activations[act%4], alias: sel&2 != 0, scale: []float64{4, 0.01, 30, 100}[sel>>2&3]}
		ac := adamCase{vecCase: c.vecCase, t: 1 + int(sel>>4)}
		eachLevel(t, func(Level) {
			verifyActForward(t, ActivationForward[float32], actForwardGeneric[float32], c)
			verifyActForward(t, ActivationForward[float64], actForwardGeneric[float64], c)
			verifyActBackward(t, ActivationBackward[float32], actBackwardGeneric[float32], c)
			verifyActBackward(t, ActivationBackward[float64], actBackwardGeneric[float64], c)
			verifyAdam(t, AdamStep[float32], adamGeneric[float32], ac)
			verifyAdam(t, AdamStep[float64], adamGeneric[float64], ac)
		})
	})
}
