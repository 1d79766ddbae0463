package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress reports the study's stages on stderr: a redrawn bar when stderr
// is a terminal, plain lines otherwise (logs, CI), nothing with --quiet.
type progress struct {
	w      io.Writer
	tty    bool
	quiet  bool
	stage  string
	start  time.Time
	drawn  time.Time // last redraw of the bar
	decile int       // last tenth reported in plain mode
}

func newProgress(w io.Writer, quiet bool) *progress {
	return &progress{w: w, tty: isTerminal(w), quiet: quiet}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// begin starts a stage.
func (p *progress) begin(stage string) {
	p.stage, p.start, p.decile = stage, time.Now(), -1
	if p.quiet {
		return
	}
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s …", stage)
		return
	}
	fmt.Fprintf(p.w, "deepica: %s …\n", stage)
}

// step reports that i of n units of the current stage are done.
func (p *progress) step(i, n int, detail string) {
	if p.quiet || n <= 0 {
		return
	}
	frac := float64(i) / float64(n)
	if p.tty {
		if time.Since(p.drawn) < 100*time.Millisecond && i < n {
			return
		}
		p.drawn = time.Now()
		const width = 30
		fill := int(frac * width)
		fmt.Fprintf(p.w, "\r\033[K%-12s [%s%s] %3.0f%% %s", p.stage, strings.Repeat("#", fill), strings.Repeat(" ", width-fill), 100*frac, detail)
		return
	}
	if d := int(frac * 10); d > p.decile {
		p.decile = d
		fmt.Fprintf(p.w, "deepica: %s %3.0f%% %s\n", p.stage, 100*frac, detail)
	}
}

// end finishes the stage with a one-line result.
func (p *progress) end(result string) {
	if p.quiet {
		return
	}
	el := time.Since(p.start).Seconds()
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s: %s (%.1f s)\n", p.stage, result, el)
		return
	}
	fmt.Fprintf(p.w, "deepica: %s: %s (%.1f s)\n", p.stage, result, el)
}

// note prints one line outside any stage.
func (p *progress) note(format string, args ...any) {
	if p.quiet {
		return
	}
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintf(p.w, "deepica: "+format+"\n", args...)
}
