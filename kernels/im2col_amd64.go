//go:build !purego

package kernels

func im2col32(g ConvGeom, img, col []float32) { im2colGeneric(g, img, col) }
func im2col64(g ConvGeom, img, col []float64) { im2colGeneric(g, img, col) }
func col2im32(g ConvGeom, col, img []float32) { col2imGeneric(g, col, img) }
func col2im64(g ConvGeom, col, img []float64) { col2imGeneric(g, col, img) }
