package audit

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"testing"
	"time"

	"ordercare/internal/db/dbtest"
)

// TestExportCSVAmountAsDecimalWithCurrency: the export gives each
// change's amount as a person reads it, beside the order's currency,
// so a spreadsheet sums euros rather than cents.
func TestExportCSVAmountAsDecimalWithCurrency(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		l, _ := openOn(t, be, Options{})
		appendAttempt(t, l, attemptSpec{id: "m1", at: time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC), staff: 1, order: "order-1",
			action: "create_capture", outcome: OutcomeSucceeded, body: `{"captured_amount":14997}`})
		var buf bytes.Buffer
		if _, err := l.ExportCSV(context.Background(), &buf, Actor{StaffID: 9, Email: "auditor@example.com", Role: "auditor"}, Filter{}); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil || len(recs) != 2 {
			t.Fatalf("%d records, %v", len(recs), err)
		}
		col := func(name string) string {
			i := slices.Index(recs[0], name)
			if i < 0 {
				t.Fatalf("no column %s in %v", name, recs[0])
			}
			return recs[1][i]
		}
		if col("amount_decimal") != "149.97" || col("currency") != "EUR" || col("amount") != "14997" {
			t.Errorf("amount %q, amount_decimal %q, currency %q; want 14997, 149.97, EUR", col("amount"), col("amount_decimal"), col("currency"))
		}
	})
}
