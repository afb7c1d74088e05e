package v2_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
	v2 "github.com/customersd/customersd/v2"
)

// TestValidate_BcryptQueueFull: with the node's bcrypt slot held by another
// store and room for one waiting call of this store, concurrent validates
// get exactly one place in the queue; every other one is V2's 503 with
// Retry-After at once, and the queued one is answered once the slot frees.
func TestValidate_BcryptQueueFull(t *testing.T) {
	for _, d := range sqlstoretest.Dialects {
		t.Run(d, func(t *testing.T) {
			gate := password.NewGate(1, 1)
			ts := newTestServer(t, d, func(ts *testServer, api *v2.Server) {
				api.Customers = sqlstore.NewCustomerService(ts.db, password.Hasher{Cost: bcrypt.MinCost, Gate: gate})
			})
			testBcryptQueueFull(t, ts, gate)
		})
	}
}

func testBcryptQueueFull(t *testing.T, ts *testServer, gate *password.Gate) {
	c := mustCreateCustomer(t, ts, with(jane(), "_authentication", obj{"password": "secret123"}))
	other := ts.mustStore(t, ts.otherHash)

	hold, held, freed := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(freed)
		gate.Do(context.Background(), int64(other.ID), func() { close(held); <-hold })
	}()
	<-held

	const calls = 4
	responses := make(chan *response, calls)
	var wg sync.WaitGroup
	for range calls {
		wg.Go(func() {
			responses <- ts.do("POST", "/customers/"+itoa(c.ID)+"/validate", obj{"password": "secret123"})
		})
	}
	// The refusals come back while the slot is held; the queued call cannot.
	for range calls - 1 {
		res := <-responses
		res.wantError(t, http.StatusServiceUnavailable, "The service is temporarily unavailable. Please try again later.")
		if res.Header.Get("Retry-After") == "" {
			t.Error("a 503 without Retry-After")
		}
	}
	close(hold)
	<-freed
	wg.Wait()
	if res := (<-responses).want(t, http.StatusOK); string(res.Body) != `{"success":true}` {
		t.Errorf("the queued validate: body=%s", res.Body)
	}
}
