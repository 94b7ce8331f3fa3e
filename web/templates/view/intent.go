package view

import (
	"strings"
	"time"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

// FieldConfirm is the form field that confirms a change of the same kind
// and amount as a recent one (its value: orders.TwinError.Token).
const FieldConfirm = "confirm_twin"

// Intent is the box a change form shows when the pipeline's intent rule
// stopped a submit: an earlier change's outcome is unknown (Unsettled), or
// recent changes of the same kind and amount need a confirmation (Token).
type Intent struct {
	Heading string
	// Lines name the earlier changes ("A refund of 250,00 € by
	// agent@example.com 3 minutes ago, succeeded").
	Lines []string
	// Token and Label are the confirmation checkbox ("Refund another
	// 250,00 €"); Token is "" when no confirmation can help.
	Token, Label string
	// CheckHref is where an unknown outcome is checked (the order page).
	CheckHref string
}

// opNoun is the change a kind of operation makes, for sentences.
func opNoun(op omclient.Operation) string {
	switch op {
	case omclient.OpCreateCapture:
		return "capture"
	case omclient.OpCreateRefund:
		return "refund"
	case omclient.OpCancel:
		return "cancellation"
	case omclient.OpReleaseRemaining:
		return "release of the remaining authorization"
	case omclient.OpUpdateAuthorization:
		return "change of the order amount"
	}
	return humanize(string(op))
}

// opVerb is the imperative of the change ("Refund", "Capture").
func opVerb(op omclient.Operation) string {
	switch op {
	case omclient.OpCreateCapture:
		return "Capture"
	case omclient.OpCreateRefund:
		return "Refund"
	case omclient.OpCancel:
		return "Cancel"
	case omclient.OpReleaseRemaining:
		return "Release"
	case omclient.OpUpdateAuthorization:
		return "Change the order amount to"
	}
	return humanize(string(op))
}

// priorStates say where an earlier change stands.
var priorStates = map[string]string{
	orders.PriorSucceeded:  "made",
	orders.PriorUnknown:    "outcome unknown",
	orders.PriorNotApplied: "not applied",
	orders.PriorPending:    "waiting for approval",
	orders.PriorApproved:   "approved, being sent",
	orders.PriorClosed:     "closed, nothing sent",
}

// PriorLine names one earlier change: "A refund of 250,00 € by
// agent@example.com 3 minutes ago (made)".
func PriorLine(p orders.PriorChange, numbers string, now time.Time, loc *time.Location) string {
	what := "A " + opNoun(p.Op)
	if p.Amount > 0 && p.Currency != "" {
		what += " of " + newMoney(p.Amount, p.Currency, numbers).Text
	}
	if p.ApprovalID != "" && p.AttemptID == "" {
		what += " requested"
	}
	when := relative(p.At, now, loc)
	if d := now.Sub(p.At); d > -time.Minute && d < time.Minute {
		when = "just now"
	}
	return what + " by " + orDash(p.By) + " " + when + " (" + priorStates[p.State] + ")."
}

// TwinIntent is the box for a *orders.TwinError: the earlier changes and
// the checkbox that confirms another one.
func TwinIntent(e *orders.TwinError, numbers string, now time.Time, loc *time.Location) *Intent {
	in := &Intent{Token: e.Token}
	for _, t := range e.Twins {
		in.Lines = append(in.Lines, PriorLine(t, numbers, now, loc))
	}
	amount := ""
	if e.Amount > 0 {
		amount = " " + newMoney(e.Amount, e.Currency, numbers).Text
	}
	if len(e.Twins) == 1 {
		in.Heading = "Not sent: the same " + opNoun(e.Op) + " was made or asked for recently"
	} else {
		in.Heading = "Not sent: the same " + opNoun(e.Op) + " was made or asked for " + plural(len(e.Twins), "time") + " recently"
	}
	in.Label = opVerb(e.Op) + " another" + amount + "?"
	if e.Op == omclient.OpCancel || e.Op == omclient.OpReleaseRemaining || e.Op == omclient.OpUpdateAuthorization {
		in.Label = strings.TrimSuffix(opVerb(e.Op)+amount, " ") + " as well?"
	}
	return in
}

// UnsettledIntent is the box for a *orders.UnsettledError: nothing can be
// confirmed; the earlier change must be checked first.
func UnsettledIntent(e *orders.UnsettledError, orderHref, numbers string, now time.Time, loc *time.Location) *Intent {
	return &Intent{
		Heading:   "Not sent: an earlier " + opNoun(e.Prior.Op) + " on this order has an unknown outcome",
		Lines:     []string{PriorLine(e.Prior, numbers, now, loc), "Its answer was lost, so the provider may have applied it. No money change is sent on this order until it is checked: use “Check now” on the order page."},
		CheckHref: orderHref + "#unsettled",
	}
}
