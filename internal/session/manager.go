package session

import (
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
)

// Timeouts (NIST SP 800-63B AAL2: 30 minutes idle, 12 hours absolute).
const (
	IdleTimeout = 30 * time.Minute
	Lifetime    = 12 * time.Hour
)

// Keys in the session.
const (
	// KeyStaffID is the signed-in member's id (int64).
	KeyStaffID = "staff_id"
	// KeyAuthTime is when they signed in, unix nanoseconds (int64); the
	// member's SessionsValidAfter voids sessions authenticated before it.
	KeyAuthTime = "auth_time"
	// KeyFlash is a one-time confirmation message.
	KeyFlash = "flash"
	// KeyPendingStaffID is the member whose password was right and whose
	// second factor is still to come (int64); KeyPendingAt is when the
	// password was checked (unix nanoseconds). Neither signs anyone in.
	KeyPendingStaffID = "pending_staff_id"
	KeyPendingAt      = "pending_at"
	// KeyUserAgent is the browser the member signed in with (cut to 256
	// bytes), shown in their list of sessions.
	KeyUserAgent = "user_agent"
	// KeySecondFactor is the factor that completed this session's
	// sign-in ("totp", "recovery_code"; absent: password alone).
	KeySecondFactor = "second_factor"
	// KeySessionEnded marks a signed-out visitor whose session had ended
	// (idle timeout, sign-out elsewhere, revoked) when they used a page:
	// the sign-in page says so until they sign in again.
	KeySessionEnded = "session_ended"
)

// CookieName is the session cookie's name: "__Host-session" when secure
// (the prefix makes browsers demand Secure, Path=/ and no Domain).
func CookieName(secure bool) string {
	if secure {
		return "__Host-session"
	}
	return "session"
}

// NewManager returns the session manager over store with the back office's
// settings. The caller sets ErrorFunc.
func NewManager(store *Store, secure bool) *scs.SessionManager {
	sm := scs.New()
	sm.Store = store
	// Same session, same bytes: lets the store skip unchanged commits.
	sm.Codec = sortedCodec{}
	sm.IdleTimeout = IdleTimeout
	sm.Lifetime = Lifetime
	sm.Cookie.Name = CookieName(secure)
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secure
	sm.Cookie.Path = "/"
	sm.Cookie.Domain = ""
	// A browser session cookie: closing the browser signs out too.
	sm.Cookie.Persist = false
	return sm
}
