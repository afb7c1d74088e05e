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
