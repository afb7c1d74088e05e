package v2

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	want := time.Date(2024, 5, 6, 7, 34, 10, 0, time.UTC)
	for _, s := range []string{
		"Mon, 06 May 2024 07:34:10 +0000", "Mon, 6 May 2024 07:34:10 +0000", "06 May 2024 07:34:10 +0000",
		"Mon, 06 May 2024 09:34:10 +0200", "Mon, 06 May 2024 07:34:10 GMT", "2024-05-06T07:34:10Z",
		"2024-05-06T09:34:10+02:00", "2024-05-06T07:34:10", "2024-05-06 07:34:10", " 2024-05-06T07:34:10Z ",
		// '+' sent unencoded in a query string arrives as a space.
		"2024-05-06T09:34:10 02:00", "Mon, 06 May 2024 07:34:10  0000", "Mon, 06 May 2024 09:34:10  0200",
	} {
		got, bare, ok := parseDate(s)
		if !ok || bare || !got.Equal(want) {
			t.Errorf("parseDate(%q)=%v,%v,%v, want %v", s, got, bare, ok, want)
		}
	}
	if got, bare, ok := parseDate("2024-05-06"); !ok || !bare || !got.Equal(time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("bare date: %v,%v,%v", got, bare, ok)
	}
	for _, s := range []string{"", "yesterday", "2024-13-01", "2024-05-06T25:00:00Z", "1714980850", "06/05/2024", "May 6, 2024"} {
		if _, _, ok := parseDate(s); ok {
			t.Errorf("parseDate(%q) accepted", s)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"Mon, 06 May 2024 07:34:10 +0000", "2024-05-06T07:34:10Z", "2024-05-06", "2024-05-06T07:34:10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, _, ok := parseDate(s)
		if ok && got.Location() != time.UTC {
			t.Fatalf("parseDate(%q) is not UTC: %v", s, got)
		}
	})
}
