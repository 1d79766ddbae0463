//go:build purego || !(amd64 || arm64)

package kernels

import "runtime"

func detect() ([]Level, string) {
	why := runtime.GOARCH + ": no assembly for this architecture"
	if runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64" {
		why = runtime.GOARCH + ": built with the purego tag, no assembly"
	}
	return []Level{Generic}, why
}
