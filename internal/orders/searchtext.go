package orders

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"ordercare/internal/omclient"
)

// FieldKind is what a searchable value of an order is. The result row
// names the kind that matched ("Capture reference DN-855912").
//
// To add a kind (such as a shop's order number): add a constant here, its
// label in fieldLabels, its full-text column in Column, and the values in
// searchFields. Stored orders get it when they are next read.
type FieldKind string

const (
	KindOrderID           FieldKind = "order_id"
	KindMerchantRef1      FieldKind = "merchant_reference1"
	KindMerchantRef2      FieldKind = "merchant_reference2"
	KindProviderRef       FieldKind = "provider_reference"
	KindCaptureID         FieldKind = "capture_id"
	KindCaptureRef        FieldKind = "capture_reference"
	KindCaptureProviderRf FieldKind = "capture_provider_reference"
	KindRefundID          FieldKind = "refund_id"
	KindRefundRef         FieldKind = "refund_reference"
	KindEmail             FieldKind = "email"
	KindName              FieldKind = "name"
	KindOrganization      FieldKind = "organization"
	KindPhone             FieldKind = "phone"
	// KindShopNumber is the shop's order number, the one the customer
	// quotes, from the shop's twin as last read (shop_snapshot.go).
	KindShopNumber FieldKind = "shop_number"
)

var fieldLabels = map[FieldKind]string{
	KindOrderID: "Order id", KindMerchantRef1: "Merchant reference", KindMerchantRef2: "Merchant reference 2",
	KindProviderRef: "Provider reference", KindCaptureID: "Capture id", KindCaptureRef: "Capture reference",
	KindCaptureProviderRf: "Capture provider reference", KindRefundID: "Refund id", KindRefundRef: "Refund reference",
	KindEmail: "E-mail", KindName: "Name", KindOrganization: "Organisation", KindPhone: "Phone",
	KindShopNumber: "Shop order number",
}

// Label is the kind as the result row names it.
func (k FieldKind) Label() string {
	if l, ok := fieldLabels[k]; ok {
		return l
	}
	return string(k)
}

// Column is the full-text column that holds values of the kind. Names,
// e-mails and references are matched word by word; phones by digits.
func (k FieldKind) Column() string {
	switch k {
	case KindName, KindOrganization:
		return "names"
	case KindEmail:
		return "emails"
	case KindPhone:
		return "phones"
	default:
		return "refs"
	}
}

// Reference reports whether an exact match of the kind identifies one
// order well enough to open it without a list: ids and the provider's
// references do. A merchant reference is the shop's own field (some shops
// put a customer number there, shared by many orders), so it lists.
func (k FieldKind) Reference() bool {
	switch k {
	case KindName, KindOrganization, KindEmail, KindPhone, KindMerchantRef1, KindMerchantRef2:
		return false
	}
	return true
}

// Field is one searchable value of an order, as the provider sent it.
type Field struct {
	Kind  FieldKind
	Value string
}

// searchFields lists the order's searchable values, in the order a match
// is reported when several match equally well.
func searchFields(o *omclient.Order) []Field {
	var out []Field
	add := func(k FieldKind, v string) {
		v = strings.Join(strings.FieldsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
		if v == "" {
			return
		}
		for _, f := range out {
			if f.Kind == k && f.Value == v {
				return
			}
		}
		out = append(out, Field{k, v})
	}
	add(KindOrderID, o.OrderID)
	add(KindMerchantRef1, string(o.MerchantReference1))
	add(KindMerchantRef2, string(o.MerchantReference2))
	add(KindProviderRef, string(o.KlarnaReference))
	for _, c := range o.Captures {
		add(KindCaptureRef, string(c.Reference))
		add(KindCaptureID, c.CaptureID)
		add(KindCaptureProviderRf, string(c.KlarnaReference))
	}
	for _, r := range o.Refunds {
		add(KindRefundRef, string(r.Reference))
		add(KindRefundID, r.RefundID)
	}
	for _, a := range []*omclient.Address{o.BillingAddress, o.ShippingAddress} {
		if a != nil {
			add(KindName, string(a.GivenName)+" "+string(a.FamilyName))
			add(KindOrganization, string(a.OrganizationName))
		}
	}
	for _, a := range []*omclient.Address{o.BillingAddress, o.ShippingAddress} {
		if a != nil {
			add(KindEmail, string(a.Email))
		}
	}
	for _, a := range []*omclient.Address{o.BillingAddress, o.ShippingAddress} {
		if a != nil {
			add(KindPhone, string(a.Phone))
		}
	}
	return out
}

// Stored form of the fields in order_index.search_fields: kind and value
// separated by US, fields by RS (searchFields removes control characters
// from values).
const (
	fieldSep = "\x1e"
	kindSep  = "\x1f"
)

func encodeFields(fs []Field) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = string(f.Kind) + kindSep + f.Value
	}
	return strings.Join(parts, fieldSep)
}

func decodeFields(s string) []Field {
	if s == "" {
		return nil
	}
	var out []Field
	for part := range strings.SplitSeq(s, fieldSep) {
		if k, v, ok := strings.Cut(part, kindSep); ok {
			out = append(out, Field{FieldKind(k), v})
		}
	}
	return out
}

// fold is the form both the index and a query are matched in: lower case,
// accents removed (è→e, å→a, ä→a), and the letters that are not a base
// letter plus an accent spelled the way people type them without it
// (ø→o, ß→ss, æ→ae).
func fold(s string) string {
	if ascii(s) { // the common case, without normalising
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFKD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		switch r {
		case 'ß':
			b.WriteString("ss")
		case 'ø':
			b.WriteByte('o')
		case 'æ':
			b.WriteString("ae")
		case 'œ':
			b.WriteString("oe")
		case 'þ':
			b.WriteString("th")
		case 'đ', 'ð':
			b.WriteByte('d')
		case 'ł':
			b.WriteByte('l')
		case 'ı':
			b.WriteByte('i')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// tokenChar is a character inside a word, as the full-text tokenizer
// (unicode61 with tokenchars '-_') splits: a reference like DN-855912 is
// one word, an e-mail address is several (anna, berg, example, fr).
func tokenChar(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_'
}

func tokens(folded string) []string {
	return strings.FieldsFunc(folded, func(r rune) bool { return !tokenChar(r) })
}

// indexText is what a field contributes to its full-text column: its
// folded words, and for names also each part of a hyphenated name
// ("anna-karin" is found by "karin"); for phones, the digit forms a number
// is typed in (digitForms).
func indexText(f Field) string {
	folded := fold(f.Value)
	switch f.Kind.Column() {
	case "phones":
		return strings.Join(digitForms(f.Value), " ")
	case "names":
		return folded + " " + strings.ReplaceAll(strings.ReplaceAll(folded, "-", " "), "_", " ")
	}
	return folded
}

// digitForms are the forms a phone number's digits are typed in: as
// stored (with the country code, "46701234567"), and with a country code
// of one to three digits dropped ("701234567", the national number
// without its leading 0). A query drops "00" and a leading "0", so any of
// "+46 70-123 45 67", "0046701234567", "070 123 45 67" and "70 123"
// finds the number.
func digitForms(phone string) []string {
	d := nationalDigits(phone)
	if len(d) < 5 {
		return nil
	}
	forms := []string{d}
	if strings.HasPrefix(strings.TrimSpace(phone), "+") || strings.HasPrefix(strings.TrimSpace(phone), "00") {
		for cc := 1; cc <= 3 && len(d)-cc >= 5; cc++ {
			forms = append(forms, strings.TrimPrefix(d[cc:], "0"))
		}
	}
	return forms
}

// nationalDigits is the digits of a phone number without a leading "00"
// (international prefix) or "0" (trunk prefix).
func nationalDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	d = strings.TrimPrefix(d, "00")
	return strings.TrimPrefix(d, "0")
}

// phoneQuery returns the digits to look up when q reads as a phone number
// (digits with the usual separators, at least 5 digits), else "".
func phoneQuery(q string) string {
	for _, r := range q {
		if !(r >= '0' && r <= '9' || strings.ContainsRune(" +-()./", r)) {
			return ""
		}
	}
	if d := nationalDigits(q); len(d) >= 5 {
		return d
	}
	return ""
}

// queryWords are the words of a query, folded; a word is matched as the
// start of a phrase of the index's words ("example.fr" is "example" then
// a word starting "fr"). Words without a letter or digit are dropped.
func queryWords(q string) []string {
	var out []string
	for _, w := range strings.Fields(fold(q)) {
		if strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			out = append(out, w)
		}
	}
	return out
}

// matchExpr is the FTS5 query for q: every word must start a phrase in
// the names, e-mails or references (in any order), or, when q reads as a
// phone number, its digits must start one of the phone forms. "" when q
// has nothing to match.
//
// With widen, the last word of each phrase is cut to the longest prefix
// the table has an index for (prefixIndexMax), so that FTS5 reads one
// doclist lazily, newest first, instead of first merging the doclists of
// every word that starts so (which for "anna" or "andersson" means 100,000
// rows before the first result). The rows then match a wider query and
// are checked against q (matchesAll). widened reports whether any word
// was cut.
func matchExpr(q string, widen bool) (expr string, widened bool) {
	var phrases []string
	for _, w := range queryWords(q) {
		toks := tokens(w)
		if len(toks) == 0 {
			toks = []string{w}
		}
		if last := []rune(toks[len(toks)-1]); widen && len(last) > prefixIndexMax {
			toks[len(toks)-1], widened = string(last[:prefixIndexMax]), true
		}
		phrases = append(phrases, `"`+strings.ReplaceAll(strings.Join(toks, " "), `"`, `""`)+`"*`)
	}
	words := ""
	if len(phrases) > 0 {
		words = `{names emails refs} : (` + strings.Join(phrases, " AND ") + `)`
	}
	if d := phoneQuery(q); d != "" {
		if words == "" {
			return `phones : "` + d + `"*`, widened
		}
		return `(phones : "` + d + `"*) OR (` + words + `)`, widened
	}
	return words, widened
}

// prefixIndexMax is the longest prefix order_search has an index for
// (its prefix='1 2 3').
const prefixIndexMax = 3

// matchesAll reports whether the order's fields match q as matchExpr's
// exact query does: every word starts a phrase in some name, e-mail or
// reference, or the phone digits start a phone number's form.
func matchesAll(q string, fields []Field) bool {
	if d := phoneQuery(q); d != "" {
		for _, f := range fields {
			if f.Kind == KindPhone && phoneMatches(d, f.Value) {
				return true
			}
		}
	}
	words := queryWords(q)
	if len(words) == 0 {
		return false
	}
	fieldTokens := make([][]string, 0, len(fields))
	for _, f := range fields {
		if f.Kind != KindPhone {
			fieldTokens = append(fieldTokens, tokens(indexText(f)))
		}
	}
	for _, w := range words {
		wt, found := tokens(w), false
		for _, ft := range fieldTokens {
			if phraseMatches(wt, ft) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// MatchedField is the field of a result that the query matched: the
// result row shows it, so the agent sees why an order is listed.
type MatchedField struct {
	Kind  FieldKind
	Value string
	// Exact: the whole value is the query (case and accents aside).
	Exact bool
}

// matchedField picks, among the order's fields, the one that matches the
// most words of q, preferring a word found as typed ("camille.lefevre" is
// the e-mail, not the name), then the first in searchFields' order.
func matchedField(q string, fields []Field) (MatchedField, bool) {
	words := queryWords(q)
	digits := phoneQuery(q)
	var best MatchedField
	bestN := 0
	for _, f := range fields {
		n := 0
		if f.Kind == KindPhone {
			if digits != "" && phoneMatches(digits, f.Value) {
				n = 3*len(words) + 1
			}
		} else {
			vt := tokens(indexText(f))
			folded := fold(f.Value)
			for _, w := range words {
				if phraseMatches(tokens(w), vt) {
					n += 2
					if strings.Contains(folded, w) { // as typed, punctuation too
						n++
					}
				}
			}
		}
		if n > bestN {
			bestN = n
			best = MatchedField{Kind: f.Kind, Value: f.Value, Exact: strings.Join(tokens(fold(f.Value)), " ") == strings.Join(tokens(fold(q)), " ")}
		}
	}
	return best, bestN > 0
}

func phoneMatches(digits, phone string) bool {
	for _, form := range digitForms(phone) {
		if strings.HasPrefix(form, digits) {
			return true
		}
	}
	return false
}

// phraseMatches reports whether the words of q follow each other
// somewhere in value, the last one as a prefix: what FTS5's `"a b"*`
// matches.
func phraseMatches(q, value []string) bool {
	if len(q) == 0 {
		return false
	}
	for i := 0; i+len(q) <= len(value); i++ {
		ok := true
		for j, w := range q {
			last := j == len(q)-1
			if (last && !strings.HasPrefix(value[i+j], w)) || (!last && value[i+j] != w) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}
