package v2_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// seedFilterCustomers creates four customers one day apart, starting on
// Mon, 06 May 2024 07:34:10 UTC, and modifies the first one a week later.
func seedFilterCustomers(t *testing.T, ts *testServer) {
	t.Helper()
	for _, body := range []obj{
		{"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com", "company": "Acme", "phone": "111", "store_credit": "5", "tax_exempt_category": "A"},
		{"first_name": "Bob", "last_name": "Lee", "email": "Bob@Example.com", "company": "Globex", "phone": "222"},
		{"first_name": "Cid", "last_name": "Ray", "email": "cid@example.com", "company": "Acme", "phone": "333", "store_credit": 5},
		{"first_name": "Ann", "last_name": "Ray", "email": "ann2@example.com"},
	} {
		mustCreateCustomer(t, ts, body)
		ts.clock.Advance(24 * time.Hour)
	}
	ts.clock.Set(time.Date(2024, 5, 13, 12, 0, 0, 0, time.UTC))
	ts.do("PUT", "/customers/1", obj{"notes": "modified"}).want(t, 200)
}

func TestListCustomers_Filters(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		seedFilterCustomers(t, ts)
		tests := []struct {
			query string
			ids   []int64
		}{
			{"", []int64{1, 2, 3, 4}},
			{"first_name=Ann", []int64{1, 4}},
			{"first_name=ann", nil}, // exact
			{"last_name=Lee", []int64{1, 2}},
			{"company=Acme", []int64{1, 3}},
			{"email=bob@example.com", []int64{2}}, // email is case-insensitive
			{"email=ANN@EXAMPLE.COM", []int64{1}},
			{"email=nobody@example.com", nil},
			{"phone=333", []int64{3}},
			{"store_credit=5", []int64{1, 3}},
			{"store_credit=5.0000", []int64{1, 3}},
			{"store_credit=0", []int64{2, 4}},
			{"customer_group_id=0", []int64{1, 2, 3, 4}},
			{"tax_exempt_category=A", []int64{1}},
			{"min_id=2", []int64{2, 3, 4}},
			{"max_id=2", []int64{1, 2}},
			{"min_id=2&max_id=3", []int64{2, 3}},
			{"first_name=Ann&last_name=Ray", []int64{4}},
			{"min_date_created=2024-05-07", []int64{2, 3, 4}},
			{"max_date_created=2024-05-07", []int64{1, 2}}, // a bare upper bound covers its whole day
			{"min_date_created=2024-05-07T07:34:10Z", []int64{2, 3, 4}},
			{"min_date_created=2024-05-07T07:34:11Z", []int64{3, 4}},
			{"min_date_created=2024-05-07T07:34:10", []int64{2, 3, 4}},
			{"min_date_created=" + url.QueryEscape("Tue, 07 May 2024 07:34:10 +0000"), []int64{2, 3, 4}},
			{"min_date_created=" + url.QueryEscape("2024-05-07T09:34:10+02:00"), []int64{2, 3, 4}},
			{"min_date_created=2024-05-07T09:34:10+02:00", []int64{2, 3, 4}}, // '+' not encoded: read as a space
			{"max_date_created=" + url.QueryEscape("Tue, 07 May 2024 07:34:09 +0000"), []int64{1}},
			{"min_date_modified=2024-05-10", []int64{1}},
			{"max_date_modified=2024-05-08", []int64{2, 3}},
			{"limit=2", []int64{1, 2}},
			{"limit=2&page=2", []int64{3, 4}},
			{"limit=3&page=2", []int64{4}},
			{"limit=2&page=3", nil}, // past the end
			{"page=99999999999999999", nil},
			{"limit=250", []int64{1, 2, 3, 4}},
		}
		for _, tt := range tests {
			t.Run(tt.query, func(t *testing.T) {
				wantIDs(t, ts, "/customers?"+tt.query, tt.ids...)
				var n struct{ Count int64 }
				q, _ := url.ParseQuery(tt.query)
				if q.Has("page") || q.Has("limit") {
					return
				}
				ts.do("GET", "/customers/count?"+tt.query, nil).want(t, 200).decode(t, &n)
				if n.Count != int64(len(tt.ids)) {
					t.Errorf("count=%d, want %d", n.Count, len(tt.ids))
				}
			})
		}
	})
}

func TestListCustomers_BadFilters(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		seedFilterCustomers(t, ts)
		for query, msg := range map[string]string{
			"nickname=x":                   "The field 'nickname' is not supported by this resource.",
			"sort=id":                      "The field 'sort' is not supported by this resource.",
			"min_id=abc":                   "The field 'min_id' is invalid.",
			"customer_group_id=x":          "The field 'customer_group_id' is invalid.",
			"store_credit=lots":            "The field 'store_credit' is invalid.",
			"min_date_created=yesterday":   "The field 'min_date_created' is invalid.",
			"max_date_modified=2024-13-01": "The field 'max_date_modified' is invalid.",
			"page=0":                       "The field 'page' is invalid.",
			"page=-1":                      "The field 'page' is invalid.",
			"page=x":                       "The field 'page' is invalid.",
			"limit=0":                      "The field 'limit' is invalid.",
			"limit=ten":                    "The field 'limit' is invalid.",
		} {
			ts.do("GET", "/customers?"+query, nil).wantError(t, http.StatusBadRequest, msg)
			ts.do("GET", "/customers/count?"+query, nil).want(t, http.StatusBadRequest)
		}
	})
}

func TestListCustomers_LimitCap(t *testing.T) {
	ts := newTestServer(t, "sqlite")
	for i := range 260 {
		mustCreateCustomer(t, ts, with(jane(), "email", "c"+itoa(int64(i))+"@example.com"))
	}
	var cs []customer
	ts.do("GET", "/customers?limit=250", nil).want(t, 200).decode(t, &cs)
	if len(cs) != 250 {
		t.Errorf("limit=250 gave %d customers, want 250", len(cs))
	}
	// Above the cap BigCommerce answers 413 rather than a shorter page
	// (TestPagedCollections_LimitTooHigh).
	ts.do("GET", "/customers?limit=251", nil).want(t, http.StatusRequestEntityTooLarge)
	ts.do("GET", "/customers", nil).want(t, 200).decode(t, &cs)
	if len(cs) != 50 {
		t.Errorf("default limit gave %d customers, want 50", len(cs))
	}
	var n struct{ Count int64 }
	ts.do("GET", "/customers/count", nil).want(t, 200).decode(t, &n)
	if n.Count != 260 {
		t.Errorf("count=%d, want 260", n.Count)
	}
}

func TestCountCustomers(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		res := ts.do("GET", "/customers/count", nil).want(t, http.StatusOK)
		if string(res.Body) != `{"count":0}` {
			t.Errorf("empty count body=%s", res.Body)
		}
		mustCreateCustomer(t, ts, jane())
		if res := ts.do("GET", "/customers/count", nil).want(t, 200); string(res.Body) != `{"count":1}` {
			t.Errorf("count body=%s", res.Body)
		}
		ts.do("GET", "/customers/count?page=1&limit=5", nil).want(t, 200)
	})
}

func TestListCustomers_IfModifiedSince(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		seedFilterCustomers(t, ts)
		since := func(tm time.Time) reqOption { return withHeader("If-Modified-Since", tm.Format(http.TimeFormat)) }
		// Customer 1 was modified on May 13; the others last changed by May 9.
		var cs []customer
		ts.do("GET", "/customers", nil, since(time.Date(2024, 5, 12, 0, 0, 0, 0, time.UTC))).want(t, 200).decode(t, &cs)
		if len(cs) != 1 || cs[0].ID != 1 {
			t.Errorf("If-Modified-Since gave %d customers", len(cs))
		}
		res := ts.do("GET", "/customers", nil, since(time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)))
		res.want(t, http.StatusNotModified)
		if len(res.Body) != 0 {
			t.Errorf("304 body=%q", res.Body)
		}
	})
}
