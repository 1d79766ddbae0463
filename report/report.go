// Package report holds the study's results as data (Summary, written as
// summary.json) and renders them as one HTML page (report.html) with every
// picture and a table of the numbers.
package report

import (
	"encoding/json"
	"fmt"
	"html/template"
	"os"
)

// Summary is everything the study measured. Optional numbers are pointers:
// JSON null (and "—" in the HTML) means not measured or not applicable, never
// a made-up value.
type Summary struct {
	Command     string    `json:"command"`
	Data        Data      `json:"data"`
	Orientation string    `json:"orientation"` // "images" or "pixels": what the samples are
	Components  int       `json:"components"`
	Split       int       `json:"split"`
	Seed        uint64    `json:"seed"`
	DType       string    `json:"dtype"`
	KernelLevel string    `json:"kernel_level"`
	KernelWhy   string    `json:"kernel_why"`
	Threads     int       `json:"threads"`
	GoVersion   string    `json:"go_version"`
	Stages      []Stage   `json:"stages"`
	Methods     []Method  `json:"methods"`
	Missing     []Missing `json:"missing"`
	Pictures    []Picture `json:"pictures"`
	Files       []string  `json:"files"`
	Seconds     float64   `json:"total_seconds"`
	Notes       []string  `json:"notes"`
}

// Data describes the data set.
type Data struct {
	Source    string `json:"source"`
	Images    int    `json:"images"`
	Channels  int    `json:"channels"`
	Height    int    `json:"height"`
	Width     int    `json:"width"`
	Samples   int    `json:"samples"`  // rows of the matrix the methods saw
	Features  int    `json:"features"` // its columns
	Generated bool   `json:"generated"`
	// TrueSources is the number of known sources (generated data), 0 if
	// unknown.
	TrueSources int `json:"true_sources"`
}

// Stage is one timed step of the study.
type Stage struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
}

// Method is the result of one method run.
type Method struct {
	Name       string  `json:"name"`  // pca, kpca, ica, deep, pca_split, ...
	Title      string  `json:"title"` // human-readable
	Components int     `json:"components"`
	Seconds    float64 `json:"seconds"`
	// Iterations and Converged are set for iterative methods.
	Iterations *int  `json:"iterations"`
	Converged  *bool `json:"converged"`
	// Amari is the normalised Amari index of (estimated unmixing × true
	// mixing), 0 = perfect; set on generated data for linear methods.
	Amari *float64 `json:"amari"`
	// MatchedCorr and MinMatchedCorr are the mean and smallest
	// Hungarian-matched |correlation| between estimated and true sources.
	MatchedCorr    *float64 `json:"matched_corr"`
	MinMatchedCorr *float64 `json:"min_matched_corr"`
	// PatternCorr and MinPatternCorr are the mean and smallest
	// Hungarian-matched |correlation| over pixels between the component
	// images and the true source patterns: one measure for every method,
	// the deep model included.
	PatternCorr    *float64 `json:"pattern_corr"`
	MinPatternCorr *float64 `json:"min_pattern_corr"`
	Notes          string   `json:"notes,omitempty"`
}

// Missing is a requested method that did not run, and why.
type Missing struct {
	Method string `json:"method"`
	Reason string `json:"reason"`
}

// Picture is one image file of the report.
type Picture struct {
	File    string `json:"file"`
	Title   string `json:"title"`
	Caption string `json:"caption"`
}

// WriteJSON writes s, indented, to path.
func WriteJSON(path string, s *Summary) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// WriteHTML renders s as one self-contained page (pictures referenced by
// their file names, next to it) at path.
func WriteHTML(path string, s *Summary) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := page.Execute(f, s); err != nil {
		f.Close()
		return fmt.Errorf("report: %s: %w", path, err)
	}
	return f.Close()
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"f3": func(p *float64) string {
		if p == nil {
			return "—"
		}
		return fmt.Sprintf("%.3f", *p)
	},
	"secs": func(v float64) string { return fmt.Sprintf("%.2f s", v) },
	"int": func(p *int) string {
		if p == nil {
			return "—"
		}
		return fmt.Sprint(*p)
	},
	"bool": func(p *bool) string {
		if p == nil {
			return "—"
		}
		if *p {
			return "yes"
		}
		return "NO"
	},
}).Parse(pageHTML))

const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>deepica study: {{.Data.Source}}</title>
<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f2f2f2; }
figure { margin: 2em 0; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { color: #555; margin-top: .5em; }
.warn { color: #a00; }
code { background: #f6f6f6; padding: 1px 4px; }
</style>
</head>
<body>
<h1>deepica study</h1>
<p><code>{{.Command}}</code></p>
<table>
<tr><th>Data</th><td>{{.Data.Source}}</td></tr>
<tr><th>Images</th><td>{{.Data.Images}} of {{.Data.Height}}×{{.Data.Width}}×{{.Data.Channels}}</td></tr>
<tr><th>Orientation</th><td>{{.Orientation}} as samples: data matrix {{.Data.Samples}} samples × {{.Data.Features}} features</td></tr>
{{if .Data.Generated}}<tr><th>Truth</th><td>{{.Data.TrueSources}} known sources</td></tr>{{end}}
<tr><th>Components</th><td>{{.Components}} (split: {{.Split}} parts)</td></tr>
<tr><th>Kernels</th><td>{{.KernelLevel}} — {{.KernelWhy}}</td></tr>
<tr><th>Threads, dtype, seed</th><td>{{.Threads}}, {{.DType}}, {{.Seed}}</td></tr>
<tr><th>Go</th><td>{{.GoVersion}}</td></tr>
<tr><th>Total time</th><td>{{secs .Seconds}}</td></tr>
</table>
{{if .Missing}}<h2 class="warn">Methods that did not run</h2>
<ul>{{range .Missing}}<li class="warn"><b>{{.Method}}</b>: {{.Reason}}</li>{{end}}</ul>{{end}}
<h2>Methods</h2>
<table>
<tr><th>Method</th><th>Components</th><th>Time</th><th>Iterations</th><th>Converged</th><th>Amari index (0 best)</th><th>Sources: matched |corr| mean</th><th>min</th><th>Pictures vs true patterns: |corr| mean</th><th>min</th><th>Notes</th></tr>
{{range .Methods}}<tr><td>{{.Title}}</td><td class="n">{{.Components}}</td><td class="n">{{secs .Seconds}}</td><td class="n">{{int .Iterations}}</td><td>{{bool .Converged}}</td><td class="n">{{f3 .Amari}}</td><td class="n">{{f3 .MatchedCorr}}</td><td class="n">{{f3 .MinMatchedCorr}}</td><td class="n">{{f3 .PatternCorr}}</td><td class="n">{{f3 .MinPatternCorr}}</td><td>{{.Notes}}</td></tr>
{{end}}</table>
<h2>Time per stage</h2>
<table>
<tr><th>Stage</th><th>Time</th></tr>
{{range .Stages}}<tr><td>{{.Name}}</td><td class="n">{{secs .Seconds}}</td></tr>
{{end}}</table>
{{if .Notes}}<h2>Notes</h2><ul>{{range .Notes}}<li>{{.}}</li>{{end}}</ul>{{end}}
<h2>Pictures</h2>
{{range .Pictures}}<figure id="{{.File}}">
<h3>{{.Title}}</h3>
<img src="{{.File}}" alt="{{.Title}}">
<figcaption>{{.Caption}} (<code>{{.File}}</code>)</figcaption>
</figure>
{{end}}
<p>Numbers: <a href="summary.json">summary.json</a>.</p>
</body>
</html>
`
