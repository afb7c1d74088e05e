//go:build !unix

package cli

// fileLimit is unknown here: the default cap is then 768 connections.
func fileLimit() uint64 { return 0 }
