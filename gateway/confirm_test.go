package gateway_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/ratelimit"
)

// deferring authenticates every GET on its hint (the account), and its
// Confirm answers as the token stands now: revoked or not.
type deferring struct {
	oneAccount
	revoked  atomic.Bool
	confirms atomic.Int32
	writes   atomic.Int32 // POSTs that reached their handler
}

func (d *deferring) AuthenticateDeferred(ctx context.Context, hash, token string) (context.Context, *customersd.APIAccount, error) {
	a, err := d.oneAccount.Authenticate(ctx, hash, token)
	return ctx, a, err
}

func (d *deferring) Confirm(ctx context.Context) (*customersd.APIAccount, error) {
	d.confirms.Add(1)
	if d.revoked.Load() {
		return nil, customersd.Errorf(customersd.EUNAUTHORIZED, "revoked")
	}
	return d.account, nil
}

func (d *deferring) Authenticate(ctx context.Context, hash, token string) (*customersd.APIAccount, error) {
	if d.revoked.Load() {
		return nil, customersd.Errorf(customersd.EUNAUTHORIZED, "revoked")
	}
	return d.oneAccount.Authenticate(ctx, hash, token)
}

// TestDeferredAuth_HeldUntilConfirmed: a GET authenticated on a hint is
// answered only once Confirm holds the token; when it does not, the answer
// is the 401 of a refused token, without the handler's headers or body,
// whether the handler wrote a body, only a status, nothing, or failed. A
// write is never deferred.
func TestDeferredAuth_HeldUntilConfirmed(t *testing.T) {
	d := &deferring{oneAccount: oneAccount{account: &customersd.APIAccount{ClientID: "client",
		Scopes: []customersd.Scope{customersd.ScopeCustomers}, Store: customersd.Store{ID: 1, Hash: "s"}}}}
	gw := &gateway.Gateway{Tenants: d, RateLimit: &ratelimit.Policy{}, Logger: slog.New(slog.DiscardHandler)}
	h := gw.Mount(&gateway.Surface{
		Name: "v2", Auth: gateway.StoreToken, Version: "v2", Render: v3Render,
		Methods: []string{http.MethodGet, http.MethodPost},
		Routes: []gateway.Route{
			{Pattern: "GET /stores/{store_hash}/v2/body", Handler: func(w http.ResponseWriter, r *http.Request) error {
				w.Header().Set("Location", "/secret")
				io.WriteString(w, "secret")
				return nil
			}},
			{Pattern: "GET /stores/{store_hash}/v2/status", Handler: func(w http.ResponseWriter, r *http.Request) error {
				w.WriteHeader(http.StatusNoContent)
				return nil
			}},
			{Pattern: "GET /stores/{store_hash}/v2/nothing", Handler: func(w http.ResponseWriter, r *http.Request) error { return nil }},
			{Pattern: "GET /stores/{store_hash}/v2/missing", Handler: func(w http.ResponseWriter, r *http.Request) error {
				return customersd.NotFound("Customer", 7)
			}},
			{Pattern: "POST /stores/{store_hash}/v2/body", Handler: func(w http.ResponseWriter, r *http.Request) error {
				d.writes.Add(1)
				return nil
			}},
		},
	})
	do := func(method, path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "/stores/s/v2/"+path, nil)
		req.Header.Set("X-Auth-Token", "token")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for path, want := range map[string]int{"body": 200, "status": 204, "nothing": 200, "missing": 404} {
		before := d.confirms.Load()
		if rec := do("GET", path); rec.Code != want {
			t.Errorf("GET %s with the token valid: %d, want %d", path, rec.Code, want)
		}
		if d.confirms.Load() != before+1 {
			t.Errorf("GET %s: confirmed %d times, want once", path, d.confirms.Load()-before)
		}
	}
	d.revoked.Store(true)
	for _, path := range []string{"body", "status", "nothing", "missing"} {
		rec := do("GET", path)
		if rec.Code != http.StatusUnauthorized || strings.Contains(rec.Body.String(), "secret") || rec.Header().Get("Location") != "" ||
			rec.Header().Get("X-Rate-Limit-Requests-Left") == "" {
			t.Errorf("GET %s after the revoke: %d %q, headers %v; want the 401 alone, with the rate limit headers", path, rec.Code, rec.Body, rec.Header())
		}
	}
	if rec := do("POST", "body"); rec.Code != http.StatusUnauthorized || d.writes.Load() != 0 {
		t.Errorf("POST after the revoke: %d, %d writes; want 401 before the handler", rec.Code, d.writes.Load())
	}
}
