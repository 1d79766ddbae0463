package main

import (
	"fmt"
	"math"
	"time"

	"github.com/deepica/deepica/deep"
	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
	"github.com/deepica/deepica/plot"
	"github.com/deepica/deepica/report"
)

func init() {
	methodImpls["deep"] = methodImpl{f32: studyDeep[float32], f64: studyDeep[float64]}
}

// deepConfig is the study's network (deep.DefaultConfig) fitted to the
// data: the image shape, --split streams of components/split components,
// --dtype, --epochs, and a batch no larger than the data set.
func (s *study[T]) deepConfig() (deep.Config, error) {
	cfg := deep.DefaultConfig()
	cfg.Channels, cfg.Height, cfg.Width = s.im.C, s.im.H, s.im.W
	sp := max(1, s.o.split)
	cfg.Streams, cfg.Components = sp, s.o.components/sp
	cfg.DType = s.o.dtype
	if s.o.epochs > 0 {
		cfg.Epochs = s.o.epochs
	}
	bs := min(cfg.BatchSize, s.im.N())
	cfg.BatchSize = bs - bs%sp
	if cfg.BatchSize/sp < cfg.Components+1 {
		return cfg, usagef("deep: %d images give batches of %d per stream, too few for %d components per stream", s.im.N(), cfg.BatchSize/sp, cfg.Components)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, usagef("%v", err)
	}
	return cfg, nil
}

// studyDeep trains the deep model and writes deep_features.png,
// deep_pca.png, deep_ica.png, the loss curve and two report rows (its PCA
// layer and its ICA layer).
func studyDeep[T kernels.Float](s *study[T]) error {
	cfg, err := s.deepConfig()
	if err != nil {
		return err
	}
	var (
		mdl  *deep.Model
		hist *deep.History
		c    *deep.Components
		rows [2]report.Method
	)
	err = s.stage("deep", func() (string, error) {
		t := time.Now()
		mdl, err = deep.New(cfg, s.o.seed)
		if err != nil {
			return "", err
		}
		hist, err = mdl.TrainContext(s.ctx, s.im.X, func(p deep.Progress) {
			s.prog.step(p.Step, p.Steps, fmt.Sprintf("epoch %d/%d, loss %.4g", p.Epoch, p.Epochs, p.Loss))
		})
		if err != nil {
			return "", err
		}
		c = mdl.Components()
		secs := time.Since(t).Seconds()
		steps := len(hist.Loss)
		fs := mdl.FeatureShape()
		common := fmt.Sprintf("%d conv blocks → %d×%d×%d features; %d streams × %d components; %d epochs of %d steps, batch %d, %s update of W, %s",
			len(cfg.Conv), fs.C, fs.H, fs.W, cfg.Streams, cfg.Components, cfg.Epochs, steps/max(1, cfg.Epochs), cfg.BatchSize, cfg.ICAUpdate, cfg.DType)
		if steps > 0 {
			common += fmt.Sprintf("; loss %.4g → %.4g", hist.Loss[0], hist.Loss[steps-1])
		}
		for i, layer := range []struct {
			name, title string
			imgs        *matrix.Dense[float64]
		}{{"deep_pca", "Deep model: PCA layer", c.PCAImages}, {"deep", "Deep model: ICA layer", c.ICAImages}} {
			rows[i] = report.Method{Name: layer.name, Title: layer.title, Components: layer.imgs.Rows, Seconds: secs,
				Notes: common + "; components shown in pixel space (per-image loadings applied to the images); no Amari index: the model is not linear in the pixels"}
			if layer.name == "deep" {
				rows[i].Iterations = &steps
			}
			if err := s.evaluateStreams(&rows[i], layer.imgs, c.Streams, cfg.Components); err != nil {
				return "", err
			}
		}
		return summarizeRow(rows[1]), nil
	})
	if err != nil {
		return err
	}
	s.sum.Methods = append(s.sum.Methods, rows[0], rows[1])

	x := make([]float64, len(hist.Loss))
	for i := range x {
		x[i] = float64(i + 1)
	}
	s.convergence = append(s.convergence, plot.Panel{
		Title: "Deep model training", XLabel: "step", YLabel: "loss (− negentropy approximation)",
		Series: []plot.Series{{Name: "loss per step", X: x, Y: hist.Loss}},
	})

	if err := s.deepFeatures(mdl); err != nil {
		return err
	}
	for _, layer := range []struct {
		file, title string
		imgs        *matrix.Dense[float64]
	}{{"deep_pca.png", "Deep model: PCA layer components", c.PCAImages}, {"deep_ica.png", "Deep model: ICA layer components", c.ICAImages}} {
		var sections []plot.Section
		k := cfg.Components
		for st, r := range c.Streams {
			imgs := layer.imgs.Slice(st*k, (st+1)*k, 0, layer.imgs.Cols)
			ev, err := s.evaluate(nil, nil, nil, imgs)
			if err != nil {
				return err
			}
			sections = append(sections, plot.Section{
				Title: fmt.Sprintf("stream %d: images %d–%d", st+1, r[0], r[1]-1),
				Tiles: s.componentTiles(imgs, ev, func(i int) string { return fmt.Sprintf("S%d.%d", st+1, i+1) }),
				Cols:  10,
			})
		}
		if err := s.writeGrid(layer.file, fmt.Sprintf("%s (%d streams × %d)", layer.title, cfg.Streams, k),
			"The trained deep model's components, shown in pixel space: each is its per-image loadings applied to the stream's images (Σ_b M_bi·x_b), rescaled to the full range."+s.corrNote(),
			sections); err != nil {
			return err
		}
	}
	return nil
}

// evaluateStreams fills a row with the pattern metrics of component images
// evaluated stream by stream (each stream's k components matched to distinct
// true patterns), averaged over the streams.
func (s *study[T]) evaluateStreams(row *report.Method, imgs *matrix.Dense[float64], streams [][2]int, k int) error {
	if s.truth == nil {
		return nil
	}
	var sum float64
	mn := math.Inf(1)
	for st := range streams {
		ev, err := s.evaluate(nil, nil, nil, imgs.Slice(st*k, (st+1)*k, 0, imgs.Cols))
		if err != nil {
			return err
		}
		sum += *ev.patMean
		mn = math.Min(mn, *ev.patMin)
	}
	mean := sum / float64(len(streams))
	row.PatternCorr, row.MinPatternCorr = &mean, &mn
	row.Notes += "; pattern |corr| matched stream by stream"
	return nil
}

// deepFeatures writes deep_features.png: the first image and each conv
// block's output maps for it, enlarged to a common size.
func (s *study[T]) deepFeatures(mdl *deep.Model) error {
	img := s.im.X.Row(0)
	maps, err := mdl.FeatureMaps(img)
	if err != nil {
		return err
	}
	sections := []plot.Section{{Title: "input image 0", Tiles: []plot.Tile{{Title: "input", Image: plot.ComponentImage(img, s.im.C, s.im.H, s.im.W)}}, Cols: 1}}
	for _, fm := range maps {
		f := max(1, s.im.H/max(1, fm.Shape.H))
		hw := fm.Shape.H * fm.Shape.W
		tiles := make([]plot.Tile, fm.Shape.C)
		for ch := range tiles {
			tiles[ch] = plot.Tile{Title: fmt.Sprintf("L%d.%d", fm.Layer, ch+1),
				Image: plot.Enlarge(plot.MapImage(fm.Data[ch*hw:(ch+1)*hw], fm.Shape.H, fm.Shape.W), f)}
		}
		sections = append(sections, plot.Section{
			Title: fmt.Sprintf("conv block %d: %d maps of %d×%d (after activation, before pooling), each rescaled to the full range", fm.Layer, fm.Shape.C, fm.Shape.H, fm.Shape.W),
			Tiles: tiles, Cols: 16,
		})
	}
	return s.writeGrid("deep_features.png", "Deep model: feature maps of the trained conv layers for one image",
		"The output of each conv block of the trained model for the first image, one grey-level map per channel.", sections)
}
