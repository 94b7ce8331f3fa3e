package db

import (
	"os"
	"syscall"
)

// datasync is fdatasync(2): the file's data and the size needed to read
// it back, without its times, which SQLite's unix VFS uses for the WAL too.
func datasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd())) // #nosec G115 -- a file descriptor fits an int
		if err != syscall.EINTR {
			return err
		}
	}
}
