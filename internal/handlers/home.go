package handlers

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/staff"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// recentOnHome is how many recently opened orders the start page lists.
const recentOnHome = 20

// home is the start page: orders whose authorization expires within three
// days (money the merchant loses if nobody captures it), soonest first,
// and the last orders this member opened.
func (h *Handlers) home(c echo.Context) error {
	ctx := c.Request().Context()
	now := h.now()
	var staffID int64
	if m := h.currentStaff(c); m != nil {
		staffID = m.ID
	}
	recent, err := h.Index.RecentlyViewed(ctx, staffID, recentOnHome)
	if err != nil {
		return err
	}
	expiring, err := h.Index.ExpiringSoon(ctx, now, view.ExpiringWithin)
	if err != nil {
		return err
	}
	v := view.NewHomeView(recent, expiring, now, agentZone(c), h.numbers(c))
	if h.Shop != nil {
		// From the index's last read of each twin: no shop call here.
		ms, err := h.Index.ShopMismatches(ctx, now, view.ShopExpiringWithin)
		if err != nil {
			return err
		}
		v.Shop = view.NewHomeShop(ms, h.shopName(), now, agentZone(c), h.numbers(c))
	}
	if v.Notices, err = h.homeNotices(c); err != nil {
		return err
	}
	// The page (and its navigation count) is built after the decisions
	// were marked seen: looking at them here clears them.
	return renderPage(c, http.StatusOK, h.page(c, "Start", view.NavHome), templates.HomePage(v))
}

// homeNotices reads what waits for the signed-in member: the decisions on
// their requests since they last looked (then marked seen), and for
// supervisors and admins the requests they may decide and the start of
// the review queue.
func (h *Handlers) homeNotices(c echo.Context) (view.HomeNotices, error) {
	var n view.HomeNotices
	m := h.currentStaff(c)
	if m == nil {
		return n, nil
	}
	ctx := c.Request().Context()
	viewer, now, loc := h.approvalViewer(c, m), h.now(), agentZone(c)
	if h.Approvals != nil && m.Role != staff.RoleAuditor {
		rs, err := h.Approvals.Unseen(ctx, m.ID)
		if err != nil {
			return n, err
		}
		n.Decisions = view.NewDecisionNotices(rs, viewer, now, loc)
		if err := h.Approvals.MarkSeen(ctx, m.ID, rs); err != nil {
			return n, err
		}
	}
	if !canSupervise(m) {
		return n, nil
	}
	n.Decides = true
	if h.Approvals != nil {
		rs, err := h.decidable(c)
		if err != nil {
			return n, err
		}
		n.SetWaiting(rs, viewer, now, loc)
	}
	if h.Audit != nil {
		q, err := h.Audit.ToReview(ctx, "", audit.ReviewOptions{Location: loc})
		if err != nil {
			return n, err
		}
		n.SetReview(q, loc, h.numbers(c))
	}
	return n, nil
}

// zoneCookie holds the agent's IANA time zone ("Europe/Stockholm"), set by
// the browser, so times show in the agent's zone rather than the server's.
const zoneCookie = "tz"

var zoneCache sync.Map // name -> *time.Location

// agentZone is the zone named by the tz cookie, or UTC when the cookie is
// missing (no JavaScript) or names no zone: the server's own zone would be
// labelled "Local", which tells the reader nothing.
func agentZone(c echo.Context) *time.Location {
	ck, err := c.Cookie(zoneCookie)
	if err != nil {
		return time.UTC
	}
	return zoneNamed(ck.Value)
}

func zoneNamed(name string) *time.Location {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 64 || strings.Contains(name, "..") || strings.HasPrefix(name, "/") {
		return time.UTC
	}
	if loc, ok := zoneCache.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	zoneCache.Store(name, loc)
	return loc
}
