package admin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
)

// delivery is a delivery of the log, as the admin API writes it.
type delivery struct {
	ID            int64           `json:"id"`
	HookID        int64           `json:"hook_id"`
	ClientID      string          `json:"client_id"`
	Destination   string          `json:"destination"`
	Scope         string          `json:"scope"`
	State         string          `json:"state"`
	Attempts      int             `json:"attempts"`
	NextAttemptAt *string         `json:"next_attempt_at"`
	Event         json.RawMessage `json:"event"`
	Log           json.RawMessage `json:"log"`
}

func (ts *testServer) deliveries(tb testing.TB, query string) []delivery {
	tb.Helper()
	var out struct {
		Deliveries []delivery `json:"deliveries"`
	}
	ts.admin("GET", "/admin/v1/stores/s1/deliveries"+query, nil).want(tb, http.StatusOK).decode(tb, &out)
	return out.Deliveries
}

// TestDeliveryLog drives one delivery through the queue as a worker would
// (a failed attempt, deliver now, a last failure) and reads each step in
// the admin API's log.
func TestDeliveryLog(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		ctx := context.Background()
		queue := sqlstore.NewWebhookQueue(ts.db)
		st := ts.mustCreateStore(t, map[string]any{"store_hash": "s1"})
		wantJSON(t, ts.admin("GET", "/admin/v1/stores/s1/deliveries", nil), `{"deliveries":[]}`)
		ts.v3(st.Token.AccessToken, "POST", "s1", "/hooks", map[string]any{"scope": "store/customer/*", "destination": "http://localhost:9/a"}).want(t, http.StatusOK)
		ts.v2(st.Token.AccessToken, "POST", "s1", "/customers", map[string]any{"first_name": "Ada", "last_name": "L", "email": "ada@example.com"}).want(t, http.StatusCreated)

		ds := ts.deliveries(t, "")
		if len(ds) != 1 {
			t.Fatalf("deliveries=%d, want 1", len(ds))
		}
		d := ds[0]
		if d.HookID != 1 || d.ClientID != st.Token.ClientID || d.Destination != "http://localhost:9/a" || d.Scope != "store/customer/created" ||
			d.State != "pending" || d.Attempts != 0 || d.NextAttemptAt == nil || string(d.Log) != "[]" {
			t.Fatalf("new delivery: %+v", d)
		}
		var ev struct {
			ID        int64  `json:"id"`
			Hash      string `json:"hash"`
			CreatedAt string `json:"created_at"`
			Payload   struct {
				Hash      string `json:"hash"`
				CreatedAt int64  `json:"created_at"`
				StoreID   string `json:"store_id"`
			} `json:"payload"`
		}
		if err := json.Unmarshal(d.Event, &ev); err != nil {
			t.Fatal(err)
		}
		created, err := time.Parse(time.RFC3339Nano, ev.CreatedAt)
		if err != nil {
			t.Fatalf("event created_at %q: %v", ev.CreatedAt, err)
		}
		wantEvent := fmt.Sprintf(`{"id":%d,"hash":%q,"created_at":%q,"payload":{"producer":"stores/s1","hash":%q,"created_at":%d,"store_id":%q,"scope":"store/customer/created","data":{"type":"customer","id":1,"origin_channel_id":1,"channel_ids":[1]}}}`,
			ev.ID, ev.Hash, ev.CreatedAt, ev.Hash, created.Unix(), ev.Payload.StoreID)
		if string(d.Event) != wantEvent {
			t.Fatalf("event:\n got %s\nwant %s", d.Event, wantEvent)
		}

		// A worker's first attempt fails with a 500.
		claimed, err := queue.ClaimDeliveries(ctx, time.Now(), 10, time.Minute)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %d deliveries, %v", len(claimed), err)
		}
		at := time.Date(2030, 1, 2, 3, 4, 5, 6000, time.UTC)
		next := at.Add(time.Minute)
		if err := queue.CompleteAttempt(ctx, claimed[0], &customersd.DeliveryAttempt{DeliveryID: d.ID, Number: 1, At: at, StatusCode: 500,
			Duration: 3250 * time.Microsecond, NextAt: next}, false); err != nil {
			t.Fatal(err)
		}
		d = ts.deliveries(t, "?state=pending&hook_id=1&scope=store/customer/created&limit=1")[0]
		if d.State != "pending" || d.Attempts != 1 || *d.NextAttemptAt != "2030-01-02T03:05:05.000006Z" ||
			string(d.Log) != `[{"number":1,"at":"2030-01-02T03:04:05.000006Z","status_code":500,"error":null,"duration_ms":3.25,"next_attempt_at":"2030-01-02T03:05:05.000006Z"}]` {
			t.Fatalf("after one attempt: %+v, log %s", d, d.Log)
		}
		for _, q := range []string{"?state=delivered", "?state=failed", "?hook_id=2", "?scope=store/customer/updated"} {
			if n := len(ts.deliveries(t, q)); n != 0 {
				t.Fatalf("%s: %d deliveries, want none", q, n)
			}
		}

		// Deliver now: the retry a minute away is due at once.
		wantJSON(t, ts.admin("POST", "/admin/v1/stores/s1/deliveries/deliver", nil), `{"count":1}`)
		d = ts.deliveries(t, "")[0]
		if due, err := time.Parse(time.RFC3339Nano, *d.NextAttemptAt); err != nil || due.After(time.Now()) {
			t.Fatalf("next_attempt_at=%s after deliver now, want now at the latest (%v)", *d.NextAttemptAt, err)
		}
		wantJSON(t, ts.admin("POST", fmt.Sprintf("/admin/v1/stores/s1/deliveries/%d/deliver", d.ID), nil), `{"count":1}`)

		// The last attempt gets no answer: the delivery fails, the hook is deactivated.
		claimed, err = queue.ClaimDeliveries(ctx, time.Now(), 10, time.Minute)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %d deliveries, %v", len(claimed), err)
		}
		if err := queue.CompleteAttempt(ctx, claimed[0], &customersd.DeliveryAttempt{DeliveryID: d.ID, Number: 2, At: at.Add(time.Hour),
			Error: "timeout after 10s", Duration: 10 * time.Second}, false); err != nil {
			t.Fatal(err)
		}
		d = ts.deliveries(t, "?state=failed")[0]
		if d.State != "failed" || d.Attempts != 2 || d.NextAttemptAt != nil ||
			string(d.Log) != `[{"number":1,"at":"2030-01-02T03:04:05.000006Z","status_code":500,"error":null,"duration_ms":3.25,"next_attempt_at":"2030-01-02T03:05:05.000006Z"},`+
				`{"number":2,"at":"2030-01-02T04:04:05.000006Z","status_code":null,"error":"timeout after 10s","duration_ms":10000,"next_attempt_at":null}]` {
			t.Fatalf("after the last attempt: %+v, log %s", d, d.Log)
		}
		ts.admin("POST", fmt.Sprintf("/admin/v1/stores/s1/deliveries/%d/deliver", d.ID), nil).wantProblem(t, http.StatusNotFound, "Store s1 has no pending delivery 1.")
		wantJSON(t, ts.admin("POST", "/admin/v1/stores/s1/deliveries/deliver", nil), `{"count":0}`)
		var admin struct {
			Data struct {
				HooksList []struct {
					Status string `json:"status"`
				} `json:"hooks_list"`
			} `json:"data"`
		}
		ts.v3(st.Token.AccessToken, "GET", "s1", "/hooks/admin", nil).want(t, http.StatusOK).decode(t, &admin)
		if len(admin.Data.HooksList) != 1 || admin.Data.HooksList[0].Status != "deactivated" {
			t.Fatalf("/v3/hooks/admin after the last failure: %+v", admin.Data)
		}
	})
}

func TestDeliveryLog_BadQuery(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		ts.mustCreateStore(t, map[string]any{"store_hash": "s1"})
		for q, detail := range map[string]string{
			"?state=done":                `state must be pending, delivered or failed, not "done".`,
			"?limit=0":                   `limit must be a whole number from 1 to 1000, not "0".`,
			"?limit=1001":                `limit must be a whole number from 1 to 1000, not "1001".`,
			"?hook_id=x":                 `hook_id must be a hook id (a positive whole number), not "x".`,
			"?scope=store/customer/*":    `scope "store/customer/*" is not an event scope; an event has an exact scope such as store/customer/created.`,
			"?scope=store/order/created": `scope "store/order/created" is not an event scope`,
			"?outcome=failed":            `Unknown query parameter "outcome"`,
		} {
			ts.admin("GET", "/admin/v1/stores/s1/deliveries"+q, nil).wantProblem(t, http.StatusBadRequest, detail)
		}
		ts.admin("GET", "/admin/v1/stores/nope/deliveries", nil).wantProblem(t, http.StatusNotFound, "")
		ts.admin("POST", "/admin/v1/stores/nope/deliveries/deliver", nil).wantProblem(t, http.StatusNotFound, "")
		ts.admin("POST", "/admin/v1/stores/s1/deliveries/x/deliver", nil).wantProblem(t, http.StatusNotFound, `No delivery "x" in store s1.`)
		ts.admin("POST", "/admin/v1/stores/s1/deliveries/9/deliver", nil).wantProblem(t, http.StatusNotFound, "Store s1 has no pending delivery 9.")
		ts.adminAs("", "GET", "/admin/v1/stores/s1/deliveries", nil).want(t, http.StatusUnauthorized)
	})
}
