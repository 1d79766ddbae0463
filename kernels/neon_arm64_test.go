//go:build !purego

package kernels

import (
	"os"
	"testing"
)

// TestNEONSelected makes an arm64 CI run fail when it asked for NEON
// (DEEPICA_REQUIRE_KERNELS=neon) but the kernels fell back to Go.
func TestNEONSelected(t *testing.T) {
	if !Supported(NEON) {
		t.Fatalf("arm64 build without the purego tag must offer NEON; available: %v (%s)", Available(), Why())
	}
	if os.Getenv("DEEPICA_REQUIRE_KERNELS") == "neon" && Impl() != NEON {
		t.Fatalf("DEEPICA_REQUIRE_KERNELS=neon but Impl() = %s (%s)", Impl(), Why())
	}
}
