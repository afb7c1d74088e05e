package sqlstore_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
)

// BenchmarkOutbox_CreateCustomer is the write cost of webhooks: customer
// creates in a store without hooks and in one with 10 active hooks on
// store/customer/created (each create then also stores its event and 10
// deliveries), side by side on a fresh database each, one writer at a time
// (Serial) and many (Parallel). Compare the ns/op of Hooks=0 and Hooks=10
// (and cpu-µs/op, steadier on a busy machine); the goal is a throughput
// ratio of at least 0.8. Reproduce with
//
//	CUSTOMERSD_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \
//	  go test -run '^$' -bench BenchmarkOutbox -benchtime 2000x ./sqlstore
func BenchmarkOutbox_CreateCustomer(b *testing.B) {
	for _, d := range sqlstoretest.Dialects {
		for _, mode := range []string{"Serial", "Parallel"} {
			for _, hooks := range []int{0, customersd.MaxHooksPerScope} {
				b.Run(fmt.Sprintf("%s/%s/Hooks=%d", d, mode, hooks), func(b *testing.B) {
					db := sqlstoretest.Open(b, d)
					f := newOutboxFixture(b, db, "bench")
					for i := range hooks {
						mustCreateHook(b, db, f.store, f.client, customersd.HookCustomerCreated, fmt.Sprintf("http://127.0.0.1:9/%d", i))
					}
					benchCreates(b, f.customers, f.store, mode == "Parallel")
				})
			}
		}
	}
}

func benchCreates(b *testing.B, s *sqlstore.CustomerService, store customersd.StoreID, parallel bool) {
	ctx := context.Background()
	var n atomic.Int64
	create := func() {
		if _, err := s.CreateCustomer(ctx, store, benchInput(int(n.Add(1)))); err != nil {
			b.Error(err)
		}
	}
	// The process's CPU per create beside the wall time: on a shared
	// machine the wall time swings with the neighbours' load and the
	// disk's fsyncs, the CPU much less.
	cpu0, ok := processCPU()
	if !parallel {
		for b.Loop() {
			create()
		}
	} else {
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				create()
			}
		})
	}
	if cpu1, _ := processCPU(); ok && b.N > 0 {
		b.ReportMetric(float64((cpu1-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
	}
}
