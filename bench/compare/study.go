package main

// moreCases lists the end-to-end comparisons (FastICA, the study pipeline,
// the conv stack). They are added here as the packages they measure land.
func moreCases() []benchCase { return nil }
