package journal_test

import (
	"strings"
	"testing"
	"time"

	"github.com/customersd/customersd/journal"
)

func TestJournal_BoundsAndFilters(t *testing.T) {
	j := journal.New(journal.Config{MaxEntries: 4, MaxBytes: 3000})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 6 {
		j.Add(1, &journal.Entry{Time: t0.Add(time.Duration(i) * time.Second), Method: "GET", Route: "/customers", Status: 200 + i%2*229})
	}
	j.Add(2, &journal.Entry{Method: "POST"})
	if n := j.Count(1, journal.Filter{}); n != 4 {
		t.Fatalf("%d entries, want the bound of 4", n)
	}
	got := j.Find(1, journal.Filter{Limit: 2})
	if len(got) != 2 || !got[0].Time.Equal(t0.Add(5*time.Second)) || got[0].Seq <= got[1].Seq {
		t.Fatalf("newest first: %+v", got)
	}
	if n := j.Count(1, journal.Filter{Status: 429}); n != 2 {
		t.Fatalf("%d 429s, want 2", n)
	}
	if n := j.Count(1, journal.Filter{StatusClass: 4, Since: t0.Add(5 * time.Second)}); n != 1 {
		t.Fatalf("%d 4xx since t0+5s, want 1", n)
	}
	if n := j.Count(1, journal.Filter{Method: "post"}); n != 0 {
		t.Fatalf("another store's entry counted")
	}
	// Bytes: an entry of 2000 bytes leaves room for one at a time.
	big := strings.Repeat("b", 2000)
	j.Add(1, &journal.Entry{RequestBody: big})
	j.Add(1, &journal.Entry{RequestBody: big})
	if n := j.Count(1, journal.Filter{}); n != 1 {
		t.Fatalf("%d entries past the byte bound, want 1", n)
	}
	j.Clear(1)
	if n := j.Count(1, journal.Filter{}) + len(j.Find(1, journal.Filter{})); n != 0 || j.Count(2, journal.Filter{}) != 1 {
		t.Fatal("clear of one store")
	}
}

// BenchmarkRecord is the journal's cost per request beyond copying the
// bodies: redacting a customer's JSON (without and with a password in it)
// and adding the entry.
func BenchmarkRecord(b *testing.B) {
	customer := []byte(`{"id":1,"company":"","first_name":"Jane","last_name":"Doe","email":"jane@example.com","phone":"","form_fields":null,"date_created":"Mon, 06 May 2024 07:34:10 +0000","date_modified":"Mon, 06 May 2024 07:34:10 +0000","store_credit":"0.0000","registration_ip_address":"","customer_group_id":0,"notes":"","tax_exempt_category":"","reset_pass_on_login":false,"accepts_marketing":false,"addresses":{"url":"http:\/\/127.0.0.1\/stores\/bench\/v2\/customers\/1\/addresses","resource":"\/customers\/1\/addresses"}}`)
	withPassword := []byte(`{"first_name":"Jane","last_name":"Doe","email":"jane@example.com","_authentication":{"password":"hunter2hunter2","password_confirmation":"hunter2hunter2"}}`)
	for _, c := range []struct {
		name string
		body []byte
	}{{"plain-customer", customer}, {"with-password", withPassword}} {
		b.Run(c.name, func(b *testing.B) {
			j := journal.New(journal.Config{})
			for b.Loop() {
				s, _ := journal.RedactBody(c.body, "application/json", "", journal.DefaultMaxBody)
				j.Add(1, &journal.Entry{Method: "GET", Path: "/stores/bench/v2/customers/1", ResponseBody: s})
			}
		})
	}
}
