package webhook_test

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/customersd/customersd/webhook"
)

func mustB64(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestNextAttempt_Schedule(t *testing.T) {
	gaps := []int{60, 180, 300, 600, 900, 1800, 3600, 7200, 21600, 50400, 86400}
	t0 := time.Unix(1714980857, 0)
	for _, scale := range []float64{1, 0.0002} {
		var total time.Duration
		for i, g := range gaps {
			next, ok := webhook.NextAttempt(i+1, t0, scale)
			want := time.Duration(float64(g) * scale * float64(time.Second))
			if !ok || next.Sub(t0) != want {
				t.Fatalf("scale %v: after attempt %d: next in %v (ok %v), want %v", scale, i+1, next.Sub(t0), ok, want)
			}
			total += want
		}
		if _, ok := webhook.NextAttempt(len(gaps)+1, t0, scale); ok {
			t.Fatalf("scale %v: attempt %d has a next attempt; the schedule has %d retries", scale, len(gaps)+1, len(gaps))
		}
		if want := time.Duration(float64(173040*time.Second) * scale); total != want {
			t.Fatalf("scale %v: the schedule spans %v, want %v", scale, total, want)
		}
	}
	if webhook.MaxAttempts != 12 {
		t.Fatalf("MaxAttempts = %d, want 12", webhook.MaxAttempts)
	}
	// 0.0002 makes 60 s into 12 ms, as the issue says.
	if got := webhook.Scale(time.Minute, 0.0002); got != 12*time.Millisecond {
		t.Fatalf("Scale(1m, 0.0002) = %v, want 12ms", got)
	}
}
