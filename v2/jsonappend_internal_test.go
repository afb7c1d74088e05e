package v2

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/customersd/customersd"
)

// reflected is marshalJSON's answer through encoding/json, the reference
// the appending encoder must match byte for byte.
func reflected(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return escapeSlashes(b)
}

// trickyStrings hold every character class encoding/json treats apart.
func trickyStrings() []string {
	var all strings.Builder
	for c := range 256 {
		all.WriteByte(byte(c))
	}
	return []string{
		"", "plain", `quote " and \ backslash`, "<script>&amp;</script>", "a/b//c/", "tab\there\nnewline\r\b\f",
		"\x00\x01\x1f\x7f", "é ü 中文 😀", "line\u2028sep\u2029para", "bad \xff\xfe utf8 \xc3", "\xe2\x80", all.String(),
		"https://example.com/stores/abc/v2/customers/1/addresses",
	}
}

func TestAppendJSONString_MatchesEncodingJSON(t *testing.T) {
	for _, s := range trickyStrings() {
		if got, want := appendJSONString(nil, s), reflected(t, s); !bytes.Equal(got, want) {
			t.Errorf("appendJSONString(%q)\n got %s\nwant %s", s, got, want)
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range trickyStrings() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := appendJSONString(nil, s), reflected(t, s); !bytes.Equal(got, want) {
			t.Fatalf("appendJSONString(%q)\n got %s\nwant %s", s, got, want)
		}
	})
}

func TestCustomerJSON_AppendMatchesEncodingJSON(t *testing.T) {
	r := httptest.NewRequest("GET", "https://shop.example/stores/h/v2/customers/7", nil)
	r.SetPathValue("store_hash", "h")
	now := time.Date(2024, 5, 6, 7, 34, 10, 0, time.UTC)
	base := customersd.Customer{
		ID: 7, Company: "Acme", FirstName: "Jane", LastName: "Doe", Email: "jane@example.com", Phone: "+1 555",
		DateCreated: now, DateModified: now.Add(time.Hour), StoreCredit: -12345, RegistrationIPAddress: "192.0.2.1",
		CustomerGroupID: 3, Notes: "n", TaxExemptCategory: "X", ResetPassOnLogin: true, AcceptsMarketing: true,
	}
	cases := map[string]customersd.Customer{"full": base, "zero": {}}
	empty := base
	empty.FormFields = []customersd.FormField{}
	cases["empty form fields"] = empty
	for i, s := range trickyStrings() {
		c := base
		c.Company, c.Notes, c.Email = s, s+s, strings.ToUpper(s)
		c.FormFields = []customersd.FormField{{Name: s, Value: "v"}, {Name: "n", Value: s}}
		c.CustomerGroupID = int64(-i)
		cases["tricky "+s] = c
	}
	for name, c := range cases {
		v := newCustomerJSON(r, &c)
		got, err := marshalJSON(v)
		if err != nil {
			t.Fatal(err)
		}
		if want := reflected(t, v); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
}

// BenchmarkWriteCustomerPage measures the body of a list page of 50
// customers as the bench client asks for it (JSON, gzip accepted).
//
//	go test -run '^$' -bench BenchmarkWriteCustomerPage -benchmem ./v2
func BenchmarkWriteCustomerPage(b *testing.B) {
	r := httptest.NewRequest("GET", "/stores/bench/v2/customers?limit=50", nil)
	r.SetPathValue("store_hash", "bench")
	r.Header.Set("Accept-Encoding", "gzip")
	now := time.Date(2024, 5, 6, 7, 34, 10, 0, time.UTC)
	page := make([]*customersd.Customer, 50)
	for i := range page {
		page[i] = &customersd.Customer{ID: int64(i + 1), FirstName: "Jane", LastName: "Doe", Email: "jane" + itoaInternal(i) + "@example.com",
			DateCreated: now, DateModified: now, CustomerGroupID: 1}
	}
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		if err := writeListAs(w, r, FormatJSON, page, func(c *customersd.Customer) customerJSON { return newCustomerJSON(r, c) }); err != nil {
			b.Fatal(err)
		}
	}
}

func itoaInternal(i int) string { return strconv.Itoa(i) }

// TestWriteList_CustomersMatchEncodingJSON: a page of customers, whose
// items are appended straight into the body, is byte for byte the array of
// encoding/json's form of each, whole (a page) or streamed (a page past
// listBufferSize), in JSON; in XML the appender is not used.
func TestWriteList_CustomersMatchEncodingJSON(t *testing.T) {
	r := httptest.NewRequest("GET", "/stores/abc/v2/customers", nil)
	r.SetPathValue("store_hash", "abc")
	strs := trickyStrings()
	for _, n := range []int{1, 50, 250} {
		items := make([]*customersd.Customer, n)
		want := []byte("[")
		for i := range items {
			s := strs[i%len(strs)]
			items[i] = &customersd.Customer{ID: int64(i + 1), FirstName: s, Notes: strings.Repeat(s, 40), Company: "Co/" + s,
				FormFields: []customersd.FormField{{Name: s, Value: "v"}}, DateCreated: time.Unix(1700000000, 0)}
			if i > 0 {
				want = append(want, ',')
			}
			want = append(want, reflected(t, newCustomerJSON(r, items[i]))...)
		}
		want = append(want, ']')
		w := httptest.NewRecorder()
		if err := writeListAs(w, r, FormatJSON, items, func(c *customersd.Customer) customerJSON { return newCustomerJSON(r, c) }); err != nil {
			t.Fatal(err)
		}
		if w.Code != 200 || !bytes.Equal(w.Body.Bytes(), want) {
			t.Errorf("%d customers: status %d, body differs from encoding/json's (%d bytes, want %d)", n, w.Code, w.Body.Len(), len(want))
		}
		if n == 250 && len(want) <= listBufferSize {
			t.Errorf("250 customers make %d bytes: the streamed path is not tested", len(want))
		}
	}
}
