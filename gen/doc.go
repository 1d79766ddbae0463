// Package gen generates data sets whose independent sources are known, for
// tests, benchmarks and the study command:
//
//   - Images: N colour images, each a sum of K localized source patterns
//     (blobs, oriented edges, bars, texture patches) with independent
//     super-Gaussian coefficients plus Gaussian noise. The structure is
//     independent and super-Gaussian in both orientations of image ICA: the
//     coefficients across images (images as samples) and the sparse patterns
//     across pixels (pixels as samples). ImageSet.Truth returns the sources
//     and mixing matrix for either orientation.
//   - Mix: the classic signal-separation problem, sources drawn from named
//     distributions (Laplace, uniform, sparse, bimodal, Gaussian) mixed by a
//     random well-conditioned matrix.
//
// Everything is determined by a seed (math/rand/v2 PCG), so a data set can be
// regenerated anywhere from its configuration.
package gen
