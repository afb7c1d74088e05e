package panel_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/panel"
)

// fakeHooks serves the hooks page's reads from fixed data until webhooks'
// storage lands; the methods the panel does not call are left nil.
type fakeHooks struct {
	customersd.HookService
	hooks []*customersd.Hook
}

func (f *fakeHooks) FindHooks(ctx context.Context, store customersd.StoreID, hf customersd.HookFilter) ([]*customersd.Hook, error) {
	return f.hooks, nil
}

type fakeQueue struct {
	customersd.WebhookQueue
	log       []*customersd.DeliveryRecord
	delivered []int64 // the ids DeliverNow was called with
}

func (f *fakeQueue) FindDeliveries(ctx context.Context, store customersd.StoreID, df customersd.DeliveryFilter) ([]*customersd.DeliveryRecord, error) {
	return f.log, nil
}

func (f *fakeQueue) DeliverNow(ctx context.Context, store customersd.StoreID, id int64) (int64, error) {
	f.delivered = append(f.delivered, id)
	return 1, nil
}

func TestHooksPage(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 34, 10, 0, time.UTC)
	hook := &customersd.Hook{ID: 3, ClientID: "app1", Scope: customersd.HookCustomerCreated, Destination: "https://example.com/hook", IsActive: true, CreatedAt: at, UpdatedAt: at}
	q := &fakeQueue{log: []*customersd.DeliveryRecord{{
		Delivery: customersd.Delivery{ID: 9, Hook: hook, Attempts: 1, State: customersd.DeliveryPending, NextAt: at.Add(time.Minute),
			Event: &customersd.Event{ID: 4, Scope: customersd.HookCustomerCreated, CreatedAt: at, Payload: []byte(`{"scope":"store/customer/created","data":{"id":1}}`)}},
		Log: []customersd.DeliveryAttempt{{DeliveryID: 9, Number: 1, At: at, StatusCode: 503, Duration: 120 * time.Millisecond, NextAt: at.Add(time.Minute)}},
	}}}
	ts := newTestPanel(t, 0, func(s *panel.Server) { s.Hooks, s.Webhooks = &fakeHooks{hooks: []*customersd.Hook{hook}}, q })
	b := ts.browser(t)
	csrf := b.signIn()

	b.get("/admin/ui/stores/shop/customers").want(t, http.StatusOK, `<a href="/admin/ui/stores/shop/hooks">Webhooks</a>`)
	b.get("/admin/ui/stores/shop/hooks").want(t, http.StatusOK,
		"Hooks (1)", "<code>store/customer/created</code>", "<code>https://example.com/hook</code>", "active", "<code>app1</code>",
		"Delivery 9", "pending", "1 attempts", "next at", "HTTP 503", "120ms",
		`{&#34;scope&#34;:&#34;store/customer/created&#34;,&#34;data&#34;:{&#34;id&#34;:1}}`,
		`action="/admin/ui/stores/shop/deliveries/9/deliver"`, `action="/admin/ui/stores/shop/deliveries/deliver"`)

	t.Run("DeliverOne", func(t *testing.T) {
		b.post("/admin/ui/stores/shop/deliveries/9/deliver", url.Values{"csrf": {csrf}}).wantRedirect(t, "/admin/ui/stores/shop/hooks?delivered=1")
		b.get("/admin/ui/stores/shop/hooks?delivered=1").want(t, http.StatusOK, "Due now: 1 pending deliveries.")
	})
	t.Run("DeliverAll", func(t *testing.T) {
		b.post("/admin/ui/stores/shop/deliveries/deliver", url.Values{"csrf": {csrf}}).wantRedirect(t, "/admin/ui/stores/shop/hooks?delivered=1")
	})
	t.Run("ErrNoCSRF", func(t *testing.T) {
		b.post("/admin/ui/stores/shop/deliveries/deliver", url.Values{}).want(t, http.StatusForbidden)
		b.post("/admin/ui/stores/shop/deliveries/9/deliver", url.Values{"csrf": {"x"}}).want(t, http.StatusForbidden)
	})
	if got := q.delivered; len(got) != 2 || got[0] != 9 || got[1] != 0 {
		t.Fatalf("DeliverNow called with %v, want [9 0]", got)
	}
}

func TestHooksPage_AbsentWithoutWebhooks(t *testing.T) {
	ts := newTestPanel(t, 0)
	b := ts.browser(t)
	b.signIn()
	b.get("/admin/ui/stores/shop/hooks").want(t, http.StatusNotFound)
	p := b.get("/admin/ui/stores/shop/customers").want(t, http.StatusOK)
	if strings.Contains(p.Body, "/hooks") {
		t.Fatal("the navigation links to a hooks page that does not exist")
	}
}
