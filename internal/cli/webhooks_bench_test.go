package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
)

// The webhook benchmarks. Compare them side by side, in one run, as ratios:
//
//	go test ./internal/cli -run '^$' -bench 'Webhooks' -count 3
//
// Writes/hooks=10 against Writes/hooks=0 is what 10 active hooks cost the
// API (the outbox rows in each write's transaction, and the workers
// sending beside it); Delivery against ReceiverDirect is what the queue
// costs over bare HTTP POSTs to the same receiver.

// benchClient keeps connections open, so the figures are the server's,
// not the kernel's connection setup.
var benchClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}

func benchPost(b *testing.B, url, token string, body []byte, want int) {
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	res, err := benchClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != want {
		b.Fatalf("POST %s: status=%d, want %d", url, res.StatusCode, want)
	}
}

func BenchmarkWebhooks_Writes(b *testing.B) {
	dialects := []string{"sqlite"}
	if os.Getenv(sqlstoretest.PostgresEnv) != "" {
		dialects = append(dialects, "postgres")
	}
	for _, dialect := range dialects {
		for _, hooks := range []int{0, 10} {
			b.Run(fmt.Sprintf("%s/hooks=%d", dialect, hooks), func(b *testing.B) {
				benchWrites(b, sqlstoretest.DSN(b, dialect), hooks)
			})
		}
	}
}

// benchWrites creates customers through the API on database, with hooks
// active hooks of store/customer/created delivering to a local receiver.
func benchWrites(b *testing.B, database string, hooks int) {
	p := startHooksServer(b, database)
	rc := newHookReceiver(b)
	for i := range hooks {
		createHook(b, p.url(""), whToken, map[string]any{"scope": "store/customer/created", "destination": fmt.Sprintf("%s/h%d", rc.URL, i)})
	}
	url := p.url("/stores/" + whHash + "/v2/customers")
	var seq atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := seq.Add(1)
			benchPost(b, url, whToken, fmt.Appendf(nil, `{"first_name":"B","last_name":"%d","email":"b%d@example.com"}`, i, i), http.StatusCreated)
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
}

// BenchmarkWebhooks_Delivery times b.N deliveries to a local receiver. The
// events are queued with no server running (the writes go through sqlstore
// directly, so no worker sends them meanwhile); then the server starts and
// its workers drain the queue. deliveries/s runs from the receiver's first
// request to its last.
func BenchmarkWebhooks_Delivery(b *testing.B) {
	dbPath := filepath.Join(b.TempDir(), "bench.db")
	rc := newHookReceiver(b)
	p := startHooksServer(b, dbPath)
	createHook(b, p.url(""), whToken, map[string]any{"scope": "store/customer/created", "destination": rc.URL})
	if err := p.stop(); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dbPath)
	if err != nil {
		b.Fatal(err)
	}
	customers := sqlstore.NewCustomerService(db, password.Hasher{Cost: password.MinCost})
	for i := range b.N {
		email, first := fmt.Sprintf("b%d@example.com", i), "B"
		if _, err := customers.CreateCustomer(ctx, 1, &customersd.CustomerInput{FirstName: &first, LastName: &first, Email: &email}); err != nil {
			b.Fatal(err)
		}
	}
	db.Close()

	b.ResetTimer()
	startHooksServer(b, dbPath)
	waitFor(b, "every delivery made", func() bool { return len(rc.requests()) >= b.N })
	b.StopTimer()
	reqs := rc.requests()
	if len(reqs) != b.N {
		b.Fatalf("receiver got %d requests, want %d", len(reqs), b.N)
	}
	if span := reqs[len(reqs)-1].at.Sub(reqs[0].at); span > 0 {
		b.ReportMetric(float64(b.N-1)/span.Seconds(), "deliveries/s")
	}
}

// BenchmarkWebhooks_ReceiverDirect is Delivery's baseline: the same
// receiver POSTed directly by as many goroutines as the default workers.
func BenchmarkWebhooks_ReceiverDirect(b *testing.B) {
	rc := newHookReceiver(b)
	body := []byte(`{"producer":"stores/wh","hash":"0123456789abcdef0123456789abcdef01234567","created_at":1,"store_id":"1","scope":"store/customer/created","data":{"type":"customer","id":1,"origin_channel_id":1,"channel_ids":[1]}}`)
	b.SetParallelism(8) // × GOMAXPROCS; the workers are 8 per node
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			benchPost(b, rc.URL, "", body, http.StatusOK)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}
