package gateway_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/fault"
	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/journal"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
)

// TestFaults_EverySurface: the gateway applies fault rules and journals
// requests on any store surface (the V3 and storefront stand-ins here,
// V2 in admin/), each in its own error shape, and leaves the admin API
// alone.
func TestFaults_EverySurface(t *testing.T) {
	f := newFixture(t)
	if !f.gw.KnownRoute("/hooks") || !f.gw.KnownRoute("/account.php") || f.gw.KnownRoute("/admin/v1/ping") {
		t.Fatal("KnownRoute: want the store surfaces' routes relative to the version root, and not the admin API's")
	}
	v3 := f.gw.Faults.Add(f.store1, fault.Rule{Route: "/hooks", Method: "GET", Status: http.StatusServiceUnavailable, RetryAfter: 2, Times: 1, RateHeaders: true})
	res := f.get(t, "GET", "/stores/store1/v3/hooks", "X-Auth-Token", f.full).want(t, 503, `"title":"The store is down for maintenance. Please try again later."`)
	if res.header.Get("Retry-After") != "2" || res.header.Get("X-Rate-Limit-Requests-Quota") == "" {
		t.Fatalf("headers %v, want Retry-After 2 and the rate headers", res.header)
	}
	f.get(t, "GET", "/stores/store1/v3/hooks", "X-Auth-Token", f.full).want(t, 200, `"data"`)

	sf := f.gw.Faults.Add(f.store1, fault.Rule{Route: "/account.php", Status: http.StatusTooManyRequests, RateHeaders: true, Times: 1})
	res = f.get(t, "GET", "/stores/store1/storefront/account.php").want(t, 429, "<p>Too Many Requests</p>")
	if res.header.Get("X-Retry-After") != "1" || res.header.Get("X-Rate-Limit-Requests-Left") != "0" {
		t.Fatalf("storefront 429 headers %v", res.header)
	}
	f.get(t, "GET", "/stores/store1/storefront/account.php").want(t, 200, "<h1>store1</h1>")

	f.gw.Faults.Add(f.store1, fault.Rule{Status: http.StatusInternalServerError, RateHeaders: true})
	f.get(t, "GET", "/admin/v1/ping", "Authorization", "Bearer "+adminToken).want(t, 200, "pong")

	entries := f.gw.Journal.Find(f.store1, journal.Filter{})
	if len(entries) != 4 {
		t.Fatalf("%d entries, want the 4 store requests and no admin one", len(entries))
	}
	want := []struct {
		surface, route string
		status         int
		fault          string
	}{{"storefront", "/account.php", 200, ""}, {"storefront", "/account.php", 429, sf.ID}, {"v3", "/hooks", 200, ""}, {"v3", "/hooks", 503, v3.ID}}
	for i, w := range want {
		e := entries[i]
		if e.Surface != w.surface || e.Route != w.route || e.Status != w.status || (e.Fault == nil) != (w.fault == "") || (e.Fault != nil && *e.Fault != w.fault) {
			t.Fatalf("entry %d: %+v, want %+v", i, e, w)
		}
	}
	if !strings.Contains(entries[2].ResponseBody, `"client_id"`) || entries[2].ClientID == "" || entries[0].ClientID != "" {
		t.Fatalf("entries %+v: want the V3 account's client_id, none on the public storefront", entries)
	}
}

// TestFaults_DropsOverHTTP2: a connection HTTP/2 multiplexes cannot be
// taken, so both drops abort the stream instead; the connection and the
// next request live on.
func TestFaults_DropsOverHTTP2(t *testing.T) {
	db := sqlstoretest.Open(t, "sqlite")
	tenants := sqlstore.NewTenantService(db)
	st := &customersd.Store{Hash: "h2"}
	if err := tenants.CreateStore(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	gw := &gateway.Gateway{Tenants: tenants, Logger: slog.New(slog.DiscardHandler), Faults: &fault.Engine{}, Journal: journal.New(journal.Config{})}
	page := &gateway.Surface{Name: "storefront", Auth: gateway.Public, Version: "storefront", Render: htmlRender, Methods: []string{http.MethodGet},
		Routes: []gateway.Route{{Pattern: "GET /stores/{store_hash}/storefront/page", Handler: func(w http.ResponseWriter, r *http.Request) error {
			io.WriteString(w, "page")
			return nil
		}}}}
	srv := httptest.NewUnstartedServer(gw.Mount(page))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := srv.Client()
	get := func() (*http.Response, error) { return c.Get(srv.URL + "/stores/h2/storefront/page") }
	for _, drop := range []string{fault.DropReset, fault.DropAfterHeaders} {
		gw.Faults.Add(st.ID, fault.Rule{Drop: drop, Times: 1, RateHeaders: true})
		res, err := get()
		if err == nil {
			_, err = io.ReadAll(res.Body)
			res.Body.Close()
			if res.ProtoMajor != 2 {
				t.Fatalf("%s: served over %s, want HTTP/2", drop, res.Proto)
			}
		}
		if err == nil {
			t.Fatalf("%s: the request succeeded", drop)
		}
		res, err = get()
		if err != nil {
			t.Fatalf("after %s: %v", drop, err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(b) != "page" {
			t.Fatalf("after %s: %q", drop, b)
		}
	}
	if n := gw.Journal.Count(st.ID, journal.Filter{}); n != 4 {
		t.Fatalf("%d entries, want 4", n)
	}
}
