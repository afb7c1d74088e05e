// Package country maps English country names to ISO 3166-1 alpha-2 codes.
//
// BigCommerce addresses carry both a free-text "country" (the full English
// name) and a derived "country_iso2". This package is the single place that
// derivation happens, so every handler accepts the same spellings and stores
// the same canonical name.
//
// The data is a hand-maintained table (table.go) of all 249 ISO 3166-1
// entries. Each has one canonical name, the older ISO short-name style that
// BigCommerce stores use ("Korea, Republic of", "Viet Nam"), plus aliases
// (current ISO names, CLDR English names, common usage) that resolve to it.
package country

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Country is one ISO 3166-1 entry.
type Country struct {
	// Name is the canonical English short name, as BigCommerce stores it.
	Name string
	// ISO2 is the ISO 3166-1 alpha-2 code, always two upper-case letters.
	ISO2 string
}

// entry is one row of table: a canonical name, its code and the other
// English names that must resolve to it.
type entry struct {
	name    string
	iso2    string
	aliases []string
}

// Lookup finds a country by any of its English names and returns the
// canonical entry.
//
// Matching ignores case (Unicode-aware), surrounding and repeated spaces,
// punctuation ("Guinea Bissau" = "Guinea-Bissau", "Cote dIvoire" = "Côte
// d'Ivoire"), accents on Latin letters ("Reunion" = "Réunion"), "&" versus
// "and", "St." versus "Saint" and a leading "The". It never matches alpha-2
// or alpha-3 codes such as "US" or "USA": BigCommerce wants the full name, so
// accepting a code here would let through input the real API rejects. Use
// ByISO2 for codes.
//
// Lookup does not allocate.
func Lookup(name string) (Country, bool) {
	// The key is built in a stack buffer with room for the longest key plus
	// one rune's worth of expansion; appendKey gives up before it overflows,
	// so the buffer never moves to the heap and the map index with
	// string(k) does not allocate either.
	var buf [maxKey + 8]byte
	k := appendKey(buf[:0], name)
	if len(k) == 0 {
		return Country{}, false
	}
	i, ok := idx.byName[string(k)]
	if !ok {
		return Country{}, false
	}
	return idx.all[i], true
}

// ByISO2 finds a country by its ISO 3166-1 alpha-2 code, ignoring case and
// surrounding spaces. Only the 249 officially assigned codes are known;
// reserved or user-assigned codes such as "UK", "EU" or "XK" are not.
func ByISO2(code string) (Country, bool) {
	code = strings.TrimSpace(code)
	if len(code) != 2 {
		return Country{}, false
	}
	slot, ok := codeSlot(code[0], code[1])
	if !ok {
		return Country{}, false
	}
	i := idx.byCode[slot]
	if i == 0 {
		return Country{}, false
	}
	return idx.all[i-1], true
}

// All returns every entry, sorted by name (ignoring case and accents, so
// "Åland Islands" comes right after "Afghanistan"). The slice is a fresh copy
// the caller may modify.
func All() []Country {
	return slices.Clone(idx.all)
}

// index is the lookup structure derived from table once at start-up.
type index struct {
	all    []Country
	byName map[string]int16 // normalised name → position in all
	byCode [26 * 26]int16   // codeSlot → position in all + 1; 0 means unassigned
}

// idx is built when the package is initialised: the table is static, so
// there is nothing to lock and no per-call work beyond normalising the input.
var idx = buildIndex(table)

// buildIndex turns the table into lookup maps. It panics on a malformed
// table (bad or duplicate code, a name claimed by two codes, a name that
// normalises to nothing or to something code-like) because that is a
// programming error in table.go that every test run would hit immediately.
func buildIndex(t []entry) *index {
	x := &index{
		all:    make([]Country, 0, len(t)),
		byName: make(map[string]int16, 4*len(t)),
	}
	for _, e := range t {
		if len(e.iso2) != 2 || e.iso2 != strings.ToUpper(e.iso2) {
			panic(fmt.Sprintf("country: %q: bad alpha-2 code %q", e.name, e.iso2))
		}
		slot, ok := codeSlot(e.iso2[0], e.iso2[1])
		if !ok {
			panic(fmt.Sprintf("country: %q: bad alpha-2 code %q", e.name, e.iso2))
		}
		if x.byCode[slot] != 0 {
			panic(fmt.Sprintf("country: duplicate alpha-2 code %q", e.iso2))
		}
		pos := int16(len(x.all))
		x.all = append(x.all, Country{Name: e.name, ISO2: e.iso2})
		x.byCode[slot] = pos + 1

		for _, n := range append([]string{e.name}, e.aliases...) {
			k := key(n)
			switch {
			case k == "":
				panic(fmt.Sprintf("country: %s: name %q normalises to nothing", e.iso2, n))
			case len(k) > maxKey:
				panic(fmt.Sprintf("country: %s: name %q is longer than maxKey", e.iso2, n))
			case len(k) <= 3:
				// Real names are all longer; a key this short would make
				// Lookup accept something that reads like a code.
				panic(fmt.Sprintf("country: %s: name %q looks like a code", e.iso2, n))
			}
			if p, dup := x.byName[k]; dup && p != pos {
				panic(fmt.Sprintf("country: name %q means both %s and %s", n, x.all[p].ISO2, e.iso2))
			}
			x.byName[k] = pos
		}
	}
	return x
}

// codeSlot maps a two-letter code, in either case, to 0..675.
func codeSlot(a, b byte) (int, bool) {
	a, b = a&^0x20, b&^0x20 // ASCII upper-case; non-letters fail below
	if a < 'A' || a > 'Z' || b < 'A' || b > 'Z' {
		return 0, false
	}
	return int(a-'A')*26 + int(b-'A'), true
}

// maxKey bounds the length of a normalised name. The longest real one
// ("united kingdom of great britain and northern ireland") is 52 bytes;
// buildIndex checks the table stays under the bound, so Lookup can stop
// reading hostile or accidental long input early.
const maxKey = 80

// key returns the normalised form of name that the byName map is keyed by.
func key(name string) string {
	return string(appendKey(nil, name))
}

// appendKey appends the normalised form of s to dst: lower-case words of
// letters and digits, accents stripped from Latin letters, separated by
// single spaces. Apostrophes, periods and combining marks vanish without
// splitting a word ("U.S." → "us", "d'Ivoire" → "divoire"); "&" becomes the
// word "and"; every other non-letter separates words. The word "st" becomes
// "saint" and a leading "the" is dropped. If the result would exceed maxKey
// it returns dst unchanged, which no name matches.
func appendKey(dst []byte, s string) []byte {
	base := len(dst)
	word := -1 // start of the word being built in dst, or -1 between words
	for _, r := range s {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			dst, word = startWord(dst, base, word)
			dst = append(dst, byte(r))
		case 'A' <= r && r <= 'Z':
			dst, word = startWord(dst, base, word)
			dst = append(dst, byte(r)+('a'-'A'))
		case isJoiner(r):
			// Dropped inside the word.
		case r == '&':
			dst = endWord(dst, base, word)
			dst, word = startWord(dst, base, -1)
			dst = append(dst, "and"...)
			dst, word = endWord(dst, base, word), -1
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			dst, word = startWord(dst, base, word)
			r = unicode.ToLower(r)
			if f, ok := latinFold[r]; ok {
				dst = append(dst, f...)
			} else {
				dst = utf8.AppendRune(dst, r)
			}
		default:
			dst, word = endWord(dst, base, word), -1
		}
		if len(dst)-base > maxKey {
			return dst[:base]
		}
	}
	dst = endWord(dst, base, word)
	if len(dst)-base > maxKey {
		return dst[:base]
	}
	return dst
}

// startWord begins a new word unless one is already in progress, putting a
// space before it if it is not the first.
func startWord(dst []byte, base, word int) ([]byte, int) {
	if word >= 0 {
		return dst, word
	}
	if len(dst) > base {
		dst = append(dst, ' ')
	}
	return dst, len(dst)
}

// endWord finishes the word starting at dst[word:] (if any), applying the
// whole-word rewrites: "st" is spelled out as "saint" so "St. Lucia" meets
// "Saint Lucia", and a leading "the" goes so "The Bahamas" meets "Bahamas".
func endWord(dst []byte, base, word int) []byte {
	if word < 0 {
		return dst
	}
	switch string(dst[word:]) {
	case "st":
		return append(dst[:word], "saint"...)
	case "the":
		if word == base {
			return dst[:base]
		}
	}
	return dst
}

// isJoiner reports whether r is dropped without ending the word: the
// apostrophe family (typed, typographic and modifier forms) and the period.
func isJoiner(r rune) bool {
	switch r {
	case '\'', '.', '`', '\u00b4', '\u2018', '\u2019', '\u02bc':
		return true
	}
	return unicode.Is(unicode.Mn, r) // combining accents of decomposed input
}

// latinFold maps accented lower-case Latin letters to plain ASCII. A short
// table is enough: country names only use Latin-1 and Latin Extended-A
// accents, and it keeps the package free of golang.org/x/text at run time.
var latinFold = func() map[rune]string {
	m := make(map[rune]string)
	for plain, accented := range map[string]string{
		"a":  "àáâãäåāăą",
		"ae": "æ",
		"c":  "çćĉċč",
		"d":  "ďđð",
		"e":  "èéêëēĕėęě",
		"g":  "ĝğġģ",
		"h":  "ĥħ",
		"i":  "ìíîïĩīĭįı",
		"j":  "ĵ",
		"k":  "ķ",
		"l":  "ĺļľŀł",
		"n":  "ñńņň",
		"o":  "òóôõöøōŏő",
		"oe": "œ",
		"r":  "ŕŗř",
		"s":  "śŝşšș",
		"ss": "ß",
		"t":  "ţťŧț",
		"th": "þ",
		"u":  "ùúûüũūŭůűų",
		"w":  "ŵ",
		"y":  "ýÿŷ",
		"z":  "źżž",
	} {
		for _, r := range accented {
			m[r] = plain
		}
	}
	return m
}()
