package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"ordercare/internal/app"
	"ordercare/internal/config"
	"ordercare/internal/intake"
)

const indexUsage = "usage: admin index import [-restart] [settings of 'admin serve'] FILE.csv"

// indexCmd: `admin index import FILE` indexes the orders a CSV names (an
// export from the provider's portal or the shop), so agents find them by
// e-mail or reference before anyone opened them. It reads through the
// configured provider at ORDERCARE_IMPORT_RATE and resumes where an
// earlier run of the same file stopped.
func indexCmd(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || args[0] != "import" {
		return errors.New(indexUsage)
	}
	fs := flag.NewFlagSet("admin index import", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	restart := fs.Bool("restart", false, "forget the progress of an earlier run of this file and read every row again")
	build := config.Flags(fs, e.getenv)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New(indexUsage)
	}
	file := fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil { // flags after the file name
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (%s)", fs.Arg(0), indexUsage)
	}
	cfg, err := build()
	if err != nil {
		return err
	}
	ix, err := app.OpenIndexer(ctx, cfg, app.WithLogger(e.logger()), app.WithOutput(e.stderr))
	if err != nil {
		return err
	}
	defer func() { _ = ix.Close() }()

	im := intake.NewImporter(ix.Intake, ix.Service, cfg.ImportRate, nil)
	f, tty := e.stdout.(*os.File)
	im.Progress = intake.NewProgress(e.stdout, tty && intake.IsTerminal(f))
	s, err := im.Import(ctx, file, *restart)
	printSummary(e.stdout, s)
	switch {
	case errors.Is(err, context.Canceled):
		return errors.New("import stopped; run the same command again to go on where it stopped")
	case err != nil:
		return err
	case s.Failed > 0:
		return fmt.Errorf("%d rows could not be read; run with -restart later to try them again", s.Failed)
	}
	return nil
}

func printSummary(w io.Writer, s intake.Summary) {
	if s.File == "" {
		return
	}
	if s.AlreadyDone {
		fmt.Fprintf(w, "%s was imported completely on %s; use -restart to read it again\n", s.File, s.FinishedAt.Format("2006-01-02 15:04 MST"))
	}
	fmt.Fprintf(w, "%s: %d rows: %d indexed, %d unknown to the provider, %d failed, %d malformed\n",
		s.File, s.Rows, s.Indexed, s.Unknown, s.Failed, s.Malformed)
	for _, is := range s.Issues {
		if is.OrderID != "" {
			fmt.Fprintf(w, "  line %d: %s: %s: %s\n", is.Line, is.Kind, is.OrderID, is.Reason)
		} else {
			fmt.Fprintf(w, "  line %d: %s: %s\n", is.Line, is.Kind, is.Reason)
		}
	}
}
