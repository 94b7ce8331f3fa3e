package staff

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Members signed in by an identity provider (single sign-on). The
// provider vouches for the e-mail address and says the role; the back
// office still decides who is let in: a member disabled here stays out,
// and a new address must pass the same look-alike rule as one an admin
// types (email_lookalike.go).

// FactorProvider is the second factor of a sign-in whose identity
// provider reported a multi-factor authentication the settings accept
// (its "amr" claim).
const FactorProvider = "identity_provider"

// ErrMemberDisabled refuses the external sign-in of a disabled member.
var ErrMemberDisabled = errors.New("staff: this member is disabled in the back office")

// ErrOtherSubject refuses an external sign-in whose address belongs to a
// member already linked to another account at the same provider (an
// address given to someone else there, or changed by its admin).
var ErrOtherSubject = errors.New("staff: this member signs in with another account at the identity provider")

// externalMigrations are the "staff_external" component of admin.db:
// which account at which provider is which member. The issuer and the
// subject together are what OpenID Connect Core 1.0 section 5.7 calls the
// only stable identifier of a person; the e-mail address links them once,
// at the first sign-in, and is not trusted again for that member.
var externalMigrations = []string{
	`CREATE TABLE staff_external_ids (
		issuer TEXT NOT NULL,
		subject TEXT NOT NULL,
		member_id INTEGER NOT NULL REFERENCES staff_members (id),
		linked_at INTEGER NOT NULL,
		PRIMARY KEY (issuer, subject),
		UNIQUE (issuer, member_id)
	);`,
}

// pgExternalMigrations are externalMigrations in PostgreSQL's dialect.
var pgExternalMigrations = []string{
	`CREATE TABLE staff_external_ids (
		issuer TEXT NOT NULL,
		subject TEXT NOT NULL,
		member_id BIGINT NOT NULL REFERENCES staff_members (id),
		linked_at BIGINT NOT NULL,
		PRIMARY KEY (issuer, subject),
		UNIQUE (issuer, member_id)
	);`,
}

// External is who the identity provider says signed in.
type External struct {
	Issuer, Subject, Email string
	Role                   Role
}

// ExternalSignIn is what SignInExternal did.
type ExternalSignIn struct {
	Member *Member
	// Created: the member was made now (just in time); Linked: the
	// provider's account was linked to the member now (first sign-in).
	Created, Linked bool
	// OldRole is the role before the provider's, when it changed.
	OldRole Role
}

// SignInExternal finds the member the provider's account is linked to,
// or at its first sign-in the member with its e-mail address (any case),
// creating one when none has it, and links them; then it gives the member
// the provider's role: the provider's word on the role holds at every
// sign-in. A new member has a password nobody knows (an admin's reset
// gives them one). It refuses a disabled member (ErrMemberDisabled), an
// address whose member is linked to another account there
// (ErrOtherSubject), a new address that looks like a member's or mixes
// scripts (the look-alike errors), and taking the last active admin's role
// away (ErrLastAdmin).
func (s *Store) SignInExternal(ctx context.Context, x External) (*ExternalSignIn, error) {
	if x.Issuer == "" || x.Subject == "" {
		return nil, errors.New("staff: an external sign-in needs the issuer and the subject")
	}
	out := &ExternalSignIn{}
	m, err := s.linkedMember(ctx, x)
	if errors.Is(err, ErrNotFound) {
		m, err = s.memberToLink(ctx, x, out)
	}
	if err != nil {
		return nil, err
	}
	if m.Disabled {
		return nil, ErrMemberDisabled
	}
	if m.Role != x.Role {
		if !x.Role.Valid() {
			return nil, fmt.Errorf("staff: unknown role %q", x.Role)
		}
		old, err := s.ChangeRole(ctx, m.ID, x.Role)
		if err != nil {
			return nil, err
		}
		out.OldRole, m.Role = old, x.Role
	}
	if _, err := s.db.W.ExecContext(ctx, `UPDATE staff_members SET last_sign_in_at = ? WHERE id = ?`, s.now().UTC().UnixNano(), m.ID); err != nil {
		return nil, fmt.Errorf("staff: record sign-in: %w", err)
	}
	out.Member = m
	return out, nil
}

// linkedMember is the member the provider's account is linked to, or
// ErrNotFound.
func (s *Store) linkedMember(ctx context.Context, x External) (*Member, error) {
	var id int64
	err := s.db.R.QueryRowContext(ctx, `SELECT member_id FROM staff_external_ids WHERE issuer = ? AND subject = ?`, x.Issuer, x.Subject).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("staff: external id: %w", err)
	}
	return s.Get(ctx, id)
}

// memberToLink is the first sign-in of a provider's account: the member
// with its address (made when none has it), linked to the account unless
// linked to another one there already.
func (s *Store) memberToLink(ctx context.Context, x External, out *ExternalSignIn) (*Member, error) {
	e, err := checkNew(x.Email, x.Role)
	if err != nil {
		return nil, err
	}
	m, err := s.getBy(ctx, `email = ?`, e)
	if errors.Is(err, ErrNotFound) {
		m, err = s.addExternal(ctx, e, x.Role)
		out.Created = err == nil
		if errors.Is(err, ErrExists) { // made by a sign-in at the same moment
			m, err = s.getBy(ctx, `email = ?`, e)
		}
	}
	if err != nil {
		return nil, err
	}
	if m.Disabled {
		return nil, ErrMemberDisabled
	}
	res, err := s.db.W.ExecContext(ctx, `INSERT INTO staff_external_ids (issuer, subject, member_id, linked_at) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, x.Issuer, x.Subject, m.ID, s.now().UTC().UnixNano())
	if err != nil {
		return nil, fmt.Errorf("staff: link external id: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// The member is linked to another account of this provider (or
		// this account was linked to someone at the same moment).
		if linked, err := s.linkedMember(ctx, x); err == nil && linked.ID == m.ID {
			return m, nil
		}
		return nil, ErrOtherSubject
	}
	out.Linked = true
	return m, nil
}

// addExternal creates a member whose password hash matches no password.
func (s *Store) addExternal(ctx context.Context, email string, role Role) (*Member, error) {
	if err := s.checkLookalike(ctx, email); err != nil {
		return nil, err
	}
	hash, err := unmatchableHash(s.params)
	if err != nil {
		return nil, fmt.Errorf("staff: %w", err)
	}
	return s.insert(ctx, email, role, hash)
}
