package panel_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestStoresPage(t *testing.T) {
	ts := newTestPanel(t, 2)
	b := ts.browser(t)
	b.signIn()
	p := b.get("/admin/ui/").want(t, http.StatusOK,
		`<a href="/admin/ui/stores/shop/customers">shop</a>`, "<td>standard</td>",
		"requests per", "(the plan's)", `<td class="num">3</td>`, `<td class="num">1</td>`)
	if !regexp.MustCompile(`<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" title="[^"]+ UTC">[^<]+ UTC</time>`).MatchString(p.Body) {
		t.Fatalf("no UTC <time> on the stores page:\n%s", p.Body)
	}
}

func TestCustomersPage(t *testing.T) {
	ts := newTestPanel(t, 60)
	b := ts.browser(t)
	b.signIn()

	t.Run("FirstPage", func(t *testing.T) {
		p := b.get("/admin/ui/stores/shop/customers").want(t, http.StatusOK,
			"(61 in the store)", `<a href="/admin/ui/stores/shop/customers/1">Jane Doe</a>`, "<td>Wholesale</td>",
			`<label for="q">Search</label>`, `rel="next"`, `href="?after=50"`, `aria-current="page">Customers`)
		if n := strings.Count(p.Body, `<tr>`) - 1; n != 50 {
			t.Fatalf("%d customers on the page, want 50", n)
		}
	})
	t.Run("NextPage", func(t *testing.T) {
		p := b.get("/admin/ui/stores/shop/customers?after=50").want(t, http.StatusOK, "bulk049@example.com", "bulk059@example.com", "First page")
		if strings.Contains(p.Body, `rel="next"`) || strings.Contains(p.Body, "bulk048@") {
			t.Fatalf("the last page shows a next link or an earlier customer:\n%s", p.Body)
		}
	})
	t.Run("SearchEmail", func(t *testing.T) {
		p := b.get("/admin/ui/stores/shop/customers?q=BULK05").want(t, http.StatusOK, "bulk050@example.com", "bulk059@example.com", `value="BULK05"`)
		if strings.Contains(p.Body, "jane@") || strings.Contains(p.Body, "bulk049@") {
			t.Fatalf("search shows customers it does not match:\n%s", p.Body)
		}
	})
	t.Run("SearchNameAndCompany", func(t *testing.T) {
		for _, q := range []string{"jan", "DOE", "acme r"} {
			p := b.get("/admin/ui/stores/shop/customers?q="+url.QueryEscape(q)).want(t, http.StatusOK, "jane@example.com")
			if strings.Contains(p.Body, "bulk") {
				t.Fatalf("q=%s matches the bulk customers", q)
			}
		}
		b.get("/admin/ui/stores/shop/customers?q=ocket").want(t, http.StatusOK, "No customer matches.")
	})
	t.Run("FilterGroup", func(t *testing.T) {
		p := b.get("/admin/ui/stores/shop/customers?group=1").want(t, http.StatusOK, "jane@example.com", `<option value="1" selected>Wholesale</option>`)
		if strings.Contains(p.Body, "bulk") {
			t.Fatal("the group filter shows customers of no group")
		}
		p = b.get("/admin/ui/stores/shop/customers?group=0&q=bulk00").want(t, http.StatusOK, "bulk000@", "bulk009@")
		if strings.Contains(p.Body, "jane@") {
			t.Fatal("group=0 shows a customer with a group")
		}
	})
	t.Run("FilterDates", func(t *testing.T) {
		b.get("/admin/ui/stores/shop/customers?from=2000-01-01&to=2000-12-31").want(t, http.StatusOK, "No customer matches.")
		b.get("/admin/ui/stores/shop/customers?from=2000-01-01").want(t, http.StatusOK, "jane@example.com")
	})
	t.Run("ErrBadFilter", func(t *testing.T) {
		for q, msg := range map[string]string{"group=x": "group must be", "after=-1": "after must be", "from=31/12/2024": "from must be a date", "to=yesterday": "to must be a date"} {
			b.get("/admin/ui/stores/shop/customers?"+q).want(t, http.StatusBadRequest, msg)
		}
	})
	t.Run("ErrNoStore", func(t *testing.T) {
		b.get("/admin/ui/stores/nope/customers").want(t, http.StatusNotFound)
	})
}

func TestCustomerPage(t *testing.T) {
	ts := newTestPanel(t, 0)
	b := ts.browser(t)
	b.signIn()
	p := b.get("/admin/ui/stores/shop/customers/1").want(t, http.StatusOK,
		"<h1>Jane Doe</h1>", "<dd>jane@example.com</dd>", "<dd>Acme Rockets</dd>", "<dd>&#43;1 555 0100</dd>",
		`<a href="/admin/ui/stores/shop/groups#group-1">Wholesale</a>`, "Prefers &lt;b&gt;email&lt;/b&gt;",
		"<dt>Store credit</dt><dd>0.0000</dd>", "Addresses (1)", "1 Launch Pad", "Cape Canaveral, Florida 32920",
		"United States (US)", "<dt>Accepts marketing</dt><dd>no</dd>", `<a href="/admin/ui/stores/shop/customers">All customers</a>`)
	if strings.Contains(p.Body, "Recent requests") {
		t.Fatal("a panel without the journal shows a customer's requests")
	}
	b.get("/admin/ui/stores/shop/customers/99").want(t, http.StatusNotFound)
	b.get("/admin/ui/stores/shop/customers/x").want(t, http.StatusNotFound)
}

func TestGroupsPage(t *testing.T) {
	ts := newTestPanel(t, 0)
	b := ts.browser(t)
	b.signIn()
	b.get("/admin/ui/stores/shop/groups").want(t, http.StatusOK,
		`id="group-1"`, "Wholesale", "Members see only categories 3, 7.", "10.0000% off every product.",
		`href="/admin/ui/stores/shop/customers?group=1"`)
}

func TestAccountsPage(t *testing.T) {
	ts := newTestPanel(t, 0)
	b := ts.browser(t)
	csrf := b.signIn()
	b.get("/admin/ui/stores/shop/accounts").want(t, http.StatusOK, "This store has no API account.", `value="store_v2_customers" checked`)

	t.Run("Create", func(t *testing.T) {
		p := b.post("/admin/ui/stores/shop/accounts", url.Values{"csrf": {csrf}, "scope": {"store_v2_customers_read_only", "store_v2_customers_login"}})
		p.want(t, http.StatusCreated, "Account created", "shown this once", "store_v2_customers_read_only, store_v2_customers_login")
		token := regexp.MustCompile(`id="created-access-token">([^<]+)<`).FindStringSubmatch(p.Body)
		secret := regexp.MustCompile(`id="created-client-secret">([^<]+)<`).FindStringSubmatch(p.Body)
		if token == nil || secret == nil || len(token[1]) < 20 || len(secret[1]) < 20 {
			t.Fatalf("no token or secret shown:\n%s", p.Body)
		}
		// The token works: it authenticates against the store.
		if _, err := ts.tenants().Authenticate(t.Context(), "shop", token[1]); err != nil {
			t.Fatalf("the token shown does not authenticate: %v", err)
		}
		// Shown once: the list has the account, not its secrets.
		list := b.get("/admin/ui/stores/shop/accounts").want(t, http.StatusOK, "store_v2_customers_read_only")
		if strings.Contains(list.Body, token[1]) || strings.Contains(list.Body, secret[1]) {
			t.Fatal("the account's token or secret is shown again")
		}
	})
	t.Run("ErrNoScope", func(t *testing.T) {
		b.post("/admin/ui/stores/shop/accounts", url.Values{"csrf": {csrf}}).want(t, http.StatusBadRequest, "Tick at least one scope")
	})
	t.Run("ErrUnknownScope", func(t *testing.T) {
		b.post("/admin/ui/stores/shop/accounts", url.Values{"csrf": {csrf}, "scope": {"store_v3_orders"}}).want(t, http.StatusBadRequest, "unknown scope")
	})
}

func TestResetStore(t *testing.T) {
	ts := newTestPanel(t, 3)
	b := ts.browser(t)
	csrf := b.signIn()
	b.get("/admin/ui/stores/shop/reset").want(t, http.StatusOK, "<h1>Reset store shop</h1>", "It would delete 4 customers, 1 addresses and 1 groups.",
		`<input type="checkbox" name="confirm" value="yes" required>`)

	t.Run("ErrNotConfirmed", func(t *testing.T) {
		b.post("/admin/ui/stores/shop/reset", url.Values{"csrf": {csrf}}).want(t, http.StatusBadRequest, "Tick the box to confirm")
		b.get("/admin/ui/stores/shop/customers").want(t, http.StatusOK, "(4 in the store)")
	})
	t.Run("OK", func(t *testing.T) {
		b.post("/admin/ui/stores/shop/reset", url.Values{"csrf": {csrf}, "confirm": {"yes"}}).wantRedirect(t, "/admin/ui/stores/shop/customers?notice=reset")
		b.get("/admin/ui/stores/shop/customers?notice=reset").want(t, http.StatusOK, "The store was reset", "(0 in the store)", "No customer matches.")
	})
}

func TestStatic(t *testing.T) {
	ts := newTestPanel(t, 0)
	b := ts.browser(t)
	if p := b.get("/admin/ui/static/panel.css").want(t, http.StatusOK, "@media"); !strings.HasPrefix(p.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("Content-Type=%q", p.Header.Get("Content-Type"))
	}
	b.get("/admin/ui/static/panel.js").want(t, http.StatusOK, "toLocaleString")
	b.get("/admin/ui/static/nope.js").want(t, http.StatusNotFound)
	b.get("/admin/ui/nowhere").want(t, http.StatusNotFound, "There is no such page.")
	b.post("/admin/ui/", nil).want(t, http.StatusMethodNotAllowed)
}
