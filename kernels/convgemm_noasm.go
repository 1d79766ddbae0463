//go:build purego || !amd64

package kernels

// No assembly convolution here: ConvForward and ConvWeightGrad run the
// pure-Go reference.

func convAccel32(ConvShape) (fwd, wg bool) { return false, false }

func convForward32(ConvShape, []float32, []float32, []float32, []float32) bool { return false }

func convWeightGrad32(ConvShape, []float32, []float32, []float32) bool { return false }
