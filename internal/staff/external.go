package staff

import (
	"context"
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

// ExternalSignIn is what SignInExternal did.
type ExternalSignIn struct {
	Member *Member
	// Created: the member was made now (just in time).
	Created bool
	// OldRole is the role before the provider's, when it changed.
	OldRole Role
}

// SignInExternal finds the member with email (any case), or creates one
// with role, and gives them role: the provider's word on the role holds
// at every sign-in. A new member has a password nobody knows (an admin's
// reset gives them one). It refuses a disabled member
// (ErrMemberDisabled), a new address that looks like a member's or mixes
// scripts (the look-alike errors), and taking the last active admin's
// role away (ErrLastAdmin).
func (s *Store) SignInExternal(ctx context.Context, email string, role Role) (*ExternalSignIn, error) {
	e, err := checkNew(email, role)
	if err != nil {
		return nil, err
	}
	out := &ExternalSignIn{}
	m, err := s.getBy(ctx, `email = ?`, e)
	if errors.Is(err, ErrNotFound) {
		m, err = s.addExternal(ctx, e, role)
		out.Created = err == nil
		if errors.Is(err, ErrExists) { // made by a sign-in at the same moment
			m, err = s.getBy(ctx, `email = ?`, e)
			out.Created = false
		}
	}
	if err != nil {
		return nil, err
	}
	if m.Disabled {
		return nil, ErrMemberDisabled
	}
	if m.Role != role {
		old, err := s.ChangeRole(ctx, m.ID, role)
		if err != nil {
			return nil, err
		}
		out.OldRole, m.Role = old, role
	}
	if _, err := s.db.W.ExecContext(ctx, `UPDATE staff_members SET last_sign_in_at = ? WHERE id = ?`, s.now().UTC().UnixNano(), m.ID); err != nil {
		return nil, fmt.Errorf("staff: record sign-in: %w", err)
	}
	out.Member = m
	return out, nil
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
