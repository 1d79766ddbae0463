package deep

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/deepica/deepica/conv"
	"github.com/deepica/deepica/kernels"
)

// ConvLayer describes one convolution block: Conv2D → activation → optional
// 2×2 pooling.
type ConvLayer struct {
	Out        int    `json:"out"`        // output channels
	Kernel     int    `json:"kernel"`     // square kernel size
	Stride     int    `json:"stride"`     // 0 means 1
	Padding    string `json:"padding"`    // "same", "valid" or an explicit count such as "1"
	Activation string `json:"activation"` // "elu", "relu", "tanh", "sigmoid"
	Pool       string `json:"pool"`       // "max", "avg" or "" for none
}

// Config is the deep model's configuration. The JSON field names are those
// of the struct tags; LoadConfig starts from DefaultConfig, so a file only
// needs the fields it changes.
type Config struct {
	// Input image shape (NCHW per image).
	Channels int `json:"channels"`
	Height   int `json:"height"`
	Width    int `json:"width"`

	Conv     []ConvLayer `json:"conv"`
	Init     string      `json:"init"`      // "normal0.05" (the study), "he" or "glorot"
	ELUAlpha float64     `json:"elu_alpha"` // ELU's α

	Streams    int  `json:"streams"`    // S: the batch is split into S streams, each with its own PCA and ICA layer
	Components int  `json:"components"` // k per stream; the model has S·k components
	Center     bool `json:"center"`     // centre the features over the stream's images in the PCA layer (the study did not)
	// EigenGapEps sets the broadening ε = EigenGapEps·λ₁ of the eigenvector
	// derivative 1/(λᵢ−λⱼ) → (λᵢ−λⱼ)/((λᵢ−λⱼ)² + ε²) (see PCA layer).
	EigenGapEps float64 `json:"eigen_gap_eps"`

	Contrast  string  `json:"contrast"`   // "logcosh", "exp" or "cube"
	Alpha     float64 `json:"alpha"`      // logcosh α in [1, 2]
	ICAUpdate string  `json:"ica_update"` // "adam" (the study) or "fixed-point"

	// RefitIterations > 0 makes Components refit each stream's W to the
	// eigen-images of the evaluated images by at most this many FastICA
	// fixed-point iterations (see Model.ComputeComponents); 0 uses the
	// trained W as it is. RefitTol is the convergence tolerance.
	RefitIterations int     `json:"refit_iterations"`
	RefitTol        float64 `json:"refit_tol"`

	LearningRate    float64 `json:"learning_rate"`     // Adam step for the conv weights
	ICALearningRate float64 `json:"ica_learning_rate"` // Adam step for W in "adam" mode
	Beta1           float64 `json:"beta1"`
	Beta2           float64 `json:"beta2"`
	AdamEps         float64 `json:"adam_eps"`

	BatchSize int  `json:"batch_size"` // images per step, divided equally among the streams
	Epochs    int  `json:"epochs"`
	Shuffle   bool `json:"shuffle"`

	DType string `json:"dtype"` // "float32" or "float64"
}

// DefaultConfig reproduces the study's network on 96×96 colour images:
// three 3×3 "same" convolutions (3→16→32→32 channels), each followed by ELU
// and 2×2 max pooling (output 32×12×12), N(0, 0.05²) weights, a PCA layer
// and a FastICA layer (logcosh) in 4 streams of 10 components (40 in all),
// Adam on everything. The batch of 200 gives each stream 50 images.
// Components refit W on the evaluated images (RefitIterations 200), which
// the study did not do; set it to 0 for the trained W as it is.
func DefaultConfig() Config {
	blk := func(out int) ConvLayer {
		return ConvLayer{Out: out, Kernel: 3, Padding: "same", Activation: "elu", Pool: "max"}
	}
	return Config{
		Channels: 3, Height: 96, Width: 96,
		Conv: []ConvLayer{blk(16), blk(32), blk(32)},
		Init: "normal0.05", ELUAlpha: 1,
		Streams: 4, Components: 10, EigenGapEps: 1e-6,
		Contrast: "logcosh", Alpha: 1, ICAUpdate: "adam",
		RefitIterations: 200, RefitTol: 1e-4,
		LearningRate: 1e-3, ICALearningRate: 1e-2, Beta1: 0.9, Beta2: 0.999, AdamEps: 1e-8,
		BatchSize: 200, Epochs: 5, Shuffle: true,
		DType: "float32",
	}
}

// LoadConfig reads a JSON configuration over DefaultConfig. Unknown fields
// are errors, so a misspelt option is not silently ignored.
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("deep: reading config: %w", err)
	}
	return ParseConfig(b)
}

// ParseConfig parses JSON configuration text over DefaultConfig.
func ParseConfig(b []byte) (Config, error) {
	cfg := DefaultConfig()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return Config{}, fmt.Errorf("deep: config: %w", err)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// resolved is a validated configuration with parsed enumerations.
type resolved struct {
	Config
	acts     []kernels.Activation
	pools    []poolSpec
	pads     []padSpec
	init     conv.Init
	contrast kernels.Contrast
	fixed    bool
}

type poolSpec struct {
	on   bool
	mode conv.PoolMode
}

type padSpec struct {
	mode conv.PadMode
	n    int
}

// Validate checks the configuration, including that the conv stack fits the
// image and that every stream has more images than components.
func (c Config) Validate() error {
	_, err := c.resolve()
	return err
}

func (c Config) resolve() (*resolved, error) {
	r := &resolved{Config: c}
	if c.Channels <= 0 || c.Height <= 0 || c.Width <= 0 {
		return nil, fmt.Errorf("deep: image shape %d×%d×%d is empty", c.Channels, c.Height, c.Width)
	}
	if len(c.Conv) == 0 {
		return nil, fmt.Errorf("deep: no conv layers")
	}
	var err error
	if r.init, err = conv.ParseInit(c.Init); err != nil {
		return nil, err
	}
	for i, l := range c.Conv {
		if l.Out <= 0 || l.Kernel <= 0 || l.Stride < 0 {
			return nil, fmt.Errorf("deep: conv layer %d: %d channels, kernel %d, stride %d", i+1, l.Out, l.Kernel, l.Stride)
		}
		a, err := kernels.ParseActivation(l.Activation)
		if err != nil {
			return nil, fmt.Errorf("deep: conv layer %d: %w", i+1, err)
		}
		r.acts = append(r.acts, a)
		var p poolSpec
		if l.Pool != "" && l.Pool != "none" {
			if p.mode, err = conv.ParsePoolMode(l.Pool); err != nil {
				return nil, fmt.Errorf("deep: conv layer %d: %w", i+1, err)
			}
			p.on = true
		}
		r.pools = append(r.pools, p)
		var pd padSpec
		switch l.Padding {
		case "same":
			pd.mode = conv.PadSame
		case "valid", "":
			pd.mode = conv.PadValid
		default:
			if _, err := fmt.Sscanf(l.Padding, "%d", &pd.n); err != nil || pd.n < 0 {
				return nil, fmt.Errorf("deep: conv layer %d: padding %q (want same, valid or a count)", i+1, l.Padding)
			}
			pd.mode = conv.PadExplicit
		}
		r.pads = append(r.pads, pd)
	}
	if c.Streams <= 0 || c.Components <= 0 {
		return nil, fmt.Errorf("deep: %d streams of %d components", c.Streams, c.Components)
	}
	if c.BatchSize <= 0 || c.BatchSize%c.Streams != 0 {
		return nil, fmt.Errorf("deep: batch size %d is not a positive multiple of the %d streams", c.BatchSize, c.Streams)
	}
	if per := c.BatchSize / c.Streams; per <= c.Components {
		return nil, fmt.Errorf("deep: each stream gets %d images of the batch of %d, need more than its %d components", per, c.BatchSize, c.Components)
	}
	if c.Epochs < 0 {
		return nil, fmt.Errorf("deep: %d epochs", c.Epochs)
	}
	if r.contrast, err = kernels.ParseContrast(c.Contrast); err != nil {
		return nil, err
	}
	if r.contrast == kernels.LogCosh && (c.Alpha < 1 || c.Alpha > 2) {
		return nil, fmt.Errorf("deep: logcosh alpha %g outside [1, 2]", c.Alpha)
	}
	switch c.ICAUpdate {
	case "adam":
	case "fixed-point":
		r.fixed = true
	default:
		return nil, fmt.Errorf("deep: ICA update %q (want adam or fixed-point)", c.ICAUpdate)
	}
	if !(c.LearningRate >= 0) || !(c.ICALearningRate >= 0) || !(c.Beta1 >= 0 && c.Beta1 < 1) || !(c.Beta2 >= 0 && c.Beta2 < 1) || !(c.AdamEps > 0) {
		return nil, fmt.Errorf("deep: Adam settings lr %g, ICA lr %g, β₁ %g, β₂ %g, ε %g out of range",
			c.LearningRate, c.ICALearningRate, c.Beta1, c.Beta2, c.AdamEps)
	}
	if c.RefitIterations < 0 || (c.RefitIterations > 0 && !(c.RefitTol > 0)) {
		return nil, fmt.Errorf("deep: refit of %d iterations with tolerance %g", c.RefitIterations, c.RefitTol)
	}
	if !(c.EigenGapEps >= 0) {
		return nil, fmt.Errorf("deep: eigen_gap_eps %g is negative", c.EigenGapEps)
	}
	if c.ELUAlpha <= 0 {
		return nil, fmt.Errorf("deep: ELU alpha %g must be positive", c.ELUAlpha)
	}
	if c.DType != "float32" && c.DType != "float64" {
		return nil, fmt.Errorf("deep: dtype %q (want float32 or float64)", c.DType)
	}
	return r, nil
}
