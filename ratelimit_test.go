package customersd_test

import (
	"testing"
	"time"

	"github.com/customersd/customersd"
)

func TestRateLimit_Validate(t *testing.T) {
	tests := []struct {
		name      string
		in        customersd.Quota
		wantField string
	}{
		{"OK", customersd.Quota{Requests: 150, Window: 30 * time.Second}, ""},
		{"Bounds", customersd.Quota{Requests: customersd.MaxRateLimitRequests, Window: customersd.MaxRateLimitWindow}, ""},
		{"OneMillisecond", customersd.Quota{Requests: 1, Window: time.Millisecond}, ""},
		{"NoRequests", customersd.Quota{Requests: 0, Window: time.Second}, "rate_limit.requests"},
		{"TooManyRequests", customersd.Quota{Requests: customersd.MaxRateLimitRequests + 1, Window: time.Second}, "rate_limit.requests"},
		{"NoWindow", customersd.Quota{Requests: 1}, "rate_limit.window_ms"},
		{"FractionOfMillisecond", customersd.Quota{Requests: 1, Window: 1001 * time.Microsecond}, "rate_limit.window_ms"},
		{"WindowTooLong", customersd.Quota{Requests: 1, Window: 25 * time.Hour}, "rate_limit.window_ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate()
			var field string
			if e, ok := err.(*customersd.Error); ok {
				field = e.Field
			} else if err != nil {
				t.Fatalf("err=%v, want a *customersd.Error", err)
			}
			if field != tt.wantField {
				t.Fatalf("field=%q, want %q", field, tt.wantField)
			}
		})
	}
	if got, want := (customersd.Quota{Requests: 150, Window: 30 * time.Second}).String(), "150/30s"; got != want {
		t.Fatalf("String()=%q, want %q", got, want)
	}
}
