package dataset

import (
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // registers JPEG decoding
	_ "image/png"  // registers PNG decoding
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/image/draw"

	"github.com/deepica/deepica/matrix"
)

// FolderOptions control ReadFolder.
type FolderOptions struct {
	// Gray converts images to one luminance channel (ITU-R BT.601 weights);
	// otherwise images have 3 channels (RGB).
	Gray bool
	// H, W is the common size: images of another size are scaled to cover
	// it (Catmull-Rom) and centre-cropped, keeping their aspect ratio. 0, 0
	// takes the size of the first image.
	H, W int
	// Limit keeps at most this many images (in name order); 0 keeps all.
	Limit int
}

// imageExt lists the file extensions ReadFolder decodes.
var imageExt = map[string]bool{".png": true, ".jpg": true, ".jpeg": true}

// ReadFolder reads the PNG and JPEG files of dir (not its subfolders), in
// name order; files with other extensions are ignored. A file with an image
// extension that cannot be read or decoded is an error naming it: a data set
// never loses images silently.
func ReadFolder(dir string, opt FolderOptions) (*Images, error) {
	if opt.H < 0 || opt.W < 0 || (opt.H == 0) != (opt.W == 0) || opt.Limit < 0 {
		return nil, fmt.Errorf("dataset: images: bad options: size %d×%d, limit %d", opt.H, opt.W, opt.Limit)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("dataset: images: %w", err)
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && imageExt[strings.ToLower(filepath.Ext(e.Name()))] {
			files = append(files, e.Name())
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("dataset: images: %s has no .png, .jpg or .jpeg file", dir)
	}
	if opt.Limit > 0 && len(files) > opt.Limit {
		files = files[:opt.Limit]
	}

	c := 3
	if opt.Gray {
		c = 1
	}
	var (
		im   *Images
		errs []error
	)
	for i, name := range files {
		path := filepath.Join(dir, name)
		src, err := decodeFile(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if im == nil {
			h, w := opt.H, opt.W
			if h == 0 {
				b := src.Bounds()
				h, w = b.Dy(), b.Dx()
			}
			im = &Images{
				X: matrix.New[float64](len(files), c*h*w),
				C: c, H: h, W: w,
				Names:  make([]string, len(files)),
				Source: fmt.Sprintf("image folder %s", dir),
			}
		}
		im.Names[i] = name
		toCHW(fit(src, im.H, im.W), c, im.X.Row(i))
	}
	if len(errs) > 0 {
		bad, more := len(errs), ""
		if len(errs) > 3 {
			more = fmt.Sprintf(" (and %d more)", len(errs)-3)
			errs = errs[:3]
		}
		return nil, fmt.Errorf("dataset: images: %d of %d files unreadable: %w%s", bad, len(files), errors.Join(errs...), more)
	}
	return im, nil
}

func decodeFile(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if b := img.Bounds(); b.Dx() < 1 || b.Dy() < 1 {
		return nil, fmt.Errorf("%s: empty image", path)
	}
	return img, nil
}

// fit returns src scaled to cover h×w and centre-cropped to it (src itself
// when it has that size already).
func fit(src image.Image, h, w int) image.Image {
	b := src.Bounds()
	if b.Dx() == w && b.Dy() == h {
		return src
	}
	// The largest centred rectangle of src with the target aspect ratio.
	cw, ch := b.Dx(), b.Dx()*h/w
	if ch > b.Dy() {
		ch, cw = b.Dy(), b.Dy()*w/h
	}
	cw, ch = max(cw, 1), max(ch, 1)
	x0, y0 := b.Min.X+(b.Dx()-cw)/2, b.Min.Y+(b.Dy()-ch)/2
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, image.Rect(x0, y0, x0+cw, y0+ch), draw.Src, nil)
	return dst
}

// toCHW writes img (h×w) into out as c planes of values in [0, 1]; c = 1
// takes the luminance 0.299 R + 0.587 G + 0.114 B.
func toCHW(img image.Image, c int, out []float64) {
	b := img.Bounds()
	h, w := b.Dy(), b.Dx()
	hw := h * w
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			fr, fg, fb := float64(r)/0xffff, float64(g)/0xffff, float64(bl)/0xffff
			i := y*w + x
			if c == 1 {
				out[i] = 0.299*fr + 0.587*fg + 0.114*fb
				continue
			}
			out[i], out[hw+i], out[2*hw+i] = fr, fg, fb
		}
	}
}
