//go:build !unix

package whiten

func cpuSeconds() float64 { return 0 }
