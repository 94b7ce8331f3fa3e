package handlers

import (
	"encoding/csv"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/money"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// orderExportColumns is the header row of the order list's CSV export.
// Amounts are decimals in major units ("149.97") beside their currency,
// the form a spreadsheet sums; times are RFC 3339 in UTC.
var orderExportColumns = []string{"order_id", "created_at", "status", "amount", "remaining_authorized_amount", "currency",
	"merchant_reference1", "merchant_reference2", "provider_reference", "customer", "email", "expires_at", "last_read_at"}

// exportOrders streams every order of the filtered list (the same query,
// status and filters as the page) as CSV, newest first. Rows are written
// as they are read and flushed every 1,000, so a million-row export holds
// one row in memory. The export is recorded in the audit log: the file
// holds customers' names and e-mail addresses.
func (h *Handlers) exportOrders(c echo.Context) error {
	ctx := c.Request().Context()
	loc := agentZone(c)
	q := strings.TrimSpace(c.QueryParam("q"))
	status := strings.ToUpper(strings.TrimSpace(c.QueryParam("status")))
	if !view.ValidStatus(status) {
		return publicError(http.StatusBadRequest, "Unknown status.")
	}
	if len([]rune(q)) > view.MaxQueryLen {
		return publicError(http.StatusBadRequest, "That search is too long.")
	}
	sq, filter, err := h.listQuery(c, q, status, loc)
	if err != nil {
		return err
	}
	if len(filter.Errors) > 0 {
		return publicError(http.StatusBadRequest, "A filter could not be read; correct it on the orders page.")
	}
	detail := map[string]string{"filter.list": "orders", "format": "csv"}
	for k, v := range view.ListHrefValues(q, status, filter) {
		detail["filter."+k] = strings.Join(v, ",")
	}
	if _, err := h.Audit.Append(ctx, audit.Event{Kind: audit.KindExport, Actor: h.actor(c), Detail: detail}); err != nil {
		return err
	}
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	hd.Set(echo.HeaderContentDisposition, `attachment; filename="ordercare-orders-`+h.now().In(loc).Format("20060102-1504")+`.csv"`)
	cw := csv.NewWriter(c.Response())
	cw.UseCRLF = true
	var n int64
	write := func(cells []string) error {
		if err := cw.Write(cells); err != nil {
			return err
		}
		if n++; n%1000 == 0 {
			cw.Flush()
			c.Response().Flush()
		}
		return cw.Error()
	}
	err = write(orderExportColumns)
	if err == nil {
		err = h.Index.Each(ctx, sq, func(o orders.IndexedOrder) error { return write(orderExportRecord(o)) })
	}
	if err == nil {
		cw.Flush()
		err = cw.Error()
	}
	if err != nil {
		if !c.Response().Committed {
			hd.Del(echo.HeaderContentDisposition)
			hd.Del(echo.HeaderContentType)
			return err
		}
		// Part of the file is out: the download breaks off (the browser
		// reports it as failed), and the log says why.
		h.Log.Error("order export broke off", slog.Int64("rows", n-1), slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
		return nil
	}
	h.Log.Info("orders exported", slog.Int64("rows", n-1), slog.String("request_id", requestIDOf(c)))
	return nil
}

func orderExportRecord(o orders.IndexedOrder) []string {
	utc := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	return []string{o.OrderID, utc(o.CreatedAt), string(o.Status), money.FormatPlain(o.Amount, o.Currency),
		money.FormatPlain(o.RemainingAuthorized, o.Currency), o.Currency,
		audit.Neutralise(o.MerchantReference1), audit.Neutralise(o.MerchantReference2), audit.Neutralise(o.KlarnaReference),
		audit.Neutralise(o.CustomerName), audit.Neutralise(o.Email), utc(o.ExpiresAt), utc(o.LastReadAt)}
}
