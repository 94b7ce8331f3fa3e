package audit

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"ordercare/internal/db/dbtest"
)

func TestReviewIsANewEventAndLeavesTheQueue(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		l, _ := openOn(t, be, Options{})
		at := time.Date(2026, 6, 2, 10, 0, 0, 0, time.UTC) // a Tuesday, office hours
		appendAttempt(t, l, attemptSpec{id: "c1", at: at, staff: 1, order: "o1", action: "create_capture", outcome: OutcomeSucceeded, body: `{"captured_amount":1000}`})
		appendAttempt(t, l, attemptSpec{id: "c2", at: at.Add(time.Minute), staff: 1, order: "o2", action: "create_capture", outcome: OutcomeSucceeded, body: `{"captured_amount":1000}`})
		before, _ := l.Attempt(ctx, "c1")

		sup := Actor{StaffID: 5, Email: "sup@example.com", Role: "supervisor"}
		if _, err := l.Review(ctx, sup, "c1", ReviewFlagged, "  "); !errors.Is(err, ErrCommentRequired) {
			t.Fatalf("flag without comment: %v", err)
		}
		if _, err := l.Review(ctx, sup, "c1", "approved", ""); !errors.Is(err, ErrBadFilter) {
			t.Fatalf("unknown status: %v", err)
		}
		if _, err := l.Review(ctx, sup, "nope", ReviewReviewed, ""); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown attempt: %v", err)
		}
		e, err := l.Review(ctx, sup, "c1", ReviewFlagged, "amount looks wrong")
		if err != nil {
			t.Fatal(err)
		}
		if e.Kind != KindReview || e.AttemptID != "c1" || e.OrderID != "o1" || e.Reason != "amount looks wrong" || e.Detail["review"] != "flagged" || e.Actor.Email != "sup@example.com" {
			t.Fatalf("review event = %+v", e)
		}
		after, _ := l.Attempt(ctx, "c1")
		if after.Requested.Hash != before.Requested.Hash || after.Completed.Hash != before.Completed.Hash {
			t.Fatal("the attempt's own events changed")
		}
		row, _ := l.AttemptRowByID(ctx, "c1")
		if row.Review != "flagged" || row.ReviewSeq != e.Seq {
			t.Fatalf("row = %+v", row)
		}
		q, err := l.ToReview(ctx, "", ReviewOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := reviewIDs(q.Items); !slices.Equal(got, []string{"c2"}) || q.Pending != 1 {
			t.Fatalf("queue = %v pending %d, want [c2] 1", got, q.Pending)
		}
		// A later review supersedes: flagged -> reviewed.
		if _, err := l.Review(ctx, sup, "c1", ReviewReviewed, "checked with finance"); err != nil {
			t.Fatal(err)
		}
		if row, _ := l.AttemptRowByID(ctx, "c1"); row.Review != "reviewed" {
			t.Fatalf("review = %q", row.Review)
		}
		rs, err := l.Reviews(ctx, "c1")
		if err != nil || len(rs) != 2 || rs[0].Reason != "amount looks wrong" || rs[1].Detail["review"] != "reviewed" {
			t.Fatalf("reviews = %+v, %v", rs, err)
		}
		if res, err := l.Verify(ctx); err != nil || !res.OK {
			t.Fatalf("verify = %+v %v", res, err)
		}
	})
}

func reviewIDs(items []ReviewItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.AttemptID)
	}
	return out
}

func hintCodes(it ReviewItem) []string {
	var out []string
	for _, h := range it.Hints {
		out = append(out, h.Code)
	}
	return out
}

func TestToReviewOrderUnknownFirstAndHints(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		l, _ := openOn(t, be, Options{})
		tue := time.Date(2026, 6, 2, 9, 0, 0, 0, time.UTC)
		specs := []attemptSpec{
			{id: "cap", at: tue, staff: 1, order: "o1", action: "create_capture", outcome: OutcomeSucceeded, body: `{"captured_amount":10000}`},
			{id: "ref1", at: tue.Add(time.Hour), staff: 1, order: "o1", action: "create_refund", outcome: OutcomeSucceeded, body: `{"refunded_amount":3000}`},
			{id: "ref2", at: tue.Add(2 * time.Hour), staff: 1, order: "o1", action: "create_refund", outcome: OutcomeSucceeded, body: `{"refunded_amount":2000}`},
			{id: "night", at: time.Date(2026, 6, 2, 22, 30, 0, 0, time.UTC), staff: 2, order: "o2", action: "cancel", outcome: OutcomeSucceeded},
			{id: "sat", at: time.Date(2026, 6, 6, 11, 0, 0, 0, time.UTC), staff: 2, order: "o3", action: "release_remaining_authorization", outcome: OutcomeSucceeded},
			{id: "small", at: tue.Add(3 * time.Hour), staff: 1, order: "o4", action: "create_capture", outcome: OutcomeSucceeded, body: `{"captured_amount":1000}`},
			{id: "big", at: tue.Add(4 * time.Hour), staff: 1, order: "o4", action: "create_refund", outcome: OutcomeSucceeded, body: `{"refunded_amount":1500}`},
			{id: "unk-old", at: tue.Add(-time.Hour), staff: 3, order: "o5", action: "update_customer_details", outcome: OutcomeUnknown},
			{id: "unk", at: tue.Add(5 * time.Hour), staff: 3, order: "o6", action: "create_capture", outcome: OutcomeUnknown, body: `{"captured_amount":500}`},
			{id: "refused", at: tue.Add(6 * time.Hour), staff: 1, order: "o7", action: "create_capture", outcome: OutcomeRefused},
			{id: "address", at: tue.Add(7 * time.Hour), staff: 1, order: "o7", action: "update_customer_details", outcome: OutcomeSucceeded},
			{id: "open", at: tue.Add(8 * time.Hour), staff: 1, order: "o8", action: "create_refund"},
		}
		for _, s := range specs {
			appendAttempt(t, l, s)
		}
		q, err := l.ToReview(ctx, "", ReviewOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := reviewIDs(q.Unknown); !slices.Equal(got, []string{"unk-old", "unk"}) {
			t.Fatalf("unknown = %v, want oldest first, any action", got)
		}
		if got := reviewIDs(q.Items); !slices.Equal(got, []string{"cap", "ref1", "ref2", "small", "big", "night", "sat"}) {
			t.Fatalf("items = %v: money changes that succeeded, oldest first", got)
		}
		if q.Pending != 8 {
			t.Fatalf("pending = %d, want 8 (7 items + the unknown capture)", q.Pending)
		}
		byID := map[string]ReviewItem{}
		for _, it := range append(q.Unknown, q.Items...) {
			byID[it.AttemptID] = it
		}
		want := map[string][]string{
			"cap":   nil,
			"ref1":  {HintSeveralRefunds},
			"ref2":  {HintSeveralRefunds},
			"small": nil,
			"big":   {HintRefundExceeds},
			"night": {HintOffHours},
			"sat":   {HintOffHours},
		}
		for id, codes := range want {
			if got := hintCodes(byID[id]); !slices.Equal(got, codes) {
				t.Errorf("%s hints = %v, want %v", id, got, codes)
			}
		}
		if h := byID["big"].Hints; len(h) != 1 || !strings.Contains(h[0].Text, "15.00 EUR") || !strings.Contains(h[0].Text, "10.00 EUR") {
			t.Errorf("refund hint text = %v", h)
		}
		if it := byID["cap"]; it.Reason != "reason of cap" || it.Currency != "EUR" {
			t.Errorf("item = %+v", it)
		}
		// Office hours are judged in the viewer's zone: 22:30 UTC is 08:30
		// Wednesday in Brisbane, inside office hours there.
		bne := time.FixedZone("AEST", 10*3600)
		q2, err := l.ToReview(ctx, "", ReviewOptions{Location: bne})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range q2.Items {
			if it.AttemptID == "night" && len(it.Hints) != 0 {
				t.Errorf("night in Brisbane: %v", it.Hints)
			}
			if it.AttemptID == "cap" && !slices.Equal(hintCodes(it), []string{HintOffHours}) {
				t.Errorf("09:00 UTC is 19:00 in Brisbane: %v", it.Hints)
			}
		}

		// Checking an unknown outcome moves it into the queue; reviewing
		// takes it out.
		if _, err := l.Reconciled(ctx, Actor{StaffID: 5}, "unk", map[string]string{"status": "CAPTURED", "captured_amount": "5.00 EUR"}); err != nil {
			t.Fatal(err)
		}
		q, _ = l.ToReview(ctx, "", ReviewOptions{})
		if got := reviewIDs(q.Unknown); !slices.Equal(got, []string{"unk-old"}) || !slices.Contains(reviewIDs(q.Items), "unk") {
			t.Fatalf("after check: unknown %v items %v", got, reviewIDs(q.Items))
		}
		rs, _ := l.Reviews(ctx, "unk")
		if len(rs) != 1 || rs[0].Kind != KindReconciled || rs[0].Detail["status"] != "CAPTURED" || rs[0].OrderID != "o6" {
			t.Fatalf("reconciled = %+v", rs)
		}
		if _, err := l.Review(ctx, Actor{StaffID: 5}, "unk-old", ReviewReviewed, "customer confirmed the new address"); err != nil {
			t.Fatal(err)
		}
		if q, _ = l.ToReview(ctx, "", ReviewOptions{}); len(q.Unknown) != 0 {
			t.Fatalf("reviewed unknown still listed: %v", reviewIDs(q.Unknown))
		}
	})
}

func TestToReviewPages(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		l, _ := openOn(t, be, Options{})
		at := time.Date(2026, 6, 2, 9, 0, 0, 0, time.UTC)
		for i := range PageSize + 5 {
			appendAttempt(t, l, attemptSpec{id: "m" + string(rune('A'+i%26)) + time.Duration(i).String(), at: at.Add(time.Duration(i) * time.Second),
				staff: 1, order: "o", action: "cancel", outcome: OutcomeSucceeded})
		}
		q, err := l.ToReview(ctx, "", ReviewOptions{})
		if err != nil || len(q.Items) != PageSize || q.Next == "" {
			t.Fatalf("page 1: %d items next %q %v", len(q.Items), q.Next, err)
		}
		q2, err := l.ToReview(ctx, q.Next, ReviewOptions{})
		if err != nil || len(q2.Items) != 5 || q2.Next != "" || !q2.Items[0].Time.After(q.Items[PageSize-1].Time) {
			t.Fatalf("page 2: %d items next %q %v", len(q2.Items), q2.Next, err)
		}
	})
}
