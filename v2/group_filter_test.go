package v2_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// seedFilterGroups creates four groups a day apart from May 6, 2024 07:34:10,
// then modifies group 1 on May 13.
func seedFilterGroups(t *testing.T, ts *testServer) {
	t.Helper()
	for _, body := range []obj{
		{"name": "Wholesale"},
		{"name": "Retail", "is_default": true},
		{"name": "Guests", "is_group_for_guests": true},
		{"name": "wholesale EU"},
	} {
		mustCreateGroup(t, ts, body)
		ts.clock.Advance(24 * time.Hour)
	}
	ts.clock.Set(time.Date(2024, 5, 13, 12, 0, 0, 0, time.UTC))
	ts.do("PUT", "/customer_groups/1", obj{"name": "Wholesale"}).want(t, 200)
}

func TestListGroups_Filters(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		seedFilterGroups(t, ts)
		tests := []struct {
			query string
			ids   []int64
		}{
			{"", []int64{1, 2, 3, 4}},
			{"name=Retail", []int64{2}},
			{"name=retail", nil},
			{"name:like=WHOLE", []int64{1, 4}},
			{"name:like=sale%20E", []int64{4}},
			{"is_default=true", []int64{2}},
			{"is_default=0", []int64{1, 3, 4}},
			{"is_group_for_guests=1", []int64{3}},
			{"is_group_for_guests=false&is_default=false", []int64{1, 4}},
			{"date_created=2024-05-07", []int64{2}},
			{"date_created=2024-05-07T07:34:10", []int64{2}},
			{"date_created=2024-05-07T07:34:11Z", nil},
			{"date_created=" + url.QueryEscape("Tue, 07 May 2024 07:34:10 +0000"), []int64{2}},
			{"date_created:min=2024-05-07", []int64{2, 3, 4}},
			{"date_created:max=2024-05-07", []int64{1, 2}},
			{"date_created:min=2024-05-07&date_created:max=2024-05-08T07:34:10", []int64{2, 3}},
			{"date_created=2024-05-07&date_created:min=2024-05-08", nil},
			{"date_modified=2024-05-13", []int64{1}},
			{"date_modified:min=2024-05-09", []int64{1, 4}},
			{"date_modified:max=2024-05-08", []int64{2, 3}},
			{"date_modified:min=2024-05-09&date_modified:max=2024-05-10", []int64{4}},
			{"limit=2", []int64{1, 2}},
			{"limit=2&page=2", []int64{3, 4}},
			{"limit=2&page=3", nil},
			{"page=2", nil},
			{"limit=250", []int64{1, 2, 3, 4}},
			{"name:like=whole&limit=1&page=2", []int64{4}},
		}
		for _, tt := range tests {
			t.Run(tt.query, func(t *testing.T) {
				wantIDs(t, ts, "/customer_groups?"+tt.query, tt.ids...)
				if tt.query == "" || !containsPaging(tt.query) {
					var c struct{ Count int64 }
					ts.do("GET", "/customer_groups/count?"+tt.query, nil).want(t, 200).decode(t, &c)
					if c.Count != int64(len(tt.ids)) {
						t.Fatalf("count=%d, want %d", c.Count, len(tt.ids))
					}
				}
			})
		}
	})
}

func containsPaging(q string) bool {
	v, _ := url.ParseQuery(q)
	return v.Has("page") || v.Has("limit")
}

func TestListGroups_BadFilters(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		seedFilterGroups(t, ts)
		for query, field := range map[string]string{
			"is_default=maybe":            "is_default",
			"is_group_for_guests=yes":     "is_group_for_guests",
			"date_created=yesterday":      "date_created",
			"date_created:min=2024-13-01": "date_created:min",
			"date_modified:max=x":         "date_modified:max",
			"page=0":                      "page",
			"limit=-1":                    "limit",
		} {
			ts.do("GET", "/customer_groups?"+query, nil).wantError(t, 400, "The field '"+field+"' is invalid.")
			ts.do("GET", "/customer_groups/count?"+query, nil).wantError(t, 400, "The field '"+field+"' is invalid.")
		}
		for _, name := range []string{"min_id", "name:contains", "customer_group_id"} {
			ts.do("GET", "/customer_groups?"+name+"=1", nil).wantError(t, 400, "The field '"+name+"' is not supported by this resource.")
		}
	})
}

func TestListGroups_IfModifiedSince(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		seedFilterGroups(t, ts)
		since := func(tm time.Time) reqOption { return withHeader("If-Modified-Since", tm.Format(http.TimeFormat)) }
		var gs []group
		ts.do("GET", "/customer_groups", nil, since(time.Date(2024, 5, 12, 0, 0, 0, 0, time.UTC))).want(t, 200).decode(t, &gs)
		if len(gs) != 1 || gs[0].ID != 1 {
			t.Fatalf("If-Modified-Since gave %+v", gs)
		}
		res := ts.do("GET", "/customer_groups", nil, since(time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)))
		res.want(t, http.StatusNotModified)
		if len(res.Body) != 0 {
			t.Fatalf("304 body=%q", res.Body)
		}
	})
}

// TestCustomers_Groups checks the customer side of groups (BEHAVIOR.md,
// "Customers" and "Customer groups"): the group must exist, a new customer
// joins the default group, the filter, and unassignment on delete.
func TestCustomers_Groups(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		// No default group yet: no group.
		if c := mustCreateCustomer(t, ts, with(jane(), "email", "a@example.com")); c.CustomerGroupID != 0 {
			t.Fatalf("customer_group_id=%d, want 0", c.CustomerGroupID)
		}
		mustCreateGroup(t, ts, obj{"name": "Retail", "is_default": true})
		mustCreateGroup(t, ts, obj{"name": "Wholesale"})
		// Sent without a group: the default group. Sent with one, or 0: as sent.
		if c := mustCreateCustomer(t, ts, with(jane(), "email", "b@example.com")); c.CustomerGroupID != 1 {
			t.Fatalf("customer_group_id=%d, want the default group 1", c.CustomerGroupID)
		}
		if c := mustCreateCustomer(t, ts, with(jane(), "email", "c@example.com", "customer_group_id", 2)); c.CustomerGroupID != 2 {
			t.Fatalf("customer_group_id=%d, want 2", c.CustomerGroupID)
		}
		if c := mustCreateCustomer(t, ts, with(jane(), "email", "d@example.com", "customer_group_id", 0)); c.CustomerGroupID != 0 {
			t.Fatalf("customer_group_id=%d, want 0", c.CustomerGroupID)
		}
		ts.do("POST", "/customers", with(jane(), "email", "e@example.com", "customer_group_id", 9)).
			wantError(t, 400, "The field 'customer_group_id' is invalid.")
		ts.do("PUT", "/customers/1", obj{"customer_group_id": 9}).wantError(t, 400, "The field 'customer_group_id' is invalid.")
		ts.do("PUT", "/customers/1", obj{"customer_group_id": 2}).want(t, 200)
		// The default moves: new customers follow it.
		ts.do("PUT", "/customer_groups/2", obj{"is_default": true}).want(t, 200)
		if c := mustCreateCustomer(t, ts, with(jane(), "email", "f@example.com")); c.CustomerGroupID != 2 {
			t.Fatalf("customer_group_id=%d, want the new default 2", c.CustomerGroupID)
		}

		wantIDs(t, ts, "/customers?customer_group_id=2", 1, 3, 5)
		wantIDs(t, ts, "/customers?customer_group_id=1", 2)
		wantIDs(t, ts, "/customers?customer_group_id=0", 4)

		// Deleting a group unassigns its customers, and their date_modified moves.
		ts.clock.Advance(time.Hour)
		ts.do("DELETE", "/customer_groups/2", nil).want(t, http.StatusNoContent)
		wantIDs(t, ts, "/customers?customer_group_id=0", 1, 3, 4, 5)
		if c := mustGetCustomer(t, ts, 3); c.CustomerGroupID != 0 || c.DateModified != "Mon, 06 May 2024 08:34:10 +0000" {
			t.Fatalf("customer 3: group %d, date_modified %q", c.CustomerGroupID, c.DateModified)
		}
		if c := mustGetCustomer(t, ts, 2); c.CustomerGroupID != 1 {
			t.Fatalf("customer 2: group %d, want 1", c.CustomerGroupID)
		}
		// No default group left: a new customer has none.
		if c := mustCreateCustomer(t, ts, with(jane(), "email", "g@example.com")); c.CustomerGroupID != 0 {
			t.Fatalf("customer_group_id=%d, want 0", c.CustomerGroupID)
		}
		// Deleting every group unassigns everyone.
		ts.do("DELETE", "/customer_groups", nil).want(t, http.StatusNoContent)
		wantIDs(t, ts, "/customers?customer_group_id=1")
		wantIDs(t, ts, "/customers?customer_group_id=0", 1, 2, 3, 4, 5, 6)
	})
}

// name:like folds the case of every letter on both databases, not only A to
// Z (BEHAVIOR.md, "Collections": É like é).
func TestListGroups_NameLikeFoldsEveryLetter(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		for _, name := range []string{"École", "ÉCOLE PRIMAIRE", "petite école", "Über Kunden", "ΣΧΟΛΕΙΟ", "Ecole sans accent"} {
			mustCreateGroup(t, ts, obj{"name": name})
		}
		for like, ids := range map[string][]int64{
			"école":  {1, 2, 3},
			"ÉCOLE":  {1, 2, 3},
			"ÉcOlE":  {1, 2, 3},
			"über":   {4},
			"ÜBER K": {4},
			"σχολ":   {5},
			"ecole":  {6}, // folding case is not dropping accents
		} {
			wantIDs(t, ts, "/customer_groups?name:like="+url.QueryEscape(like), ids...)
			wantCount(t, ts, "/customer_groups/count?name:like="+url.QueryEscape(like), int64(len(ids)))
		}
	})
}
