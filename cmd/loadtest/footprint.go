package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"
)

type footprintFlags struct {
	dir      string
	keep     bool
	starts   int
	auditLog string
}

func (f *footprintFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dir, "dir", "", "parent of the work folder (empty: the system temp folder)")
	fs.BoolVar(&f.keep, "keep", false, "keep the work folder afterwards")
	fs.IntVar(&f.starts, "starts", 5, "restarts timed per mode (after the first start on an empty folder)")
	fs.StringVar(&f.auditLog, "audit-log", "", "an audit.db (with its -index.db beside it, if any) copied into each mode's folder before its first start: starts with a long log")
}

func footprintCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("loadtest footprint", flag.ContinueOnError)
	var f footprintFlags
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	return runFootprint(ctx, f, out)
}

// runFootprint builds the binary (plain and stripped), then times start to
// first 200 from /healthz of the built binary as a subprocess, in both
// modes, and reads its memory right after.
func runFootprint(ctx context.Context, f footprintFlags, out io.Writer) error {
	if f.starts < 1 {
		return errors.New("-starts must be at least 1")
	}
	sf := stackFlags{dir: f.dir, keep: f.keep, auditLog: f.auditLog}
	dir, cleanup, err := sf.workDir()
	if err != nil {
		return err
	}
	defer cleanup()
	bin := filepath.Join(dir, "admin")
	if err := goBuild(ctx, bin); err != nil {
		return err
	}
	stripped := filepath.Join(dir, "admin-stripped")
	if err := goBuild(ctx, stripped, "-ldflags=-s -w"); err != nil {
		return err
	}
	fmt.Fprintf(out, "footprint:\n  binary: %s (go build), %s (go build -ldflags=\"-s -w\")\n", fileMB(bin), fileMB(stripped))

	sb, err := sf.startSandbox(ctx, dir)
	if err != nil {
		return err
	}
	defer sb.close()
	modes := []struct {
		name string
		args func(addr, db string) []string
		env  []string
	}{
		{"against a provider (the sandbox of this process)", func(addr, db string) []string {
			return []string{"serve", "-addr", addr, "-db", db, "-om-url", sb.url, "-om-provider", "kustom", "-om-user", sb.user}
		}, []string{"ORDERCARE_OM_PASSWORD=" + sb.pass}},
		{"built-in sandbox (demo), a configured demo password", func(addr, db string) []string {
			return []string{"serve", "-addr", addr, "-db", db}
		}, []string{"ORDERCARE_DEMO_PASSWORD=" + agentPassword}},
		// The README's `go run ./cmd/admin`: a new demo password every run,
		// so every restart stores a new hash.
		{"built-in sandbox (demo), a demo password made per run", func(addr, db string) []string {
			return []string{"serve", "-addr", addr, "-db", db}
		}, nil},
	}
	firstIn := "empty folder"
	if f.auditLog != "" {
		firstIn = "folder holding only the copied audit log"
	}
	for i, m := range modes {
		modeDir := filepath.Join(dir, fmt.Sprintf("mode-%d", i))
		if err := os.Mkdir(modeDir, 0o700); err != nil {
			return err
		}
		if err := sf.copyAuditLog(filepath.Join(modeDir, "admin.db")); err != nil {
			return err
		}
		var first, firstCPU time.Duration
		var restarts, restartCPU []time.Duration
		var mem procMem
		for run := range f.starts + 1 {
			d, m2, cpu, err := timeStart(ctx, bin, modeDir, m.args, m.env)
			if err != nil {
				return fmt.Errorf("%s: %w", m.name, err)
			}
			if run == 0 {
				first, firstCPU = d, cpu
				continue
			}
			restarts = append(restarts, d)
			restartCPU = append(restartCPU, cpu)
			mem = m2
		}
		slices.Sort(restarts)
		slices.Sort(restartCPU)
		fmt.Fprintf(out, "  %s:\n    start to first /healthz 200: first start (%s) %s ms; restarts median %s ms, max %s ms (%d runs)\n"+
			"    CPU used by then (user+system, 10 ms ticks): first start %s ms; restarts median %s ms\n"+
			"    memory right after start: %s\n", m.name, firstIn, ms(first), ms(restarts[len(restarts)/2]), ms(restarts[len(restarts)-1]), len(restarts),
			ms(firstCPU), ms(restartCPU[len(restartCPU)/2]), mem)
	}
	return nil
}

// timeStart starts bin once in dir and returns the time from exec to the
// first 200 from /healthz, and the memory and CPU time used at that moment
// (CPU time moves far less with the machine's load than the wall time),
// then stops it.
func timeStart(ctx context.Context, bin, dir string, args func(addr, db string) []string, env []string) (time.Duration, procMem, time.Duration, error) {
	addr, err := freeAddr()
	if err != nil {
		return 0, procMem{}, 0, err
	}
	logFile, err := os.OpenFile(filepath.Join(dir, "admin.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600) // #nosec G304 -- a fixed name in the work folder this program made (under the operator's -dir)
	if err != nil {
		return 0, procMem{}, 0, err
	}
	bo, err := startProcess(ctx, bin, logFile, "http://"+addr, args(addr, filepath.Join(dir, "admin.db")), env...)
	if err != nil {
		return 0, procMem{}, 0, err
	}
	d := bo.ready.Sub(bo.started)
	cpu, cerr := procCPU(bo.pid)
	mem, merr := readProcMem(bo.pid)
	return d, mem, cpu, errors.Join(cerr, merr, bo.stop())
}

func fileMB(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return "?"
	}
	return fmt.Sprintf("%.1f MB", float64(st.Size())/(1<<20))
}
