package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	amari, corr, it, conv := 0.0123, 0.987, 12, true
	s := &Summary{
		Command: "deepica run",
		Data:    Data{Source: "generated <test>", Images: 10, Channels: 3, Height: 8, Width: 8, Generated: true, TrueSources: 4},
		Methods: []Method{
			{Name: "ica", Title: "FastICA", Components: 4, Seconds: 0.5, Iterations: &it, Converged: &conv, Amari: &amari, MatchedCorr: &corr},
			{Name: "kpca", Title: "Kernel PCA", Components: 4},
		},
		Missing:  []Missing{{Method: "deep", Reason: "package deep not built"}},
		Pictures: []Picture{{File: "ica.png", Title: "ICs", Caption: "c"}},
	}
	dir := t.TempDir()
	if err := WriteJSON(filepath.Join(dir, "s.json"), s); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(filepath.Join(dir, "r.html"), s); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "s.json"))
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	ms := back["methods"].([]any)
	if ms[0].(map[string]any)["amari"].(float64) != amari || ms[1].(map[string]any)["amari"] != nil {
		t.Errorf("methods in JSON: %v", ms)
	}
	h, _ := os.ReadFile(filepath.Join(dir, "r.html"))
	html := string(h)
	for _, want := range []string{`<img src="ica.png"`, "0.012", "0.987", "—", "generated &lt;test&gt;", "package deep not built", "</html>"} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}
