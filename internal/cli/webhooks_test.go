package cli

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/customersd/customersd/sqlstore/sqlstoretest"
)

// The webhook end-to-end tests: the real server in-process, httptest
// receivers, on SQLite and (when CUSTOMERSD_TEST_POSTGRES_URL is set)
// PostgreSQL.

const (
	whHash   = "wh"
	whToken  = "wh-token-0123456789"
	whClient = "wh-client"
	whSecret = "wh-client-secret-0123456789"
	whAdmin  = "wh-admin-token-0123456789"
)

// hookRequest is one request a receiver got.
type hookRequest struct {
	at     time.Time
	header http.Header
	body   []byte
}

// hookPayload is the body of a webhook.
type hookPayload struct {
	Producer  string          `json:"producer"`
	Hash      string          `json:"hash"`
	CreatedAt int64           `json:"created_at"`
	StoreID   string          `json:"store_id"`
	Scope     string          `json:"scope"`
	Data      json.RawMessage `json:"data"`
}

// hookReceiver is an httptest server that answers with its status (200
// unless set) and keeps what it got.
type hookReceiver struct {
	*httptest.Server
	status atomic.Int32
	mu     sync.Mutex
	got    []hookRequest
}

func newHookReceiver(tb testing.TB) *hookReceiver {
	tb.Helper()
	rc := &hookReceiver{}
	rc.status.Store(http.StatusOK)
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		rc.mu.Lock()
		rc.got = append(rc.got, hookRequest{at: time.Now(), header: r.Header.Clone(), body: b})
		rc.mu.Unlock()
		w.WriteHeader(int(rc.status.Load()))
	}))
	tb.Cleanup(rc.Close)
	return rc
}

func (rc *hookReceiver) requests() []hookRequest {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]hookRequest(nil), rc.got...)
}

// waitFor polls cond until it holds; a minute is far beyond any delivery
// here and only catches a broken one.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("after a minute: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// forEachDialect runs fn on SQLite and on PostgreSQL, each with a fresh
// database.
func forEachDialect(t *testing.T, fn func(t *testing.T, database string)) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			fn(t, sqlstoretest.DSN(t, dialect))
		})
	}
}

// startHooksServer serves database with the store whHash, whose token's
// account has the known client id and secret, and the admin API.
func startHooksServer(tb testing.TB, database string, args ...string) *testMain {
	tb.Helper()
	env := storeEnv(whHash, whToken)
	env["CUSTOMERSD_CLIENT_ID"] = whClient
	env["CUSTOMERSD_CLIENT_SECRET"] = whSecret
	env["CUSTOMERSD_ADMIN_TOKEN"] = whAdmin
	return startMain(tb, env, append([]string{"serve", "--addr", "127.0.0.1:0", "--database", database}, args...)...)
}

// createHook makes a hook through /v3/hooks and returns its id.
func createHook(tb testing.TB, base, token string, body map[string]any) int64 {
	tb.Helper()
	var out struct {
		Data struct {
			ID int64 `json:"id"`
		} `json:"data"`
	}
	decodeJSON(tb, mustCall(tb, http.StatusOK, "POST", base+"/stores/"+whHash+"/v3/hooks", token, body), &out)
	return out.Data.ID
}

// verifyStandardWebhook checks a request as a Standard Webhooks library
// does, written from the spec: the key is handed over as "whsec_" and its
// base64, the timestamp must be within 5 minutes, and one of the
// space-separated "v1,<base64>" signatures must match.
func verifyStandardWebhook(whsec string, h http.Header, body []byte) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(whsec, "whsec_"))
	if err != nil {
		return err
	}
	id, ts := h.Get("webhook-id"), h.Get("webhook-timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || id == "" {
		return fmt.Errorf("bad webhook-id %q or webhook-timestamp %q", id, ts)
	}
	if d := time.Since(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return fmt.Errorf("timestamp %s is not now", ts)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		if v, s, ok := strings.Cut(sig, ","); ok && v == "v1" {
			if got, err := base64.StdEncoding.DecodeString(s); err == nil && hmac.Equal(got, mac.Sum(nil)) {
				return nil
			}
		}
	}
	return errors.New("no matching v1 signature")
}

// wantPayload is the exact body of an event: BigCommerce's key order, and
// the hash computed here from the payload without it (WEBHOOKS.md).
func wantPayload(scope, data string, createdAt int64) string {
	rest := fmt.Sprintf(`"created_at":%d,"store_id":"1","scope":%q,"data":%s}`, createdAt, scope, data)
	sum := sha1.Sum([]byte(`{"producer":"stores/` + whHash + `",` + rest))
	return `{"producer":"stores/` + whHash + `","hash":"` + hex.EncodeToString(sum[:]) + `",` + rest
}

var webhookIDPattern = regexp.MustCompile(`^msg_\d+_\d+_\d+$`)

// TestWebhooks_Events: every write fires its event, with the exact payload
// and headers, signed so that a Standard Webhooks verification accepts it;
// the wildcards match; a failed write fires nothing.
func TestWebhooks_Events(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, database string) {
		p := startHooksServer(t, database)
		all, addresses := newHookReceiver(t), newHookReceiver(t)
		createHook(t, p.url(""), whToken, map[string]any{"scope": "store/customer/*", "destination": all.URL + "/all",
			"headers": map[string]string{"X-Api-Key": "k1"}})
		createHook(t, p.url(""), whToken, map[string]any{"scope": "store/customer/address/*", "destination": addresses.URL + "/addresses"})

		start := time.Now().Unix()
		base := p.url("/stores/" + whHash + "/v2/customers")
		var c customerBody
		decodeJSON(t, mustCall(t, http.StatusCreated, "POST", base, whToken,
			map[string]string{"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com"}), &c)
		one := fmt.Sprintf("%s/%d", base, c.ID)
		mustCall(t, http.StatusOK, "PUT", one, whToken, map[string]string{"first_name": "Janet"})
		var a struct {
			ID int64 `json:"id"`
		}
		decodeJSON(t, mustCall(t, http.StatusCreated, "POST", one+"/addresses", whToken, map[string]string{
			"first_name": "Jane", "last_name": "Doe", "street_1": "1 Main St", "city": "Austin", "state": "Texas",
			"zip": "78701", "country": "United States", "phone": "555"}), &a)
		mustCall(t, http.StatusOK, "PUT", fmt.Sprintf("%s/addresses/%d", one, a.ID), whToken, map[string]string{"city": "Dallas"})
		mustCall(t, http.StatusNoContent, "DELETE", fmt.Sprintf("%s/addresses/%d", one, a.ID), whToken, nil)
		// Failed writes: a taken email, a bad body, a missing customer.
		mustCall(t, http.StatusBadRequest, "POST", base, whToken, map[string]string{"first_name": "J", "last_name": "D", "email": "jane@example.com"})
		mustCall(t, http.StatusBadRequest, "POST", base, whToken, map[string]any{"first_name": 5})
		mustCall(t, http.StatusNotFound, "PUT", base+"/99", whToken, map[string]string{"first_name": "X"})
		mustCall(t, http.StatusNoContent, "DELETE", one, whToken, nil)
		end := time.Now().Unix()

		waitFor(t, "6 events at the wildcard hook and 3 at the address hook", func() bool {
			return len(all.requests()) >= 6 && len(addresses.requests()) >= 3
		})
		customerData := fmt.Sprintf(`{"type":"customer","id":%d,"origin_channel_id":1,"channel_ids":[1]}`, c.ID)
		addressData := fmt.Sprintf(`{"type":"customer","id":%d,"address":{"customer_id":%d}}`, a.ID, c.ID)
		want := map[string]string{
			"store/customer/created":         customerData,
			"store/customer/updated":         customerData,
			"store/customer/address/created": addressData,
			"store/customer/address/updated": addressData,
			"store/customer/address/deleted": addressData,
			"store/customer/deleted":         customerData,
		}
		check := func(rc *hookReceiver, path string, n int) {
			t.Helper()
			reqs := rc.requests()
			if len(reqs) != n {
				t.Fatalf("%s got %d requests, want %d (a failed write fired an event?)", path, len(reqs), n)
			}
			ids := map[string]bool{}
			for _, r := range reqs {
				var pl hookPayload
				decodeJSON(t, r.body, &pl)
				data, ok := want[pl.Scope]
				if !ok || (path == "/addresses" && !strings.HasPrefix(pl.Scope, "store/customer/address/")) {
					t.Fatalf("%s got an event of scope %q", path, pl.Scope)
				}
				if pl.CreatedAt < start || pl.CreatedAt > end {
					t.Fatalf("created_at %d outside the test's %d..%d", pl.CreatedAt, start, end)
				}
				if got, w := string(r.body), wantPayload(pl.Scope, data, pl.CreatedAt); got != w {
					t.Fatalf("%s payload\n%s\nwant\n%s", pl.Scope, got, w)
				}
				if got := r.header.Get("Content-Type"); got != "application/json" {
					t.Fatalf("Content-Type %q, want application/json", got)
				}
				if path == "/all" && r.header.Get("X-Api-Key") != "k1" {
					t.Fatalf("the hook's header X-Api-Key is %q, want k1", r.header.Get("X-Api-Key"))
				}
				id := r.header.Get("webhook-id")
				if !webhookIDPattern.MatchString(id) || ids[id] {
					t.Fatalf("webhook-id %q: want msg_<store>_<event>_<hook>, one per event", id)
				}
				ids[id] = true
				if err := verifyStandardWebhook("whsec_"+base64.StdEncoding.EncodeToString([]byte(whSecret)), r.header, r.body); err != nil {
					t.Fatalf("%s: Standard Webhooks verification: %v", pl.Scope, err)
				}
			}
		}
		check(all, "/all", 6)
		check(addresses, "/addresses", 3)

		// The delivery log agrees: 9 delivered, each in one attempt with 200.
		var log struct {
			Deliveries []struct {
				State string `json:"state"`
				Log   []struct {
					StatusCode *int `json:"status_code"`
				} `json:"log"`
			} `json:"deliveries"`
		}
		// The receiver may have answered before the worker recorded it.
		waitFor(t, "9 deliveries recorded", func() bool {
			decodeJSON(t, mustCallAdmin(t, http.StatusOK, "GET", p.url("/admin/v1/stores/"+whHash+"/deliveries?state=pending"), nil), &log)
			return len(log.Deliveries) == 0
		})
		decodeJSON(t, mustCallAdmin(t, http.StatusOK, "GET", p.url("/admin/v1/stores/"+whHash+"/deliveries"), nil), &log)
		if len(log.Deliveries) != 9 {
			t.Fatalf("delivery log has %d deliveries, want 9", len(log.Deliveries))
		}
		for _, d := range log.Deliveries {
			if d.State != "delivered" || len(d.Log) != 1 || d.Log[0].StatusCode == nil || *d.Log[0].StatusCode != 200 {
				t.Fatalf("delivery %+v, want delivered at the first attempt", d)
			}
		}
		metrics := string(mustCall(t, http.StatusOK, "GET", p.url("/metrics"), "", nil))
		wantLine(t, metrics, `customersd_webhook_attempts_total{outcome="delivered"} 9`)
		wantLine(t, metrics, `customersd_webhook_queue_depth 0`)
		wantLine(t, metrics, `customersd_webhook_oldest_pending_age_seconds 0`)
	})
}

func wantLine(tb testing.TB, text, line string) {
	tb.Helper()
	for l := range strings.SplitSeq(text, "\n") {
		if l == line {
			return
		}
	}
	tb.Errorf("no line %q in:\n%s", line, text)
}

// TestWebhooks_Blocklist: 100 failed requests to one domain within two
// minutes block it for the account; the next delivery is not sent but
// logged as blocked, and /v3/hooks/admin lists the domain with its reason.
func TestWebhooks_Blocklist(t *testing.T) {
	t.Parallel()
	p := startHooksServer(t, filepath.Join(t.TempDir(), "c.db"))
	rc := newHookReceiver(t)
	rc.status.Store(http.StatusBadGateway)
	createHook(t, p.url(""), whToken, map[string]any{"scope": "store/customer/created", "destination": rc.URL + "/x"})
	base := p.url("/stores/" + whHash + "/v2/customers")
	create := func(i int) {
		mustCall(t, http.StatusCreated, "POST", base, whToken,
			map[string]string{"first_name": "U", "last_name": "V", "email": fmt.Sprintf("u%d@example.com", i)})
	}
	for i := range 100 {
		create(i)
	}
	// Counted once recorded, after the blocklist has seen them.
	waitFor(t, "100 failed attempts recorded", func() bool {
		_, b := call(t, "GET", p.url("/metrics"), "", nil)
		return metricValue(string(b), `customersd_webhook_attempts_total{outcome="retry"}`) >= 100
	})
	create(100)
	var log struct {
		Deliveries []struct {
			State string `json:"state"`
			Log   []struct {
				StatusCode *int    `json:"status_code"`
				Error      *string `json:"error"`
			} `json:"log"`
		} `json:"deliveries"`
	}
	waitFor(t, "the 101st delivery attempted", func() bool {
		decodeJSON(t, mustCallAdmin(t, http.StatusOK, "GET", p.url("/admin/v1/stores/"+whHash+"/deliveries?limit=1"), nil), &log)
		return len(log.Deliveries) == 1 && len(log.Deliveries[0].Log) == 1
	})
	a := log.Deliveries[0].Log[0]
	if log.Deliveries[0].State != "pending" || a.StatusCode != nil || a.Error == nil || *a.Error != "blocked: too many failures to this domain" {
		t.Fatalf("the delivery after the block: %+v, want pending after a blocked attempt", log.Deliveries[0])
	}
	if n := len(rc.requests()); n != 100 {
		t.Fatalf("the blocked domain got %d requests, want 100", n)
	}
	var admin struct {
		Data struct {
			BlockedDomains []struct {
				Destination string `json:"destination"`
				TimeLeft    int64  `json:"time_left"`
				Reasons     []struct {
					FailureDescription string `json:"failure_description"`
					Count              int    `json:"count"`
				} `json:"reasons"`
			} `json:"blocked_domains"`
		} `json:"data"`
	}
	decodeJSON(t, mustCall(t, http.StatusOK, "GET", p.url("/stores/"+whHash+"/v3/hooks/admin"), whToken, nil), &admin)
	bd := admin.Data.BlockedDomains
	if len(bd) != 1 || bd[0].Destination != "127.0.0.1" || bd[0].TimeLeft < 1 || bd[0].TimeLeft > 180 ||
		len(bd[0].Reasons) != 1 || bd[0].Reasons[0].FailureDescription != "status 502" || bd[0].Reasons[0].Count != 100 {
		t.Fatalf("blocked_domains %+v, want 127.0.0.1 for up to 180 s after 100 times status 502", bd)
	}
}

// TestServe_WebhookFlags: bad delivery settings stop the start with a
// message naming them.
func TestServe_WebhookFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"CUSTOMERSD_WEBHOOK_TIME_SCALE": "fast"}, nil, "CUSTOMERSD_WEBHOOK_TIME_SCALE"},
		{nil, []string{"--webhook-time-scale", "0"}, "--webhook-time-scale"},
		{map[string]string{"CUSTOMERSD_WEBHOOK_TIMEOUT": "10"}, nil, "CUSTOMERSD_WEBHOOK_TIMEOUT"},
		{nil, []string{"--webhook-timeout", "0s"}, "--webhook-timeout"},
		{map[string]string{"CUSTOMERSD_WEBHOOK_WORKERS": "x"}, nil, "CUSTOMERSD_WEBHOOK_WORKERS"},
		{nil, []string{"--webhook-workers", "0"}, "--webhook-workers"},
		{map[string]string{"CUSTOMERSD_WEBHOOK_RETENTION": "week"}, nil, "CUSTOMERSD_WEBHOOK_RETENTION"},
		{nil, []string{"--webhook-retention", "-1h"}, "--webhook-retention"},
	}
	for _, tt := range tests {
		var out strings.Builder
		m := &Main{Stdout: &out, Stderr: &out, Getenv: func(k string) string { return tt.env[k] }}
		args := append([]string{"serve", "--addr", "127.0.0.1:0", "--database", filepath.Join(t.TempDir(), "c.db")}, tt.args...)
		if err := m.Run(t.Context(), args); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v %v: err=%v, want one naming %s", tt.env, tt.args, err, tt.want)
		}
	}
}

// mustCallAdmin is mustCall with the admin token.
func mustCallAdmin(tb testing.TB, want int, method, url string, body any) []byte {
	tb.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+whAdmin)
	req.Header.Set("Accept", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		tb.Fatalf("%s %s: status=%d, want %d: %s", method, url, res.StatusCode, want, b)
	}
	return b
}

// scheduleGaps is BigCommerce's retry schedule in seconds (WEBHOOKS.md),
// written here apart from package webhook.
var scheduleGaps = []float64{60, 180, 300, 600, 900, 1800, 3600, 7200, 21600, 50400, 86400}

// TestWebhooks_RetriesDeactivateReactivate runs the whole retry schedule at
// --webhook-time-scale 0.0002 (about 35 s) against a receiver that answers
// 500: 12 attempts at the scaled gaps, each with the same webhook-id and
// body (so the same hash), then the hook is deactivated; PUT is_active
// brings it back and it delivers again.
func TestWebhooks_RetriesDeactivateReactivate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the 48-hour schedule scaled to 35 s; skipped under -short")
	}
	t.Parallel()
	const scale = 0.0002
	forEachDialect(t, func(t *testing.T, database string) {
		p := startHooksServer(t, database, "--webhook-time-scale", fmt.Sprint(scale))
		rc := newHookReceiver(t)
		rc.status.Store(http.StatusInternalServerError)
		id := createHook(t, p.url(""), whToken, map[string]any{"scope": "store/customer/created", "destination": rc.URL})
		hookURL := p.url(fmt.Sprintf("/stores/%s/v3/hooks/%d", whHash, id))
		mustCall(t, http.StatusCreated, "POST", p.url("/stores/"+whHash+"/v2/customers"), whToken,
			map[string]string{"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com"})

		var hook struct {
			Data struct {
				IsActive bool `json:"is_active"`
			} `json:"data"`
		}
		waitFor(t, "the hook deactivated after 12 failed attempts", func() bool {
			decodeJSON(t, mustCall(t, http.StatusOK, "GET", hookURL, whToken, nil), &hook)
			return !hook.Data.IsActive
		})
		reqs := rc.requests()
		if len(reqs) != 12 {
			t.Fatalf("receiver got %d attempts, want 12", len(reqs))
		}
		for _, r := range reqs[1:] {
			if r.header.Get("webhook-id") != reqs[0].header.Get("webhook-id") || string(r.body) != string(reqs[0].body) {
				t.Fatalf("a re-delivery changed webhook-id or body:\n%s %s\n%s %s", reqs[0].header.Get("webhook-id"), reqs[0].body, r.header.Get("webhook-id"), r.body)
			}
		}

		// The log: each attempt's next one is the scaled gap later, and
		// no attempt ran before it was due.
		var log struct {
			Deliveries []struct {
				State string `json:"state"`
				Log   []struct {
					Number        int        `json:"number"`
					At            time.Time  `json:"at"`
					StatusCode    *int       `json:"status_code"`
					NextAttemptAt *time.Time `json:"next_attempt_at"`
				} `json:"log"`
			} `json:"deliveries"`
		}
		decodeJSON(t, mustCallAdmin(t, http.StatusOK, "GET", p.url("/admin/v1/stores/"+whHash+"/deliveries"), nil), &log)
		if len(log.Deliveries) != 1 || log.Deliveries[0].State != "failed" || len(log.Deliveries[0].Log) != 12 {
			t.Fatalf("delivery log %+v, want one failed delivery with 12 attempts", log)
		}
		attempts := log.Deliveries[0].Log
		for i, a := range attempts {
			if a.Number != i+1 || a.StatusCode == nil || *a.StatusCode != 500 {
				t.Fatalf("attempt %d: %+v, want number %d with status 500", i+1, a, i+1)
			}
			if i == 11 {
				if a.NextAttemptAt != nil {
					t.Fatalf("the last attempt has a next one at %v", a.NextAttemptAt)
				}
				break
			}
			want := time.Duration(scheduleGaps[i] * scale * float64(time.Second))
			if a.NextAttemptAt == nil || a.NextAttemptAt.Sub(a.At) != want {
				t.Fatalf("attempt %d at %v: next at %v, want %v later", i+1, a.At, a.NextAttemptAt, want)
			}
			if attempts[i+1].At.Before(*a.NextAttemptAt) {
				t.Fatalf("attempt %d ran at %v, before it was due at %v", i+2, attempts[i+1].At, a.NextAttemptAt)
			}
		}
		var admin struct {
			Data struct {
				HooksList []struct {
					Status string `json:"status"`
				} `json:"hooks_list"`
			} `json:"data"`
		}
		decodeJSON(t, mustCall(t, http.StatusOK, "GET", p.url("/stores/"+whHash+"/v3/hooks/admin"), whToken, nil), &admin)
		if len(admin.Data.HooksList) != 1 || admin.Data.HooksList[0].Status != "deactivated" {
			t.Fatalf("/v3/hooks/admin: %+v, want the hook deactivated", admin.Data)
		}

		// Reactivated, the hook delivers again.
		rc.status.Store(http.StatusOK)
		mustCall(t, http.StatusOK, "PUT", hookURL, whToken, map[string]any{"is_active": true})
		mustCall(t, http.StatusCreated, "POST", p.url("/stores/"+whHash+"/v2/customers"), whToken,
			map[string]string{"first_name": "John", "last_name": "Doe", "email": "john@example.com"})
		waitFor(t, "a delivery after reactivation", func() bool { return len(rc.requests()) == 13 })
		var pl hookPayload
		decodeJSON(t, rc.requests()[12].body, &pl)
		if pl.Scope != "store/customer/created" || string(pl.Data) != `{"type":"customer","id":2,"origin_channel_id":1,"channel_ids":[1]}` {
			t.Fatalf("after reactivation got %s", rc.requests()[12].body)
		}
	})
}

// TestMultiNode_Webhooks: two processes on one PostgreSQL database, writes
// spread over both, one hook: every event arrives exactly once in a normal
// run (claims with SKIP LOCKED and a lease), and the nodes' attempt
// counters add up to what the receiver got.
func TestMultiNode_Webhooks(t *testing.T) {
	dsn := sqlstoretest.DSN(t, "postgres") // skips without CUSTOMERSD_TEST_POSTGRES_URL
	t.Parallel()
	bin := buildBinary(t)
	env := []string{
		"CUSTOMERSD_DATABASE=" + dsn,
		"CUSTOMERSD_ADDR=127.0.0.1:0",
		"CUSTOMERSD_LOG_FORMAT=json",
		"CUSTOMERSD_BCRYPT_COST=4",
		"CUSTOMERSD_STORE_HASH=" + whHash,
		"CUSTOMERSD_ACCESS_TOKEN=" + whToken,
	}
	nodes := startNodes(t, bin, env, 2)
	rc := newHookReceiver(t)
	createHook(t, nodes[0].url(""), whToken, map[string]any{"scope": "store/customer/created", "destination": rc.URL})

	const creates, workers = 300, 8
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < creates; i += workers {
				nd := nodes[i%2]
				mustCall(t, http.StatusCreated, "POST", nd.url("/stores/"+whHash+"/v2/customers"), whToken,
					map[string]string{"first_name": "U", "last_name": strconv.Itoa(i), "email": fmt.Sprintf("u%d@example.com", i)})
			}
		})
	}
	wg.Wait()

	delivered := func(nd *node) int {
		_, b := call(t, "GET", nd.url("/metrics"), "", nil)
		return metricValue(string(b), `customersd_webhook_attempts_total{outcome="delivered"}`)
	}
	waitFor(t, "every event delivered", func() bool { return delivered(nodes[0])+delivered(nodes[1]) >= creates })
	n0, n1 := delivered(nodes[0]), delivered(nodes[1])
	reqs := rc.requests()
	ids := map[string]int{}
	for _, r := range reqs {
		ids[r.header.Get("webhook-id")]++
	}
	for id, n := range ids {
		if n > 1 {
			t.Errorf("webhook-id %s delivered %d times", id, n)
		}
	}
	if len(reqs) != creates || len(ids) != creates || n0+n1 != creates {
		t.Fatalf("receiver got %d requests (%d distinct), nodes counted %d+%d; want %d of each", len(reqs), len(ids), n0, n1, creates)
	}
	t.Logf("node 0 delivered %d, node 1 delivered %d", n0, n1)
	for _, nd := range nodes {
		if err := nd.terminate(t); err != nil {
			t.Errorf("customersd on %s: exit after SIGTERM: %v\n%s", nd.addr, err, nd.stderr)
		}
	}
}
