package dataset

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pixel is the synthetic value of image i, channel c, row y, column x.
func pixel(i, c, y, x int) byte { return byte(i*37 + c*101 + y*7 + x*3 + (x*y)%11) }

// writeSTL10 writes n images and labels in the layout of the real files, as
// the STL-10 README describes it: per image, channel after channel, each
// channel column-major (all rows of column 0, then column 1, ...).
func writeSTL10(t *testing.T, dir, split string, labels []byte, n int) {
	t.Helper()
	var b []byte
	for i := 0; i < n; i++ {
		for c := 0; c < 3; c++ {
			for x := 0; x < 96; x++ {
				for y := 0; y < 96; y++ {
					b = append(b, pixel(i, c, y, x))
				}
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, split+"_X.bin"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if labels != nil {
		if err := os.WriteFile(filepath.Join(dir, split+"_y.bin"), labels, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func checkImage(t *testing.T, im *Images, r, i int) {
	t.Helper()
	row := im.X.Row(r)
	for c := 0; c < 3; c++ {
		for y := 0; y < 96; y++ {
			for x := 0; x < 96; x++ {
				got := row[c*96*96+y*96+x]
				if want := float64(pixel(i, c, y, x)) / 255; got != want {
					t.Fatalf("row %d (file image %d) (c=%d,y=%d,x=%d) = %v, want %v", r, i, c, y, x, got, want)
				}
			}
		}
	}
}

func TestSTL10ImageExact(t *testing.T) {
	dir := t.TempDir()
	labels := []byte{2, 1, 2, 10, 2, 3}
	writeSTL10(t, dir, "train", labels, len(labels))
	os.WriteFile(filepath.Join(dir, "class_names.txt"), []byte(strings.Join(STL10ClassNames, "\n")+"\n"), 0o644)

	im, err := ReadSTL10(dir, STL10Options{})
	if err != nil {
		t.Fatal(err)
	}
	if im.N() != 6 || im.C != 3 || im.H != 96 || im.W != 96 || im.X.Cols != 3*96*96 {
		t.Fatalf("got %d images %d×%d×%d", im.N(), im.C, im.H, im.W)
	}
	for i := 0; i < 6; i++ {
		checkImage(t, im, i, i)
		if im.Labels[i] != int(labels[i]) {
			t.Errorf("label %d = %d, want %d", i, im.Labels[i], labels[i])
		}
	}

	// By name and by number: class 2 is "bird", images 0, 2, 4.
	for _, class := range []string{"bird", "Bird", "2"} {
		im, err = ReadSTL10(dir, STL10Options{Class: class})
		if err != nil {
			t.Fatal(err)
		}
		if im.N() != 3 {
			t.Fatalf("class %s: %d images, want 3", class, im.N())
		}
		for r, i := range []int{0, 2, 4} {
			checkImage(t, im, r, i)
		}
	}
	im, err = ReadSTL10(dir, STL10Options{Class: "bird", Limit: 2})
	if err != nil || im.N() != 2 {
		t.Fatalf("limit 2: %v images, err %v", im, err)
	}
	checkImage(t, im, 1, 2)

	// The parent of stl10_binary/ is accepted too.
	parent := t.TempDir()
	os.Mkdir(filepath.Join(parent, "stl10_binary"), 0o755)
	writeSTL10(t, filepath.Join(parent, "stl10_binary"), "test", []byte{5}, 1)
	im, err = ReadSTL10(parent, STL10Options{Split: "test"})
	if err != nil || im.N() != 1 || im.Labels[0] != 5 {
		t.Fatalf("parent dir: %v, %v", im, err)
	}
	checkImage(t, im, 0, 0)

	writeSTL10(t, dir, "unlabeled", nil, 2)
	im, err = ReadSTL10(dir, STL10Options{Split: "unlabeled"})
	if err != nil || im.N() != 2 || im.Labels != nil {
		t.Fatalf("unlabeled: %v, %v", im, err)
	}
	checkImage(t, im, 1, 1)
}

func TestSTL10Errors(t *testing.T) {
	dir := t.TempDir()
	writeSTL10(t, dir, "train", []byte{1, 2, 3}, 3)
	writeSTL10(t, dir, "unlabeled", nil, 1)
	expect := func(opt STL10Options, want ...string) {
		t.Helper()
		_, err := ReadSTL10(dir, opt)
		if err == nil {
			t.Fatalf("%+v: no error", opt)
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%+v: error %q does not mention %q", opt, err, w)
			}
		}
	}
	expect(STL10Options{Class: "zebra"}, "zebra", "bird")
	expect(STL10Options{Class: "11"}, "11")
	expect(STL10Options{Class: "dog"}, "no image of class dog")
	expect(STL10Options{Split: "unlabeled", Class: "bird"}, "unlabeled")
	expect(STL10Options{Split: "valid"}, "valid")
	expect(STL10Options{Split: "test"}, "test_X.bin")

	// Truncated image file: the error names it and the image size.
	x := filepath.Join(dir, "train_X.bin")
	b, _ := os.ReadFile(x)
	os.WriteFile(x, b[:len(b)-100], 0o644)
	expect(STL10Options{}, x, "27648")
	os.WriteFile(x, b, 0o644)

	// Labels that do not match the images: named, with the size expected.
	y := filepath.Join(dir, "train_y.bin")
	os.WriteFile(y, []byte{1, 2}, 0o644)
	expect(STL10Options{}, y, "want 3")
	os.WriteFile(y, []byte{1, 0, 2}, 0o644)
	expect(STL10Options{}, y, "outside 1–10")
	os.Remove(y)
	expect(STL10Options{}, "train_y.bin")
	os.WriteFile(y, []byte{1, 2, 3}, 0o644)

	os.WriteFile(filepath.Join(dir, "class_names.txt"), []byte("a\nb\n"), 0o644)
	expect(STL10Options{Class: "a"}, "class_names.txt", "2 classes")
}

func BenchmarkDecodeSTL10(b *testing.B) {
	src := make([]byte, STL10ImageSize)
	for i := range src {
		src[i] = byte(i)
	}
	dst := make([]float64, STL10ImageSize)
	b.SetBytes(STL10ImageSize)
	for b.Loop() {
		DecodeSTL10(src, dst)
	}
}
