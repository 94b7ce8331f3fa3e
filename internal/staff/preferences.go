package staff

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// preferenceMigrations: a member's own display settings, in a table of
// their own (a setting is not part of the account an admin manages).
var preferenceMigrations = []string{
	`CREATE TABLE staff_preferences (
		staff_id      INTEGER PRIMARY KEY REFERENCES staff_members (id),
		number_format TEXT NOT NULL DEFAULT ''
	)`,
}

// pgPreferenceMigrations are preferenceMigrations in PostgreSQL's dialect.
var pgPreferenceMigrations = []string{
	`CREATE TABLE staff_preferences (
		staff_id      BIGINT PRIMARY KEY REFERENCES staff_members (id),
		number_format TEXT NOT NULL DEFAULT ''
	)`,
}

// NumberFormat is the member's chosen way of writing amounts (a language
// tag, money.Show); "" when they have not chosen.
func (s *Store) NumberFormat(ctx context.Context, id int64) (string, error) {
	var f string
	// Read on every page (money.Show): a prepared statement of the
	// reader pool (db.QueryRow), not one compiled per call.
	err := s.db.QueryRow(ctx, `SELECT number_format FROM staff_preferences WHERE staff_id = ?`, id).Scan(&f)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("staff: number format: %w", err)
	}
	return f, nil
}

// SetNumberFormat records the member's way of writing amounts; "" goes
// back to the default (the browser's language).
func (s *Store) SetNumberFormat(ctx context.Context, id int64, format string) error {
	_, err := s.db.W.ExecContext(ctx, `INSERT INTO staff_preferences (staff_id, number_format) VALUES (?, ?)
		ON CONFLICT (staff_id) DO UPDATE SET number_format = excluded.number_format`, id, format)
	if err != nil {
		return fmt.Errorf("staff: set number format: %w", err)
	}
	return nil
}
