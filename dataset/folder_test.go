package dataset

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deepica/deepica/matrix"
	"github.com/deepica/deepica/npyfile"
)

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func rgb(i, x, y int) color.NRGBA {
	return color.NRGBA{uint8(i*50 + x*7), uint8(y * 13), uint8(x*y + i), 255}
}

func TestFolderExact(t *testing.T) {
	dir := t.TempDir()
	const w, h = 5, 4
	for i, name := range []string{"b.png", "a.png", "c.PNG"} {
		img := image.NewNRGBA(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				img.SetNRGBA(x, y, rgb(i, x, y))
			}
		}
		writePNG(t, filepath.Join(dir, name), img)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not an image"), 0o644)

	im, err := ReadFolder(dir, FolderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if im.N() != 3 || im.C != 3 || im.H != h || im.W != w {
		t.Fatalf("got %d images %d×%d×%d", im.N(), im.C, im.H, im.W)
	}
	// Name order: a.png (written as i=1), b.png (i=0), c.PNG (i=2).
	for r, i := range []int{1, 0, 2} {
		if im.Names[r] != []string{"a.png", "b.png", "c.PNG"}[r] {
			t.Errorf("name %d = %s", r, im.Names[r])
		}
		row := im.X.Row(r)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				c := rgb(i, x, y)
				for ch, v := range []uint8{c.R, c.G, c.B} {
					if got, want := row[ch*h*w+y*w+x], float64(v)/255; math.Abs(got-want) > 1e-15 {
						t.Fatalf("image %d (%d,%d) channel %d = %v, want %v", r, x, y, ch, got, want)
					}
				}
			}
		}
	}

	gray, err := ReadFolder(dir, FolderOptions{Gray: true, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if gray.N() != 2 || gray.C != 1 || gray.X.Cols != h*w {
		t.Fatalf("gray: %d images, %d channels", gray.N(), gray.C)
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := rgb(1, x, y)
			want := (0.299*float64(c.R) + 0.587*float64(c.G) + 0.114*float64(c.B)) / 255
			if got := gray.X.At(0, y*w+x); math.Abs(got-want) > 1e-12 {
				t.Fatalf("gray (%d,%d) = %v, want %v", x, y, got, want)
			}
		}
	}
}

func TestFolderResizeCrop(t *testing.T) {
	dir := t.TempDir()
	// 40×20 image: left half red, right half blue, with a green centre band
	// 20 pixels wide; scaled to cover 10×10 it is centre-cropped to the band.
	img := image.NewNRGBA(image.Rect(0, 0, 40, 20))
	for y := 0; y < 20; y++ {
		for x := 0; x < 40; x++ {
			c := color.NRGBA{255, 0, 0, 255}
			switch {
			case x >= 10 && x < 30:
				c = color.NRGBA{0, 255, 0, 255}
			case x >= 30:
				c = color.NRGBA{0, 0, 255, 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	writePNG(t, filepath.Join(dir, "wide.png"), img)
	var jb bytes.Buffer
	small := image.NewGray(image.Rect(0, 0, 7, 9))
	for i := range small.Pix {
		small.Pix[i] = 200
	}
	jb.Reset()
	if err := jpeg.Encode(&jb, small, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "z.jpg"), jb.Bytes(), 0o644)

	im, err := ReadFolder(dir, FolderOptions{H: 10, W: 10})
	if err != nil {
		t.Fatal(err)
	}
	if im.N() != 2 || im.H != 10 || im.W != 10 {
		t.Fatalf("got %d images %d×%d", im.N(), im.H, im.W)
	}
	for p := 0; p < 100; p++ {
		if r, g, b := im.X.At(0, p), im.X.At(0, 100+p), im.X.At(0, 200+p); r > 1e-9 || math.Abs(g-1) > 1e-9 || b > 1e-9 {
			t.Fatalf("cropped pixel %d = (%v,%v,%v), want pure green", p, r, g, b)
		}
	}
	// A uniform JPEG stays uniform (JPEG is lossy: ±2 levels).
	for _, v := range im.X.Row(1) {
		if math.Abs(v-200.0/255) > 2.0/255 {
			t.Fatalf("uniform jpeg resized to %v, want %v", v, 200.0/255)
		}
	}
}

func TestFolderErrors(t *testing.T) {
	empty := t.TempDir()
	if _, err := ReadFolder(empty, FolderOptions{}); err == nil || !strings.Contains(err.Error(), "no .png") {
		t.Errorf("empty folder: %v", err)
	}
	if _, err := ReadFolder(filepath.Join(empty, "missing"), FolderOptions{}); err == nil {
		t.Error("missing folder: no error")
	}
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "good.png"), image.NewGray(image.Rect(0, 0, 3, 3)))
	os.WriteFile(filepath.Join(dir, "broken.jpg"), []byte("\xff\xd8 not really"), 0o644)
	_, err := ReadFolder(dir, FolderOptions{})
	if err == nil || !strings.Contains(err.Error(), "broken.jpg") || !strings.Contains(err.Error(), "1 of 2") {
		t.Errorf("corrupt file: %v", err)
	}
	if _, err := ReadFolder(dir, FolderOptions{H: 3}); err == nil {
		t.Error("height without width: no error")
	}
}

func TestNPY(t *testing.T) {
	// Two 2×3×3 images in HWC order: value = 100·i + 10·(y·3+x) + c.
	const h, w, c = 2, 3, 3
	m := matrix.New[float64](2, h*w*c)
	for i := 0; i < 2; i++ {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				for ch := 0; ch < c; ch++ {
					m.Set(i, (y*w+x)*c+ch, float64(100*i+10*(y*w+x)+ch))
				}
			}
		}
	}
	path := filepath.Join(t.TempDir(), "x.npy")
	if err := npyfile.WriteFile(path, m); err != nil {
		t.Fatal(err)
	}
	im, err := ReadNPY(path, h, w, c)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		for ch := 0; ch < c; ch++ {
			for p := 0; p < h*w; p++ {
				if got, want := im.X.At(i, ch*h*w+p), float64(100*i+10*p+ch); got != want {
					t.Fatalf("image %d channel %d pixel %d = %v, want %v", i, ch, p, got, want)
				}
			}
		}
	}
	if _, err := ReadNPY(path, 3, 3, 3); err == nil || !strings.Contains(err.Error(), "27") {
		t.Errorf("wrong shape: %v", err)
	}
	if _, err := ReadNPY(filepath.Join(t.TempDir(), "none.npy"), h, w, c); err == nil {
		t.Error("missing file: no error")
	}
}

func TestParseShape(t *testing.T) {
	for s, want := range map[string][3]int{"96x96x3": {96, 96, 3}, "28X28": {28, 28, 1}, "4x5x1": {4, 5, 1}} {
		h, w, c, err := ParseShape(s)
		if err != nil || [3]int{h, w, c} != want {
			t.Errorf("ParseShape(%q) = %d,%d,%d,%v", s, h, w, c, err)
		}
	}
	for _, s := range []string{"", "96", "96x0x3", "96x96x2", "axbxc", "1x2x3x4"} {
		if _, _, _, err := ParseShape(s); err == nil {
			t.Errorf("ParseShape(%q): no error", s)
		}
	}
}
