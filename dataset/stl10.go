package dataset

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/deepica/deepica/matrix"
)

// STL-10 geometry: every image is 3×96×96 bytes.
const (
	STL10Size      = 96
	STL10Channels  = 3
	STL10ImageSize = STL10Channels * STL10Size * STL10Size // bytes per image
)

// STL10ClassNames are the ten classes in label order (label 1 is
// "airplane"), used when the directory has no class_names.txt.
var STL10ClassNames = []string{"airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck"}

// STL10Options selects images from an STL-10 directory.
type STL10Options struct {
	// Split is "train" (default), "test" or "unlabeled": the files
	// <split>_X.bin and, except for unlabeled, <split>_y.bin.
	Split string
	// Class keeps only the images of one class, by name ("bird", as in
	// class_names.txt) or number ("2", 1–10). Empty keeps every image.
	Class string
	// Limit keeps at most this many images (the first ones in file
	// order); 0 keeps all.
	Limit int
}

// ReadSTL10 reads images from the STL-10 binary files in dir (the folder
// holding train_X.bin, or its parent holding stl10_binary/).
//
// The files are the ones distributed at cs.stanford.edu/~acoates/stl10:
// <split>_X.bin is N images of 3×96×96 uint8, channel after channel, each
// channel stored column-major (Fortran order); <split>_y.bin is N uint8
// labels 1–10. A file whose size does not match gives an error naming it and
// the size expected.
func ReadSTL10(dir string, opt STL10Options) (*Images, error) {
	if opt.Split == "" {
		opt.Split = "train"
	}
	if opt.Split != "train" && opt.Split != "test" && opt.Split != "unlabeled" {
		return nil, fmt.Errorf("dataset: stl10: unknown split %q (want train, test or unlabeled)", opt.Split)
	}
	if opt.Limit < 0 {
		return nil, fmt.Errorf("dataset: stl10: limit %d < 0", opt.Limit)
	}
	if _, err := os.Stat(filepath.Join(dir, opt.Split+"_X.bin")); errors.Is(err, os.ErrNotExist) {
		if _, err2 := os.Stat(filepath.Join(dir, "stl10_binary", opt.Split+"_X.bin")); err2 == nil {
			dir = filepath.Join(dir, "stl10_binary")
		}
	}
	xPath := filepath.Join(dir, opt.Split+"_X.bin")
	xf, err := os.Open(xPath)
	if err != nil {
		return nil, fmt.Errorf("dataset: stl10: %w", err)
	}
	defer xf.Close()
	st, err := xf.Stat()
	if err != nil {
		return nil, fmt.Errorf("dataset: stl10: %w", err)
	}
	if st.Size() == 0 || st.Size()%STL10ImageSize != 0 {
		return nil, fmt.Errorf("dataset: stl10: %s is %d bytes: want a positive multiple of %d (3×96×96 uint8 per image); truncated or not an STL-10 file",
			xPath, st.Size(), STL10ImageSize)
	}
	n := int(st.Size() / STL10ImageSize)

	var labels []int
	want := 0
	if opt.Split != "unlabeled" {
		labels, err = readSTL10Labels(filepath.Join(dir, opt.Split+"_y.bin"), n, xPath)
		if err != nil {
			return nil, err
		}
	}
	if opt.Class != "" {
		if labels == nil {
			return nil, fmt.Errorf("dataset: stl10: the unlabeled split has no classes; cannot select class %q", opt.Class)
		}
		names, err := ReadSTL10ClassNames(dir)
		if err != nil {
			return nil, err
		}
		want, err = parseClass(opt.Class, names)
		if err != nil {
			return nil, err
		}
	}

	keep := make([]int, 0, n) // indices of the images to read
	for i := 0; i < n; i++ {
		if want == 0 || labels[i] == want {
			keep = append(keep, i)
		}
		if opt.Limit > 0 && len(keep) == opt.Limit {
			break
		}
	}
	if len(keep) == 0 {
		return nil, fmt.Errorf("dataset: stl10: %s has no image of class %s", xPath, opt.Class)
	}

	im := &Images{
		X: matrix.New[float64](len(keep), STL10ImageSize),
		C: STL10Channels, H: STL10Size, W: STL10Size,
		Names:  make([]string, len(keep)),
		Source: fmt.Sprintf("STL-10 %s (%s)", opt.Split, dir),
	}
	if opt.Class != "" {
		im.Source = fmt.Sprintf("STL-10 %s, class %s (%s)", opt.Split, opt.Class, dir)
	}
	if labels != nil {
		im.Labels = make([]int, len(keep))
	}
	br := bufio.NewReaderSize(xf, 1<<20)
	buf := make([]byte, STL10ImageSize)
	pos := 0 // index of the next image in the file
	for r, i := range keep {
		if skip := int64(i-pos) * STL10ImageSize; skip > 0 {
			if _, err := br.Discard(int(skip)); err != nil {
				return nil, fmt.Errorf("dataset: stl10: %s: reading image %d: %w", xPath, i, err)
			}
		}
		if _, err := io.ReadFull(br, buf); err != nil {
			return nil, fmt.Errorf("dataset: stl10: %s: reading image %d of %d: %w", xPath, i, n, err)
		}
		pos = i + 1
		DecodeSTL10(buf, im.X.Row(r))
		im.Names[r] = fmt.Sprintf("%s_X.bin[%d]", opt.Split, i)
		if labels != nil {
			im.Labels[r] = labels[i]
		}
	}
	return im, nil
}

// DecodeSTL10 converts one STL-10 image (3×96×96 bytes, each channel
// column-major) into CHW row-major values in [0, 1]: dst[c·96·96 + y·96 + x]
// = src[c·96·96 + x·96 + y] / 255.
func DecodeSTL10(src []byte, dst []float64) {
	const s = STL10Size
	for c := 0; c < STL10Channels; c++ {
		plane := src[c*s*s : (c+1)*s*s]
		out := dst[c*s*s : (c+1)*s*s]
		for x := 0; x < s; x++ {
			col := plane[x*s : (x+1)*s]
			for y, v := range col {
				out[y*s+x] = float64(v) / 255
			}
		}
	}
}

func readSTL10Labels(path string, n int, xPath string) ([]int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: stl10: labels: %w", err)
	}
	if len(b) != n {
		return nil, fmt.Errorf("dataset: stl10: %s is %d bytes: want %d (one uint8 label per image of %s)", path, len(b), n, xPath)
	}
	labels := make([]int, n)
	for i, v := range b {
		if v < 1 || v > 10 {
			return nil, fmt.Errorf("dataset: stl10: %s: label %d of image %d is outside 1–10", path, v, i)
		}
		labels[i] = int(v)
	}
	return labels, nil
}

// ReadSTL10ClassNames reads class_names.txt from dir (one name per line,
// line k naming label k). Without the file it returns STL10ClassNames.
func ReadSTL10ClassNames(dir string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "class_names.txt"))
	if errors.Is(err, os.ErrNotExist) {
		return STL10ClassNames, nil
	}
	if err != nil {
		return nil, fmt.Errorf("dataset: stl10: %w", err)
	}
	var names []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			names = append(names, l)
		}
	}
	if len(names) != 10 {
		return nil, fmt.Errorf("dataset: stl10: %s lists %d classes, want 10", filepath.Join(dir, "class_names.txt"), len(names))
	}
	return names, nil
}

func parseClass(s string, names []string) (int, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > len(names) {
			return 0, fmt.Errorf("dataset: stl10: class %d outside 1–%d", n, len(names))
		}
		return n, nil
	}
	for i, name := range names {
		if strings.EqualFold(name, s) {
			return i + 1, nil
		}
	}
	return 0, fmt.Errorf("dataset: stl10: unknown class %q (classes: %s)", s, strings.Join(names, ", "))
}
