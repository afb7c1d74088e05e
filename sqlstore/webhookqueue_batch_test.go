package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
)

// TestWebhookQueue_CompleteAttempts records three outcomes in one call: a
// delivery delivered, one due again later, and one whose last attempt
// failed (its hook deactivated, the only hook that is).
func TestWebhookQueue_CompleteAttempts(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return queueEpoch }
		q := sqlstore.NewWebhookQueue(db)
		f := newOutboxFixture(t, db, "a")
		h1 := mustCreateHook(t, db, f.store, f.client, customersd.HookCustomerCreated, "http://x/1")
		h2 := mustCreateHook(t, db, f.store, f.client, customersd.HookCustomerCreated, "http://x/2")
		for i := range 2 {
			if _, err := f.customers.CreateCustomer(ctx, f.store, newInput(fmt.Sprintf("%d@example.com", i))); err != nil {
				t.Fatal(err)
			}
		}
		ds := mustClaim(t, q, queueEpoch, 10)
		if len(ds) != 4 {
			t.Fatalf("claimed %d, want 4", len(ds))
		}
		var rs []customersd.DeliveryResult
		var failed, retried, delivered int64
		for _, d := range ds {
			a := &customersd.DeliveryAttempt{Number: 1, At: queueEpoch, StatusCode: 200}
			r := customersd.DeliveryResult{Delivery: d, Attempt: a, Delivered: true}
			switch {
			case d.Hook.ID == h2.ID && failed == 0:
				a.Number, a.StatusCode = 12, 500
				r.Delivered, failed = false, d.ID
			case d.Hook.ID == h1.ID && retried == 0:
				a.StatusCode, a.NextAt = 500, queueEpoch.Add(time.Minute)
				r.Delivered, retried = false, d.ID
			default:
				delivered++
			}
			rs = append(rs, r)
		}
		if err := q.CompleteAttempts(ctx, rs); err != nil {
			t.Fatal(err)
		}
		recs, err := q.FindDeliveries(ctx, f.store, customersd.DeliveryFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			want := customersd.DeliveryDelivered
			switch r.ID {
			case failed:
				want = customersd.DeliveryFailed
			case retried:
				want = customersd.DeliveryPending
				if !r.NextAt.Equal(queueEpoch.Add(time.Minute)) {
					t.Errorf("delivery %d due at %v, want a minute later", r.ID, r.NextAt)
				}
			}
			if r.State != want || len(r.Log) != 1 {
				t.Errorf("delivery %d: %s with %d attempts, want %s with 1", r.ID, r.State, len(r.Log), want)
			}
		}
		hooks := sqlstore.NewHookService(db)
		for _, h := range []*customersd.Hook{h1, h2} {
			got, err := hooks.FindHookByID(ctx, f.store, f.client, h.ID)
			if err != nil || got.IsActive != (h.ID == h1.ID) {
				t.Fatalf("hook %d: %+v, %v; want only hook %d deactivated", h.ID, got, err, h2.ID)
			}
		}
		if err := q.CompleteAttempts(ctx, nil); err != nil {
			t.Fatalf("an empty batch: %v", err)
		}
	})
}
