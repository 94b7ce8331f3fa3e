package handlers

import "github.com/labstack/echo/v4"

// htmx request and response headers (htmx.org/reference/#headers).
const (
	hxRequest        = "HX-Request"
	hxBoosted        = "HX-Boosted"
	hxHistoryRestore = "HX-History-Restore-Request"
	hxCurrentURL     = "HX-Current-URL"
	hxTarget         = "HX-Target"
	hxRedirect       = "HX-Redirect"
	hxPushURL        = "HX-Push-Url"
	hxRetarget       = "HX-Retarget"
	hxReswap         = "HX-Reswap"
	hxTrigger        = "HX-Trigger"
)

// isHTMX reports whether the request wants a fragment: an htmx request that
// is neither boosted nor a history restore (those need the whole page).
func isHTMX(c echo.Context) bool {
	h := c.Request().Header
	return h.Get(hxRequest) == "true" && h.Get(hxBoosted) != "true" && h.Get(hxHistoryRestore) != "true"
}

// fromHTMX reports whether htmx sent the request at all (boosted included):
// such requests follow HX-Redirect rather than a 3xx.
func fromHTMX(c echo.Context) bool {
	return c.Request().Header.Get(hxRequest) == "true"
}
