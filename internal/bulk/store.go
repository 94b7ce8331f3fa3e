package bulk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"ordercare/internal/db"
	"ordercare/internal/omclient"
)

// migrations of component "bulk" in admin.db. Append-only.
var migrations = []string{
	`CREATE TABLE bulk_jobs (
		id          TEXT    PRIMARY KEY,
		created_at  TEXT    NOT NULL,
		op          TEXT    NOT NULL,
		reason      TEXT    NOT NULL,
		ticket      TEXT    NOT NULL DEFAULT '',
		by_id       INTEGER NOT NULL,
		by_email    TEXT    NOT NULL,
		by_role     TEXT    NOT NULL,
		by_ip       TEXT    NOT NULL DEFAULT '',
		by_agent    TEXT    NOT NULL DEFAULT '',
		finished_at TEXT    NOT NULL DEFAULT ''
	) STRICT;
	CREATE INDEX bulk_jobs_created ON bulk_jobs(created_at);
	CREATE TABLE bulk_items (
		job_id      TEXT    NOT NULL REFERENCES bulk_jobs(id),
		seq         INTEGER NOT NULL,
		order_id    TEXT    NOT NULL,
		order_ref   TEXT    NOT NULL DEFAULT '',
		currency    TEXT    NOT NULL,
		amount      INTEGER NOT NULL,
		state       TEXT    NOT NULL DEFAULT 'pending',
		message     TEXT    NOT NULL DEFAULT '',
		attempt_id  TEXT    NOT NULL DEFAULT '',
		approval_id TEXT    NOT NULL DEFAULT '',
		updated_at  TEXT    NOT NULL DEFAULT '',
		PRIMARY KEY (job_id, seq),
		UNIQUE (job_id, order_id)
	) STRICT;
	CREATE INDEX bulk_items_state ON bulk_items(state, job_id, seq);`,
}

// pgMigrations are migrations in PostgreSQL's dialect, one per version.
// Times stay fixed-width text compared byte by byte (COLLATE "C"), as in
// SQLite.
var pgMigrations = []string{
	`CREATE TABLE bulk_jobs (
		id          TEXT    COLLATE "C" PRIMARY KEY,
		created_at  TEXT    COLLATE "C" NOT NULL,
		op          TEXT    NOT NULL,
		reason      TEXT    NOT NULL,
		ticket      TEXT    NOT NULL DEFAULT '',
		by_id       BIGINT  NOT NULL,
		by_email    TEXT    NOT NULL,
		by_role     TEXT    NOT NULL,
		by_ip       TEXT    NOT NULL DEFAULT '',
		by_agent    TEXT    NOT NULL DEFAULT '',
		finished_at TEXT    COLLATE "C" NOT NULL DEFAULT ''
	);
	CREATE INDEX bulk_jobs_created ON bulk_jobs(created_at);
	CREATE TABLE bulk_items (
		job_id      TEXT    COLLATE "C" NOT NULL REFERENCES bulk_jobs(id),
		seq         INTEGER NOT NULL,
		order_id    TEXT    NOT NULL,
		order_ref   TEXT    NOT NULL DEFAULT '',
		currency    TEXT    NOT NULL,
		amount      BIGINT  NOT NULL,
		state       TEXT    COLLATE "C" NOT NULL DEFAULT 'pending',
		message     TEXT    NOT NULL DEFAULT '',
		attempt_id  TEXT    NOT NULL DEFAULT '',
		approval_id TEXT    NOT NULL DEFAULT '',
		updated_at  TEXT    COLLATE "C" NOT NULL DEFAULT '',
		PRIMARY KEY (job_id, seq),
		UNIQUE (job_id, order_id)
	);
	CREATE INDEX bulk_items_state ON bulk_items(state, job_id, seq);`,
}

// timeLayout is fixed-width, so stored times sort and compare as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func parseTime(s string) time.Time {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// ErrNotFound: no job with that id.
var ErrNotFound = errors.New("bulk: no such job")

const jobCols = `id, created_at, op, reason, ticket, by_id, by_email, by_role, by_ip, by_agent, finished_at`

const itemCols = `job_id, seq, order_id, order_ref, currency, amount, state, message, attempt_id, approval_id, updated_at`

// insertJob stores j and its items in one transaction: a job is there
// with all its orders or not at all. A job id already stored is
// ErrExists (the same confirmation submitted twice).
func insertJob(ctx context.Context, d *db.DB, j Job, items []Item) error {
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("bulk: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	res, err := tx.ExecContext(ctx, `INSERT INTO bulk_jobs (`+jobCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,'')
		ON CONFLICT(id) DO NOTHING`,
		j.ID, formatTime(j.CreatedAt), string(j.Op), j.Reason, j.Ticket, j.By.StaffID, j.By.Email, j.By.Role, j.By.ClientIP, j.By.UserAgent)
	if err != nil {
		return fmt.Errorf("bulk: storing the job: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrExists
	}
	for i, it := range items {
		if _, err := tx.ExecContext(ctx, `INSERT INTO bulk_items (job_id, seq, order_id, order_ref, currency, amount, state, updated_at)
			VALUES (?,?,?,?,?,?,?,?)`, j.ID, i+1, it.OrderID, it.OrderRef, it.Currency, it.Amount, string(StatePending), formatTime(j.CreatedAt)); err != nil {
			return fmt.Errorf("bulk: storing order %s of the job: %w", it.OrderID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("bulk: storing the job: %w", err)
	}
	return nil
}

// ErrExists: a job with that id is already stored.
var ErrExists = errors.New("bulk: job already started")

func scanJob(s interface{ Scan(...any) error }) (Job, error) {
	var j Job
	var op, created, finished string
	if err := s.Scan(&j.ID, &created, &op, &j.Reason, &j.Ticket, &j.By.StaffID, &j.By.Email, &j.By.Role, &j.By.ClientIP,
		&j.By.UserAgent, &finished); err != nil {
		return Job{}, err
	}
	j.Op, j.CreatedAt, j.FinishedAt = omclient.Operation(op), parseTime(created), parseTime(finished)
	return j, nil
}

func scanItem(s interface{ Scan(...any) error }) (Item, error) {
	var it Item
	var state, updated string
	if err := s.Scan(&it.JobID, &it.Seq, &it.OrderID, &it.OrderRef, &it.Currency, &it.Amount, &state, &it.Message,
		&it.AttemptID, &it.ApprovalID, &updated); err != nil {
		return Item{}, err
	}
	it.State, it.UpdatedAt = State(state), parseTime(updated)
	return it, nil
}

// getJob reads a job without its items.
func getJob(ctx context.Context, d *db.DB, id string) (Job, error) {
	j, err := scanJob(d.QueryRow(ctx, `SELECT `+jobCols+` FROM bulk_jobs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, ErrNotFound
	}
	if err != nil {
		return Job{}, fmt.Errorf("bulk: reading job: %w", err)
	}
	return j, nil
}

// jobItems lists a job's items in the order they were ticked.
func jobItems(ctx context.Context, d *db.DB, id string) ([]Item, error) {
	rows, err := d.Query(ctx, `SELECT `+itemCols+` FROM bulk_items WHERE job_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("bulk: reading the job's orders: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("bulk: reading the job's orders: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// itemsIn lists the items in state, oldest job first, up to limit.
func itemsIn(ctx context.Context, d *db.DB, state State, limit int) ([]Item, error) {
	rows, err := d.Query(ctx, `SELECT i.job_id, i.seq, i.order_id, i.order_ref, i.currency, i.amount, i.state, i.message,
		i.attempt_id, i.approval_id, i.updated_at
		FROM bulk_items i JOIN bulk_jobs j ON j.id = i.job_id WHERE i.state = ? ORDER BY j.created_at, i.job_id, i.seq LIMIT ?`, string(state), limit)
	if err != nil {
		return nil, fmt.Errorf("bulk: reading %s orders: %w", state, err)
	}
	defer func() { _ = rows.Close() }()
	var out []Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("bulk: reading %s orders: %w", state, err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// setState moves an item from one state to another; false when it was
// not in from (another runner took it).
func setState(ctx context.Context, d *db.DB, it Item, from State, now time.Time) (bool, error) {
	res, err := d.W.ExecContext(ctx, `UPDATE bulk_items SET state = ?, message = ?, attempt_id = ?, approval_id = ?, updated_at = ?
		WHERE job_id = ? AND seq = ? AND state = ?`,
		string(it.State), it.Message, it.AttemptID, it.ApprovalID, formatTime(now), it.JobID, it.Seq, string(from))
	if err != nil {
		return false, fmt.Errorf("bulk: recording order %s of job %s: %w", it.OrderID, it.JobID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// finishJobs stamps finished_at on every job with no item left to do.
func finishJobs(ctx context.Context, d *db.DB, now time.Time) error {
	_, err := d.W.ExecContext(ctx, `UPDATE bulk_jobs SET finished_at = ? WHERE finished_at = ''
		AND NOT EXISTS (SELECT 1 FROM bulk_items i WHERE i.job_id = bulk_jobs.id AND i.state IN (?, ?))`,
		formatTime(now), string(StatePending), string(StateInFlight))
	if err != nil {
		return fmt.Errorf("bulk: closing finished jobs: %w", err)
	}
	return nil
}

// progress counts the orders of the jobs not finished yet by state.
func progress(ctx context.Context, d *db.DB) (map[State]int, error) {
	rows, err := d.R.QueryContext(ctx, `SELECT i.state, count(*) FROM bulk_items i
		JOIN bulk_jobs j ON j.id = i.job_id WHERE j.finished_at = '' GROUP BY i.state`)
	if err != nil {
		return nil, fmt.Errorf("bulk: counting the running jobs' orders: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := map[State]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("bulk: counting the running jobs' orders: %w", err)
		}
		out[State(st)] = n
	}
	return out, rows.Err()
}
