package panel_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/fault"
	"github.com/customersd/customersd/journal"
	"github.com/customersd/customersd/panel"
	"github.com/customersd/customersd/sqlstore"
)

func TestRequestsPage(t *testing.T) {
	j := journal.New(journal.Config{})
	ts := newTestPanel(t, 0, func(s *panel.Server) { s.Journal = j })
	rule := "f1"
	j.Add(ts.store.ID, &journal.Entry{Time: time.Date(2024, 5, 6, 7, 34, 10, 0, time.UTC), Method: "POST", Path: "/stores/shop/v2/customers",
		Route: "/customers", Surface: "v2", Status: 429, DurationMS: 1.5, ClientID: "app1", RequestID: "req-1", Fault: &rule,
		RequestBody: `{"email":"a@example.com"}`, ResponseBody: `[{"status":429}]`})
	b := ts.browser(t)
	csrf := b.signIn()
	b.get("/admin/ui/stores/shop/requests").want(t, http.StatusOK,
		`aria-current="page">Requests`, "<code>POST /stores/shop/v2/customers</code>", "429", "1.5ms", "<code>app1</code>",
		"fault rule f1 fired", "<code>req-1</code>", "{&#34;email&#34;:&#34;a@example.com&#34;}", `name="confirm" value="yes" required`)

	j.Add(ts.store.ID, &journal.Entry{Time: time.Date(2024, 5, 6, 7, 35, 0, 0, time.UTC), Method: "GET", Path: "/stores/shop/v2/customers/1", Status: 200, ClientID: "app1"})
	b.get("/admin/ui/stores/shop/customers/1").want(t, http.StatusOK, "Recent requests to this customer", "<code>GET /stores/shop/v2/customers/1</code> answered 200")

	t.Run("ErrNotConfirmed", func(t *testing.T) {
		b.post("/admin/ui/stores/shop/requests/clear", url.Values{"csrf": {csrf}}).want(t, http.StatusBadRequest, "Tick the box")
		b.post("/admin/ui/stores/shop/requests/clear", url.Values{"confirm": {"yes"}}).want(t, http.StatusForbidden)
		if n := j.Count(ts.store.ID, journal.Filter{}); n != 2 {
			t.Fatalf("%d entries after refused clears, want 2", n)
		}
	})
	t.Run("Clear", func(t *testing.T) {
		b.post("/admin/ui/stores/shop/requests/clear", url.Values{"csrf": {csrf}, "confirm": {"yes"}}).wantRedirect(t, "/admin/ui/stores/shop/requests?notice=cleared")
		b.get("/admin/ui/stores/shop/requests?notice=cleared").want(t, http.StatusOK, "was cleared", "No requests recorded.")
	})
}

func TestFaultsPage(t *testing.T) {
	e := &fault.Engine{}
	ts := newTestPanel(t, 0, func(s *panel.Server) { s.Faults = e })
	st := e.Add(ts.store.ID, fault.Rule{Method: "POST", Route: "/customers", Times: 2, Status: 429, RetryAfter: 3})
	b := ts.browser(t)
	csrf := b.signIn()
	b.get("/admin/ui/stores/shop/faults").want(t, http.StatusOK,
		"Rule <code>"+st.ID+"</code>", "method POST, route /customers", "at most 2 times", "answer 429, retry after 3 s, without the X-Rate-Limit headers",
		"matched 0 times, fired 0 times", "Expires</dt><dd>never")

	path := "/admin/ui/stores/shop/faults/" + st.ID + "/delete"
	t.Run("ErrNotConfirmed", func(t *testing.T) {
		b.post(path, url.Values{"csrf": {csrf}}).want(t, http.StatusBadRequest, "Tick the box")
		b.post(path, url.Values{"confirm": {"yes"}}).want(t, http.StatusForbidden)
		if n := len(e.List(ts.store.ID)); n != 1 {
			t.Fatalf("%d rules after refused deletes, want 1", n)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		b.post(path, url.Values{"csrf": {csrf}, "confirm": {"yes"}}).wantRedirect(t, "/admin/ui/stores/shop/faults?notice=deleted")
		b.get("/admin/ui/stores/shop/faults?notice=deleted").want(t, http.StatusOK, "The rule was deleted.", "No fault rules.")
		b.post(path, url.Values{"csrf": {csrf}, "confirm": {"yes"}}).want(t, http.StatusNotFound, "no fault rule")
	})
}

func TestLoginsPage(t *testing.T) {
	ts := newTestPanelDB(t, 0, func(db *sqlstore.DB, s *panel.Server) { s.Logins = sqlstore.NewLoginService(db) })
	logins := sqlstore.NewLoginService(ts.db)
	ctx := context.Background()
	at := time.Date(2024, 5, 6, 7, 34, 10, 0, time.UTC)
	for _, a := range []*customersd.LoginAttempt{
		{At: at, OK: false, Check: "iat", Reason: "iat_too_old", Detail: "The token was issued 3 hours ago.", ClientID: "app1", CustomerID: 1, IP: "192.0.2.7", Claims: `{"iss":"app1"}`},
		{At: at.Add(time.Minute), OK: true, ClientID: "app1", CustomerID: 1, IP: "192.0.2.7", Claims: `{"iss":"app1"}`},
	} {
		if err := logins.RecordLoginAttempt(ctx, ts.store.ID, a); err != nil {
			t.Fatal(err)
		}
	}
	b := ts.browser(t)
	b.signIn()
	p := b.get("/admin/ui/stores/shop/logins").want(t, http.StatusOK,
		`aria-current="page">Logins`, "refused", "signed in", "<code>iat</code>", "<code>iat_too_old</code>: The token was issued 3 hours ago.",
		`<a href="/admin/ui/stores/shop/customers/1">1</a>`, "192.0.2.7")
	if strings.Index(p.Body, "signed in") > strings.Index(p.Body, "refused") {
		t.Fatal("the attempts are not newest first")
	}
}

func TestControlPages_AbsentWithoutFeatures(t *testing.T) {
	ts := newTestPanel(t, 0)
	b := ts.browser(t)
	b.signIn()
	for _, path := range []string{"requests", "faults", "logins"} {
		b.get("/admin/ui/stores/shop/"+path).want(t, http.StatusNotFound)
	}
}
