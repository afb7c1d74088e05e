package v2_test

import (
	"net/http"
	"testing"

	"github.com/customersd/customersd"
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
