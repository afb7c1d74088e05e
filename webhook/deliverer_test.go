package webhook_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/internal/logbuf"
	"github.com/customersd/customersd/webhook"
)

// received is one request a test receiver got.
type received struct {
	at     time.Time
	header http.Header
	body   []byte
}

// receiver is an httptest server answering status (or calling answer) and
// keeping what it got.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	got  []received
	hits chan struct{}
}

func newReceiver(tb testing.TB, answer func(w http.ResponseWriter, r *http.Request)) *receiver {
	tb.Helper()
	rc := &receiver{hits: make(chan struct{}, 1000)}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{at: time.Now(), header: r.Header.Clone(), body: b})
		rc.mu.Unlock()
		rc.hits <- struct{}{}
		answer(w, r)
	}))
	tb.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

func status(code int) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
}

const testSecret = "client-secret-of-app"

func newDelivery(dest string, id int64) customersd.Delivery {
	return customersd.Delivery{
		ID: id,
		Event: &customersd.Event{ID: 10 + id, Store: 4, Scope: customersd.HookCustomerCreated, Hash: "h",
			CreatedAt: time.Now(),
			Payload:   []byte(`{"producer":"stores/abc","hash":"h","created_at":1,"store_id":"4","scope":"store/customer/created","data":{"type":"customer","id":5}}`)},
		Hook: &customersd.Hook{ID: 3, Store: 4, ClientID: "app", Scope: customersd.HookCustomerAll, Destination: dest,
			IsActive: true, Headers: map[string]string{"X-Custom": "yes", "Content-Type": "text/plain"}},
		Secret: testSecret,
		NextAt: time.Now(),
	}
}

func startDeliverer(tb testing.TB, q customersd.WebhookQueue, cfg webhook.Config) *webhook.Deliverer {
	tb.Helper()
	s := webhook.New(q, cfg, nil)
	s.Start()
	tb.Cleanup(s.Stop)
	return s
}

// waitChanges waits for n recorded attempts; it fails after a minute,
// which only a broken worker needs.
func waitChanges(tb testing.TB, q *fakeQueue, n int) {
	tb.Helper()
	for i := range n {
		select {
		case <-q.changed:
		case <-time.After(time.Minute):
			tb.Fatalf("%d of %d attempts recorded after a minute", i, n)
		}
	}
}

func TestDeliverer_Delivers(t *testing.T) {
	rc := newReceiver(t, status(http.StatusAccepted))
	q := newFakeQueue()
	d := newDelivery(rc.URL+"/hooks", 1)
	q.add(d)
	startDeliverer(t, q, webhook.Config{})
	waitChanges(t, q, 1)

	got, log := q.record(1)
	if got.State != customersd.DeliveryDelivered || len(log) != 1 || log[0].StatusCode != 202 || log[0].Number != 1 || !log[0].NextAt.IsZero() {
		t.Fatalf("state %s, log %+v; want delivered at the first attempt with 202", got.State, log)
	}
	reqs := rc.requests()
	if len(reqs) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if string(r.body) != string(d.Event.Payload) {
		t.Fatalf("body %s, want the event's payload %s", r.body, d.Event.Payload)
	}
	if got, want := r.header.Get("Content-Type"), "application/json"; got != want {
		t.Fatalf("Content-Type %q, want %q (a hook header must not replace it)", got, want)
	}
	if got := r.header.Get("X-Custom"); got != "yes" {
		t.Fatalf("X-Custom %q, want the hook's header", got)
	}
	if got, want := r.header.Get("Webhook-Id"), webhook.MessageID(4, 11, 3); got != want {
		t.Fatalf("webhook-id %q, want %q", got, want)
	}
	if err := verifyStandardWebhook(whsec(testSecret), r.header, r.body, time.Now()); err != nil {
		t.Fatalf("Standard Webhooks verification: %v", err)
	}
}

// TestDeliverer_RetriesThenFails watches the whole schedule at scale
// 0.00001: 12 attempts, each gap at least the scaled step, the same
// webhook-id and body every time, and the delivery failed at the end.
func TestDeliverer_RetriesThenFails(t *testing.T) {
	rc := newReceiver(t, status(http.StatusInternalServerError))
	q := newFakeQueue()
	q.add(newDelivery(rc.URL, 1))
	const scale = 0.00001 // the 48 hours in under 2 s
	startDeliverer(t, q, webhook.Config{TimeScale: scale})
	waitChanges(t, q, webhook.MaxAttempts)

	got, log := q.record(1)
	if got.State != customersd.DeliveryFailed || len(log) != webhook.MaxAttempts {
		t.Fatalf("state %s after %d attempts, want failed after %d", got.State, len(log), webhook.MaxAttempts)
	}
	for i, a := range log {
		if a.Number != i+1 || a.StatusCode != 500 || a.Error != "" {
			t.Fatalf("attempt %d: %+v", i+1, a)
		}
		if i == len(log)-1 {
			if !a.NextAt.IsZero() {
				t.Fatalf("the last attempt has a next one at %v", a.NextAt)
			}
			break
		}
		if gap, want := a.NextAt.Sub(a.At), webhook.Scale(webhook.Schedule[i], scale); gap != want {
			t.Fatalf("attempt %d scheduled the next %v later, want %v", i+1, gap, want)
		}
		if next := log[i+1].At; next.Before(a.NextAt) {
			t.Fatalf("attempt %d ran at %v, before it was due at %v", i+2, next, a.NextAt)
		}
	}
	reqs := rc.requests()
	if len(reqs) != webhook.MaxAttempts {
		t.Fatalf("receiver got %d requests, want %d", len(reqs), webhook.MaxAttempts)
	}
	for _, r := range reqs {
		if r.header.Get("Webhook-Id") != reqs[0].header.Get("Webhook-Id") || string(r.body) != string(reqs[0].body) {
			t.Fatal("a re-delivery changed webhook-id or body")
		}
	}
}

func TestDeliverer_Failures(t *testing.T) {
	tests := []struct {
		name      string
		answer    func(http.ResponseWriter, *http.Request)
		wantCode  int
		wantError string
	}{
		{"Redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/elsewhere", http.StatusFound) }, 302, ""},
		{"NotFound", status(http.StatusNotFound), 404, ""},
		{"Timeout", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, 0, "timeout: no answer in time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t, tt.answer)
			q := newFakeQueue()
			q.add(newDelivery(rc.URL, 1))
			startDeliverer(t, q, webhook.Config{Timeout: 100 * time.Millisecond})
			waitChanges(t, q, 1)
			got, log := q.record(1)
			if got.State != customersd.DeliveryPending || len(log) != 1 {
				t.Fatalf("state %s, %d attempts; want pending after 1", got.State, len(log))
			}
			a := log[0]
			if a.StatusCode != tt.wantCode || a.Error != tt.wantError {
				t.Fatalf("attempt %+v, want status %d and error %q", a, tt.wantCode, tt.wantError)
			}
			if gap := a.NextAt.Sub(a.At); gap != time.Minute {
				t.Fatalf("next attempt %v later, want 1m", gap)
			}
			if len(rc.requests()) != 1 {
				t.Fatalf("receiver got %d requests; a redirect must not be followed", len(rc.requests()))
			}
		})
	}
	t.Run("Refused", func(t *testing.T) {
		rc := newReceiver(t, status(200))
		url := rc.URL
		rc.Close()
		q := newFakeQueue()
		q.add(newDelivery(url, 1))
		startDeliverer(t, q, webhook.Config{})
		waitChanges(t, q, 1)
		_, log := q.record(1)
		if log[0].StatusCode != 0 || log[0].Error == "" {
			t.Fatalf("attempt %+v, want no status and an error", log[0])
		}
	})
}

// TestDeliverer_WakeUp: with a poll of an hour, only Wake can make the
// dispatcher see a delivery added while it sleeps.
func TestDeliverer_WakeUp(t *testing.T) {
	rc := newReceiver(t, status(http.StatusOK))
	q := newFakeQueue()
	s := startDeliverer(t, q, webhook.Config{Poll: time.Hour})
	q.add(newDelivery(rc.URL, 1))
	s.Wake()
	waitChanges(t, q, 1)
	if got, _ := q.record(1); got.State != customersd.DeliveryDelivered {
		t.Fatalf("state %s, want delivered", got.State)
	}
}

// TestDeliverer_Workers bounds the attempts in flight by Workers, with a
// receiver that holds each request until released.
func TestDeliverer_Workers(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	inFlight, most := 0, 0
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		mu.Unlock()
		<-release
		mu.Lock()
		inFlight--
		mu.Unlock()
	})
	q := newFakeQueue()
	for i := range 10 {
		q.add(newDelivery(rc.URL, int64(i+1)))
	}
	startDeliverer(t, q, webhook.Config{Workers: 3})
	for range 3 {
		waitForHit(t, rc)
	}
	close(release)
	waitChanges(t, q, 10)
	if most != 3 {
		t.Fatalf("%d attempts in flight at most, want 3 (the workers)", most)
	}
}

func waitForHit(tb testing.TB, rc *receiver) {
	tb.Helper()
	select {
	case <-rc.hits:
	case <-time.After(time.Minute):
		tb.Fatal("no request reached the receiver in a minute")
	}
}

// TestDeliverer_Blocked: a domain that failed 100 times in the window is
// blocked; its next delivery is not sent, is logged as blocked, and waits
// for the block to end.
func TestDeliverer_Blocked(t *testing.T) {
	rc := newReceiver(t, status(http.StatusOK))
	q := newFakeQueue()
	s := webhook.New(q, webhook.Config{}, nil)
	now := time.Now()
	for range 100 {
		s.Blocklist.Record(webhook.BlockKey{Store: 4, ClientID: "app", Domain: "127.0.0.1"}, now, "status 500")
	}
	q.add(newDelivery(rc.URL, 1))
	s.Start()
	t.Cleanup(s.Stop)
	waitChanges(t, q, 1)
	got, log := q.record(1)
	if got.State != customersd.DeliveryPending || len(log) != 1 || log[0].Error != "blocked: too many failures to this domain" || log[0].StatusCode != 0 {
		t.Fatalf("state %s, log %+v; want one blocked attempt", got.State, log)
	}
	if gap := log[0].NextAt.Sub(now); gap < 3*time.Minute {
		t.Fatalf("next attempt %v after the block began, want after its 3 minutes", gap)
	}
	if n := len(rc.requests()); n != 0 {
		t.Fatalf("a blocked domain got %d requests", n)
	}
}

// TestDeliverer_StopWaits: Stop lets an attempt in flight finish and be
// recorded.
func TestDeliverer_StopWaits(t *testing.T) {
	release := make(chan struct{})
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request) { <-release })
	q := newFakeQueue()
	q.add(newDelivery(rc.URL, 1))
	s := webhook.New(q, webhook.Config{}, nil)
	s.Start()
	waitForHit(t, rc)
	go func() { time.Sleep(10 * time.Millisecond); close(release) }()
	s.Stop()
	if got, log := q.record(1); got.State != customersd.DeliveryDelivered || len(log) != 1 {
		t.Fatalf("after Stop: state %s with %d attempts, want delivered", got.State, len(log))
	}
}

// TestDeliverer_Prune: finished deliveries older than the retention are
// pruned at start and then every tenth of the retention.
func TestDeliverer_Prune(t *testing.T) {
	q := newFakeQueue()
	now := time.Date(2024, 5, 6, 7, 0, 0, 0, time.UTC)
	s := webhook.New(q, webhook.Config{Retention: 100 * time.Millisecond}, nil)
	s.Now = func() time.Time { return now }
	s.Start()
	t.Cleanup(s.Stop)
	deadline := time.Now().Add(time.Minute)
	for len(q.prunes()) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("%d prunes after a minute, want 3", len(q.prunes()))
		}
		time.Sleep(time.Millisecond)
	}
	for _, before := range q.prunes() {
		if want := now.Add(-100 * time.Millisecond); !before.Equal(want) {
			t.Fatalf("pruned before %v, want %v (now less the retention)", before, want)
		}
	}
}

// TestDeliverer_BatchesClaimsInBacklog: with more due than the workers
// take, each claim is for at least half the workers, so a busy queue does
// not cost a claim per delivery.
func TestDeliverer_BatchesClaimsInBacklog(t *testing.T) {
	rc := newReceiver(t, status(http.StatusOK))
	q := newFakeQueue()
	const n, workers = 64, 8
	for i := range n {
		q.add(newDelivery(rc.URL, int64(i+1)))
	}
	startDeliverer(t, q, webhook.Config{Workers: workers})
	waitChanges(t, q, n)
	q.mu.Lock()
	claims := q.claims
	q.mu.Unlock()
	// One claim of 8, then claims of 4 or more: at most 1 + 56/4, and a
	// final short one.
	if limit := 1 + (n-workers)/(workers/2) + 1; claims > limit {
		t.Fatalf("%d claims for %d deliveries, want at most %d", claims, n, limit)
	}
}

// TestDeliverer_RecordsInBatches: when many attempts finish together they
// are recorded by few CompleteAttempts calls, never more at once than the
// workers.
func TestDeliverer_RecordsInBatches(t *testing.T) {
	release := make(chan struct{})
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request) { <-release })
	q := newFakeQueue()
	const n, workers = 32, 8
	for i := range n {
		q.add(newDelivery(rc.URL, int64(i+1)))
	}
	startDeliverer(t, q, webhook.Config{Workers: workers})
	for range workers {
		waitForHit(t, rc)
	}
	close(release)
	waitChanges(t, q, n)
	q.mu.Lock()
	batches := append([]int(nil), q.batches...)
	q.mu.Unlock()
	total := 0
	for _, b := range batches {
		if b > workers {
			t.Fatalf("a batch of %d, more than the %d workers", b, workers)
		}
		total += b
	}
	if total != n || len(batches) == n {
		t.Fatalf("batches %v: want %d attempts in fewer calls", batches, n)
	}
}

// failingQueue is a fakeQueue whose claims and NextDue fail while down.
type failingQueue struct {
	*fakeQueue
	down atomic.Bool
}

func (q *failingQueue) ClaimDeliveries(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*customersd.Delivery, error) {
	if q.down.Load() {
		return nil, errors.New("connection refused")
	}
	return q.fakeQueue.ClaimDeliveries(ctx, now, limit, lease)
}

func (q *failingQueue) NextDue(ctx context.Context) (time.Time, bool, error) {
	if q.down.Load() {
		return time.Time{}, false, errors.New("connection refused")
	}
	return q.fakeQueue.NextDue(ctx)
}

// TestDeliverer_QueueOutage: a queue that fails at every poll gets one
// WARN line, not one per poll, and its return an INFO line; what was due
// is delivered then.
func TestDeliverer_QueueOutage(t *testing.T) {
	rc := newReceiver(t, status(http.StatusOK))
	q := &failingQueue{fakeQueue: newFakeQueue()}
	q.down.Store(true)
	var logs logbuf.Buffer
	s := webhook.New(q, webhook.Config{Poll: time.Millisecond}, slog.New(slog.NewTextHandler(&logs, nil)))
	s.Start()
	t.Cleanup(s.Stop)
	for strings.Count(logs.String(), "\n") < 1 {
		time.Sleep(time.Millisecond)
	}
	for range 20 { // many polls fail meanwhile
		s.Wake()
		time.Sleep(time.Millisecond)
	}
	q.add(newDelivery(rc.URL, 1))
	q.down.Store(false)
	waitChanges(t, q.fakeQueue, 1)
	out := logs.String()
	if n := strings.Count(out, "level=WARN"); n != 1 || strings.Contains(out, "level=ERROR") {
		t.Fatalf("want one WARN line and no ERROR for the outage:\n%s", out)
	}
	if !strings.Contains(out, `level=INFO msg="webhook: queue available again"`) {
		t.Fatalf("no line for the queue's return:\n%s", out)
	}
}
