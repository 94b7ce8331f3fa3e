package orders

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"ordercare/internal/money"
	"ordercare/internal/omclient"
)

// EncodeFingerprint writes the fingerprint as text, the way the change
// forms carry it in their "expected" field: "v1.<status>.<order>.<captured>.<refunded>.<captures>.<refunds>".
func EncodeFingerprint(fp Fingerprint) string {
	return strings.Join([]string{"v1", string(fp.Status),
		strconv.FormatInt(fp.OrderAmount, 10), strconv.FormatInt(fp.CapturedAmount, 10), strconv.FormatInt(fp.RefundedAmount, 10),
		strconv.Itoa(fp.Captures), strconv.Itoa(fp.Refunds)}, ".")
}

// errFingerprint: the text is not one EncodeFingerprint wrote.
var errFingerprint = errors.New("orders: damaged order fingerprint")

// ParseFingerprint reads EncodeFingerprint's text strictly: a known status,
// non-negative amounts within the API's limit, and exactly the text
// EncodeFingerprint would write, so an edited or truncated value is an
// error rather than a different order state.
func ParseFingerprint(s string) (Fingerprint, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 7 || parts[0] != "v1" || !slices.Contains(omclient.Statuses, omclient.Status(parts[1])) {
		return Fingerprint{}, errFingerprint
	}
	var n [5]int64
	for i, p := range parts[2:] {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil || v < 0 || (i < 3 && v > money.MaxAmount) || (i >= 3 && v > 100000) {
			return Fingerprint{}, errFingerprint
		}
		n[i] = v
	}
	fp := Fingerprint{Status: omclient.Status(parts[1]), OrderAmount: n[0], CapturedAmount: n[1], RefundedAmount: n[2],
		Captures: int(n[3]), Refunds: int(n[4])}
	if EncodeFingerprint(fp) != s {
		return Fingerprint{}, errFingerprint
	}
	return fp, nil
}
