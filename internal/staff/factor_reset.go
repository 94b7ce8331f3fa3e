package staff

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Resetting a member's second factor (they lost their phone and their
// recovery codes) lets the next sign-in through with a password alone, so
// it takes two admins, like a large refund takes two people: one asks,
// another approves, and neither may be the member.

// Errors of a second-factor reset.
var (
	ErrResetOwn       = errors.New("staff: a member removes their own second factor on their account page")
	ErrResetSameAdmin = errors.New("staff: the admin who asked for the reset cannot also approve it")
	ErrNoReset        = errors.New("staff: no reset of this member's second factor is waiting")
)

// FactorReset is an open request to reset a member's second factor.
type FactorReset struct {
	MemberID, RequestedBy int64
}

// RequestFactorReset records admin by's request to reset member id's
// second factor. A request already open is returned as it is (whoever
// asked). The member must have one, and must not be by.
func (s *Store) RequestFactorReset(ctx context.Context, id, by int64) (*FactorReset, error) {
	if id == by {
		return nil, ErrResetOwn
	}
	has, err := s.HasSecondFactor(ctx, id)
	if err != nil {
		return nil, err
	}
	if !has {
		return nil, ErrNoEnrolment
	}
	if _, err := s.db.W.ExecContext(ctx, `INSERT INTO staff_factor_resets (member_id, requested_by, requested_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, id, by, s.now().UTC().UnixNano()); err != nil {
		return nil, fmt.Errorf("staff: request reset: %w", err)
	}
	return s.openReset(ctx, id)
}

func (s *Store) openReset(ctx context.Context, id int64) (*FactorReset, error) {
	r := FactorReset{MemberID: id}
	err := s.db.R.QueryRowContext(ctx, `SELECT requested_by FROM staff_factor_resets WHERE member_id = ? AND approved_at IS NULL`, id).Scan(&r.RequestedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoReset
	}
	if err != nil {
		return nil, fmt.Errorf("staff: reset: %w", err)
	}
	return &r, nil
}

// ApproveFactorReset is the second admin's approval: the open request is
// closed and the member's authenticator and recovery codes are removed, in
// one transaction, and so are their passkeys: a reset leaves the member
// with the password alone, to set up a second factor afresh. It returns the
// request.
func (s *Store) ApproveFactorReset(ctx context.Context, id, by int64) (*FactorReset, error) {
	if id == by {
		return nil, ErrResetOwn
	}
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("staff: approve reset: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	r := FactorReset{MemberID: id}
	err = tx.QueryRowContext(ctx, `SELECT requested_by FROM staff_factor_resets WHERE member_id = ? AND approved_at IS NULL`, id).Scan(&r.RequestedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoReset
	}
	if err != nil {
		return nil, fmt.Errorf("staff: approve reset: %w", err)
	}
	if r.RequestedBy == by {
		return nil, ErrResetSameAdmin
	}
	if _, err := tx.ExecContext(ctx, `UPDATE staff_factor_resets SET approved_by = ?, approved_at = ? WHERE member_id = ? AND approved_at IS NULL`,
		by, s.now().UTC().UnixNano(), id); err != nil {
		return nil, fmt.Errorf("staff: approve reset: %w", err)
	}
	for _, q := range []string{`DELETE FROM staff_totp WHERE member_id = ?`, `DELETE FROM staff_recovery_codes WHERE member_id = ?`,
		`DELETE FROM staff_passkeys WHERE member_id = ?`} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return nil, fmt.Errorf("staff: approve reset: %w", err)
		}
	}
	return &r, tx.Commit()
}

// OpenFactorResets are the waiting requests, by member id.
func (s *Store) OpenFactorResets(ctx context.Context) (map[int64]FactorReset, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT member_id, requested_by FROM staff_factor_resets WHERE approved_at IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("staff: resets: %w", err)
	}
	defer rows.Close()
	out := map[int64]FactorReset{}
	for rows.Next() {
		var r FactorReset
		if err := rows.Scan(&r.MemberID, &r.RequestedBy); err != nil {
			return nil, fmt.Errorf("staff: resets: %w", err)
		}
		out[r.MemberID] = r
	}
	return out, rows.Err()
}

// WithSecondFactor are the ids of members with a second factor: a
// confirmed authenticator or a passkey.
func (s *Store) WithSecondFactor(ctx context.Context) (map[int64]bool, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT member_id FROM staff_totp WHERE confirmed_at IS NOT NULL
		UNION SELECT member_id FROM staff_passkeys`)
	if err != nil {
		return nil, fmt.Errorf("staff: totp: %w", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("staff: totp: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}
