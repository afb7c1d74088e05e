package v2_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// TestUpdateCustomer_Concurrent sends many full PUTs to one customer at once,
// each setting every text field (and the store credit) to its own value:
// each answers 200 with its own values, and the customer ends equal to one
// of them, never a mix.
func TestUpdateCustomer_Concurrent(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		c := mustCreateCustomer(t, ts, jane())
		const n = 24
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				v := fmt.Sprintf("v%d", i)
				res := ts.do("PUT", fmt.Sprintf("/customers/%d", c.ID), obj{
					"first_name": v, "last_name": v, "company": v, "phone": v, "notes": v,
					"tax_exempt_category": v, "store_credit": fmt.Sprintf("%d.5", i),
				})
				if res.Status != http.StatusOK {
					t.Errorf("PUT %s: status=%d: %s", v, res.Status, res.Body)
					return
				}
				var got customer
				res.decode(t, &got)
				if !consistent(got, v, fmt.Sprintf("%d.5000", i)) {
					t.Errorf("PUT %s answered a mix: %+v", v, got)
				}
			})
		}
		wg.Wait()
		got := mustGetCustomer(t, ts, c.ID)
		v := got.FirstName
		var i int
		if _, err := fmt.Sscanf(v, "v%d", &i); err != nil || !consistent(got, v, fmt.Sprintf("%d.5000", i)) {
			t.Fatalf("after %d concurrent PUTs the customer is a mix: %+v", n, got)
		}
		if got.Email != "jane@example.com" {
			t.Fatalf("email=%q: a PUT without email changed it", got.Email)
		}
	})
}

func consistent(c customer, v, credit string) bool {
	return c.FirstName == v && c.LastName == v && c.Company == v && c.Phone == v && c.Notes == v &&
		c.TaxExemptCategory == v && c.StoreCredit == credit
}

// TestCreateCustomer_ConcurrentSameEmail sends many creates of one email, in
// different spellings, at once: exactly one is a 201; every other is the
// 400 of a taken email, and the store holds one customer.
func TestCreateCustomer_ConcurrentSameEmail(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		const n = 24
		var mu sync.Mutex
		statuses := map[int]int{}
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				email := "race@example.com"
				if i%2 == 1 {
					email = " RACE@Example.COM "
				}
				res := ts.do("POST", "/customers", with(jane(), "email", email, "first_name", fmt.Sprint(i)))
				switch res.Status {
				case http.StatusCreated:
				case http.StatusBadRequest:
					if !strings.Contains(string(res.Body), "already in use") {
						t.Errorf("create %d: 400 but not for the taken email: %s", i, res.Body)
					}
				default:
					t.Errorf("create %d: status=%d: %s", i, res.Status, res.Body)
				}
				mu.Lock()
				statuses[res.Status]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if statuses[http.StatusCreated] != 1 {
			t.Fatalf("statuses=%v, want exactly one 201", statuses)
		}
		wantCount(t, ts, "/customers/count", 1)
		wantCount(t, ts, "/customers/count?email=race@example.com", 1)
	})
}

// TestUpdateAddress_Concurrent is TestUpdateCustomer_Concurrent for an address.
func TestUpdateAddress_Concurrent(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		c := mustCreateCustomer(t, ts, jane())
		base := fmt.Sprintf("/customers/%d/addresses", c.ID)
		ts.do("POST", base, obj{"first_name": "J", "last_name": "D", "phone": "1", "street_1": "s",
			"city": "c", "state": "s", "zip": "1", "country": "Australia"}).want(t, http.StatusCreated)
		const n = 16
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				v := fmt.Sprintf("v%d", i)
				ts.do("PUT", base+"/1", obj{"first_name": v, "last_name": v, "company": v, "street_1": v,
					"street_2": v, "city": v, "state": v, "zip": v, "phone": v}).want(t, http.StatusOK)
			})
		}
		wg.Wait()
		var a map[string]any
		ts.do("GET", base+"/1", nil).want(t, http.StatusOK).decode(t, &a)
		v := a["first_name"]
		for _, k := range []string{"last_name", "company", "street_1", "street_2", "city", "state", "zip", "phone"} {
			if a[k] != v {
				t.Fatalf("after %d concurrent PUTs the address is a mix: %v", n, a)
			}
		}
	})
}
