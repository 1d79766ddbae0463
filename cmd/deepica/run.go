package main

import (
	"errors"
	"io"
)

func init() {
	register("run", "run the whole study (placeholder until the study command lands)", func(args []string, stdout, stderr io.Writer) error {
		return errors.New("not implemented yet: the study pipeline is being built (issue 7)")
	})
}
