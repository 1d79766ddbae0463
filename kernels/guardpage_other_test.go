//go:build !linux

package kernels

import "testing"

func pageBuffer[T Float](tb testing.TB, n int, after bool) []T {
	tb.Helper()
	tb.Fatal("guard pages are only implemented on linux")
	return nil
}

func guardPagesUsable() bool { return false }
