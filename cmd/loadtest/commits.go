package main

import (
	"cmp"
	"fmt"
	"maps"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"modernc.org/sqlite"
)

// commitCounter counts the write transactions committed on SQLite files
// in one folder, by file name, through the connections this process opens
// (so only with -inprocess): a figure the machine's load does not move,
// unlike the latency percentiles.
type commitCounter struct {
	dir    string
	mu     sync.Mutex
	byFile map[string]*atomic.Int64
	// rows counts rows inserted, updated or deleted per "file table", to
	// say where the writes go (SQLite reports no rows of WITHOUT ROWID
	// tables to this hook).
	rows map[string]int64
}

var (
	commitHookOnce sync.Once
	countersMu     sync.Mutex
	counters       []*commitCounter
)

// countCommits starts counting the commits on the SQLite files in dir.
// Connections opened before the call are not counted.
func countCommits(dir string) *commitCounter {
	commitHookOnce.Do(func() {
		sqlite.RegisterConnectionHook(func(conn sqlite.ExecQuerierContext, dsn string) error {
			h, ok := conn.(sqlite.HookRegisterer)
			if !ok || strings.Contains(dsn, "query_only") {
				return nil // only writers commit writes (internal/db's R pool is read-only)
			}
			countersMu.Lock()
			defer countersMu.Unlock()
			for _, c := range counters {
				if n := c.file(dsn); n != nil {
					h.RegisterCommitHook(func() int32 { n.Add(1); return 0 })
					h.RegisterPreUpdateHook(c.rowHook(dsn))
				}
			}
			return nil
		})
	})
	c := &commitCounter{dir: dir, byFile: map[string]*atomic.Int64{}, rows: map[string]int64{}}
	countersMu.Lock()
	counters = append(counters, c)
	countersMu.Unlock()
	return c
}

// file is the counter of the database dsn opens, nil when it is not in dir.
func (c *commitCounter) file(dsn string) *atomic.Int64 {
	path, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	if p, err := url.PathUnescape(path); err == nil {
		path = p
	}
	if filepath.Dir(path) != c.dir {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	name := filepath.Base(path)
	if c.byFile[name] == nil {
		c.byFile[name] = &atomic.Int64{}
	}
	return c.byFile[name]
}

// rowHook counts the rows changed through one connection, by table.
func (c *commitCounter) rowHook(dsn string) sqlite.PreUpdateHookFn {
	path, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	file := filepath.Base(path)
	return func(d sqlite.SQLitePreUpdateData) {
		c.mu.Lock()
		c.rows[file+" "+d.TableName]++
		c.mu.Unlock()
	}
}

// rowSnapshot is the number of rows changed per table so far.
func (c *commitCounter) rowSnapshot() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.rows)
}

// rowsPerRequest formats the rows changed between two snapshots per
// request, by table, most first.
func rowsPerRequest(before, after map[string]int64, requests int) string {
	var names []string
	for name, n := range after {
		if n > before[name] {
			names = append(names, name)
		}
	}
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(after[b]-before[b], after[a]-before[a]), cmp.Compare(a, b))
	})
	var parts []string
	for _, name := range names {
		parts = append(parts, fmt.Sprintf("%s %.2f", name, float64(after[name]-before[name])/float64(requests)))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// snapshot is the number of commits per file so far.
func (c *commitCounter) snapshot() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int64{}
	for name, n := range c.byFile {
		out[name] = n.Load()
	}
	return out
}

// perRequest formats the commits between two snapshots per request.
func perRequest(before, after map[string]int64, requests int) string {
	var parts []string
	for _, name := range []string{"admin.db", "audit.db"} {
		parts = append(parts, fmt.Sprintf("%s %.2f", name, float64(after[name]-before[name])/float64(requests)))
	}
	for name, n := range after {
		if name != "admin.db" && name != "audit.db" && n > before[name] {
			parts = append(parts, fmt.Sprintf("%s %.2f", name, float64(n-before[name])/float64(requests)))
		}
	}
	return strings.Join(parts, ", ")
}
