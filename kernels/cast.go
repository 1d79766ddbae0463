package kernels

import "unsafe"

// The exported kernels are generic; the implementations are not, since
// assembly exists per element type. These helpers reinterpret a []T as the
// float32 or float64 slice it is, with no copy and no allocation. The test on
// the element size is a constant in each instantiation, so the branch is
// compiled away.

func is32[T Float]() bool {
	var z T
	return unsafe.Sizeof(z) == 4
}

func f32[T Float](x []T) []float32 {
	if len(x) == 0 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
}

func f64[T Float](x []T) []float64 {
	if len(x) == 0 {
		return nil
	}
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
}

// unsafePointer converts between pointer types of identical layout (generic
// instantiations over float32/float64 and their own T).
func unsafePointer[P any](p *P) unsafe.Pointer { return unsafe.Pointer(p) }
