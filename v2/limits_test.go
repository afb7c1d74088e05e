package v2_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/ratelimit"
	v2 "github.com/customersd/customersd/v2"
)

// productRules returns n product discount rules, as a client sends them.
func productRules(n int) []obj {
	rules := make([]obj, n)
	for i := range rules {
		rules[i] = obj{"type": "product", "method": "fixed", "amount": 1, "product_id": i + 1}
	}
	return rules
}

func categoryIDs(n int) []int {
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i + 1
	}
	return ids
}

// TestGroupCaps: a group holds at most MaxGroupDiscountRules rules and
// MaxGroupCategories categories. One more is a 400 naming the field, and
// changes nothing; exactly the cap is accepted, on POST and PUT alike.
func TestGroupCaps(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		overRules := obj{"name": "Over", "discount_rules": productRules(customersd.MaxGroupDiscountRules + 1)}
		overCategories := obj{"name": "Over", "category_access": obj{"type": "specific", "categories": categoryIDs(customersd.MaxGroupCategories + 1)}}

		ts.do("POST", "/customer_groups", overRules).wantError(t, http.StatusBadRequest, "The field 'discount_rules' is invalid.")
		ts.do("POST", "/customer_groups", overCategories).wantError(t, http.StatusBadRequest, "The field 'categories' is invalid.")
		ts.do("GET", "/customer_groups", nil).want(t, http.StatusNoContent) // nothing was created

		g := mustCreateGroup(t, ts, obj{"name": "Full",
			"discount_rules":  productRules(customersd.MaxGroupDiscountRules),
			"category_access": obj{"type": "specific", "categories": categoryIDs(customersd.MaxGroupCategories)}})

		ts.do("PUT", "/customer_groups/"+itoa(g.ID), overRules).wantError(t, http.StatusBadRequest, "The field 'discount_rules' is invalid.")
		ts.do("PUT", "/customer_groups/"+itoa(g.ID), overCategories).wantError(t, http.StatusBadRequest, "The field 'categories' is invalid.")
		if got := mustGetGroup(t, ts, g.ID); got.Name != "Full" || string(got.DiscountRules) != string(g.DiscountRules) || string(got.CategoryAccess) != string(g.CategoryAccess) {
			t.Fatalf("a refused PUT changed the group: %s, %d bytes of rules", got.Name, len(got.DiscountRules))
		}
	})
}

// withListBudget gives each server the list budget new makes, and keeps
// it in budgets under the server.
func withListBudget(budgets *sync.Map, new func() *ratelimit.ByteBudget) serverOption {
	return func(ts *testServer, api *v2.Server) {
		api.ListBudget = new()
		budgets.Store(ts, api.ListBudget)
	}
}

// TestListBudget: list pages are read under the node's byte budget. A store
// past its share gets 429, and another store still gets its pages; a full
// node answers 503.
func TestListBudget(t *testing.T) {
	const total, share = 1 << 20, 1 << 19
	var budgets sync.Map
	eachDB(t, func(t *testing.T, ts *testServer) {
		b, _ := budgets.Load(ts)
		budget := b.(*ratelimit.ByteBudget)
		for i := range 12 { // 12 × 60 KB: more than the share
			mustCreateCustomer(t, ts, obj{"first_name": "A", "last_name": "B", "email": "c" + itoa(int64(i)) + "@example.com",
				"notes": strings.Repeat("n", 60000)})
		}
		ts.do("POST", "/customers", obj{"first_name": "A", "last_name": "B", "email": "other@example.com"}, withToken(ts.otherToken), withStore(ts.otherHash)).
			want(t, http.StatusCreated)
		otherPage := func() *response {
			return ts.do("GET", "/customers", nil, withToken(ts.otherToken), withStore(ts.otherHash))
		}

		// Refused while reading: its rows exceed the share. (Once a page has
		// shown the store's row size, such a page reserves it all before
		// reading, and a store holding nothing may take more than its share.)
		ts.do("GET", "/customers?limit=250", nil).wantTooMany(t, 1)
		ts.do("GET", "/customers?limit=5", nil).want(t, http.StatusOK)
		otherPage().want(t, http.StatusOK)

		// Store 1's share is taken (by its other pages in flight): its next
		// page waits, then is refused; store 2's is not.
		held, err := budget.Reserve(context.Background(), strconv.FormatInt(int64(ts.mustStore(t, ts.hash).ID), 10), share)
		if err != nil {
			t.Fatal(err)
		}
		ts.do("GET", "/customers?limit=5", nil).wantTooMany(t, 1)
		otherPage().want(t, http.StatusOK)

		// The rest of the node is taken too: nobody reads until bytes are freed.
		rest, err := budget.Reserve(context.Background(), "elsewhere", total-share)
		if err != nil {
			t.Fatal(err)
		}
		if res := otherPage().want(t, http.StatusServiceUnavailable); res.Header.Get("Retry-After") == "" {
			t.Error("a full node's 503 has no Retry-After")
		}
		held.Release()
		rest.Release()
		ts.do("GET", "/customers?limit=5", nil).want(t, http.StatusOK)
		otherPage().want(t, http.StatusOK)
	}, withListBudget(&budgets, func() *ratelimit.ByteBudget { return ratelimit.NewByteBudget(total, share, 0) }))
}
