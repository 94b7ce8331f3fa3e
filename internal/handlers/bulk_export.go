package handlers

import (
	"encoding/csv"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/bulk"
	"ordercare/internal/money"
)

// bulkExportColumns is the header row of a bulk change's outcomes as CSV:
// one row per order, amounts as decimals beside their currency (the form
// a spreadsheet sums), times RFC 3339 in UTC.
var bulkExportColumns = []string{"job_id", "operation", "reason", "ticket", "started_by", "seq", "order_id", "provider_reference",
	"amount", "currency", "outcome", "message", "attempt_id", "approval_id", "updated_at"}

// exportBulkJob writes the outcome of every order of a bulk change as CSV,
// for the agent's records or the helpdesk: which orders were sent, which
// were refused and why, which wait for approval. A job holds at most a few
// hundred orders, so it is written in one go. The export is recorded in
// the audit log, as the order list's is.
func (h *Handlers) exportBulkJob(c echo.Context) error {
	if h.Bulk == nil {
		return publicError(http.StatusNotFound, "Bulk changes are not available.")
	}
	ctx := c.Request().Context()
	j, items, err := h.Bulk.Job(ctx, c.Param("id"))
	if errors.Is(err, bulk.ErrNotFound) {
		return publicError(http.StatusNotFound, "There is no such bulk change.")
	}
	if err != nil {
		return err
	}
	if _, err := h.Audit.Append(ctx, audit.Event{Kind: audit.KindExport, Actor: h.actor(c),
		Detail: map[string]string{"filter.list": "bulk", "filter.job": j.ID, "format": "csv"}}); err != nil {
		return err
	}
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	hd.Set(echo.HeaderContentDisposition, `attachment; filename="ordercare-bulk-`+j.ID+`.csv"`)
	cw := csv.NewWriter(c.Response())
	cw.UseCRLF = true
	_ = cw.Write(bulkExportColumns) // errors surface in cw.Error below
	for _, it := range items {
		updated := ""
		if !it.UpdatedAt.IsZero() {
			updated = it.UpdatedAt.UTC().Format(time.RFC3339)
		}
		_ = cw.Write([]string{j.ID, string(j.Op), audit.Neutralise(j.Reason), audit.Neutralise(j.Ticket), j.By.Email,
			strconv.Itoa(it.Seq), it.OrderID, audit.Neutralise(it.OrderRef), money.FormatPlain(it.Amount, it.Currency), it.Currency,
			string(it.State), audit.Neutralise(it.Message), it.AttemptID, it.ApprovalID, updated})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		h.Log.Error("bulk export broke off", slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
	}
	return nil
}
