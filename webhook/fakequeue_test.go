package webhook_test

import (
	"context"
	"sync"
	"time"

	"github.com/customersd/customersd"
)

// fakeQueue is an in-memory customersd.WebhookQueue with the contract's
// lease semantics, for the workers' tests; sqlstore's is tested on both
// databases in its own package.
type fakeQueue struct {
	mu       sync.Mutex
	items    []*fakeItem
	inactive map[int64]bool // hook ids deactivated
	changed  chan struct{}  // receives after every CompleteAttempt
	pruned   []time.Time    // the before of each PruneDeliveries
	claims   int            // ClaimDeliveries calls that returned deliveries
	batches  []int          // the size of each CompleteAttempts
}

type fakeItem struct {
	d          customersd.Delivery
	leaseUntil time.Time
	log        []customersd.DeliveryAttempt
}

var _ customersd.WebhookQueue = (*fakeQueue)(nil)

func newFakeQueue() *fakeQueue {
	return &fakeQueue{inactive: map[int64]bool{}, changed: make(chan struct{}, 1000)}
}

func (q *fakeQueue) add(d customersd.Delivery) {
	q.mu.Lock()
	defer q.mu.Unlock()
	d.State = customersd.DeliveryPending
	if d.ID == 0 {
		d.ID = int64(len(q.items) + 1)
	}
	q.items = append(q.items, &fakeItem{d: d})
}

func (q *fakeQueue) ClaimDeliveries(_ context.Context, now time.Time, limit int, lease time.Duration) ([]*customersd.Delivery, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []*customersd.Delivery
	for _, it := range q.items {
		if len(out) == limit {
			break
		}
		if it.d.State != customersd.DeliveryPending || q.inactive[it.d.Hook.ID] || it.d.NextAt.After(now) || it.leaseUntil.After(now) {
			continue
		}
		it.leaseUntil = now.Add(lease)
		d := it.d
		hook := *d.Hook
		d.Hook = &hook
		out = append(out, &d)
	}
	if len(out) > 0 {
		q.claims++
	}
	return out, nil
}

func (q *fakeQueue) CompleteAttempt(_ context.Context, d *customersd.Delivery, a *customersd.DeliveryAttempt, delivered bool) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, it := range q.items {
		if it.d.ID != d.ID {
			continue
		}
		it.log = append(it.log, *a)
		it.d.Attempts = a.Number
		it.leaseUntil = time.Time{}
		switch {
		case delivered:
			it.d.State = customersd.DeliveryDelivered
		case !a.NextAt.IsZero():
			it.d.NextAt = a.NextAt
		default:
			it.d.State = customersd.DeliveryFailed
			q.inactive[it.d.Hook.ID] = true
		}
	}
	q.changed <- struct{}{}
	return nil
}

func (q *fakeQueue) CompleteAttempts(ctx context.Context, rs []customersd.DeliveryResult) error {
	q.mu.Lock()
	q.batches = append(q.batches, len(rs))
	q.mu.Unlock()
	for _, r := range rs {
		if err := q.CompleteAttempt(ctx, r.Delivery, r.Attempt, r.Delivered); err != nil {
			return err
		}
	}
	return nil
}

func (q *fakeQueue) NextDue(context.Context) (time.Time, bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var due time.Time
	ok := false
	for _, it := range q.items {
		if it.d.State != customersd.DeliveryPending || q.inactive[it.d.Hook.ID] {
			continue
		}
		t := it.d.NextAt
		if it.leaseUntil.After(t) {
			t = it.leaseUntil
		}
		if !ok || t.Before(due) {
			due, ok = t, true
		}
	}
	return due, ok, nil
}

func (q *fakeQueue) DeliverNow(context.Context, customersd.StoreID, int64) (int64, error) {
	return 0, nil
}

func (q *fakeQueue) FindDeliveries(context.Context, customersd.StoreID, customersd.DeliveryFilter) ([]*customersd.DeliveryRecord, error) {
	return nil, nil
}

func (q *fakeQueue) QueueStats(context.Context) (int64, time.Time, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var n int64
	var oldest time.Time
	for _, it := range q.items {
		if it.d.State == customersd.DeliveryPending {
			n++
			if oldest.IsZero() || it.d.Event.CreatedAt.Before(oldest) {
				oldest = it.d.Event.CreatedAt
			}
		}
	}
	return n, oldest, nil
}

func (q *fakeQueue) PruneDeliveries(_ context.Context, before time.Time) (int64, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.pruned = append(q.pruned, before)
	return 0, nil
}

func (q *fakeQueue) prunes() []time.Time {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]time.Time(nil), q.pruned...)
}

// record returns a copy of delivery id's state and attempts.
func (q *fakeQueue) record(id int64) (customersd.Delivery, []customersd.DeliveryAttempt) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, it := range q.items {
		if it.d.ID == id {
			return it.d, append([]customersd.DeliveryAttempt(nil), it.log...)
		}
	}
	return customersd.Delivery{}, nil
}
