//go:build !linux

package db

import "os"

// datasync is File.Sync where fdatasync(2) is not offered.
func datasync(f *os.File) error { return f.Sync() }
