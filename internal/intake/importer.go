package intake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"ordercare/internal/omclient"
)

// Importer reads a CSV of order ids and indexes each order through the
// Fetcher at a bounded rate. Progress is stored in admin.db under the
// file's SHA-256 and the last line handled, so running it again on the same
// file goes on where it stopped (an edited file is a new import).
type Importer struct {
	st      *Store
	fetch   Fetcher
	limiter *rate.Limiter
	now     func() time.Time
	// Progress receives the progress display; nil shows none.
	Progress *Progress
}

// NewImporter builds an importer reading at ratePerSec orders per second.
func NewImporter(st *Store, f Fetcher, ratePerSec float64, now func() time.Time) *Importer {
	if ratePerSec <= 0 {
		ratePerSec = 20
	}
	if now == nil {
		now = time.Now
	}
	return &Importer{st: st, fetch: f, limiter: rate.NewLimiter(rate.Limit(ratePerSec), 1), now: now}
}

// Issue kinds.
const (
	IssueUnknown   = "unknown"   // the provider does not know the order
	IssueFailed    = "failed"    // the read failed (see Reason)
	IssueMalformed = "malformed" // the row holds no order id
)

// Issue is a row that did not index.
type Issue struct {
	Line    int
	Kind    string
	OrderID string
	Reason  string
}

// Summary is the state of an import of one file, over every run.
type Summary struct {
	File   string
	SHA256 string
	// Rows is the number of data rows (the header excluded).
	Rows int
	// Indexed, Unknown, Failed and Malformed count the rows handled so far.
	Indexed, Unknown, Failed, Malformed int
	// Issues lists the rows that did not index, by line.
	Issues []Issue
	// ResumedAt is the line after which this run went on (0: from the start).
	ResumedAt int
	// Done is true when every row was handled.
	Done bool
	// AlreadyDone: the file was fully imported before; nothing was read.
	AlreadyDone bool
	FinishedAt  time.Time
}

// row is one data row of the CSV.
type row struct {
	line    int
	orderID string
	problem string // non-empty for a malformed row
}

// Import runs (or resumes) the import of the CSV at path. restart forgets
// the progress of an earlier run of the same file. When ctx ends the rows
// handled so far stay recorded and Import returns the summary with ctx's
// error.
func (im *Importer) Import(ctx context.Context, path string, restart bool) (Summary, error) {
	data, err := os.ReadFile(path) // #nosec G304 -- the operator names the file on the command line
	if err != nil {
		return Summary{}, fmt.Errorf("import: %w", err)
	}
	sum := sha256.Sum256(data)
	key := hex.EncodeToString(sum[:])
	rows := parseCSV(data)
	if restart {
		if _, err := im.st.db.W.ExecContext(ctx, `DELETE FROM import_runs WHERE file_sha256 = ?`, key); err != nil {
			return Summary{}, fmt.Errorf("import: %w", err)
		}
	}
	now := fmtTime(im.now())
	if _, err := im.st.db.W.ExecContext(ctx, `INSERT INTO import_runs (file_sha256, file_name, rows, started_at, updated_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (file_sha256) DO UPDATE SET file_name = excluded.file_name`,
		key, filepath.Base(path), len(rows), now, now); err != nil {
		return Summary{}, fmt.Errorf("import: %w", err)
	}
	s, err := im.summary(ctx, key)
	if err != nil {
		return Summary{}, err
	}
	if s.Done {
		s.AlreadyDone = true
		return s, nil
	}
	resumeAt, _ := im.lastLine(ctx, key)
	var todo []row
	for _, r := range rows {
		if r.line > resumeAt {
			todo = append(todo, r)
		}
	}
	if im.Progress != nil {
		im.Progress.Start(len(rows), len(rows)-len(todo))
	}
	for _, r := range todo {
		if err := im.one(ctx, key, r); err != nil {
			if im.Progress != nil {
				im.Progress.Finish()
			}
			s, serr := im.summary(context.WithoutCancel(ctx), key)
			s.ResumedAt = resumeAt
			return s, errors.Join(err, serr)
		}
		if im.Progress != nil {
			im.Progress.Step()
		}
	}
	if _, err := im.st.db.W.ExecContext(ctx, `UPDATE import_runs SET finished_at = ?, updated_at = ? WHERE file_sha256 = ?`,
		fmtTime(im.now()), fmtTime(im.now()), key); err != nil {
		return Summary{}, fmt.Errorf("import: %w", err)
	}
	if im.Progress != nil {
		im.Progress.Finish()
	}
	s, err = im.summary(ctx, key)
	s.ResumedAt = resumeAt
	return s, err
}

// one handles one row and records it with the progress in one transaction.
func (im *Importer) one(ctx context.Context, key string, r row) error {
	var issue *Issue
	indexed := 0
	switch {
	case r.problem != "":
		issue = &Issue{Line: r.line, Kind: IssueMalformed, Reason: r.problem}
	default:
		if err := im.limiter.Wait(ctx); err != nil {
			return err
		}
		_, err := im.fetch.GetOrder(ctx, r.orderID)
		switch {
		case err == nil:
			indexed = 1
		case ctx.Err() != nil:
			return ctx.Err() // stopped: this row is not handled
		case refusedCredentials(err):
			// Every row would fail the same way: stop, so a run after the
			// credentials are fixed goes on from this row.
			return fmt.Errorf("import: the provider refused the API credentials: %w", err)
		case omclient.IsNotFound(err):
			issue = &Issue{Line: r.line, Kind: IssueUnknown, OrderID: r.orderID, Reason: "the provider does not know this order"}
		default:
			issue = &Issue{Line: r.line, Kind: IssueFailed, OrderID: r.orderID, Reason: reason(err)}
		}
	}
	ctx = context.WithoutCancel(ctx) // the read happened: record it
	tx, err := im.st.db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	if issue != nil {
		if _, err := tx.ExecContext(ctx, `INSERT INTO import_issues (file_sha256, line, kind, order_id, reason) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (file_sha256, line) DO UPDATE SET kind = excluded.kind, order_id = excluded.order_id, reason = excluded.reason`,
			key, issue.Line, issue.Kind, issue.OrderID, issue.Reason); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE import_runs SET last_line = ?, indexed = indexed + ?, updated_at = ? WHERE file_sha256 = ?`,
		r.line, indexed, fmtTime(im.now()), key); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	return tx.Commit()
}

func (im *Importer) lastLine(ctx context.Context, key string) (int, error) {
	var n int
	err := im.st.db.R.QueryRowContext(ctx, `SELECT last_line FROM import_runs WHERE file_sha256 = ?`, key).Scan(&n)
	return n, err
}

func (im *Importer) summary(ctx context.Context, key string) (Summary, error) {
	var s Summary
	var finished string
	err := im.st.db.R.QueryRowContext(ctx, `SELECT file_name, rows, indexed, finished_at FROM import_runs WHERE file_sha256 = ?`, key).
		Scan(&s.File, &s.Rows, &s.Indexed, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return Summary{SHA256: key}, nil
	}
	if err != nil {
		return Summary{}, fmt.Errorf("import: %w", err)
	}
	s.SHA256, s.Done = key, finished != ""
	if s.Done {
		s.FinishedAt = parseTime(finished)
	}
	rows, err := im.st.db.R.QueryContext(ctx, `SELECT line, kind, order_id, reason FROM import_issues WHERE file_sha256 = ? ORDER BY line`, key)
	if err != nil {
		return Summary{}, fmt.Errorf("import: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var is Issue
		if err := rows.Scan(&is.Line, &is.Kind, &is.OrderID, &is.Reason); err != nil {
			return Summary{}, fmt.Errorf("import: %w", err)
		}
		s.Issues = append(s.Issues, is)
		switch is.Kind {
		case IssueUnknown:
			s.Unknown++
		case IssueFailed:
			s.Failed++
		case IssueMalformed:
			s.Malformed++
		}
	}
	return s, rows.Err()
}

// parseCSV finds the order id column and returns the data rows with their
// line numbers. The id column is the one headed order_id (any case), else
// the first column holding an order id (a UUID) in the first row that has
// one; a first row without any UUID is a header. Other columns are ignored.
// A row without an id in that column is malformed, never fatal; so is a
// row the CSV reader cannot parse.
func parseCSV(data []byte) []row {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // BOM of spreadsheet exports
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.TrimLeadingSpace = true
	r.Comma = sniffComma(data)
	col := -1
	first := true
	var out []row
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				out = append(out, row{line: pe.StartLine, problem: "not valid CSV: " + pe.Err.Error()})
				first = false
				continue
			}
			out = append(out, row{line: line, problem: "not readable: " + err.Error()})
			break
		}
		if first {
			first = false
			for i, f := range rec {
				if strings.EqualFold(strings.TrimSpace(f), "order_id") {
					col = i
				}
			}
			if col >= 0 || uuidColumn(rec) < 0 {
				continue // a header row
			}
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line is nobody's order
		}
		if col < 0 {
			col = uuidColumn(rec)
		}
		switch {
		case col < 0:
			out = append(out, row{line: line, problem: "no order id in this row"})
		case col >= len(rec):
			out = append(out, row{line: line, problem: fmt.Sprintf("row has %d columns, the order id is in column %d", len(rec), col+1)})
		default:
			id := strings.TrimSpace(rec[col])
			if !omclient.ValidOrderID(id) {
				out = append(out, row{line: line, problem: fmt.Sprintf("%q is not an order id", shorten(rec[col]))})
				continue
			}
			out = append(out, row{line: line, orderID: id})
		}
	}
	return out
}

func uuidColumn(rec []string) int {
	for i, f := range rec {
		if omclient.ValidOrderID(strings.TrimSpace(f)) {
			return i
		}
	}
	return -1
}

// sniffComma picks ';' for the exports of spreadsheets in locales where the
// comma is the decimal separator, when the first line has semicolons and no
// commas.
func sniffComma(data []byte) rune {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Contains(first, []byte(";")) && !bytes.Contains(first, []byte(",")) {
		return ';'
	}
	return ','
}

func shorten(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// refusedCredentials reports a 401 or 403 from the provider.
func refusedCredentials(err error) bool {
	var ae *omclient.APIError
	return errors.As(err, &ae) && (ae.StatusCode == http.StatusUnauthorized || ae.StatusCode == http.StatusForbidden)
}
