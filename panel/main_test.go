package panel_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/panel"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/ratelimit"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
)

// adminToken signs in to every test panel.
const adminToken = "panel-test-admin-token-7d1e"

// testPanel is the panel mounted as serve mounts it, with a store "shop"
// holding a group, Jane Doe with an address, and bulk customers.
type testPanel struct {
	*httptest.Server
	db    *sqlstore.DB
	store *customersd.Store
}

func ptr[T any](v T) *T { return &v }

func newTestPanel(tb testing.TB, bulk int, opts ...func(*panel.Server)) *testPanel {
	tb.Helper()
	return newTestPanelDB(tb, bulk, func(_ *sqlstore.DB, s *panel.Server) {
		for _, o := range opts {
			o(s)
		}
	})
}

// newTestPanelDB is newTestPanel with an option that needs the database.
func newTestPanelDB(tb testing.TB, bulk int, opt func(*sqlstore.DB, *panel.Server)) *testPanel {
	tb.Helper()
	db := sqlstoretest.Open(tb, "sqlite")
	ts := &testPanel{db: db}
	ts.Server = httptest.NewServer(newHandler(db, func(s *panel.Server) { opt(db, s) }))
	tb.Cleanup(ts.Close)
	ts.store = mustFixtures(tb, db, bulk)
	return ts
}

func (ts *testPanel) tenants() *sqlstore.TenantService { return sqlstore.NewTenantService(ts.db) }

// newHandler is the V2-less part of serve's URL space: the panel under
// /admin/ui/, as internal/cli mounts it.
func newHandler(db *sqlstore.DB, opts ...func(*panel.Server)) http.Handler {
	tenants := sqlstore.NewTenantService(db)
	customers := sqlstore.NewCustomerService(db, password.Hasher{})
	s := &panel.Server{
		AdminToken: adminToken,
		Tenants:    tenants,
		Customers:  customers,
		Search:     customers,
		Addresses:  sqlstore.NewAddressService(db),
		Groups:     sqlstore.NewGroupService(db),
		Quota:      (*ratelimit.Policy)(nil).StoreQuota,
	}
	for _, o := range opts {
		o(s)
	}
	gw := &gateway.Gateway{Tenants: tenants, AdminToken: adminToken, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	mux := http.NewServeMux()
	mux.Handle("/admin/ui/", gw.Mount(s.Surface()))
	return mux
}

// mustFixtures makes store "shop": group Wholesale (10% off everything,
// categories 3 and 7), Jane Doe of Acme in it with an address, and bulk
// customers bulk0@example.com... without a group.
func mustFixtures(tb testing.TB, db *sqlstore.DB, bulk int) *customersd.Store {
	tb.Helper()
	ctx := context.Background()
	st := &customersd.Store{Hash: "shop"}
	if err := sqlstore.NewTenantService(db).CreateStore(ctx, st); err != nil {
		tb.Fatal(err)
	}
	ten := customersd.Decimal(10 * 10000)
	g, err := sqlstore.NewGroupService(db).CreateGroup(ctx, st.ID, &customersd.GroupInput{
		Name:           ptr("Wholesale"),
		CategoryAccess: &customersd.CategoryAccess{Type: customersd.CategoryAccessSpecific, Categories: []int64{3, 7}},
		DiscountRules:  &[]customersd.DiscountRule{{Type: customersd.RuleTypeAll, Method: customersd.RuleMethodPercent, Amount: &ten}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	cs := sqlstore.NewCustomerService(db, password.Hasher{})
	jane, err := cs.CreateCustomer(ctx, st.ID, &customersd.CustomerInput{
		FirstName: ptr("Jane"), LastName: ptr("Doe"), Email: ptr("jane@example.com"), Company: ptr("Acme Rockets"),
		Phone: ptr("+1 555 0100"), Notes: ptr("Prefers <b>email</b>"), CustomerGroupID: &g.ID,
	})
	if err != nil {
		tb.Fatal(err)
	}
	_, err = sqlstore.NewAddressService(db).CreateAddress(ctx, st.ID, jane.ID, &customersd.AddressInput{
		FirstName: ptr("Jane"), LastName: ptr("Doe"), Street1: ptr("1 Launch Pad"), City: ptr("Cape Canaveral"),
		State: ptr("Florida"), Zip: ptr("32920"), Country: ptr("United States"), Phone: ptr("+1 555 0101"),
	})
	if err != nil {
		tb.Fatal(err)
	}
	for i := range bulk {
		email := fmt.Sprintf("bulk%03d@example.com", i)
		if _, err := cs.CreateCustomer(ctx, st.ID, &customersd.CustomerInput{FirstName: ptr("Bulk"), LastName: ptr("Buyer"), Email: &email}); err != nil {
			tb.Fatal(err)
		}
	}
	return st
}

// browser is an HTTP client with cookies that does not follow redirects,
// so tests see each answer.
type browser struct {
	tb     testing.TB
	ts     *testPanel
	client *http.Client
}

func (ts *testPanel) browser(tb testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{tb: tb, ts: ts, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// page is a finished exchange.
type page struct {
	Status int
	Header http.Header
	Body   string
}

func (b *browser) do(req *http.Request) *page {
	b.tb.Helper()
	res, err := b.client.Do(req)
	if err != nil {
		b.tb.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.tb.Fatal(err)
	}
	return &page{Status: res.StatusCode, Header: res.Header, Body: string(body)}
}

func (b *browser) get(path string) *page {
	b.tb.Helper()
	req, err := http.NewRequest(http.MethodGet, b.ts.URL+path, nil)
	if err != nil {
		b.tb.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) *page {
	b.tb.Helper()
	req, err := http.NewRequest(http.MethodPost, b.ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var csrfPattern = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the CSRF token of a page's forms.
func (p *page) csrf(tb testing.TB) string {
	tb.Helper()
	m := csrfPattern.FindStringSubmatch(p.Body)
	if m == nil {
		tb.Fatalf("no CSRF field in page:\n%s", p.Body)
	}
	return m[1]
}

func (p *page) want(tb testing.TB, status int, texts ...string) *page {
	tb.Helper()
	if p.Status != status {
		tb.Fatalf("status=%d, want %d; body:\n%s", p.Status, status, p.Body)
	}
	for _, s := range texts {
		if !strings.Contains(p.Body, s) {
			tb.Fatalf("page lacks %q; body:\n%s", s, p.Body)
		}
	}
	return p
}

func (p *page) wantRedirect(tb testing.TB, to string) {
	tb.Helper()
	if p.Status != http.StatusSeeOther || p.Header.Get("Location") != to {
		tb.Fatalf("status=%d Location=%q, want 303 to %q", p.Status, p.Header.Get("Location"), to)
	}
}

// signIn signs b in through the form and returns the CSRF token of its session.
func (b *browser) signIn() string {
	b.tb.Helper()
	form := b.get("/admin/ui/login").want(b.tb, http.StatusOK)
	b.post("/admin/ui/login", url.Values{"token": {adminToken}, "csrf": {form.csrf(b.tb)}}).wantRedirect(b.tb, "/admin/ui/")
	return b.get("/admin/ui/").want(b.tb, http.StatusOK).csrf(b.tb)
}
