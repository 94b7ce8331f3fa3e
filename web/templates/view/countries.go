package view

import (
	"slices"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// Countries are the ISO 3166-1 alpha-2 codes (all 249 officially assigned)
// with their English short names (CLDR), in code order, for the country
// select of the address form. Generated once from golang.org/x/text's CLDR
// tables with the reserved and deleted codes left out; the list changes
// rarely enough to keep as data (countries_a_k.go, countries_l_z.go, in
// two halves to keep each file short).
var Countries = slices.Concat(countriesAToK, countriesLToZ)

// CountryName is the English name of an alpha-2 code, or the code itself.
func CountryName(code string) string {
	for _, c := range Countries {
		if c.Value == code {
			return c.Label
		}
	}
	return code
}

// CountriesByName is Countries in the order of their names as an English
// reader alphabetises them (CLDR collation: "Åland Islands" beside
// "Albania", not after "Zimbabwe"), for the address form's country list;
// each option's value stays the ISO code.
var CountriesByName = func() []Option {
	out := slices.Clone(Countries)
	c := collate.New(language.English)
	slices.SortStableFunc(out, func(a, b Option) int { return c.CompareString(a.Label, b.Label) })
	return out
}()
