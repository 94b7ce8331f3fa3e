package money

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// AnyCurrency is the key of an amount that applies, in each currency's
// own minor units, to every currency not named ("*:20000").
const AnyCurrency = "*"

// ParseAmounts reads a list of per-currency amounts in minor units, such as
// "EUR:50000,SEK:500000,USD:50000" (spaces allowed), with "*:20000" for
// every currency not named (AnyCurrency, in that currency's minor units).
// Empty means none. name is the setting's name, for the messages.
func ParseAmounts(name, s string) (map[string]int64, error) {
	out := map[string]int64{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	for part := range strings.SplitSeq(s, ",") {
		cur, amount, ok := strings.Cut(strings.TrimSpace(part), ":")
		cur = strings.ToUpper(strings.TrimSpace(cur))
		amount = strings.TrimSpace(amount)
		if !ok || cur == "" || amount == "" {
			return nil, fmt.Errorf("%s: %q is not CURRENCY:AMOUNT (minor units), as in EUR:50000", name, strings.TrimSpace(part))
		}
		if cur != AnyCurrency && !Known(cur) {
			return nil, fmt.Errorf("%s: %q is not a currency the provider accepts (or * for every other currency)", name, cur)
		}
		v, err := strconv.ParseInt(amount, 10, 64)
		if err != nil || v < 0 || v > MaxAmount {
			return nil, fmt.Errorf("%s: %s amount %q is not a whole number of minor units between 0 and %d (EUR:50000 is 500.00 EUR)",
				name, cur, amount, MaxAmount)
		}
		if _, dup := out[cur]; dup {
			return nil, fmt.Errorf("%s: %s is given twice", name, cur)
		}
		out[cur] = v
	}
	return out, nil
}

// FormatAmounts writes amounts back in ParseAmounts' form, sorted by
// currency (for the start-up log and the settings shown to supervisors).
func FormatAmounts(m map[string]int64) string {
	curs := make([]string, 0, len(m))
	for c := range m {
		curs = append(curs, c)
	}
	slices.Sort(curs)
	parts := make([]string, len(curs))
	for i, c := range curs {
		parts[i] = c + ":" + strconv.FormatInt(m[c], 10)
	}
	return strings.Join(parts, ",")
}
