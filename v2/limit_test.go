package v2_test

import (
	"net/http"
	"testing"
)

// limitTooHighBody is BigCommerce's recorded answer to a limit above 250
// (BEHAVIOR.md, "Status codes"; bigcommerce-api-python#59).
const limitTooHighBody = `[{"status":413,"message":"The specified limit exceeds the maximum allowed.","details":{"max_limit":250}}]`

func TestPagedCollections_LimitTooHigh(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		mustCreateCustomer(t, ts, jane())
		mustCreateAddress(t, ts, 1, home())
		mustCreateGroup(t, ts, obj{"name": "Retail"})
		paths := []string{
			"/customers", "/customers/count", "/customers/1/addresses", "/customers/1/addresses/count",
			"/customers/addresses/count", "/customer_groups", "/customer_groups/count",
		}
		for _, p := range paths {
			ts.do("GET", p+"?limit=250", nil).want(t, http.StatusOK)
			for _, limit := range []string{"251", "1000", "+300", "99999999999999999999"} {
				res := ts.do("GET", p+"?page=2&limit="+limit, nil).want(t, http.StatusRequestEntityTooLarge)
				if string(res.Body) != limitTooHighBody {
					t.Errorf("GET %s?limit=%s: body=%s, want %s", p, limit, res.Body, limitTooHighBody)
				}
				if ct := res.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("GET %s?limit=%s: Content-Type=%q", p, limit, ct)
				}
			}
			// A bad page or filter is still a 400, whatever the limit.
			ts.do("GET", p+"?page=0&limit=251", nil).wantError(t, http.StatusBadRequest, "The field 'page' is invalid.")
			ts.do("GET", p+"?limit=-5", nil).wantError(t, http.StatusBadRequest, "The field 'limit' is invalid.")
		}
		// Deletes read page and limit too: a refused delete deletes nothing.
		for _, p := range []string{"/customers/1/addresses", "/customer_groups", "/customers"} {
			ts.do("DELETE", p+"?limit=251", nil).want(t, http.StatusRequestEntityTooLarge)
		}
		wantCount(t, ts, "/customers/count", 1)
		wantCount(t, ts, "/customers/1/addresses/count", 1)
		wantCount(t, ts, "/customer_groups/count", 1)
	})
}
