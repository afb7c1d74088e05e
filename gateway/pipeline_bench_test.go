package gateway_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/metrics"
	"github.com/customersd/customersd/ratelimit"
)

// oneAccount authenticates one token of one store, from memory.
type oneAccount struct {
	customersd.TenantService
	account *customersd.APIAccount
}

func (t oneAccount) Authenticate(ctx context.Context, hash, token string) (*customersd.APIAccount, error) {
	if hash != t.account.Store.Hash || token != "token" {
		return nil, customersd.Errorf(customersd.EUNAUTHORIZED, "no")
	}
	return t.account, nil
}

// BenchmarkPipeline measures the gateway's own part of a GET by id: a
// surface shaped like V2 (Negotiate, Rewrite, Match) whose tenants and
// handler cost next to nothing, with the in-memory rate limiter, metrics
// and an access log formatted as `customersd serve` formats it.
//
//	go test -run '^$' -bench BenchmarkPipeline -benchmem ./gateway
func BenchmarkPipeline(b *testing.B) {
	m := metrics.New()
	scopes := []customersd.Scope{customersd.ScopeCustomers, customersd.ScopeCustomersReadOnly}
	gw := &gateway.Gateway{
		Tenants: oneAccount{account: &customersd.APIAccount{ClientID: "client", Scopes: scopes[:1],
			Store: customersd.Store{ID: 1, Hash: "bench", RateLimit: &customersd.Quota{Requests: customersd.MaxRateLimitRequests, Window: time.Hour}}}},
		RateLimit: &ratelimit.Policy{},
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Observe:   m.ObserveRequest,
	}
	h := gw.Mount(&gateway.Surface{
		Name: "v2", Auth: gateway.StoreToken, Version: "v2", Render: v3Render,
		Methods:   []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete},
		Negotiate: func(r *http.Request) (string, error) { return "json", nil },
		Rewrite:   func(r *http.Request) { r.URL.Path = strings.TrimSuffix(r.URL.Path, ".json") },
		Match:     func(r *http.Request, pattern string) bool { return !strings.HasSuffix(r.URL.Path, "/count") },
		Routes: []gateway.Route{
			{Pattern: "GET /stores/{store_hash}/v2/customers", Scopes: scopes, Handler: echo("store_hash")},
			{Pattern: "GET /stores/{store_hash}/v2/customers/{id}", Scopes: scopes, Handler: func(w http.ResponseWriter, r *http.Request) error {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"id":`+r.PathValue("id")+`}`)
				return nil
			}},
			{Pattern: "POST /stores/{store_hash}/v2/customers", Scopes: scopes[:1], Handler: echo("store_hash")},
		},
	})
	req := httptest.NewRequest("GET", "/stores/bench/v2/customers/1", nil)
	req.Header.Set("X-Auth-Token", "token")
	for b.Loop() {
		r := req.Clone(req.Context())
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK || rec.Body.String() != `{"id":1}` {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
