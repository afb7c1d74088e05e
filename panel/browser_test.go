package panel_test

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/panel"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/sqlstore"
)

// screenshots regenerates docs/screenshots/ from the browser test:
//
//	go test ./panel/ -run TestBrowser -screenshots
var screenshots = flag.Bool("screenshots", false, "write the screenshots of docs/screenshots/ (1280x800 and 390x844)")

// chromium finds the browser: CUSTOMERSD_CHROMIUM, else the usual names.
func chromium(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("CUSTOMERSD_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	tb.Skip("no Chromium found (install Debian's chromium package, or set CUSTOMERSD_CHROMIUM): skipping the browser tests")
	return ""
}

// newChrome starts a headless Chromium in a time zone other than UTC, so
// the test sees dates localised, and returns a context for its one tab.
func newChrome(t *testing.T) context.Context {
	t.Helper()
	path := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox cannot start
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 800),
		chromedp.Env("TZ=America/New_York"),
		chromedp.Flag("lang", "en-US"),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	// The first call starts the browser, which lives as long as its
	// context: no timeout on this one.
	if err := chromedp.Do(ctx); err != nil {
		t.Skipf("Chromium at %s does not start (%v): skipping the browser tests", path, err)
	}
	ctx, cancel = context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// tab runs steps in the browser, failing the test with what it was doing.
type tab struct {
	t   *testing.T
	ctx context.Context
}

func (b tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

func run[T any](b tab, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

func (b tab) text(sel string) string {
	b.t.Helper()
	return run(b, "read "+sel, chromedp.Text(chromedp.CSS(sel)))
}
func (b tab) location() string { b.t.Helper(); return run(b, "read the location", chromedp.Location()) }
func (b tab) title(sel string) string {
	b.t.Helper()
	return run(b, "read "+sel+"'s title", chromedp.AttributeValue(chromedp.CSS(sel), "title")).Value
}
func (b tab) visible(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(sel))
}

// TestBrowser drives a real Chromium through what a person does: sign in,
// find a customer, read the customer and the groups, create an API account
// and reset the store, checking what the page shows at each step.
func TestBrowser(t *testing.T) {
	ts := newTestPanelDB(t, 60, func(db *sqlstore.DB, s *panel.Server) {
		s.Hooks, s.Webhooks = sqlstore.NewHookService(db), sqlstore.NewWebhookQueue(db)
	})
	mustHookAndDelivery(t, ts)
	b := tab{t, newChrome(t)}

	b.do("open the panel", chromedp.Navigate(ts.URL+"/admin/ui/"), b.visible("#token"))
	if loc := b.location(); !strings.HasSuffix(loc, "/admin/ui/login") {
		t.Fatalf("signed out, the panel lands on %s, want the sign-in form", loc)
	}
	shoot(b, "login")
	b.do("sign in",
		chromedp.SendKeys(chromedp.CSS("#token"), adminToken),
		chromedp.Submit(chromedp.CSS("#token")),
		b.visible(`a[href="/admin/ui/stores/shop/customers"]`))
	if text, loc := b.text("main"), b.location(); !strings.Contains(text, "Stores") || !strings.Contains(text, "standard") || strings.Contains(loc, adminToken) {
		t.Fatalf("after sign-in at %s the page reads %q", loc, text)
	}
	shoot(b, "stores")

	b.do("open the store", chromedp.Click(chromedp.CSS(`a[href="/admin/ui/stores/shop/customers"]`)), b.visible("#q"))
	if text := b.text("table"); !strings.Contains(text, "Jane Doe") || !strings.Contains(text, "bulk000@example.com") {
		t.Fatalf("the customers table reads %q", text)
	}
	shoot(b, "customers")
	b.do("search",
		chromedp.SendKeys(chromedp.CSS("#q"), "acme"),
		chromedp.Submit(chromedp.CSS("#q")),
		b.visible(`input#q[value="acme"]`))
	if text, loc := b.text("table"), b.location(); !strings.Contains(text, "jane@example.com") || strings.Contains(text, "bulk") || !strings.Contains(loc, "q=acme") {
		t.Fatalf("searching acme at %s shows %q", loc, text)
	}

	b.do("open the customer", chromedp.Click(chromedp.CSS(`a[href="/admin/ui/stores/shop/customers/1"]`)), b.visible("#fields"))
	text := b.text("main")
	for _, want := range []string{"Jane Doe", "jane@example.com", "Acme Rockets", "Wholesale", "1 Launch Pad", "Cape Canaveral, Florida 32920"} {
		if !strings.Contains(text, want) {
			t.Fatalf("the customer's page lacks %q: %q", want, text)
		}
	}
	if when, title := b.text("dl.fields time"), b.title("dl.fields time"); !strings.HasSuffix(title, " UTC") || strings.Contains(when, "UTC") || when == "" {
		t.Fatalf("a date reads %q with title %q: want the local time, and UTC on hover", when, title)
	}
	shoot(b, "customer")

	b.do("read the groups", chromedp.Click(chromedp.CSS(`nav.store a[href="/admin/ui/stores/shop/groups"]`)), b.visible("#group-1"))
	if text := b.text("main"); !strings.Contains(text, "10.0000% off every product.") || !strings.Contains(text, "Members see only categories 3, 7.") {
		t.Fatalf("the groups page reads %q", text)
	}
	shoot(b, "groups")

	b.do("read the webhooks", chromedp.Click(chromedp.CSS(`nav.store a[href="/admin/ui/stores/shop/hooks"]`)), b.visible("#deliveries"))
	if text := b.text("main"); !strings.Contains(text, "store/customer/created") || !strings.Contains(text, "https://example.com/hooks") ||
		!strings.Contains(text, "pending") {
		t.Fatalf("the webhooks page reads %q", text)
	}
	shoot(b, "hooks")
	b.do("deliver now", chromedp.Click(chromedp.CSS(`article.delivery form button`)), b.visible("p.notice"))
	if text := b.text("p.notice"); !strings.Contains(text, "Due now: 1 pending deliveries.") {
		t.Fatalf("after deliver now the notice reads %q", text)
	}

	b.do("create an API account",
		chromedp.Click(chromedp.CSS(`nav.store a[href="/admin/ui/stores/shop/accounts"]`)), b.visible("#new"),
		chromedp.Click(chromedp.CSS(`form.card button[type=submit]`)), b.visible("#created"))
	token := b.text("#created-access-token")
	if _, err := ts.tenants().Authenticate(context.Background(), "shop", token); err != nil {
		t.Fatalf("the token the page shows (%q) does not authenticate: %v", token, err)
	}
	shoot(b, "accounts")

	b.do("reset the store",
		chromedp.Navigate(ts.URL+"/admin/ui/stores/shop/reset"), b.visible("input[name=confirm]"),
		chromedp.Click(chromedp.CSS("input[name=confirm]")),
		chromedp.Click(chromedp.CSS("button.danger")), b.visible("p.notice"))
	if text := b.text("main"); !strings.Contains(text, "The store was reset") || !strings.Contains(text, "No customer matches.") {
		t.Fatalf("after the reset the page reads %q", text)
	}
}

// mustHookAndDelivery subscribes a hook of a new API account to customer
// creations and creates a customer, so the store has a pending delivery
// (no worker runs in the test).
func mustHookAndDelivery(tb testing.TB, ts *testPanel) {
	tb.Helper()
	ctx := context.Background()
	in := &customersd.APIAccountInput{Scopes: []customersd.Scope{customersd.ScopeCustomers}}
	in.Complete()
	a, err := ts.tenants().CreateAPIAccountFrom(ctx, ts.store.ID, in)
	if err != nil {
		tb.Fatal(err)
	}
	_, err = sqlstore.NewHookService(ts.db).CreateHook(ctx, ts.store.ID, a.ClientID, &customersd.HookInput{
		Scope: ptr(customersd.HookCustomerCreated), Destination: ptr("https://example.com/hooks"), IsActive: ptr(true)})
	if err != nil {
		tb.Fatal(err)
	}
	_, err = sqlstore.NewCustomerService(ts.db, password.Hasher{}).CreateCustomer(ctx, ts.store.ID, &customersd.CustomerInput{
		FirstName: ptr("Hank"), LastName: ptr("Hook"), Email: ptr("hank@example.com")})
	if err != nil {
		tb.Fatal(err)
	}
}

// shoot writes the page at 1280x800 and at 390x844 (a phone) into
// docs/screenshots/ when -screenshots is set.
func shoot(b tab, name string) {
	b.t.Helper()
	if !*screenshots {
		return
	}
	for _, size := range []struct {
		suffix string
		w, h   int64
		mobile bool
	}{{"1280x800", 1280, 800, false}, {"390x844", 390, 844, true}} {
		opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
		if size.mobile {
			opts = append(opts, chromedp.EmulateMobile)
		}
		b.do("size the window for "+name, chromedp.EmulateViewport(size.w, size.h, opts...))
		png := run(b, "screenshot "+name, chromedp.CaptureScreenshot())
		path := filepath.Join("..", "docs", "screenshots", name+"-"+size.suffix+".png")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			b.t.Fatal(err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	b.do("restore the window", chromedp.EmulateViewport(1280, 800, chromedp.EmulateScale(1)))
}
