// Package country is BigCommerce's country table: the 241 country names a V2
// address may carry, and the code each gives as country_iso2.
//
// The table (table.go) is generated from BigCommerce's own list, the
// countries.json beside BEHAVIOR.md (bigcommerce/docs examples/countries.json),
// so the binary needs no file. It is not ISO 3166-1: BigCommerce spells some
// names its own way ("Libya", "Cote d'Ivoire", "Reunion", "Macedonia, the
// Former Yugoslav Republic of"), keeps two that ISO no longer or never
// assigned ("Netherlands Antilles" AN, "Republic of Kosovo" XK), and lacks
// countries ISO has (Cuba, Iran, North Korea, Syria, South Sudan, ...).
// BigCommerce refuses any other name, aliases included, so this package does
// too: a stand-in that accepted more would let through addresses that fail
// in production (BEHAVIOR.md, "Addresses").
package country

import (
	"fmt"
	"slices"
	"strings"
)

// Country is one entry of BigCommerce's table.
type Country struct {
	// Name is the name as BigCommerce stores and returns it.
	Name string
	// ISO2 is the two-letter code BigCommerce gives as country_iso2.
	ISO2 string
}

// Lookup finds a country by its name, ignoring case (a decision in
// BEHAVIOR.md, "Addresses"), and returns it as BigCommerce spells it. Any
// other spelling, an alias or a code is no match. Lookup does not allocate.
func Lookup(name string) (Country, bool) {
	// Every name in the table is ASCII (TestTableIsASCII), so folding ASCII
	// letters is ignoring case. The key is built on the stack, and indexing
	// the map with string(k) does not allocate.
	if len(name) > maxName {
		return Country{}, false
	}
	var buf [maxName]byte
	k := appendLowerASCII(buf[:0], name)
	i, ok := idx.byName[string(k)]
	if !ok {
		return Country{}, false
	}
	return table[i], true
}

// ByISO2 finds a country by its code, ignoring case and surrounding spaces.
func ByISO2(code string) (Country, bool) {
	code = strings.TrimSpace(code)
	if len(code) != 2 {
		return Country{}, false
	}
	var buf [2]byte
	i, ok := idx.byCode[string(appendUpperASCII(buf[:0], code))]
	if !ok {
		return Country{}, false
	}
	return table[i], true
}

// All returns every country in BigCommerce's order. The slice is a fresh
// copy the caller may modify.
func All() []Country {
	return slices.Clone(table)
}

// maxName bounds the length of a name; the longest in the table, "South
// Georgia and the South Sandwich Islands", is 44 bytes. buildIndex checks it.
const maxName = 64

type index struct {
	byName map[string]int // lower-cased name → position in table
	byCode map[string]int // code → position in table
}

var idx = buildIndex(table)

// buildIndex panics on a malformed table (a duplicate name or code, a bad
// code, a name too long or not ASCII): a programming error every test run
// would hit at once.
func buildIndex(t []Country) index {
	x := index{byName: make(map[string]int, len(t)), byCode: make(map[string]int, len(t))}
	for i, c := range t {
		if len(c.ISO2) != 2 || string(appendUpperASCII(nil, c.ISO2)) != c.ISO2 || !isLetters(c.ISO2) {
			panic(fmt.Sprintf("country: %q: bad code %q", c.Name, c.ISO2))
		}
		if len(c.Name) == 0 || len(c.Name) > maxName || !isASCII(c.Name) {
			panic(fmt.Sprintf("country: %s: bad name %q", c.ISO2, c.Name))
		}
		k := string(appendLowerASCII(nil, c.Name))
		if _, dup := x.byName[k]; dup {
			panic(fmt.Sprintf("country: duplicate name %q", c.Name))
		}
		if _, dup := x.byCode[c.ISO2]; dup {
			panic(fmt.Sprintf("country: duplicate code %q", c.ISO2))
		}
		x.byName[k], x.byCode[c.ISO2] = i, i
	}
	return x
}

func appendLowerASCII(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		dst = append(dst, b)
	}
	return dst
}

func appendUpperASCII(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if 'a' <= b && b <= 'z' {
			b -= 'a' - 'A'
		}
		dst = append(dst, b)
	}
	return dst
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
