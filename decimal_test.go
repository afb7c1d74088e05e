package customersd_test

import (
	"testing"

	"github.com/customersd/customersd"
)

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"0", "0.0000", true},
		{"10", "10.0000", true},
		{"10.5", "10.5000", true},
		{" 10.5 ", "10.5000", true},
		{"0.1", "0.1000", true},
		{"1.23456", "1.2346", true},
		{"1.23454", "1.2345", true},
		{"-3.1", "-3.1000", true},
		{"+2", "2.0000", true},
		{".5", "0.5000", true},
		{"5.", "5.0000", true},
		{"1e2", "100.0000", true},
		{"1.5E-2", "0.0150", true},
		{"", "", false},
		{".", "", false},
		{"abc", "", false},
		{"1.2.3", "", false},
		{"NaN", "", false},
		{"Inf", "", false},
		{"1e300", "", false},
		{"99999999999999999999", "", false},
		{"--1", "", false},
	}
	for _, tt := range tests {
		d, ok := customersd.ParseDecimal(tt.in)
		if ok != tt.ok || (ok && d.String() != tt.want) {
			t.Errorf("ParseDecimal(%q)=%v,%v, want %q,%v", tt.in, d, ok, tt.want, tt.ok)
		}
	}
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"0", "10.5", "-3.1234", "1e2", ".5", "99999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := customersd.ParseDecimal(s)
		if !ok {
			return
		}
		// What we print must read back as the same amount.
		back, ok := customersd.ParseDecimal(d.String())
		if !ok || back != d {
			t.Fatalf("%q -> %s -> %v,%v", s, d, back, ok)
		}
	})
}
