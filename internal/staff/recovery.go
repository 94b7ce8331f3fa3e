package staff

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// recoveryCodeLen is the characters of a recovery code (about 79 bits),
// shown in groups of four: "abcd-efgh-jkmn-pqrs".
const recoveryCodeLen = 16

// normalizeRecoveryCode drops the dashes and spaces people type and copy.
func normalizeRecoveryCode(code string) string {
	return strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
}

// NewRecoveryCodes replaces the member's recovery codes with
// RecoveryCodeCount new ones and returns them, for showing once.
func (s *Store) NewRecoveryCodes(ctx context.Context, id int64) ([]string, error) {
	codes := make([]string, RecoveryCodeCount)
	for i := range codes {
		c, err := randomCode(recoveryCodeLen)
		if err != nil {
			return nil, fmt.Errorf("staff: recovery codes: %w", err)
		}
		codes[i] = c
	}
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("staff: recovery codes: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	if _, err := tx.ExecContext(ctx, `DELETE FROM staff_recovery_codes WHERE member_id = ?`, id); err != nil {
		return nil, fmt.Errorf("staff: recovery codes: %w", err)
	}
	shown := make([]string, len(codes))
	for i, c := range codes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO staff_recovery_codes (member_id, code_hash) VALUES (?, ?)`, id, s.seal.codeHash(id, c)); err != nil {
			return nil, fmt.Errorf("staff: recovery codes: %w", err)
		}
		shown[i] = c[0:4] + "-" + c[4:8] + "-" + c[8:12] + "-" + c[12:16]
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("staff: recovery codes: %w", err)
	}
	return shown, nil
}

// useRecoveryCode marks an unused code of the member used, in one
// statement: a code works once, even for two requests at the same time.
func (s *Store) useRecoveryCode(ctx context.Context, id int64, code string, now time.Time) (bool, error) {
	res, err := s.db.W.ExecContext(ctx, `UPDATE staff_recovery_codes SET used_at = ? WHERE member_id = ? AND code_hash = ? AND used_at IS NULL`,
		now.UnixNano(), id, s.seal.codeHash(id, normalizeRecoveryCode(code)))
	if err != nil {
		return false, fmt.Errorf("staff: recovery code: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// RecoveryCodesLeft is how many unused recovery codes the member has.
func (s *Store) RecoveryCodesLeft(ctx context.Context, id int64) (int, error) {
	var n int
	if err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM staff_recovery_codes WHERE member_id = ? AND used_at IS NULL`, id).Scan(&n); err != nil {
		return 0, fmt.Errorf("staff: recovery codes: %w", err)
	}
	return n, nil
}
