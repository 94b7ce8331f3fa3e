//go:build !unix

package datalock

import "os"

// lock is a no-op where flock(2) does not exist: the folder is not guarded.
func lock(*os.File, bool) error { return nil }
