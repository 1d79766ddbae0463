module github.com/deepica/deepica/asm

go 1.26

require (
	github.com/mmcloughlin/avo v0.6.0 // indirect
	golang.org/x/tools v0.26.0 // indirect
)
