package storefront_test

import (
	"net/http"
	"testing"
)

// BenchmarkLoginToken is one sign-in with a fresh token (verify, use the
// jti, record the attempt, start the session: three write transactions)
// against BenchmarkV2Time, an authenticated V2 GET on the same server, as
// the baseline. Compare them as a ratio: the machine's load moves both.
func BenchmarkLoginToken(b *testing.B) {
	ts := newTestServer(b)
	br := ts.browser()
	for b.Loop() {
		if res := br.get(ts.root() + "/login/token/" + ts.phpToken(ts.fx.alice)); res.Status != http.StatusFound {
			b.Fatalf("status %d", res.Status)
		}
	}
}

func BenchmarkV2Time(b *testing.B) {
	ts := newTestServer(b)
	for b.Loop() {
		if res := ts.v2("/time", ts.fx.api, "Accept", "application/json"); res.Status != http.StatusOK {
			b.Fatalf("status %d", res.Status)
		}
	}
}

// BenchmarkAccountPage is a signed-in page: the session's read, the
// customer's and the group's.
func BenchmarkAccountPage(b *testing.B) {
	ts := newTestServer(b)
	br := ts.browser()
	br.get(ts.root() + "/login/token/" + ts.phpToken(ts.fx.alice))
	for b.Loop() {
		if res := br.get(ts.root() + "/account.php"); res.Status != http.StatusOK {
			b.Fatalf("status %d", res.Status)
		}
	}
}
