package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/internal/bulk"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// showBulkJob is GET /bulk/:id, and GET /bulk/:id/progress its progress
// part for the page's polling.
func (h *Handlers) showBulkJob(c echo.Context) error {
	if h.Bulk == nil {
		return publicError(http.StatusNotFound, "Bulk changes are not available.")
	}
	j, items, err := h.Bulk.Job(c.Request().Context(), c.Param("id"))
	if errors.Is(err, bulk.ErrNotFound) {
		return publicError(http.StatusNotFound, "There is no such bulk change.")
	}
	if err != nil {
		return err
	}
	v := view.NewBulkJobView(j, items, bulk.Count(items), bulk.Totals(items), agentZone(c), h.numbers(c))
	if c.Path() == bulkProgressPath {
		return render(c, http.StatusOK, templates.BulkProgress(v))
	}
	return renderPage(c, http.StatusOK, h.page(c, v.OpLabel+": bulk change", view.NavOrders), templates.BulkJobPage(v))
}

// bulkProgressPath is the route of the progress part alone.
const bulkProgressPath = "/bulk/:id/progress"
