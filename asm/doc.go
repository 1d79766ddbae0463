// Package asm holds the Avo generator programs for deepica's amd64 kernels.
// It is its own module so that Avo and x/tools stay out of the library's
// go.mod. Each kernel family has a generator program in a sub-folder; the
// //go:generate lines in kernels/ run them with `go -C ../asm run ./<family>`.
package asm
