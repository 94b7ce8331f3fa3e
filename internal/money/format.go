package money

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// nbsp separates digit groups and a symbol from its number, so that an
// amount never wraps across lines on screen.
const nbsp = "\u00a0"

// numberStyle is how one locale writes an amount of money: the CLDR
// conventions of the locales the providers sell in, kept small by hand
// instead of pulling in a CLDR table.
type numberStyle struct {
	decimal     string
	group       string
	minGroup    int  // integer digits needed before grouping starts (4: "1 234"; 5: "1234" but "12 345")
	symbolAfter bool // "12,50 €" instead of "€12.50"
	spaceBefore bool // "€ 12,50" (nl) when the symbol comes first
}

var (
	styleEnglish     = numberStyle{decimal: ".", group: ",", minGroup: 4}
	styleSpaceAfter  = numberStyle{decimal: ",", group: nbsp, minGroup: 4, symbolAfter: true}
	styleDotAfter    = numberStyle{decimal: ",", group: ".", minGroup: 4, symbolAfter: true}
	styleDutch       = numberStyle{decimal: ",", group: ".", minGroup: 4, spaceBefore: true}
	styleSwiss       = numberStyle{decimal: ".", group: "’", minGroup: 4, spaceBefore: true}
	styleAustrian    = numberStyle{decimal: ",", group: nbsp, minGroup: 4, spaceBefore: true}
	styleSpanish     = numberStyle{decimal: ",", group: ".", minGroup: 5, symbolAfter: true}
	stylePolish      = numberStyle{decimal: ",", group: nbsp, minGroup: 5, symbolAfter: true}
	styleBrazil      = numberStyle{decimal: ",", group: ".", minGroup: 4, spaceBefore: true}
	styleDotBefore   = numberStyle{decimal: ",", group: ".", minGroup: 4}
	stylePortugal    = numberStyle{decimal: ",", group: nbsp, minGroup: 5, symbolAfter: true}
	styleLatinAmeric = styleEnglish
)

// languageStyles maps a language (or language-REGION where the region
// changes the convention) to its style. Languages not listed write amounts
// the English way.
var languageStyles = map[string]numberStyle{
	"en": styleEnglish, "ja": styleEnglish, "zh": styleEnglish, "ko": styleEnglish,
	"th": styleEnglish, "ms": styleEnglish, "hi": styleEnglish,
	"sv": styleSpaceAfter, "nb": styleSpaceAfter, "nn": styleSpaceAfter, "no": styleSpaceAfter,
	"fi": styleSpaceAfter, "fr": styleSpaceAfter, "cs": styleSpaceAfter, "sk": styleSpaceAfter,
	"ru": styleSpaceAfter, "uk": styleSpaceAfter, "bg": styleSpaceAfter, "lt": styleSpaceAfter,
	"lv": styleSpaceAfter, "et": styleSpaceAfter, "hu": styleSpaceAfter,
	"de": styleDotAfter, "da": styleDotAfter, "is": styleDotAfter, "it": styleDotAfter,
	"el": styleDotAfter, "ro": styleDotAfter, "hr": styleDotAfter, "sl": styleDotAfter,
	"sr": styleDotAfter,
	"nl": styleDutch, "tr": styleDotBefore, "id": styleDotBefore,
	"es": styleSpanish, "pl": stylePolish, "pt": styleBrazil, "pt-PT": stylePortugal,
	"de-AT": styleAustrian, "de-CH": styleSwiss, "de-LI": styleSwiss, "it-CH": styleSwiss,
	"es-MX": styleLatinAmeric, "es-US": styleLatinAmeric, "es-419": styleLatinAmeric,
}

// regionLanguages gives the main language of a region, used for English in
// a non-English market ("en-SE" writes "1 234,50 kr" like Swedish does).
var regionLanguages = map[string]string{
	"SE": "sv", "NO": "nb", "DK": "da", "FI": "fi", "IS": "is", "DE": "de", "AT": "de-AT",
	"CH": "de-CH", "LI": "de-LI", "NL": "nl", "BE": "nl", "FR": "fr", "ES": "es", "IT": "it",
	"PL": "pl", "CZ": "cs", "SK": "sk", "PT": "pt-PT", "GR": "el", "HU": "hu", "RO": "ro",
	"HR": "hr", "SI": "sl", "EE": "et", "LV": "lv", "LT": "lt", "BG": "bg",
}

// symbolInfo is how a currency is written: global is understood everywhere
// ("€"); local is used in its home market only ("kr" for SEK in Sweden),
// elsewhere the global form, or the ISO code when global is empty.
type symbolInfo struct {
	global  string
	local   string
	regions string // home regions, space-separated
	langs   string // home languages, space-separated
}

var symbols = map[string]symbolInfo{
	"EUR": {global: "€"},
	"GBP": {global: "£"},
	"JPY": {global: "¥"},
	"KRW": {global: "₩"},
	"INR": {global: "₹"},
	"ILS": {global: "₪"},
	"VND": {global: "₫"},
	"BRL": {global: "R$"},
	"PHP": {global: "₱"},
	"NGN": {global: "₦"},
	"UAH": {global: "₴"},
	"HKD": {global: "HK$"},
	"USD": {global: "US$", local: "$", regions: "US PR EC SV PA"},
	"SEK": {local: "kr", regions: "SE", langs: "sv"},
	"NOK": {local: "kr", regions: "NO SJ", langs: "nb nn no"},
	"DKK": {local: "kr.", regions: "DK GL FO", langs: "da"},
	"ISK": {local: "kr", regions: "IS", langs: "is"},
	"PLN": {local: "zł", regions: "PL", langs: "pl"},
	"CZK": {local: "Kč", regions: "CZ", langs: "cs"},
	"HUF": {local: "Ft", regions: "HU", langs: "hu"},
	"RON": {local: "lei", regions: "RO", langs: "ro"},
	"AUD": {global: "A$", local: "$", regions: "AU"},
	"CAD": {global: "CA$", local: "$", regions: "CA"},
	"NZD": {global: "NZ$", local: "$", regions: "NZ"},
	"MXN": {global: "MX$", local: "$", regions: "MX"},
	"TWD": {global: "NT$", local: "$", regions: "TW"},
	"CNY": {global: "CN¥", local: "¥", regions: "CN", langs: "zh"},
	"SGD": {local: "$", regions: "SG"},
	"TRY": {local: "₺", regions: "TR", langs: "tr"},
	"ZAR": {local: "R", regions: "ZA"},
	"THB": {local: "฿", regions: "TH", langs: "th"},
}

// nonUSDollarRegions write the US dollar as "US$" because "$" is their own
// currency; everywhere else USD is plain "$".
const nonUSDollarRegions = "CA AU NZ SG HK TW MX"

// locale is a parsed RFC 1766 / BCP 47 tag: "sv-SE", "en_us", "zh-Hant-TW".
type locale struct{ lang, region string }

func parseLocale(tag string) locale {
	parts := strings.FieldsFunc(strings.TrimSpace(tag), func(r rune) bool { return r == '-' || r == '_' })
	var l locale
	for i, p := range parts {
		switch {
		case i == 0:
			l.lang = strings.ToLower(p)
		case len(p) == 2 || (len(p) == 3 && p[0] >= '0' && p[0] <= '9'):
			l.region = strings.ToUpper(p)
		}
	}
	return l
}

func (l locale) style() numberStyle {
	if s, ok := languageStyles[l.lang+"-"+l.region]; ok {
		return s
	}
	if l.lang == "en" || l.lang == "" {
		if lang, ok := regionLanguages[l.region]; ok {
			if s, ok := languageStyles[lang]; ok {
				return s
			}
		}
	}
	if l.lang == "es" && l.region != "" && l.region != "ES" {
		return styleLatinAmeric
	}
	if s, ok := languageStyles[l.lang]; ok {
		return s
	}
	return styleEnglish
}

func hasWord(list, w string) bool {
	return w != "" && strings.Contains(" "+list+" ", " "+w+" ")
}

// symbol returns how code is written in the locale: a symbol, or the ISO
// code itself when the currency has none there.
func symbol(code string, l locale) string {
	info, ok := symbols[code]
	if !ok {
		return code
	}
	if code == "USD" {
		if hasWord(nonUSDollarRegions, l.region) {
			return "US$"
		}
		return "$"
	}
	if info.local != "" && (hasWord(info.regions, l.region) || (l.region == "" && hasWord(info.langs, l.lang)) ||
		(hasWord(info.langs, l.lang) && !hasForeignHome(l.region, code))) {
		return info.local
	}
	if info.global != "" {
		return info.global
	}
	return code
}

// hasForeignHome reports whether region is the home of a currency other
// than code that shares code's local symbol ("kr" in Norway is NOK, so a
// Swedish-speaker there still needs SEK spelled out).
func hasForeignHome(region, code string) bool {
	if region == "" {
		return false
	}
	for c, info := range symbols {
		if c != code && hasWord(info.regions, region) {
			return true
		}
	}
	return false
}

// needsSpace reports whether a symbol placed before the number ends in a
// letter ("CHF", "kr."), which needs a space to stand apart from the digits;
// "€", "$" and "US$" sit right against them.
func needsSpace(sym string) bool {
	r, _ := utf8.DecodeLastRuneInString(sym)
	return r == '.' || unicode.IsLetter(r)
}

// digits splits |amount| into its integer and fraction digit strings for
// the currency's exponent. It works on uint64 so that math.MinInt64 does
// not overflow.
func digits(amount int64, exp int) (neg bool, intPart, frac string) {
	u := uint64(amount) // #nosec G115 -- deliberate: negated below in two's complement, which gives |amount| even for MinInt64
	if amount < 0 {
		neg = true
		u = -u
	}
	s := strconv.FormatUint(u, 10)
	if exp == 0 {
		return neg, s, ""
	}
	if len(s) <= exp {
		s = strings.Repeat("0", exp-len(s)+1) + s
	}
	return neg, s[:len(s)-exp], s[len(s)-exp:]
}

// FormatPlain writes amount in major units with "." as the decimal
// separator, no grouping and no symbol ("1234.50", JPY "1234", KWD
// "1.250"): the value a form field is prefilled with, which Parse reads
// back exactly.
func FormatPlain(amount int64, currency string) string {
	neg, i, f := digits(amount, Exponent(currency))
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(i)
	if f != "" {
		b.WriteByte('.')
		b.WriteString(f)
	}
	return b.String()
}

// Format writes amount (minor units of currency) the way the locale writes
// money: "1 234,50 kr" for sv-SE SEK, "€12.50" for en-US and "12,50 €" for
// de-DE EUR, "¥1,234" for JPY, "CHF 1’234.50" for de-CH. Digit groups and
// the symbol are joined with no-break spaces. Unknown locales write the
// English way; currencies without a symbol show their ISO code.
func Format(amount int64, currency, loc string) string {
	code := normCode(currency)
	l := parseLocale(loc)
	return write(amount, code, l.style(), symbol(code, l))
}

// Show is how the back office writes an amount for a person: digits the
// way numbers reads them (the member's chosen number format, a language
// tag: "de-DE" gives "1.234,50 €", "en-GB" "€1,234.50", "fr-FR"
// "1 234,50 €"), and a currency no reader can mistake, whatever the
// order's market: a symbol only when no other currency uses it ("€", "£",
// "US$", "zł"), otherwise the ISO code ("1 234,50 SEK", never "kr",
// which is also NOK, DKK and ISK).
func Show(amount int64, currency, numbers string) string {
	code := normCode(currency)
	return write(amount, code, parseLocale(numbers).style(), unambiguousSymbol(code))
}

// unambiguousSymbol is code's symbol when it names that currency alone:
// its international form when it has one, else its local one unless
// another currency writes the same ("kr", "$"); else the code itself.
func unambiguousSymbol(code string) string {
	info, ok := symbols[code]
	switch {
	case !ok:
		return code
	case info.global != "":
		return info.global
	case info.local == "":
		return code
	}
	for c, other := range symbols {
		if c != code && (strings.TrimSuffix(other.local, ".") == strings.TrimSuffix(info.local, ".") || other.global == info.local) {
			return code
		}
	}
	return info.local
}

// write lays out amount in style st with the currency written as sym.
func write(amount int64, code string, st numberStyle, sym string) string {
	neg, i, f := digits(amount, Exponent(code))

	var num strings.Builder
	if len(i) >= st.minGroup {
		first := len(i) % 3
		if first == 0 {
			first = 3
		}
		num.WriteString(i[:first])
		for k := first; k < len(i); k += 3 {
			num.WriteString(st.group)
			num.WriteString(i[k : k+3])
		}
	} else {
		num.WriteString(i)
	}
	if f != "" {
		num.WriteString(st.decimal)
		num.WriteString(f)
	}

	if code == "" {
		sym = ""
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	switch {
	case sym == "":
		b.WriteString(num.String())
	case st.symbolAfter:
		b.WriteString(num.String())
		b.WriteString(nbsp)
		b.WriteString(sym)
	default:
		b.WriteString(sym)
		if st.spaceBefore || needsSpace(sym) {
			b.WriteString(nbsp)
		}
		b.WriteString(num.String())
	}
	return b.String()
}

// NumberFormats are the ways of writing amounts a member may choose, as
// language tags for Show: English, German, French (space-grouped), Dutch
// and Swiss German.
var NumberFormats = []string{"en-GB", "de-DE", "fr-FR", "nl-NL", "de-CH"}
