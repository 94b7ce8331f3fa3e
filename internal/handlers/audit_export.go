package handlers

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
)

// exportAudit streams the attempts of the current filters as CSV. The
// export is recorded in the audit log before the first byte is sent; if
// that fails nothing is exported.
func (h *Handlers) exportAudit(c echo.Context) error {
	loc := agentZone(c)
	_, f, _, msg := h.auditFilter(c, loc)
	if msg != "" {
		return publicError(http.StatusBadRequest, msg)
	}
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	hd.Set(echo.HeaderContentDisposition, `attachment; filename="ordercare-audit-`+h.now().In(loc).Format("20060102-1504")+`.csv"`)
	n, err := h.Audit.ExportCSVWith(c.Request().Context(), c.Response(), h.actor(c), f, audit.ExportOptions{OrderReferences: h.orderReferences})
	if err != nil {
		if !c.Response().Committed {
			hd.Del(echo.HeaderContentDisposition)
			hd.Del(echo.HeaderContentType)
			return err
		}
		// Headers and part of the file are out: the download breaks off
		// (the browser reports it as failed), and the log says why.
		h.Log.Error("audit export broke off", slog.Int64("rows", n), slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
		return nil
	}
	h.Log.Info("audit exported", slog.Int64("rows", n), slog.String("request_id", requestIDOf(c)))
	return nil
}

// orderReferences gives the audit export an order's references from the
// order index ("" for an order the index has not seen).
func (h *Handlers) orderReferences(ctx context.Context, orderID string) (provider, merchant string, err error) {
	if h.Index == nil {
		return "", "", nil
	}
	o, _, err := h.Index.Get(ctx, orderID)
	return o.KlarnaReference, o.MerchantReference1, err
}
