// Package plot draws the study's pictures: grids of component images and
// feature maps (written with image/png), and line plots of contrast functions
// and convergence curves (drawn with gonum.org/v1/plot).
package plot

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/deepica/deepica/kernels"
)

// Tile is one titled picture of a grid.
type Tile struct {
	Title string
	Image image.Image
}

// Section is a group of tiles under a heading, laid out Cols to a row
// (0: as many as fit in about 10 columns).
type Section struct {
	Title string
	Tiles []Tile
	Cols  int
}

// GridOptions control the layout of Grid.
type GridOptions struct {
	// Scale enlarges every tile by an integer factor (nearest neighbour).
	// 0 picks the smallest factor that makes tiles at least 64 pixels wide.
	Scale int
}

var (
	face      = basicfont.Face7x13
	lineH     = 15 // height of one text line, pixels
	charW     = 7  // advance of one character of face
	pad       = 6  // space between tiles
	bg        = color.RGBA{255, 255, 255, 255}
	textColor = color.RGBA{20, 20, 20, 255}
)

// Grid draws title, then each section: its heading, then its tiles in rows,
// each tile with its title above it. Tiles keep their aspect ratio; titles
// longer than a tile are cut.
func Grid(title string, sections []Section, opt GridOptions) *image.RGBA {
	tw, th := 0, 0
	for _, s := range sections {
		for _, t := range s.Tiles {
			b := t.Image.Bounds()
			tw, th = max(tw, b.Dx()), max(th, b.Dy())
		}
	}
	scale := opt.Scale
	if scale <= 0 {
		scale = 1
		for tw > 0 && tw*scale < 64 {
			scale++
		}
	}
	titleLines := 1
	for _, s := range sections {
		for _, t := range s.Tiles {
			titleLines = max(titleLines, strings.Count(t.Title, "\n")+1)
		}
	}
	titleH := titleLines * lineH
	cellW, cellH := tw*scale, th*scale+titleH
	width := 0
	height := pad + lineH + pad
	for _, s := range sections {
		cols := sectionCols(s)
		rows := (len(s.Tiles) + cols - 1) / cols
		width = max(width, pad+cols*(cellW+pad))
		height += lineH + rows*(cellH+pad) + pad
	}
	width = max(width, 2*pad+charW*len([]rune(title)), 2*pad+charW*maxHeading(sections))
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), image.NewUniform(bg), image.Point{}, draw.Src)

	y := pad
	drawText(img, pad, y, title, width-2*pad)
	y += lineH + pad
	for _, s := range sections {
		drawText(img, pad, y, s.Title, width-2*pad)
		y += lineH
		cols := sectionCols(s)
		for i, t := range s.Tiles {
			x0 := pad + (i%cols)*(cellW+pad)
			y0 := y + (i/cols)*(cellH+pad)
			for l, line := range strings.Split(t.Title, "\n") {
				drawText(img, x0, y0+l*lineH, line, cellW)
			}
			blitScaled(img, t.Image, x0, y0+titleH, scale)
		}
		rows := (len(s.Tiles) + cols - 1) / cols
		y += rows*(cellH+pad) + pad
	}
	return img
}

func sectionCols(s Section) int {
	cols := s.Cols
	if cols <= 0 {
		cols = min(10, max(1, len(s.Tiles)))
	}
	return cols
}

func maxHeading(ss []Section) int {
	n := 0
	for _, s := range ss {
		n = max(n, len([]rune(s.Title)))
	}
	return n
}

// ascii replaces the characters the 7×13 bitmap font lacks.
var ascii = strings.NewReplacer("×", "x", "σ", "s", "–", "-", "—", "-", "≥", ">=", "≤", "<=", "′", "'", "α", "a", "·", ".", "…", "...", "|", "|")

// drawText writes s with its top-left corner at (x, y), cut to maxW pixels.
// Titles are a line of the basic 7×13 font: characters outside ASCII are
// transliterated or drawn as '?'.
func drawText(dst *image.RGBA, x, y int, s string, maxW int) {
	r := []rune(ascii.Replace(s))
	for i, c := range r {
		if c < 0x20 || c > 0x7e {
			r[i] = '?'
		}
	}
	if n := maxW / charW; len(r) > n {
		if n < 1 {
			return
		}
		r = r[:n]
	}
	d := font.Drawer{
		Dst:  dst,
		Src:  image.NewUniform(textColor),
		Face: face,
		Dot:  fixed.P(x, y+face.Ascent+1),
	}
	d.DrawString(string(r))
}

// blitScaled draws src at (x, y) enlarged by scale, nearest neighbour.
func blitScaled(dst *image.RGBA, src image.Image, x, y, scale int) {
	b := src.Bounds()
	for sy := b.Min.Y; sy < b.Max.Y; sy++ {
		for sx := b.Min.X; sx < b.Max.X; sx++ {
			c := color.RGBAModel.Convert(src.At(sx, sy)).(color.RGBA)
			for dy := 0; dy < scale; dy++ {
				for dx := 0; dx < scale; dx++ {
					dst.SetRGBA(x+(sx-b.Min.X)*scale+dx, y+(sy-b.Min.Y)*scale+dy, c)
				}
			}
		}
	}
}

// ComponentImage renders a component of C·H·W values in CHW order (C = 1 or
// 3) as an image, rescaled to the full range: the smallest value over all
// channels becomes 0 and the largest 255, so colours keep their balance. A
// constant or non-finite component is drawn mid-grey.
func ComponentImage[T kernels.Float](v []T, c, h, w int) image.Image {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range v {
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			lo, hi = 0, 0
			break
		}
		lo, hi = math.Min(lo, f), math.Max(hi, f)
	}
	level := func(x T) uint8 {
		if !(hi > lo) {
			return 128
		}
		return uint8(math.Round(255 * (float64(x) - lo) / (hi - lo)))
	}
	hw := h * w
	if c == 1 {
		img := image.NewGray(image.Rect(0, 0, w, h))
		for i := 0; i < hw; i++ {
			img.Pix[i] = level(v[i])
		}
		return img
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < hw; i++ {
		p := img.Pix[4*i : 4*i+4]
		p[0], p[1], p[2], p[3] = level(v[i]), level(v[hw+i]), level(v[2*hw+i]), 255
	}
	return img
}

// MapImage renders one H×W map (row-major) in grey levels rescaled to the
// full range.
func MapImage[T kernels.Float](v []T, h, w int) image.Image {
	return ComponentImage(v[:h*w], 1, h, w)
}

// WritePNG encodes img as PNG into the file path (created or truncated).
func WritePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("plot: writing %s: %w", path, err)
	}
	return f.Close()
}

// Enlarge returns img enlarged f times by pixel repetition (img itself for
// f ≤ 1), so that small feature maps can share a grid with larger ones.
func Enlarge(img image.Image, f int) image.Image {
	if f <= 1 {
		return img
	}
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx()*f, b.Dy()*f))
	blitScaled(out, img, 0, 0, f)
	return out
}
