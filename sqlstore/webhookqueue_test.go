package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
)

var queueEpoch = time.Date(2024, 5, 6, 7, 34, 10, 0, time.UTC)

// mustClaim claims up to limit deliveries at now with a one-minute lease.
func mustClaim(tb testing.TB, q *sqlstore.WebhookQueue, now time.Time, limit int) []*customersd.Delivery {
	tb.Helper()
	ds, err := q.ClaimDeliveries(context.Background(), now, limit, time.Minute)
	if err != nil {
		tb.Fatalf("claim at %s: %v", now, err)
	}
	return ds
}

func TestWebhookQueue_Lifecycle(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return queueEpoch }
		q := sqlstore.NewWebhookQueue(db)
		f := newOutboxFixture(t, db, "a")
		h := mustCreateHook(t, db, f.store, f.client, customersd.HookCustomerCreated, "http://x/")
		if _, err := f.customers.CreateCustomer(ctx, f.store, newInput("a@example.com")); err != nil {
			t.Fatal(err)
		}
		acct, err := sqlstore.NewTenantService(db).FindAPIAccountByClientID(ctx, f.store, f.client)
		if err != nil {
			t.Fatal(err)
		}
		if due, ok, err := q.NextDue(ctx); err != nil || !ok || !due.Equal(queueEpoch) {
			t.Fatalf("NextDue=%s, %v, %v; want %s", due, ok, err, queueEpoch)
		}
		if n, oldest, err := q.QueueStats(ctx); err != nil || n != 1 || !oldest.Equal(queueEpoch) {
			t.Fatalf("QueueStats=%d, %s, %v", n, oldest, err)
		}

		ds := mustClaim(t, q, queueEpoch, 10)
		if len(ds) != 1 {
			t.Fatalf("claimed %d, want 1", len(ds))
		}
		d := ds[0]
		want := wantPayload("a", f.store, queueEpoch, customersd.HookCustomerCreated, customerData(1))
		if d.Secret != acct.ClientSecret || d.Secret == "" || string(d.Event.Payload) != want || d.Hook.ID != h.ID ||
			d.Hook.Destination != "http://x/" || d.Attempts != 0 || d.State != customersd.DeliveryPending || d.Event.Store != f.store {
			t.Fatalf("claimed %+v (event %+v, hook %+v)", d, d.Event, d.Hook)
		}
		if again := mustClaim(t, q, queueEpoch.Add(30*time.Second), 10); len(again) != 0 {
			t.Fatalf("claimed a leased delivery again: %d", len(again))
		}
		if due, ok, _ := q.NextDue(ctx); !ok || !due.Equal(queueEpoch.Add(time.Minute)) {
			t.Fatalf("NextDue while leased=%s, want the lease's end", due)
		}

		// A failure with a next attempt: pending until then.
		retry := queueEpoch.Add(2 * time.Minute)
		a1 := &customersd.DeliveryAttempt{Number: 1, At: queueEpoch.Add(time.Second), StatusCode: 500, Duration: 15 * time.Millisecond, NextAt: retry}
		if err := q.CompleteAttempt(ctx, d, a1, false); err != nil {
			t.Fatal(err)
		}
		if got := mustClaim(t, q, retry.Add(-time.Second), 10); len(got) != 0 {
			t.Fatalf("claimed before its retry is due")
		}
		ds = mustClaim(t, q, retry, 10)
		if len(ds) != 1 || ds[0].Attempts != 1 || ds[0].Event.Hash != d.Event.Hash {
			t.Fatalf("retry claim: %+v", ds)
		}
		a2 := &customersd.DeliveryAttempt{Number: 2, At: retry.Add(time.Second), StatusCode: 204, Duration: time.Millisecond}
		if err := q.CompleteAttempt(ctx, ds[0], a2, true); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := q.NextDue(ctx); ok {
			t.Fatalf("NextDue after delivery: ok")
		}
		recs, err := q.FindDeliveries(ctx, f.store, customersd.DeliveryFilter{})
		if err != nil || len(recs) != 1 {
			t.Fatalf("FindDeliveries=%d, %v", len(recs), err)
		}
		r := recs[0]
		if r.State != customersd.DeliveryDelivered || r.Attempts != 2 || r.Secret != "" || len(r.Log) != 2 {
			t.Fatalf("record %+v", r)
		}
		if l := r.Log[0]; l.Number != 1 || l.StatusCode != 500 || !l.At.Equal(a1.At) || l.Duration != a1.Duration || !l.NextAt.Equal(retry) || l.DeliveryID != d.ID {
			t.Errorf("attempt 1 %+v", l)
		}
		if l := r.Log[1]; l.Number != 2 || l.StatusCode != 204 || !l.NextAt.IsZero() {
			t.Errorf("attempt 2 %+v", l)
		}
	})
}

// TestWebhookQueue_Failed: the last failure deactivates the hook; its other
// deliveries wait, and resume when a PUT reactivates it.
func TestWebhookQueue_Failed(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return queueEpoch }
		q := sqlstore.NewWebhookQueue(db)
		f := newOutboxFixture(t, db, "a")
		h := mustCreateHook(t, db, f.store, f.client, customersd.HookCustomerCreated, "http://x/")
		for i := range 2 {
			if _, err := f.customers.CreateCustomer(ctx, f.store, newInput(fmt.Sprintf("%d@example.com", i))); err != nil {
				t.Fatal(err)
			}
		}
		ds := mustClaim(t, q, queueEpoch, 1)
		a := &customersd.DeliveryAttempt{Number: 12, At: queueEpoch, Error: "connection refused"}
		if err := q.CompleteAttempt(ctx, ds[0], a, false); err != nil {
			t.Fatal(err)
		}
		hooks := sqlstore.NewHookService(db)
		if got, err := hooks.FindHookByID(ctx, f.store, f.client, h.ID); err != nil || got.IsActive {
			t.Fatalf("hook after failure: %+v, %v; want inactive", got, err)
		}
		if got := mustClaim(t, q, queueEpoch.Add(time.Hour), 10); len(got) != 0 {
			t.Fatalf("claimed %d deliveries of an inactive hook", len(got))
		}
		if _, ok, _ := q.NextDue(ctx); ok {
			t.Fatal("NextDue of an inactive hook")
		}
		recs, err := q.FindDeliveries(ctx, f.store, customersd.DeliveryFilter{State: customersd.DeliveryFailed})
		if err != nil || len(recs) != 1 || recs[0].Log[0].Error != "connection refused" {
			t.Fatalf("failed deliveries: %+v, %v", recs, err)
		}
		woke := 0
		db.OnDeliveries(func() { woke++ })
		if _, err := hooks.UpdateHook(ctx, f.store, f.client, h.ID, &customersd.HookInput{IsActive: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		if woke != 1 {
			t.Errorf("reactivation woke the workers %d times, want 1", woke)
		}
		if got := mustClaim(t, q, queueEpoch.Add(time.Hour), 10); len(got) != 1 || got[0].ID == ds[0].ID {
			t.Fatalf("after reactivation claimed %+v, want the other delivery", got)
		}
	})
}

func TestWebhookQueue_ExpiredLease(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return queueEpoch }
		q := sqlstore.NewWebhookQueue(db)
		f := newOutboxFixture(t, db, "a")
		mustCreateHook(t, db, f.store, f.client, customersd.HookCustomerCreated, "http://x/")
		if _, err := f.customers.CreateCustomer(ctx, f.store, newInput("a@example.com")); err != nil {
			t.Fatal(err)
		}
		first := mustClaim(t, q, queueEpoch, 10)
		if got := mustClaim(t, q, queueEpoch.Add(59*time.Second), 10); len(got) != 0 {
			t.Fatal("claimed within the lease")
		}
		second := mustClaim(t, q, queueEpoch.Add(time.Minute), 10)
		if len(first) != 1 || len(second) != 1 || first[0].ID != second[0].ID || second[0].Event.Hash != first[0].Event.Hash {
			t.Fatalf("first %+v, second %+v: want the same delivery again", first, second)
		}
		// Both workers report attempt 1: the first report counts.
		a := &customersd.DeliveryAttempt{Number: 1, At: queueEpoch.Add(time.Minute), StatusCode: 200}
		for _, d := range []*customersd.Delivery{second[0], first[0]} {
			if err := q.CompleteAttempt(ctx, d, a, true); err != nil {
				t.Fatal(err)
			}
		}
		recs, err := q.FindDeliveries(ctx, f.store, customersd.DeliveryFilter{})
		if err != nil || len(recs) != 1 || len(recs[0].Log) != 1 {
			t.Fatalf("records %+v, %v", recs, err)
		}
		// A late report of a final failure neither changes the delivery
		// nor deactivates its hook.
		late := &customersd.DeliveryAttempt{Number: 2, At: queueEpoch.Add(2 * time.Minute), StatusCode: 500}
		if err := q.CompleteAttempt(ctx, first[0], late, false); err != nil {
			t.Fatal(err)
		}
		h, err := sqlstore.NewHookService(db).FindHookByID(ctx, f.store, f.client, first[0].Hook.ID)
		if err != nil || !h.IsActive {
			t.Fatalf("hook after a late failure: %+v, %v; want active", h, err)
		}
		if recs, _ := q.FindDeliveries(ctx, f.store, customersd.DeliveryFilter{}); recs[0].State != customersd.DeliveryDelivered || len(recs[0].Log) != 1 {
			t.Fatalf("delivery after a late failure: %+v", recs[0])
		}
	})
}

// TestWebhookQueue_ConcurrentClaims: workers on two database handles (two
// nodes) claiming at once never get the same delivery.
func TestWebhookQueue_ConcurrentClaims(t *testing.T) {
	for _, dialect := range sqlstoretest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			dsn := sqlstoretest.DSN(t, dialect)
			var dbs []*sqlstore.DB
			for range 2 {
				db, err := sqlstore.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				dbs = append(dbs, db)
			}
			f := newOutboxFixture(t, dbs[0], "a")
			for i := range customersd.MaxHooksPerScope {
				mustCreateHook(t, dbs[0], f.store, f.client, customersd.HookCustomerCreated, fmt.Sprintf("http://x/%d", i))
			}
			const customers = 30
			for i := range customers {
				if _, err := f.customers.CreateCustomer(ctx, f.store, newInput(fmt.Sprintf("%d@example.com", i))); err != nil {
					t.Fatal(err)
				}
			}
			now := time.Now().Add(time.Hour)
			var mu sync.Mutex
			seen := map[int64]int{}
			var wg sync.WaitGroup
			for w := range 8 {
				q := sqlstore.NewWebhookQueue(dbs[w%2])
				wg.Go(func() {
					for {
						ds, err := q.ClaimDeliveries(ctx, now, 7, time.Hour)
						if err != nil {
							t.Errorf("claim: %v", err)
							return
						}
						if len(ds) == 0 {
							return
						}
						mu.Lock()
						for _, d := range ds {
							seen[d.ID]++
						}
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if want := customers * customersd.MaxHooksPerScope; len(seen) != want {
				t.Errorf("%d deliveries claimed, want %d", len(seen), want)
			}
			for id, n := range seen {
				if n != 1 {
					t.Errorf("delivery %d claimed %d times", id, n)
				}
			}
		})
	}
}

func TestWebhookQueue_DeliverNowAndFilters(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return queueEpoch }
		q := sqlstore.NewWebhookQueue(db)
		f := newOutboxFixture(t, db, "a")
		created := mustCreateHook(t, db, f.store, f.client, customersd.HookCustomerCreated, "http://x/c")
		all := mustCreateHook(t, db, f.store, f.client, customersd.HookCustomerAll, "http://x/all")
		c, err := f.customers.CreateCustomer(ctx, f.store, newInput("a@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.customers.DeleteCustomer(ctx, f.store, c.ID); err != nil {
			t.Fatal(err)
		}
		// Three deliveries; each fails once, retrying in an hour.
		for _, d := range mustClaim(t, q, queueEpoch, 10) {
			a := &customersd.DeliveryAttempt{Number: 1, At: queueEpoch, StatusCode: 503, NextAt: queueEpoch.Add(time.Hour)}
			if err := q.CompleteAttempt(ctx, d, a, false); err != nil {
				t.Fatal(err)
			}
		}
		recs, err := q.FindDeliveries(ctx, f.store, customersd.DeliveryFilter{})
		if err != nil || len(recs) != 3 || recs[0].ID < recs[1].ID || recs[1].ID < recs[2].ID {
			t.Fatalf("all: %d records, %v; want 3, newest first", len(recs), err)
		}
		for _, tc := range []struct {
			f    customersd.DeliveryFilter
			want int
		}{
			{customersd.DeliveryFilter{HookID: all.ID}, 2},
			{customersd.DeliveryFilter{HookID: created.ID}, 1},
			{customersd.DeliveryFilter{Scope: customersd.HookCustomerDeleted}, 1},
			{customersd.DeliveryFilter{State: customersd.DeliveryPending}, 3},
			{customersd.DeliveryFilter{State: customersd.DeliveryDelivered}, 0},
			{customersd.DeliveryFilter{Limit: 2}, 2},
		} {
			if got, err := q.FindDeliveries(ctx, f.store, tc.f); err != nil || len(got) != tc.want {
				t.Errorf("FindDeliveries(%+v)=%d, %v; want %d", tc.f, len(got), err, tc.want)
			}
		}
		other := newOutboxFixture(t, db, "b")
		if got, err := q.FindDeliveries(ctx, other.store, customersd.DeliveryFilter{}); err != nil || len(got) != 0 {
			t.Errorf("other store sees %d deliveries, %v", len(got), err)
		}
		if n, err := q.DeliverNow(ctx, other.store, 0); err != nil || n != 0 {
			t.Errorf("DeliverNow(other store)=%d, %v; want 0", n, err)
		}

		if n, err := q.DeliverNow(ctx, f.store, recs[0].ID); err != nil || n != 1 {
			t.Fatalf("DeliverNow(one)=%d, %v", n, err)
		}
		if got := mustClaim(t, q, queueEpoch, 10); len(got) != 1 || got[0].ID != recs[0].ID {
			t.Fatalf("claimed %+v after DeliverNow(%d)", got, recs[0].ID)
		}
		if n, err := q.DeliverNow(ctx, f.store, 0); err != nil || n != 2 {
			t.Fatalf("DeliverNow(all)=%d, %v; want the 2 not leased", n, err)
		}
		if got := mustClaim(t, q, queueEpoch, 10); len(got) != 2 {
			t.Fatalf("claimed %d after DeliverNow(all), want 2", len(got))
		}
	})
}

func TestWebhookQueue_Prune(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return queueEpoch }
		q := sqlstore.NewWebhookQueue(db)
		f := newOutboxFixture(t, db, "a")
		mustCreateHook(t, db, f.store, f.client, customersd.HookCustomerCreated, "http://x/")
		for i := range 2 {
			if _, err := f.customers.CreateCustomer(ctx, f.store, newInput(fmt.Sprintf("%d@example.com", i))); err != nil {
				t.Fatal(err)
			}
		}
		ds := mustClaim(t, q, queueEpoch, 1)
		if err := q.CompleteAttempt(ctx, ds[0], &customersd.DeliveryAttempt{Number: 1, At: queueEpoch, StatusCode: 200}, true); err != nil {
			t.Fatal(err)
		}
		if n, err := q.PruneDeliveries(ctx, queueEpoch); err != nil || n != 0 {
			t.Fatalf("prune before it finished: %d, %v", n, err)
		}
		if n, err := q.PruneDeliveries(ctx, queueEpoch.Add(time.Second)); err != nil || n != 1 {
			t.Fatalf("prune: %d, %v; want 1", n, err)
		}
		recs, err := q.FindDeliveries(ctx, f.store, customersd.DeliveryFilter{})
		if err != nil || len(recs) != 1 || recs[0].State != customersd.DeliveryPending {
			t.Fatalf("after prune: %+v, %v; want the pending delivery", recs, err)
		}
		if evs := sqlstore.OutboxOf(t, db, f.store); len(evs) != 1 || evs[0].ID != recs[0].Event.ID {
			t.Fatalf("after prune: events %+v, want the pending delivery's only", evs)
		}
	})
}
