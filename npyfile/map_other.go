//go:build !unix

package npyfile

import (
	"errors"
	"os"
)

func mapFile(f *os.File, off int64, length int) ([]byte, func() error, error) {
	return nil, nil, errors.New("npyfile: memory mapping not supported here")
}
