package orders

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"ordercare/internal/omclient"
)

// ShopSnapshot is what the index keeps of an order's twin in the shop,
// as last read (the order page, a form, the background refresh): its
// number for search, and whether it disagrees with the payment order, so
// the start page can list the orders out of step from the index alone
// rather than asking the shop about every order on every view.
type ShopSnapshot struct {
	OrderID, ShopOrderID, Number string
	// Cancelled and Fulfilled are the shop's states; AddressDiffers: the
	// shipping addresses differed when the twin was read.
	Cancelled, Fulfilled, AddressDiffers bool
	// PaymentOpen: the payment order still held authorized money when the
	// twin was read (PaymentOpen); only then does a difference matter.
	PaymentOpen bool
	ReadAt      time.Time
}

// flagged: the twin disagrees while money is authorized. Only flagged
// snapshots are in the start page's index (order_shop_flagged), so the
// list costs what the flagged twins cost, not what every order's twin
// (nearly all cancelled or fulfilled in the end) would.
func (s ShopSnapshot) flagged() bool {
	return s.PaymentOpen && (s.Cancelled || s.Fulfilled || s.AddressDiffers)
}

// PaymentOpen reports whether the payment order still holds authorized
// money: the only time a twin out of step matters.
func PaymentOpen(o *omclient.Order) bool { return paymentOpen(o) }

func paymentOpen(o *omclient.Order) bool {
	return (o.Status == omclient.StatusAuthorized || o.Status == omclient.StatusPartCaptured) && o.RemainingAuthorizedAmount > 0
}

// withShopNumber puts the shop's number first among the references, so
// that a search for it reports it as what matched (the same text is
// often also merchant_reference1) and opens the order.
func withShopNumber(fields []Field, number string) []Field {
	if number == "" {
		return fields
	}
	fields = slices.DeleteFunc(slices.Clone(fields), func(f Field) bool { return f.Kind == KindShopNumber })
	return slices.Insert(fields, min(1, len(fields)), Field{KindShopNumber, number})
}

// RecordShop stores a twin as read. The shop number goes into the order's
// search words when it changed (and the order is indexed); the flags are
// written only when they changed or the stored read is older than
// ReadFreshness, so order pages of an unchanged twin write nothing.
func (ix *Index) RecordShop(ctx context.Context, s ShopSnapshot) error {
	var shopID, number string
	var c, f, a, fl int
	var read string
	err := ix.db.R.QueryRowContext(ctx, `SELECT s.shop_order_id, s.cancelled, s.fulfilled, s.address_differs, s.flagged, s.read_at,
		coalesce((SELECT shop_number FROM order_index WHERE order_id = s.order_id), '')
		FROM order_shop s WHERE s.order_id = ?`, s.OrderID).Scan(&shopID, &c, &f, &a, &fl, &read, &number)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("orders: shop snapshot %s: %w", s.OrderID, err)
	case shopID == s.ShopOrderID && number == s.Number && (c == 1) == s.Cancelled && (f == 1) == s.Fulfilled &&
		(a == 1) == s.AddressDiffers && (fl == 1) == s.flagged() && s.ReadAt.Sub(parseTime(read)) < ReadFreshness:
		return nil
	}
	tx, err := ix.db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("orders: shop snapshot %s: %w", s.OrderID, err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	if _, err := tx.ExecContext(ctx, `INSERT INTO order_shop (order_id, shop_order_id, cancelled, fulfilled, address_differs, flagged, read_at)
		VALUES (?,?,?,?,?,?,?) ON CONFLICT (order_id) DO UPDATE SET shop_order_id = excluded.shop_order_id,
		cancelled = excluded.cancelled, fulfilled = excluded.fulfilled, address_differs = excluded.address_differs,
		flagged = excluded.flagged, read_at = excluded.read_at WHERE excluded.read_at >= order_shop.read_at`,
		s.OrderID, s.ShopOrderID, b2i(s.Cancelled), b2i(s.Fulfilled), b2i(s.AddressDiffers), b2i(s.flagged()), fmtTime(s.ReadAt)); err != nil {
		return fmt.Errorf("orders: shop snapshot %s: %w", s.OrderID, err)
	}
	if err := setShopNumber(ctx, ix.words, tx, s.OrderID, s.Number); err != nil {
		return fmt.Errorf("orders: shop snapshot %s: %w", s.OrderID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("orders: shop snapshot %s: %w", s.OrderID, err)
	}
	return nil
}

// setShopNumber replaces the order's search words with the new shop
// number's, when the order is indexed and the number changed.
func setShopNumber(ctx context.Context, w words, tx *sql.Tx, orderID, number string) error {
	var old, stored string
	var rowid sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT shop_number, search_fields, search_rowid FROM order_index WHERE order_id = ?`, orderID).
		Scan(&old, &stored, &rowid)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && old == number) {
		return nil
	}
	if err != nil {
		return err
	}
	fields := slices.DeleteFunc(decodeFields(stored), func(f Field) bool { return f.Kind == KindShopNumber })
	fields = withShopNumber(fields, number)
	if _, err := tx.ExecContext(ctx, `UPDATE order_index SET shop_number = ?, search_fields = ? WHERE order_id = ?`,
		number, encodeFields(fields), orderID); err != nil {
		return err
	}
	if !rowid.Valid {
		return nil
	}
	if err := w.drop(ctx, tx, rowid.Int64, decodeFields(stored)); err != nil {
		return err
	}
	return w.put(ctx, tx, rowid.Int64, fields)
}

// b2i is a flag as the order_shop columns hold it (INTEGER 0 or 1 in
// both dialects).
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ShopMismatch is an order whose payment and shop states disagree, as the
// index last saw them.
type ShopMismatch struct {
	IndexedOrder
	// Kind: cancelled-authorized, fulfilled-not-captured or address.
	Kind        string
	ShopOrderID string
	ShopReadAt  time.Time
}

// maxShopMismatches caps the start page's list.
const maxShopMismatches = 100

// ShopMismatches lists the orders whose money is still authorized while
// their twin disagrees: cancelled in the shop; shipped in the shop with
// the authorization expiring within expiringWithin; addresses differing.
// Soonest expiry first. One indexed read (order_shop_flagged holds only
// twins out of step while money is authorized), whatever the number of
// orders.
func (ix *Index) ShopMismatches(ctx context.Context, now time.Time, expiringWithin time.Duration) ([]ShopMismatch, error) {
	ix.writeWaiting(ctx)
	// #nosec G202 -- indexedBy is a constant clause or none; values are ? parameters
	rows, err := ix.db.R.QueryContext(ctx, `SELECT `+indexColumns+`, s.shop_order_id, s.cancelled, s.fulfilled, s.read_at
		FROM order_shop s`+indexedBy(ix.db, "order_shop_flagged")+` JOIN order_index o ON o.order_id = s.order_id
		WHERE s.flagged = 1
		AND o.status IN ('AUTHORIZED', 'PART_CAPTURED') AND o.remaining_authorized_amount > 0
		AND (s.cancelled = 1 OR s.address_differs = 1 OR o.expires_at <= ?)
		ORDER BY o.expires_at, o.order_id LIMIT ?`, fmtTime(now.Add(expiringWithin)), maxShopMismatches)
	if err != nil {
		return nil, fmt.Errorf("orders: shop mismatches: %w", err)
	}
	defer rows.Close()
	var out []ShopMismatch
	for rows.Next() {
		var m ShopMismatch
		var cancelled, fulfilled bool
		var read string
		if m.IndexedOrder, err = scanIndexed(rows, &m.ShopOrderID, &cancelled, &fulfilled, &read); err != nil {
			return nil, fmt.Errorf("orders: shop mismatches: %w", err)
		}
		m.ShopReadAt = parseTime(read)
		switch {
		case cancelled:
			m.Kind = "cancelled-authorized"
		case fulfilled && !m.ExpiresAt.After(now.Add(expiringWithin)):
			m.Kind = "fulfilled-not-captured"
		default:
			m.Kind = "address"
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ShopStale lists up to n open orders (money still authorized) whose twin
// was read longest ago, never-read first: the background refresh's next
// batch.
func (ix *Index) ShopStale(ctx context.Context, n int) ([]string, error) {
	ix.writeWaiting(ctx)
	rows, err := ix.db.R.QueryContext(ctx, `SELECT o.order_id FROM order_index o LEFT JOIN order_shop s ON s.order_id = o.order_id
		WHERE o.status IN ('AUTHORIZED', 'PART_CAPTURED') ORDER BY coalesce(s.read_at, ''), o.order_id LIMIT ?`, n)
	if err != nil {
		return nil, fmt.Errorf("orders: shop refresh: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("orders: shop refresh: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
