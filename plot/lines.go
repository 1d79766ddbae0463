package plot

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"os"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Series is one named curve: Y against X (equal lengths).
type Series struct {
	Name string
	X, Y []float64
}

// Panel is one line plot.
type Panel struct {
	Title, XLabel, YLabel string
	Series                []Series
	// LogY draws the Y axis on a log scale; points with Y ≤ 0 are left out.
	LogY bool
}

// palette holds distinguishable line colours (Okabe–Ito).
var palette = []color.Color{
	color.RGBA{0, 114, 178, 255},
	color.RGBA{213, 94, 0, 255},
	color.RGBA{0, 158, 115, 255},
	color.RGBA{204, 121, 167, 255},
	color.RGBA{230, 159, 0, 255},
	color.RGBA{86, 180, 233, 255},
	color.RGBA{0, 0, 0, 255},
}

// Lines draws panels in a grid of cols columns as a PNG of width×height
// pixels onto w.
func Lines(w io.Writer, panels []Panel, cols, width, height int) error {
	if len(panels) == 0 {
		return fmt.Errorf("plot: no panels to draw")
	}
	if cols < 1 {
		cols = len(panels)
	}
	rows := (len(panels) + cols - 1) / cols
	plots := make([][]*gplot.Plot, rows)
	for r := range plots {
		plots[r] = make([]*gplot.Plot, cols)
		for c := range plots[r] {
			i := r*cols + c
			if i >= len(panels) {
				plots[r][c] = gplot.New() // an empty cell keeps the grid aligned
				plots[r][c].HideAxes()
				continue
			}
			p, err := panelPlot(panels[i])
			if err != nil {
				return err
			}
			plots[r][c] = p
		}
	}
	const dpi = 96
	img := vgimg.NewWith(
		vgimg.UseWH(vg.Length(width)*vg.Inch/dpi, vg.Length(height)*vg.Inch/dpi),
		vgimg.UseDPI(dpi),
		vgimg.UseBackgroundColor(color.White),
	)
	dc := draw.New(img)
	t := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := gplot.Align(plots, t, dc)
	for r := range plots {
		for c := range plots[r] {
			plots[r][c].Draw(canvases[r][c])
		}
	}
	_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
	return err
}

// WriteLines is Lines into the file path.
func WriteLines(path string, panels []Panel, cols, width, height int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := Lines(f, panels, cols, width, height); err != nil {
		f.Close()
		return fmt.Errorf("plot: %s: %w", path, err)
	}
	return f.Close()
}

func panelPlot(pn Panel) (*gplot.Plot, error) {
	p := gplot.New()
	p.Title.Text = pn.Title
	p.X.Label.Text = pn.XLabel
	p.Y.Label.Text = pn.YLabel
	p.Add(plotter.NewGrid())
	if pn.LogY {
		p.Y.Scale = gplot.LogScale{}
		p.Y.Tick.Marker = gplot.LogTicks{Prec: -1}
	}
	any := false
	for i, s := range pn.Series {
		if len(s.X) != len(s.Y) {
			return nil, fmt.Errorf("plot: series %q has %d x and %d y values", s.Name, len(s.X), len(s.Y))
		}
		pts := make(plotter.XYs, 0, len(s.X))
		for j := range s.X {
			x, y := s.X[j], s.Y[j]
			if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) || (pn.LogY && y <= 0) {
				continue
			}
			pts = append(pts, plotter.XY{X: x, Y: y})
		}
		if len(pts) == 0 {
			continue
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		l.Color = palette[i%len(palette)]
		l.Width = vg.Points(1.5)
		p.Add(l)
		if s.Name != "" {
			p.Legend.Add(s.Name, l)
		}
		any = true
	}
	if !any {
		// Nothing finite to draw: say so on the plot rather than fail.
		p.Title.Text += " (no data)"
		p.HideAxes()
	}
	p.Legend.Top = true
	return p, nil
}
