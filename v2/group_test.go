package v2_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// group is the wire form of a customer group, as tests read it.
type group struct {
	ID               int64           `json:"id"`
	Name             string          `json:"name"`
	IsDefault        bool            `json:"is_default"`
	CategoryAccess   json.RawMessage `json:"category_access"`
	DiscountRules    json.RawMessage `json:"discount_rules"`
	IsGroupForGuests bool            `json:"is_group_for_guests"`
	DateCreated      string          `json:"date_created"`
	DateModified     string          `json:"date_modified"`
}

// groupKeys is the key order of BEHAVIOR.md, "Representations".
var groupKeys = []string{"id", "name", "is_default", "category_access", "discount_rules", "is_group_for_guests",
	"date_created", "date_modified"}

func mustCreateGroup(tb testing.TB, ts *testServer, body obj, opts ...reqOption) group {
	tb.Helper()
	var g group
	ts.do("POST", "/customer_groups", body, opts...).want(tb, http.StatusCreated).decode(tb, &g)
	return g
}

func mustGetGroup(tb testing.TB, ts *testServer, id int64) group {
	tb.Helper()
	var g group
	ts.do("GET", "/customer_groups/"+itoa(id), nil).want(tb, http.StatusOK).decode(tb, &g)
	return g
}

func TestCreateGroup(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		ts.clock.Set(time.Date(2023, 7, 17, 6, 30, 41, 0, time.UTC))
		res := ts.do("POST", "/customer_groups", obj{"name": "Retail", "id": 9, "date_created": "x", "date_modified": "y"}).want(t, http.StatusCreated)
		if got := objectKeys(t, res.Body); !slices.Equal(got, groupKeys) {
			t.Fatalf("keys=%v, want %v", got, groupKeys)
		}
		want := `{"id":1,"name":"Retail","is_default":false,"category_access":{"type":"all"},"discount_rules":[],` +
			`"is_group_for_guests":false,"date_created":"2023-07-17 06:30:41","date_modified":"2023-07-17 06:30:41"}`
		if string(res.Body) != want {
			t.Fatalf("body=%s\nwant %s", res.Body, want)
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/json" {
			t.Fatalf("Content-Type=%q", ct)
		}

		// Amounts as numbers or numeric strings; the wire says "5.0000".
		res = ts.do("POST", "/customer_groups", obj{
			"name": "Wholesale", "is_default": true, "is_group_for_guests": "true",
			"category_access": obj{"type": "specific", "categories": []any{18, "19"}},
			"discount_rules": []obj{
				{"type": "all", "method": "percent", "amount": 5},
				{"type": "category", "method": "fixed", "amount": "2.5", "category_id": 30},
				{"type": "product", "method": "price", "amount": 9.99, "product_id": "3"},
			},
		}).want(t, http.StatusCreated)
		var g group
		res.decode(t, &g)
		if g.ID != 2 || !g.IsDefault || !g.IsGroupForGuests || g.Name != "Wholesale" {
			t.Fatalf("got %+v", g)
		}
		if want := `{"type":"specific","categories":[18,19]}`; string(g.CategoryAccess) != want {
			t.Fatalf("category_access=%s, want %s", g.CategoryAccess, want)
		}
		wantRules := `[{"type":"all","method":"percent","amount":"5.0000"},` +
			`{"type":"category","method":"fixed","amount":"2.5000","category_id":30},` +
			`{"type":"product","method":"price","amount":"9.9900","product_id":3}]`
		if string(g.DiscountRules) != wantRules {
			t.Fatalf("discount_rules=%s\nwant %s", g.DiscountRules, wantRules)
		}
		if got := mustGetGroup(t, ts, 2); string(got.DiscountRules) != wantRules || got.DateCreated != "2023-07-17 06:30:41" {
			t.Fatalf("GET gave %+v", got)
		}

		// A price-list rule shows only its type and id, whatever else was sent.
		g = mustCreateGroup(t, ts, obj{"name": "Trade", "discount_rules": []obj{{"type": "price_list", "price_list_id": 3, "method": "percent"}},
			"category_access": obj{"type": "none", "categories": []int{1}}})
		if string(g.DiscountRules) != `[{"type":"price_list","price_list_id":3}]` || string(g.CategoryAccess) != `{"type":"none"}` {
			t.Fatalf("got %s %s", g.DiscountRules, g.CategoryAccess)
		}
	})
}

func TestCreateGroup_Errors(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		required := func(f string) string { return "The required field '" + f + "' was not supplied." }
		invalid := func(f string) string { return "The field '" + f + "' is invalid." }
		unsupported := func(f string) string { return "The field '" + f + "' is not supported by this resource." }
		named := func(kv ...any) obj { return with(obj{"name": "G"}, kv...) }
		rules := func(rs ...obj) obj { return named("discount_rules", rs) }
		all := obj{"type": "all", "method": "percent", "amount": "5"}
		priceList := obj{"type": "price_list", "price_list_id": 3}
		tests := []struct {
			name string
			body any
			msg  string
		}{
			{"NameRequired", obj{"is_default": true}, required("name")},
			{"NameBlank", obj{"name": " "}, required("name")},
			{"NameNull", obj{"name": nil}, required("name")},
			{"NameType", obj{"name": obj{}}, invalid("name")},
			{"UnknownField", named("discount", 5), unsupported("discount")},
			{"IsDefaultType", named("is_default", "maybe"), invalid("is_default")},
			{"GuestsType", named("is_group_for_guests", []int{}), invalid("is_group_for_guests")},
			{"AccessNotObject", named("category_access", "all"), invalid("category_access")},
			{"AccessTypeRequired", named("category_access", obj{}), required("type")},
			{"AccessType", named("category_access", obj{"type": "some"}), invalid("type")},
			{"AccessCategoriesRequired", named("category_access", obj{"type": "specific"}), required("categories")},
			{"AccessCategoriesType", named("category_access", obj{"type": "specific", "categories": "18"}), invalid("categories")},
			{"AccessCategoryItem", named("category_access", obj{"type": "specific", "categories": []any{18, "x"}}), invalid("categories")},
			{"AccessCategoryZero", named("category_access", obj{"type": "specific", "categories": []any{0}}), invalid("categories")},
			{"AccessUnknownField", named("category_access", obj{"type": "all", "level": 1}), unsupported("level")},
			{"RulesNotArray", named("discount_rules", obj{}), invalid("discount_rules")},
			{"RuleNotObject", named("discount_rules", []any{5}), invalid("discount_rules")},
			{"RuleTypeRequired", rules(obj{"method": "percent", "amount": 5}), required("type")},
			{"RuleType", rules(obj{"type": "store", "method": "percent", "amount": 5}), invalid("type")},
			{"RuleMethodRequired", rules(obj{"type": "all", "amount": 5}), required("method")},
			{"RuleMethod", rules(all, obj{"type": "product", "method": "half", "amount": 5, "product_id": 1}), invalid("method")},
			{"RuleAmountRequired", rules(obj{"type": "all", "method": "percent"}), required("amount")},
			{"RuleAmountNotNumeric", rules(obj{"type": "all", "method": "percent", "amount": "five"}), invalid("amount")},
			{"RuleAmountType", rules(obj{"type": "all", "method": "percent", "amount": true}), invalid("amount")},
			{"RuleAmountNegative", rules(obj{"type": "all", "method": "percent", "amount": -5}), invalid("amount")},
			{"RuleCategoryIDRequired", rules(obj{"type": "category", "method": "percent", "amount": 5}), required("category_id")},
			{"RuleCategoryIDType", rules(obj{"type": "category", "method": "percent", "amount": 5, "category_id": "x"}), invalid("category_id")},
			{"RuleProductIDRequired", rules(obj{"type": "product", "method": "percent", "amount": 5, "category_id": 2}), required("product_id")},
			{"RulePriceListIDRequired", rules(obj{"type": "price_list"}), required("price_list_id")},
			{"RuleUnknownField", rules(obj{"type": "all", "method": "percent", "amount": 5, "scope": "x"}), unsupported("scope")},
			{"PriceListNotAlone", rules(priceList, all), invalid("discount_rules")},
			{"TwoPriceLists", rules(priceList, priceList), invalid("discount_rules")},
			{"TwoAllRules", rules(all, all), invalid("discount_rules")},
			{"Malformed", `{"name":"G",}`, "The request body is not valid JSON."},
			{"NotAnObject", `["G"]`, "The request body is not valid JSON."},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ts.do("POST", "/customer_groups", tt.body).wantError(t, http.StatusBadRequest, tt.msg)
			})
		}
		ts.do("GET", "/customer_groups", nil).want(t, http.StatusNoContent) // nothing was created
	})
}

func TestGetGroup(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		mustCreateGroup(t, ts, obj{"name": "Retail"})
		if g := mustGetGroup(t, ts, 1); g.Name != "Retail" {
			t.Fatalf("got %+v", g)
		}
		ts.do("GET", "/customer_groups/1.json", nil).want(t, 200)
		ts.do("HEAD", "/customer_groups/1", nil).want(t, 200)
		for _, p := range []string{"/customer_groups/2", "/customer_groups/0", "/customer_groups/x"} {
			ts.do("GET", p, nil).wantError(t, http.StatusNotFound, "The requested resource was not found.")
		}
	})
}

func TestUpdateGroup(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		created := mustCreateGroup(t, ts, obj{"name": "Wholesale",
			"category_access": obj{"type": "specific", "categories": []int{1}},
			"discount_rules":  []obj{{"type": "all", "method": "percent", "amount": 5}}})
		ts.clock.Advance(time.Hour)

		// Fields not sent stay, discount_rules included.
		var g group
		ts.do("PUT", "/customer_groups/1", obj{"name": "Trade", "id": 7, "date_created": "x"}).want(t, 200).decode(t, &g)
		if g.Name != "Trade" || string(g.DiscountRules) != string(created.DiscountRules) || string(g.CategoryAccess) != string(created.CategoryAccess) {
			t.Fatalf("got %+v", g)
		}
		if g.DateCreated != created.DateCreated || g.DateModified != "2024-05-06 08:34:10" {
			t.Fatalf("dates %q %q, created %q", g.DateCreated, g.DateModified, created.DateCreated)
		}
		// discount_rules sent: replaced wholesale.
		ts.do("PUT", "/customer_groups/1", obj{"discount_rules": []obj{
			{"type": "category", "method": "fixed", "amount": "1", "category_id": 4},
			{"type": "category", "method": "fixed", "amount": "2", "category_id": 5},
		}}).want(t, 200).decode(t, &g)
		wantRules := `[{"type":"category","method":"fixed","amount":"1.0000","category_id":4},{"type":"category","method":"fixed","amount":"2.0000","category_id":5}]`
		if string(g.DiscountRules) != wantRules {
			t.Fatalf("discount_rules=%s", g.DiscountRules)
		}
		if got := mustGetGroup(t, ts, 1); string(got.DiscountRules) != wantRules || got.Name != "Trade" {
			t.Fatalf("GET gave %+v", got)
		}
		// null is "not sent"; [] clears.
		ts.do("PUT", "/customer_groups/1", obj{"discount_rules": nil}).want(t, 200).decode(t, &g)
		if string(g.DiscountRules) != wantRules {
			t.Fatalf("discount_rules after null=%s", g.DiscountRules)
		}
		ts.do("PUT", "/customer_groups/1", obj{"discount_rules": []obj{}, "category_access": obj{"type": "none"}}).want(t, 200).decode(t, &g)
		if string(g.DiscountRules) != `[]` || string(g.CategoryAccess) != `{"type":"none"}` {
			t.Fatalf("got %s %s", g.DiscountRules, g.CategoryAccess)
		}
		ts.do("PUT", "/customer_groups/1", obj{}).want(t, 200)

		ts.do("PUT", "/customer_groups/1", obj{"name": ""}).wantError(t, 400, "The field 'name' is invalid.")
		ts.do("PUT", "/customer_groups/1", obj{"discount_rules": []obj{{"type": "all", "method": "x", "amount": 1}}}).
			wantError(t, 400, "The field 'method' is invalid.")
		ts.do("PUT", "/customer_groups/1", obj{"price": 1}).wantError(t, 400, "The field 'price' is not supported by this resource.")
		ts.do("PUT", "/customer_groups/2", obj{"name": "X"}).wantError(t, http.StatusNotFound, "The requested resource was not found.")
		if got := mustGetGroup(t, ts, 1); got.Name != "Trade" {
			t.Fatalf("a failed PUT changed the group: %+v", got)
		}
	})
}

// flags returns the ids of the groups that are the default and for guests.
func flags(tb testing.TB, ts *testServer) (defaults, guests []int64) {
	tb.Helper()
	var gs []group
	ts.do("GET", "/customer_groups?limit=250", nil).want(tb, 200).decode(tb, &gs)
	for _, g := range gs {
		if g.IsDefault {
			defaults = append(defaults, g.ID)
		}
		if g.IsGroupForGuests {
			guests = append(guests, g.ID)
		}
	}
	return defaults, guests
}

func TestGroupFlags_Move(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		mustCreateGroup(t, ts, obj{"name": "A", "is_default": true, "is_group_for_guests": true})
		ts.clock.Advance(time.Minute)
		mustCreateGroup(t, ts, obj{"name": "B", "is_default": true})
		if d, g := flags(t, ts); !slices.Equal(d, []int64{2}) || !slices.Equal(g, []int64{1}) {
			t.Fatalf("defaults=%v guests=%v", d, g)
		}
		// The group that lost the flag was modified.
		if a := mustGetGroup(t, ts, 1); a.DateModified != "2024-05-06 07:35:10" {
			t.Fatalf("A date_modified=%q", a.DateModified)
		}
		ts.do("PUT", "/customer_groups/2", obj{"is_group_for_guests": 1}).want(t, 200)
		ts.do("PUT", "/customer_groups/1", obj{"is_default": "true"}).want(t, 200)
		if d, g := flags(t, ts); !slices.Equal(d, []int64{1}) || !slices.Equal(g, []int64{2}) {
			t.Fatalf("defaults=%v guests=%v", d, g)
		}
		// Clearing a flag leaves the store without one.
		ts.do("PUT", "/customer_groups/1", obj{"is_default": false}).want(t, 200)
		if d, _ := flags(t, ts); len(d) != 0 {
			t.Fatalf("defaults=%v", d)
		}
		// Another store's flags are its own.
		mustCreateGroup(t, ts, obj{"name": "O", "is_default": true, "is_group_for_guests": true}, withStore(ts.otherHash), withToken(ts.otherToken))
		if _, g := flags(t, ts); !slices.Equal(g, []int64{2}) {
			t.Fatalf("guests=%v", g)
		}
	})
}

// TestGroupFlags_Concurrent sends 20 PUTs setting is_default at once: each
// succeeds and exactly one group is the default afterwards.
func TestGroupFlags_Concurrent(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		const n = 20
		for i := range n {
			mustCreateGroup(t, ts, obj{"name": "G" + strconv.Itoa(i)})
		}
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				statuses[i] = ts.do("PUT", "/customer_groups/"+strconv.Itoa(i+1), obj{"is_default": true, "is_group_for_guests": true}).Status
			})
		}
		wg.Wait()
		for i, s := range statuses {
			if s != http.StatusOK {
				t.Errorf("PUT /customer_groups/%d: %d", i+1, s)
			}
		}
		if d, g := flags(t, ts); len(d) != 1 || len(g) != 1 {
			t.Fatalf("defaults=%v guests=%v, want exactly one of each", d, g)
		}
		var c struct{ Count int64 }
		ts.do("GET", "/customer_groups/count?is_default=true", nil).want(t, 200).decode(t, &c)
		if c.Count != 1 {
			t.Fatalf("count of defaults=%d", c.Count)
		}
	})
}

func TestDeleteGroup(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		mustCreateGroup(t, ts, obj{"name": "A"})
		mustCreateGroup(t, ts, obj{"name": "B"})
		res := ts.do("DELETE", "/customer_groups/1", nil).want(t, http.StatusNoContent)
		if len(res.Body) != 0 {
			t.Fatalf("body=%q", res.Body)
		}
		ts.do("GET", "/customer_groups/1", nil).want(t, http.StatusNotFound)
		ts.do("DELETE", "/customer_groups/1", nil).want(t, http.StatusNotFound)
		wantIDs(t, ts, "/customer_groups", 2)
		// IDs are never reused.
		if g := mustCreateGroup(t, ts, obj{"name": "C"}); g.ID != 3 {
			t.Fatalf("id=%d, want 3", g.ID)
		}
	})
}

func TestDeleteGroups(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		for _, name := range []string{"Wholesale", "Retail", "Wholesale EU"} {
			mustCreateGroup(t, ts, obj{"name": name})
		}
		mustCreateGroup(t, ts, obj{"name": "Other"}, withStore(ts.otherHash), withToken(ts.otherToken))
		ts.do("DELETE", "/customer_groups?name:like=wholesale", nil).want(t, http.StatusNoContent)
		wantIDs(t, ts, "/customer_groups", 2)
		ts.do("DELETE", "/customer_groups?colour=red", nil).wantError(t, 400, "The field 'colour' is not supported by this resource.")
		ts.do("DELETE", "/customer_groups", nil).want(t, http.StatusNoContent)
		wantIDs(t, ts, "/customer_groups")
		ts.do("DELETE", "/customer_groups", nil).want(t, http.StatusNoContent) // none left is fine
		// The other store keeps its group.
		ts.do("GET", "/customer_groups/1", nil, withStore(ts.otherHash), withToken(ts.otherToken)).want(t, 200)
	})
}

func TestGroups_ReadOnlyToken(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		mustCreateGroup(t, ts, obj{"name": "A"})
		ro := withToken(ts.readToken)
		for _, p := range []string{"/customer_groups", "/customer_groups/1", "/customer_groups/count"} {
			ts.do("GET", p, nil, ro).want(t, 200)
		}
		ts.do("POST", "/customer_groups", obj{"name": "B"}, ro).wantGatewayError(t, http.StatusForbidden)
		ts.do("PUT", "/customer_groups/1", obj{"name": "B"}, ro).wantGatewayError(t, http.StatusForbidden)
		ts.do("DELETE", "/customer_groups/1", nil, ro).wantGatewayError(t, http.StatusForbidden)
		ts.do("DELETE", "/customer_groups", nil, ro).wantGatewayError(t, http.StatusForbidden)
		if g := mustGetGroup(t, ts, 1); g.Name != "A" {
			t.Fatalf("got %+v", g)
		}
	})
}

func TestGroups_StoreIsolation(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		mustCreateGroup(t, ts, obj{"name": "Mine"})
		other := []reqOption{withStore(ts.otherHash), withToken(ts.otherToken)}
		ts.do("GET", "/customer_groups", nil, other...).want(t, http.StatusNoContent)
		ts.do("GET", "/customer_groups/1", nil, other...).want(t, http.StatusNotFound)
		ts.do("PUT", "/customer_groups/1", obj{"name": "X"}, other...).want(t, http.StatusNotFound)
		ts.do("DELETE", "/customer_groups/1", nil, other...).want(t, http.StatusNotFound)
		ts.do("GET", "/customer_groups/1", nil, withToken(ts.otherToken)).wantGatewayError(t, http.StatusUnauthorized)
		if g := mustCreateGroup(t, ts, obj{"name": "Theirs"}, other...); g.ID != 1 {
			t.Fatalf("other store's first group: id=%d", g.ID)
		}
		if g := mustGetGroup(t, ts, 1); g.Name != "Mine" {
			t.Fatalf("got %+v", g)
		}
		// A customer cannot join another store's group.
		mustCreateGroup(t, ts, obj{"name": "Theirs too"}, other...)
		ts.do("POST", "/customers", with(jane(), "customer_group_id", 2)).wantError(t, 400, "The field 'customer_group_id' is invalid.")
	})
}
