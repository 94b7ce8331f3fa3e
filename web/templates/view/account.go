package view

// AccountView is a member's own account page (/account).
type AccountView struct {
	CSRF string
	// Numbers is the member's way of writing amounts: the choices (value
	// "" is their browser's language) with the chosen one selected.
	Numbers []NumberChoice
	// Policy is the sentence that says what the MFA policy asks of this
	// member (or that the demo account is exempt); Needed is set when the
	// member cannot act before setting up a second factor.
	Policy string
	Needed bool
	// Offered is false when ORDERCARE_MFA=off.
	Offered bool
	// TOTP: Enrolled with RecoveryLeft unused codes, or a set-up waiting
	// for its first code (Pending, with the QR code as a data: URL, the
	// otpauth:// URI and the secret to type).
	Enrolled     bool
	RecoveryLeft int
	Pending      bool
	QRDataURL    string
	URI          string
	Secret       string
	// CodeError is shown next to the code field of the form that failed.
	CodeError string
	// RecoveryCodes are shown once, right after they were made.
	RecoveryCodes []string
	// RecoveryOffered: the member has a second factor and may make new
	// recovery codes, proving it is them with their password or a code
	// (errors next to either field).
	RecoveryOffered                    bool
	ProofPasswordError, ProofCodeError string
	// Password change: an error next to the current password or the new
	// one (the fields are never filled in again).
	CurrentError, NewError string
	// Sessions are the member's signed-in sessions, newest first.
	Sessions []SessionRow
	// Passkeys (passkey.templ), when offered: the member's passkeys; the
	// name typed for a new one and why it was refused; the passkey whose
	// rename was refused, and why.
	PasskeysOffered           bool
	Passkeys                  []PasskeyRow
	PasskeyName, PasskeyError string
	RenameID, RenameError     string
	// PasskeyProof: the member signed in a while ago, so the add form
	// asks for their password or a code.
	PasskeyProof bool
	// RemoveID is the passkey whose removal was refused (its proof of who
	// is at the keyboard was missing or wrong), RemoveError why.
	RemoveID, RemoveError string
}

// PasskeyRow is one of a member's passkeys on their account page.
type PasskeyRow struct {
	ID, Name, Added, LastUsed string
}

// SessionRow is one of a member's sessions. ID names it in the form
// without being its token (a hash of it).
type SessionRow struct {
	ID, SignedIn, Browser string
	Current               bool
}

// NumberChoice is one way of writing amounts on the account page, named by
// what it looks like ("1.234,56 € · 3.967,47 NOK").
type NumberChoice struct {
	Value, Label string
	Selected     bool
}
