package webhook_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/customersd/customersd/webhook"
)

// sendN records n requests, the first ok of them successful, one per
// step from t.
func sendN(b *webhook.Blocklist, client, domain string, t time.Time, step time.Duration, n, ok int) (time.Time, bool) {
	started := false
	for i := range n {
		failure := ""
		if i >= ok {
			failure = "status 500"
			if i%2 == 0 {
				failure = "timeout"
			}
		}
		if b.Record(key(client, domain), t, failure) {
			started = true
		}
		t = t.Add(step)
	}
	return t, started
}

func key(client, domain string) webhook.BlockKey {
	return webhook.BlockKey{Store: 1, ClientID: client, Domain: domain}
}

func TestBlocklist(t *testing.T) {
	t0 := time.Unix(1714980000, 0)
	t.Run("UnderRatioBlocks", func(t *testing.T) {
		b := webhook.NewBlocklist(1)
		end, started := sendN(b, "app", "hooks.example.com", t0, 100*time.Millisecond, 100, 89)
		if !started {
			t.Fatal("89 % success over 100 requests did not block")
		}
		until, blocked := b.Blocked(key("app", "hooks.example.com"), end)
		if !blocked || until.Sub(end) > 3*time.Minute || until.Sub(end) < 3*time.Minute-time.Second {
			t.Fatalf("blocked=%v until %v, want blocked for 3 minutes", blocked, until.Sub(end))
		}
		if _, blocked := b.Blocked(key("other-app", "hooks.example.com"), end); blocked {
			t.Fatal("the block of one client blocks another")
		}
		if _, blocked := b.Blocked(key("app", "other.example.com"), end); blocked {
			t.Fatal("the block of one domain blocks another")
		}
		if _, blocked := b.Blocked(key("app", "hooks.example.com"), until); blocked {
			t.Fatal("still blocked when the 3 minutes are over")
		}
		got := b.BlockedDomains(1, "app", end)
		if len(got) != 1 || got[0].Domain != "hooks.example.com" || !got[0].Until.Equal(until) {
			t.Fatalf("BlockedDomains = %+v", got)
		}
		// 11 failures, the most frequent first: 6 statuses (odd i from 89
		// to 99) and 5 timeouts (even i).
		want := []webhook.BlockReason{{Description: "status 500", Count: 6, Last: end.Add(-100 * time.Millisecond)},
			{Description: "timeout", Count: 5, Last: end.Add(-200 * time.Millisecond)}}
		if diff := cmp.Diff(want, got[0].Reasons); diff != "" {
			t.Fatalf("reasons (-want +got):\n%s", diff)
		}
		if got := b.BlockedDomains(1, "other-app", end); len(got) != 0 {
			t.Fatalf("another account sees %+v", got)
		}
	})
	t.Run("RatioKept", func(t *testing.T) {
		b := webhook.NewBlocklist(1)
		if _, started := sendN(b, "app", "d", t0, 100*time.Millisecond, 200, 180); started {
			t.Fatal("90 % success blocked")
		}
	})
	t.Run("FewerThan100", func(t *testing.T) {
		b := webhook.NewBlocklist(1)
		if _, started := sendN(b, "app", "d", t0, 100*time.Millisecond, 99, 0); started {
			t.Fatal("99 failed requests blocked: the rule needs 100 in the window")
		}
	})
	t.Run("WindowSlides", func(t *testing.T) {
		b := webhook.NewBlocklist(1)
		// 100 failures spread over 5 minutes: never 100 in 2 minutes.
		if _, started := sendN(b, "app", "d", t0, 3*time.Second, 100, 0); started {
			t.Fatal("failures outside the 2-minute window counted")
		}
	})
	t.Run("TimeScale", func(t *testing.T) {
		b := webhook.NewBlocklist(0.001) // window 120 ms, block 180 ms
		end, started := sendN(b, "app", "d", t0, time.Millisecond, 100, 0)
		if !started {
			t.Fatal("no block at scale 0.001")
		}
		until, _ := b.Blocked(key("app", "d"), end)
		if got := until.Sub(end); got > 180*time.Millisecond || got < 170*time.Millisecond {
			t.Fatalf("blocked for %v, want 180ms", got)
		}
		if _, started := sendN(b, "app", "e", t0, 2*time.Millisecond, 100, 0); started {
			t.Fatal("100 failures over 200 ms blocked with a 120 ms window")
		}
	})
}

func TestDomain(t *testing.T) {
	for in, want := range map[string]string{
		"https://Hooks.Example.com/a?b": "hooks.example.com",
		"http://127.0.0.1:8080/x":       "127.0.0.1",
		"http://[::1]:9/x":              "::1",
	} {
		if got := webhook.Domain(in); got != want {
			t.Errorf("Domain(%q) = %q, want %q", in, got, want)
		}
	}
}
