package plot

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"path/filepath"
	"testing"
)

func TestComponentImageRescales(t *testing.T) {
	// 1×2 colour component: channel values span [-2, 6]; -2 → 0, 6 → 255,
	// jointly over channels.
	v := []float64{-2, 0, 2, 6, 4, 4}
	img := ComponentImage(v, 3, 1, 2).(*image.RGBA)
	want := [][3]uint8{{0, 128, 191}, {64, 255, 191}}
	for x, w := range want {
		c := img.RGBAAt(x, 0)
		if [3]uint8{c.R, c.G, c.B} != w {
			t.Errorf("pixel %d = %v, want %v", x, c, w)
		}
	}
	g := ComponentImage([]float32{1, 1, 1, 1}, 1, 2, 2).(*image.Gray)
	for _, p := range g.Pix {
		if p != 128 {
			t.Fatalf("constant component drawn %d, want mid-grey", p)
		}
	}
	n := ComponentImage([]float64{math.NaN(), 1}, 1, 1, 2).(*image.Gray)
	if n.Pix[1] != 128 {
		t.Errorf("NaN component drawn %v, want mid-grey", n.Pix)
	}
}

func TestGridLayout(t *testing.T) {
	tile := image.NewGray(image.Rect(0, 0, 16, 8))
	for i := range tile.Pix {
		tile.Pix[i] = 0
	}
	var tiles []Tile
	for i := 0; i < 7; i++ {
		tiles = append(tiles, Tile{Title: "t", Image: tile})
	}
	img := Grid("title", []Section{{Title: "a", Tiles: tiles, Cols: 3}}, GridOptions{})
	// Auto scale: 16 px → ×4 = 64 px. 3 columns, 3 rows.
	wantW := pad + 3*(64+pad)
	wantH := pad + lineH + pad + lineH + 3*(32+lineH+pad) + pad
	if b := img.Bounds(); b.Dx() != wantW || b.Dy() != wantH {
		t.Fatalf("grid %v, want %d×%d", b, wantW, wantH)
	}
	// The first tile's pixels are black (the tile), at the scaled position.
	y0 := pad + lineH + pad + lineH + lineH
	if c := img.RGBAAt(pad+63, y0+31); c != (color.RGBA{0, 0, 0, 255}) {
		t.Errorf("tile corner %v, want black", c)
	}
	if c := img.RGBAAt(pad+64, y0+31); c != bg {
		t.Errorf("right of tile %v, want background", c)
	}
}

func TestLinesPNG(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	panels := []Panel{
		{Title: "lin", Series: []Series{{Name: "a", X: x, Y: []float64{1, 4, 9, 16}}}},
		{Title: "log", LogY: true, Series: []Series{{Name: "b", X: x, Y: []float64{1, 0.1, 0, 0.001}}}},
		{Title: "empty", Series: []Series{{Name: "c", X: x[:1], Y: []float64{math.NaN()}}}},
	}
	var b bytes.Buffer
	if err := Lines(&b, panels, 2, 600, 400); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	if s := img.Bounds().Size(); s.X != 600 || s.Y != 400 {
		t.Errorf("size %v, want 600×400", s)
	}
	if err := Lines(&b, []Panel{{Series: []Series{{X: x, Y: x[:2]}}}}, 1, 100, 100); err == nil {
		t.Error("mismatched series: no error")
	}
	if err := WriteLines(filepath.Join(t.TempDir(), "x.png"), panels, 3, 300, 200); err != nil {
		t.Error(err)
	}
}
