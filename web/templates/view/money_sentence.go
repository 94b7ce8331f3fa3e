package view

import (
	"regexp"
	"strings"

	"ordercare/internal/money"
)

// plainAmount is an amount in the plain form the back office records
// everywhere (money.FormatPlain and the ISO code: "500.00 EUR",
// "1000 JPY"): in the audit trail's before and after values, and in the
// sentences it stores with a change (why a request waits for approval,
// why a check settled an unknown outcome, a bulk job's limit).
// The amount starts a word that is not part of a longer number ("A1.00").
var plainAmount = regexp.MustCompile(`(?:^|[^\w.,])(\d+(?:\.\d+)?) ([A-Z]{3})\b`)

// MoneyIn rewrites every amount written in the plain form within sentence
// the way this reader reads money (money.Show: "€500.00", "500,00 €",
// "1 000,00 SEK"), so a stored sentence reads like the rest of the page.
// The plain form is exact (the minor units and the currency), so old and
// new rows alike are shown from their figures; anything that does not
// read as an amount of a known currency is left as written.
func MoneyIn(sentence, numbers string) string {
	var b strings.Builder
	last := 0
	for _, m := range plainAmount.FindAllStringSubmatchIndex(sentence, -1) {
		amount, cur := sentence[m[2]:m[3]], sentence[m[4]:m[5]]
		b.WriteString(sentence[last:m[2]])
		b.WriteString(plainMoney(amount, cur, numbers, sentence[m[2]:m[5]]))
		last = m[5]
	}
	b.WriteString(sentence[last:])
	return b.String()
}

// plainMoney is amount (plain form) of cur for this reader, or as when it
// is not an amount of a known currency.
func plainMoney(amount, cur, numbers, as string) string {
	if len(cur) != 3 || !money.Known(cur) {
		return as
	}
	n, err := money.Parse(amount, cur)
	if err != nil {
		return as
	}
	return newMoney(n, cur, numbers).Text
}
