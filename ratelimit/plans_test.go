package ratelimit

import (
	"strings"
	"testing"
	"time"

	"github.com/customersd/customersd"
)

func TestParsePlans(t *testing.T) {
	q := func(n int, w time.Duration) customersd.Quota { return customersd.Quota{Requests: n, Window: w} }
	bc := map[string]customersd.Quota{ // BigCommerce's, and Unlimited for a plan we do not know
		"standard": q(150, 30*time.Second), "plus": q(150, 30*time.Second), "pro": q(450, 30*time.Second),
		"enterprise": q(1800, 30*time.Second), "gold": Unlimited,
	}
	tests := []struct {
		name string
		in   string
		off  bool
		want map[string]customersd.Quota // by plan; missing plans as bc
	}{
		{"Default", "", false, nil},
		{"Plan", "plan", false, nil},
		{"Off", "OFF", true, nil},
		{"Every plan", "300/1m", false, map[string]customersd.Quota{
			"standard": q(300, time.Minute), "plus": q(300, time.Minute), "pro": q(300, time.Minute),
			"enterprise": q(300, time.Minute), "gold": q(300, time.Minute)}},
		{"One plan", "pro=900/30s", false, map[string]customersd.Quota{"pro": q(900, 30*time.Second)}},
		{"Both", " 300/30s , Enterprise=5000/30s", false, map[string]customersd.Quota{
			"standard": q(300, 30*time.Second), "plus": q(300, 30*time.Second), "pro": q(300, 30*time.Second),
			"enterprise": q(5000, 30*time.Second), "gold": q(300, 30*time.Second)}},
		{"Milliseconds", "pro=10/1500ms", false, map[string]customersd.Quota{"pro": q(10, 1500*time.Millisecond)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, off, err := ParsePlans(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if off != tt.off {
				t.Fatalf("off=%v, want %v", off, tt.off)
			}
			for plan, def := range bc {
				want, ok := tt.want[plan]
				if !ok {
					want = def
				}
				if got := p.Quota(plan); got != want {
					t.Errorf("plan %s: %+v, want %+v", plan, got, want)
				}
			}
		})
	}
	for _, bad := range []string{"fast", "150", "0/30s", "-1/30s", "150/0s", "150/30", "150/1.5ms", "150/48h",
		"gold=150/30s", "150/30s,300/30s", "pro=", "1/1s,"} {
		if _, _, err := ParsePlans(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestPlanNames(t *testing.T) {
	if got, want := customersd.PlanNames(), "standard, plus, pro or enterprise"; got != want {
		t.Errorf("PlanNames()=%q, want %q", got, want)
	}
	if got := DescribePlans(); !strings.Contains(got, "450/30s pro") || !strings.Contains(got, "150/30s standard") {
		t.Errorf("DescribePlans()=%q", got)
	}
	for _, s := range []string{"150/30s", "10/1.5s", "1000000/24h0m0s"} {
		q, err := ParseQuota(s)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := ParseQuota(q.String()); err != nil || back != q {
			t.Errorf("%q: String()=%q does not parse back (%v)", s, q.String(), err)
		}
	}
}
