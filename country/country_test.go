package country

import (
	"slices"
	"strings"
	"testing"
)

// cldrNames is the CLDR English display name of every ISO 3166-1 region,
// as returned by golang.org/x/text v0.44.0 display.English.Regions(). It is
// an independent reference for the set of 249 codes and a list of spellings
// customers really type, so each must resolve to its code.
var cldrNames = []struct{ iso2, name string }{
	{"AD", "Andorra"},
	{"AE", "United Arab Emirates"},
	{"AF", "Afghanistan"},
	{"AG", "Antigua & Barbuda"},
	{"AI", "Anguilla"},
	{"AL", "Albania"},
	{"AM", "Armenia"},
	{"AO", "Angola"},
	{"AQ", "Antarctica"},
	{"AR", "Argentina"},
	{"AS", "American Samoa"},
	{"AT", "Austria"},
	{"AU", "Australia"},
	{"AW", "Aruba"},
	{"AX", "Åland Islands"},
	{"AZ", "Azerbaijan"},
	{"BA", "Bosnia & Herzegovina"},
	{"BB", "Barbados"},
	{"BD", "Bangladesh"},
	{"BE", "Belgium"},
	{"BF", "Burkina Faso"},
	{"BG", "Bulgaria"},
	{"BH", "Bahrain"},
	{"BI", "Burundi"},
	{"BJ", "Benin"},
	{"BL", "St. Barthélemy"},
	{"BM", "Bermuda"},
	{"BN", "Brunei"},
	{"BO", "Bolivia"},
	{"BQ", "Caribbean Netherlands"},
	{"BR", "Brazil"},
	{"BS", "Bahamas"},
	{"BT", "Bhutan"},
	{"BV", "Bouvet Island"},
	{"BW", "Botswana"},
	{"BY", "Belarus"},
	{"BZ", "Belize"},
	{"CA", "Canada"},
	{"CC", "Cocos (Keeling) Islands"},
	{"CD", "Congo - Kinshasa"},
	{"CF", "Central African Republic"},
	{"CG", "Congo - Brazzaville"},
	{"CH", "Switzerland"},
	{"CI", "Côte d’Ivoire"},
	{"CK", "Cook Islands"},
	{"CL", "Chile"},
	{"CM", "Cameroon"},
	{"CN", "China"},
	{"CO", "Colombia"},
	{"CR", "Costa Rica"},
	{"CU", "Cuba"},
	{"CV", "Cape Verde"},
	{"CW", "Curaçao"},
	{"CX", "Christmas Island"},
	{"CY", "Cyprus"},
	{"CZ", "Czechia"},
	{"DE", "Germany"},
	{"DJ", "Djibouti"},
	{"DK", "Denmark"},
	{"DM", "Dominica"},
	{"DO", "Dominican Republic"},
	{"DZ", "Algeria"},
	{"EC", "Ecuador"},
	{"EE", "Estonia"},
	{"EG", "Egypt"},
	{"EH", "Western Sahara"},
	{"ER", "Eritrea"},
	{"ES", "Spain"},
	{"ET", "Ethiopia"},
	{"FI", "Finland"},
	{"FJ", "Fiji"},
	{"FK", "Falkland Islands"},
	{"FM", "Micronesia"},
	{"FO", "Faroe Islands"},
	{"FR", "France"},
	{"GA", "Gabon"},
	{"GB", "United Kingdom"},
	{"GD", "Grenada"},
	{"GE", "Georgia"},
	{"GF", "French Guiana"},
	{"GG", "Guernsey"},
	{"GH", "Ghana"},
	{"GI", "Gibraltar"},
	{"GL", "Greenland"},
	{"GM", "Gambia"},
	{"GN", "Guinea"},
	{"GP", "Guadeloupe"},
	{"GQ", "Equatorial Guinea"},
	{"GR", "Greece"},
	{"GS", "South Georgia & South Sandwich Islands"},
	{"GT", "Guatemala"},
	{"GU", "Guam"},
	{"GW", "Guinea-Bissau"},
	{"GY", "Guyana"},
	{"HK", "Hong Kong SAR China"},
	{"HM", "Heard & McDonald Islands"},
	{"HN", "Honduras"},
	{"HR", "Croatia"},
	{"HT", "Haiti"},
	{"HU", "Hungary"},
	{"ID", "Indonesia"},
	{"IE", "Ireland"},
	{"IL", "Israel"},
	{"IM", "Isle of Man"},
	{"IN", "India"},
	{"IO", "British Indian Ocean Territory"},
	{"IQ", "Iraq"},
	{"IR", "Iran"},
	{"IS", "Iceland"},
	{"IT", "Italy"},
	{"JE", "Jersey"},
	{"JM", "Jamaica"},
	{"JO", "Jordan"},
	{"JP", "Japan"},
	{"KE", "Kenya"},
	{"KG", "Kyrgyzstan"},
	{"KH", "Cambodia"},
	{"KI", "Kiribati"},
	{"KM", "Comoros"},
	{"KN", "St. Kitts & Nevis"},
	{"KP", "North Korea"},
	{"KR", "South Korea"},
	{"KW", "Kuwait"},
	{"KY", "Cayman Islands"},
	{"KZ", "Kazakhstan"},
	{"LA", "Laos"},
	{"LB", "Lebanon"},
	{"LC", "St. Lucia"},
	{"LI", "Liechtenstein"},
	{"LK", "Sri Lanka"},
	{"LR", "Liberia"},
	{"LS", "Lesotho"},
	{"LT", "Lithuania"},
	{"LU", "Luxembourg"},
	{"LV", "Latvia"},
	{"LY", "Libya"},
	{"MA", "Morocco"},
	{"MC", "Monaco"},
	{"MD", "Moldova"},
	{"ME", "Montenegro"},
	{"MF", "St. Martin"},
	{"MG", "Madagascar"},
	{"MH", "Marshall Islands"},
	{"MK", "Macedonia"},
	{"ML", "Mali"},
	{"MM", "Myanmar (Burma)"},
	{"MN", "Mongolia"},
	{"MO", "Macau SAR China"},
	{"MP", "Northern Mariana Islands"},
	{"MQ", "Martinique"},
	{"MR", "Mauritania"},
	{"MS", "Montserrat"},
	{"MT", "Malta"},
	{"MU", "Mauritius"},
	{"MV", "Maldives"},
	{"MW", "Malawi"},
	{"MX", "Mexico"},
	{"MY", "Malaysia"},
	{"MZ", "Mozambique"},
	{"NA", "Namibia"},
	{"NC", "New Caledonia"},
	{"NE", "Niger"},
	{"NF", "Norfolk Island"},
	{"NG", "Nigeria"},
	{"NI", "Nicaragua"},
	{"NL", "Netherlands"},
	{"NO", "Norway"},
	{"NP", "Nepal"},
	{"NR", "Nauru"},
	{"NU", "Niue"},
	{"NZ", "New Zealand"},
	{"OM", "Oman"},
	{"PA", "Panama"},
	{"PE", "Peru"},
	{"PF", "French Polynesia"},
	{"PG", "Papua New Guinea"},
	{"PH", "Philippines"},
	{"PK", "Pakistan"},
	{"PL", "Poland"},
	{"PM", "St. Pierre & Miquelon"},
	{"PN", "Pitcairn Islands"},
	{"PR", "Puerto Rico"},
	{"PS", "Palestinian Territories"},
	{"PT", "Portugal"},
	{"PW", "Palau"},
	{"PY", "Paraguay"},
	{"QA", "Qatar"},
	{"RE", "Réunion"},
	{"RO", "Romania"},
	{"RS", "Serbia"},
	{"RU", "Russia"},
	{"RW", "Rwanda"},
	{"SA", "Saudi Arabia"},
	{"SB", "Solomon Islands"},
	{"SC", "Seychelles"},
	{"SD", "Sudan"},
	{"SE", "Sweden"},
	{"SG", "Singapore"},
	{"SH", "St. Helena"},
	{"SI", "Slovenia"},
	{"SJ", "Svalbard & Jan Mayen"},
	{"SK", "Slovakia"},
	{"SL", "Sierra Leone"},
	{"SM", "San Marino"},
	{"SN", "Senegal"},
	{"SO", "Somalia"},
	{"SR", "Suriname"},
	{"SS", "South Sudan"},
	{"ST", "São Tomé & Príncipe"},
	{"SV", "El Salvador"},
	{"SX", "Sint Maarten"},
	{"SY", "Syria"},
	{"SZ", "Swaziland"},
	{"TC", "Turks & Caicos Islands"},
	{"TD", "Chad"},
	{"TF", "French Southern Territories"},
	{"TG", "Togo"},
	{"TH", "Thailand"},
	{"TJ", "Tajikistan"},
	{"TK", "Tokelau"},
	{"TL", "Timor-Leste"},
	{"TM", "Turkmenistan"},
	{"TN", "Tunisia"},
	{"TO", "Tonga"},
	{"TR", "Turkey"},
	{"TT", "Trinidad & Tobago"},
	{"TV", "Tuvalu"},
	{"TW", "Taiwan"},
	{"TZ", "Tanzania"},
	{"UA", "Ukraine"},
	{"UG", "Uganda"},
	{"UM", "U.S. Outlying Islands"},
	{"US", "United States"},
	{"UY", "Uruguay"},
	{"UZ", "Uzbekistan"},
	{"VA", "Vatican City"},
	{"VC", "St. Vincent & Grenadines"},
	{"VE", "Venezuela"},
	{"VG", "British Virgin Islands"},
	{"VI", "U.S. Virgin Islands"},
	{"VN", "Vietnam"},
	{"VU", "Vanuatu"},
	{"WF", "Wallis & Futuna"},
	{"WS", "Samoa"},
	{"YE", "Yemen"},
	{"YT", "Mayotte"},
	{"ZA", "South Africa"},
	{"ZM", "Zambia"},
	{"ZW", "Zimbabwe"},
}

func TestTableCodes(t *testing.T) {
	all := All()
	if len(all) != 249 {
		t.Fatalf("All() has %d entries, want 249", len(all))
	}
	seen := make(map[string]string)
	for _, c := range all {
		if len(c.ISO2) != 2 || c.ISO2[0] < 'A' || c.ISO2[0] > 'Z' || c.ISO2[1] < 'A' || c.ISO2[1] > 'Z' {
			t.Errorf("%q: ISO2 %q is not two upper-case letters", c.Name, c.ISO2)
		}
		if prev, dup := seen[c.ISO2]; dup {
			t.Errorf("code %s used by both %q and %q", c.ISO2, prev, c.Name)
		}
		seen[c.ISO2] = c.Name
		if strings.TrimSpace(c.Name) != c.Name || c.Name == "" {
			t.Errorf("%s: bad canonical name %q", c.ISO2, c.Name)
		}
	}
	if len(seen) != 249 {
		t.Errorf("%d distinct codes, want 249", len(seen))
	}

	// The table must cover exactly the codes CLDR knows as ISO 3166-1
	// regions: no missing territory, no reserved code like "UK" or "XK".
	if len(cldrNames) != 249 {
		t.Fatalf("reference list has %d codes, want 249", len(cldrNames))
	}
	for _, ref := range cldrNames {
		if _, ok := seen[ref.iso2]; !ok {
			t.Errorf("code %s (%s) missing from table", ref.iso2, ref.name)
		}
		delete(seen, ref.iso2)
	}
	for code, name := range seen {
		t.Errorf("code %s (%s) is not in the ISO 3166-1 reference list", code, name)
	}
}

// TestNamesUnambiguous rebuilds the name index independently of buildIndex
// so a conflicting alias is reported with both codes rather than as an init
// panic.
func TestNamesUnambiguous(t *testing.T) {
	owner := make(map[string]string) // normalised name → code
	for _, e := range table {
		for _, n := range append([]string{e.name}, e.aliases...) {
			k := key(n)
			if prev, ok := owner[k]; ok && prev != e.iso2 {
				t.Errorf("name %q (key %q) maps to both %s and %s", n, k, prev, e.iso2)
			}
			owner[k] = e.iso2
			// Codes must never double as names, so nothing code-sized may
			// be a key.
			if len(k) <= 3 {
				t.Errorf("%s: name %q normalises to code-like %q", e.iso2, n, k)
			}
		}
	}
}

func TestAllSortedByName(t *testing.T) {
	all := All()
	for i := 1; i < len(all); i++ {
		if a, b := key(all[i-1].Name), key(all[i].Name); a >= b {
			t.Errorf("not sorted: %q (%q) before %q (%q)", all[i-1].Name, a, all[i].Name, b)
		}
	}
}

func TestAllReturnsCopy(t *testing.T) {
	a := All()
	a[0] = Country{Name: "Atlantis", ISO2: "ZZ"}
	if b := All(); b[0] == a[0] {
		t.Fatal("All() exposes the package's own slice")
	}
	if _, ok := Lookup("Atlantis"); ok {
		t.Fatal("mutating All() result changed Lookup")
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		in   string
		want string // ISO2, or "" for no match
		name string // canonical name expected, checked when non-empty
	}{
		// Canonical names.
		{in: "United States", want: "US", name: "United States"},
		{in: "United Kingdom", want: "GB", name: "United Kingdom"},
		{in: "Korea, Republic of", want: "KR", name: "Korea, Republic of"},
		{in: "Korea, Democratic People's Republic of", want: "KP"},
		{in: "Viet Nam", want: "VN"},
		{in: "Russian Federation", want: "RU"},
		{in: "Iran, Islamic Republic of", want: "IR"},
		{in: "Taiwan", want: "TW"},
		{in: "Bolivia", want: "BO"},
		{in: "Venezuela", want: "VE"},
		{in: "Tanzania, United Republic of", want: "TZ"},
		{in: "Moldova, Republic of", want: "MD"},
		{in: "Macedonia", want: "MK"},
		{in: "Czech Republic", want: "CZ"},
		{in: "Congo", want: "CG"},
		{in: "Congo, the Democratic Republic of the", want: "CD"},
		{in: "Virgin Islands, U.S.", want: "VI"},
		{in: "Virgin Islands, British", want: "VG"},

		// Alternative names resolve to the canonical entry.
		{in: "United States of America", want: "US", name: "United States"},
		{in: "United Kingdom of Great Britain and Northern Ireland", want: "GB", name: "United Kingdom"},
		{in: "Great Britain", want: "GB"},
		{in: "South Korea", want: "KR", name: "Korea, Republic of"},
		{in: "North Korea", want: "KP"},
		{in: "Vietnam", want: "VN", name: "Viet Nam"},
		{in: "Russia", want: "RU"},
		{in: "Iran", want: "IR"},
		{in: "Czechia", want: "CZ", name: "Czech Republic"},
		{in: "Türkiye", want: "TR", name: "Turkey"},
		{in: "Turkiye", want: "TR"},
		{in: "Turkey", want: "TR"},
		{in: "Côte d'Ivoire", want: "CI", name: "Côte d'Ivoire"},
		{in: "Côte d’Ivoire", want: "CI"},
		{in: "Cote d'Ivoire", want: "CI"},
		{in: "Ivory Coast", want: "CI"},
		{in: "Holy See (Vatican City State)", want: "VA"},
		{in: "Vatican City", want: "VA"},
		{in: "Myanmar", want: "MM"},
		{in: "Burma", want: "MM"},
		{in: "Eswatini", want: "SZ"},
		{in: "Swaziland", want: "SZ"},
		{in: "Cabo Verde", want: "CV"},
		{in: "Cape Verde", want: "CV"},
		{in: "Bolivia, Plurinational State of", want: "BO"},
		{in: "Venezuela, Bolivarian Republic of", want: "VE"},
		{in: "Taiwan, Province of China", want: "TW"},
		{in: "Palestine, State of", want: "PS"},
		{in: "Micronesia, Federated States of", want: "FM"},
		{in: "Lao People's Democratic Republic", want: "LA"},
		{in: "Laos", want: "LA"},
		{in: "Syrian Arab Republic", want: "SY"},
		{in: "Syria", want: "SY"},
		{in: "Brunei Darussalam", want: "BN"},
		{in: "Brunei", want: "BN"},
		{in: "Hong Kong", want: "HK"},
		{in: "Macao", want: "MO"},
		{in: "Macau", want: "MO"},
		{in: "North Macedonia", want: "MK", name: "Macedonia"},
		{in: "Åland Islands", want: "AX", name: "Åland Islands"},
		{in: "Aland Islands", want: "AX"},
		{in: "Réunion", want: "RE"},
		{in: "Reunion", want: "RE"},
		{in: "Curaçao", want: "CW"},
		{in: "Curacao", want: "CW"},
		{in: "Saint Barthélemy", want: "BL"},
		{in: "Saint Barthelemy", want: "BL"},
		{in: "St. Barthélemy", want: "BL"},
		{in: "Democratic Republic of the Congo", want: "CD"},
		{in: "Republic of the Congo", want: "CG"},
		{in: "Libya", want: "LY"},

		// Lenient spelling: case, spaces, accents, punctuation, &/and, St./Saint, The.
		{in: "united states", want: "US"},
		{in: "UNITED KINGDOM", want: "GB"},
		{in: "uNiTeD sTaTeS oF aMeRiCa", want: "US"},
		{in: "  Germany  ", want: "DE"},
		{in: "\tFrance\n", want: "FR"},
		{in: "New   Zealand", want: "NZ"},
		{in: "\u00a0Japan\u00a0", want: "JP"},
		{in: "ÅLAND ISLANDS", want: "AX"},
		{in: "Re\u0301union", want: "RE"}, // decomposed accent
		{in: "Guinea Bissau", want: "GW"},
		{in: "Timor Leste", want: "TL"},
		{in: "Bosnia & Herzegovina", want: "BA"},
		{in: "Trinidad & Tobago", want: "TT"},
		{in: "Antigua&Barbuda", want: "AG"},
		{in: "St Lucia", want: "LC"},
		{in: "St. Kitts and Nevis", want: "KN"},
		{in: "The Bahamas", want: "BS"},
		{in: "the Netherlands", want: "NL"},
		{in: "The Gambia", want: "GM"},
		{in: "US Virgin Islands", want: "VI"},
		{in: "Korea Republic Of", want: "KR"},

		// Unknown names and codes.
		{in: "Atlantis", want: ""},
		{in: "", want: ""},
		{in: "   ", want: ""},
		{in: "US", want: ""},
		{in: "us", want: ""},
		{in: "USA", want: ""},
		{in: "U.S.A.", want: ""},
		{in: "U.S.", want: ""},
		{in: "UK", want: ""},
		{in: "GBR", want: ""},
		{in: "DE", want: ""},
		{in: "The", want: ""},
		{in: "Saint", want: ""},
		{in: "America", want: ""},
		{in: "Virgin Islands", want: ""},
		{in: "Kosovo", want: ""}, // XK is user-assigned, not ISO 3166-1
		{in: "Korea, Republic", want: ""},
		{in: "United", want: ""},
		{in: "States United", want: ""},
		{in: strings.Repeat("United States ", 20), want: ""},
		{in: strings.Repeat("&", 500), want: ""},
	}
	for _, tt := range tests {
		got, ok := Lookup(tt.in)
		if tt.want == "" {
			if ok {
				t.Errorf("Lookup(%q) = %+v, want no match", tt.in, got)
			}
			continue
		}
		if !ok || got.ISO2 != tt.want {
			t.Errorf("Lookup(%q) = %+v, %v; want ISO2 %s", tt.in, got, ok, tt.want)
			continue
		}
		if tt.name != "" && got.Name != tt.name {
			t.Errorf("Lookup(%q).Name = %q, want %q", tt.in, got.Name, tt.name)
		}
		if want, _ := ByISO2(tt.want); got != want {
			t.Errorf("Lookup(%q) = %+v, not the canonical entry %+v", tt.in, got, want)
		}
	}
}

func TestLookupCLDRNames(t *testing.T) {
	for _, ref := range cldrNames {
		got, ok := Lookup(ref.name)
		if !ok || got.ISO2 != ref.iso2 {
			t.Errorf("Lookup(%q) = %+v, %v; want %s", ref.name, got, ok, ref.iso2)
		}
	}
}

// TestCodesAreNotNames checks the BigCommerce rule that a bare code is not a
// country name, for every code in the table.
func TestCodesAreNotNames(t *testing.T) {
	for _, c := range All() {
		for _, s := range []string{c.ISO2, strings.ToLower(c.ISO2), " " + c.ISO2 + " "} {
			if got, ok := Lookup(s); ok {
				t.Errorf("Lookup(%q) = %+v, want no match for a code", s, got)
			}
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, c := range All() {
		if got, ok := ByISO2(c.ISO2); !ok || got != c {
			t.Errorf("ByISO2(%q) = %+v, %v; want %+v", c.ISO2, got, ok, c)
		}
		if got, ok := ByISO2(strings.ToLower(c.ISO2)); !ok || got != c {
			t.Errorf("ByISO2(%q) = %+v, %v; want %+v", strings.ToLower(c.ISO2), got, ok, c)
		}
		if got, ok := Lookup(c.Name); !ok || got != c {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v", c.Name, got, ok, c)
		}
		if got, ok := Lookup(strings.ToUpper(c.Name)); !ok || got != c {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v", strings.ToUpper(c.Name), got, ok, c)
		}
	}
	for _, e := range table {
		for _, a := range e.aliases {
			if got, ok := Lookup(a); !ok || got.ISO2 != e.iso2 || got.Name != e.name {
				t.Errorf("Lookup(alias %q) = %+v, %v; want %s %q", a, got, ok, e.iso2, e.name)
			}
		}
	}
}

func TestByISO2(t *testing.T) {
	tests := []struct {
		in, want string // want "" means no match
	}{
		{"US", "United States"},
		{"us", "United States"},
		{"gB", "United Kingdom"},
		{" kr ", "Korea, Republic of"},
		{"AX", "Åland Islands"},
		{"UK", ""}, // exceptionally reserved, not assigned
		{"EU", ""},
		{"XK", ""},
		{"ZZ", ""},
		{"", ""},
		{"U", ""},
		{"USA", ""},
		{"1A", ""},
		{"U.", ""},
		{"Ü", ""},
		{"@A", ""},
	}
	for _, tt := range tests {
		got, ok := ByISO2(tt.in)
		if tt.want == "" {
			if ok {
				t.Errorf("ByISO2(%q) = %+v, want no match", tt.in, got)
			}
			continue
		}
		if !ok || got.Name != tt.want {
			t.Errorf("ByISO2(%q) = %+v, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

// TestLookupDoesNotAllocate guards the "fast path" promise: address writes
// call Lookup on every request.
func TestLookupDoesNotAllocate(t *testing.T) {
	for _, in := range []string{"  Korea, Republic of ", "CÔTE D’IVOIRE", "St. Lucia", "Atlantis", strings.Repeat("x", 1000)} {
		if n := testing.AllocsPerRun(100, func() { Lookup(in) }); n != 0 {
			t.Errorf("Lookup(%q) allocates %v times, want 0", in, n)
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	names := []string{"United States", "korea, republic of", "Côte d'Ivoire", "Atlantis"}
	for i := 0; b.Loop(); i++ {
		Lookup(names[i%len(names)])
	}
}

func FuzzLookup(f *testing.F) {
	for _, s := range []string{
		"United States", "  south korea ", "Côte d’Ivoire", "Re\u0301union",
		"St. Lucia", "The Bahamas", "Bosnia & Herzegovina", "US", "", "   ",
		"Atlantis", "\xff\xfe", "the the the", "ǅ", strings.Repeat("&", 100),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := Lookup(s)
		// Normalising twice must change nothing, or a stored key and a
		// looked-up key could disagree.
		if k := key(s); key(k) != k {
			t.Errorf("key not idempotent: key(%q) = %q, key(that) = %q", s, k, key(k))
		}
		if !ok {
			if c != (Country{}) {
				t.Errorf("Lookup(%q) = %+v with ok=false", s, c)
			}
			return
		}
		again, ok := Lookup(c.Name)
		if !ok || again != c {
			t.Errorf("Lookup(%q) = %+v, but Lookup(%q) = %+v, %v", s, c, c.Name, again, ok)
		}
		if byCode, ok := ByISO2(c.ISO2); !ok || byCode != c {
			t.Errorf("Lookup(%q) = %+v, but ByISO2(%q) = %+v, %v", s, c, c.ISO2, byCode, ok)
		}
		if !slices.Contains(All(), c) {
			t.Errorf("Lookup(%q) = %+v, not in All()", s, c)
		}
	})
}
