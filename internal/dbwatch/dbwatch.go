// Package dbwatch counts what is written to SQLite files: write
// transactions committed and rows changed, per file and table. Tests use
// it to show that a read path writes nothing, and cmd/loadtest to report
// writes per page, a figure the machine's load does not move.
//
// It hooks the connections modernc.org/sqlite's "sqlite" driver opens in
// this process, so only connections opened after Watch are counted, and
// only writers: internal/db's read-only pool (query_only) commits nothing.
package dbwatch

import (
	"maps"
	"net/url"
	"path/filepath"
	"strings"
	"sync"

	"modernc.org/sqlite"
)

// Counter counts the writes to the SQLite files of one folder.
type Counter struct {
	dir     string
	mu      sync.Mutex
	commits map[string]int64 // by file name
	rows    map[string]int64 // by "file table"
}

var (
	mu       sync.Mutex
	counters []*Counter
)

// The hook is registered when the package is initialised, before any
// goroutine can open a connection: modernc.org/sqlite's Driver.Open reads
// its list of hooks without the lock RegisterConnectionHook takes, so
// registering it on the first Watch, from one parallel test while another
// opened a database, was a data race (seen once by CI's -race run).
func init() { sqlite.RegisterConnectionHook(hook) }

// Watch starts counting the writes to the SQLite files directly in dir.
func Watch(dir string) *Counter {
	c := &Counter{dir: filepath.Clean(dir), commits: map[string]int64{}, rows: map[string]int64{}}
	mu.Lock()
	counters = append(counters, c)
	mu.Unlock()
	return c
}

func hook(conn sqlite.ExecQuerierContext, dsn string) error {
	h, ok := conn.(sqlite.HookRegisterer)
	if !ok || strings.Contains(dsn, "query_only") {
		return nil
	}
	path, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	if p, err := url.PathUnescape(path); err == nil {
		path = p
	}
	dir, file := filepath.Dir(path), filepath.Base(path)
	mu.Lock()
	defer mu.Unlock()
	for _, c := range counters {
		if c.dir != dir {
			continue
		}
		h.RegisterCommitHook(func() int32 {
			c.mu.Lock()
			c.commits[file]++
			c.mu.Unlock()
			return 0 // let the commit proceed
		})
		h.RegisterPreUpdateHook(func(d sqlite.SQLitePreUpdateData) {
			c.mu.Lock()
			c.rows[file+" "+d.TableName]++
			c.mu.Unlock()
		})
	}
	return nil
}

// Commits is the number of write transactions committed on file (a name
// in the folder, such as "admin.db") so far.
func (c *Counter) Commits(file string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.commits[file]
}

// CommitsByFile is the number of commits so far, by file name.
func (c *Counter) CommitsByFile() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.commits)
}

// Rows is the number of rows inserted, updated or deleted so far, by
// "file table" (e.g. "admin.db sessions").
func (c *Counter) Rows() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.rows)
}
