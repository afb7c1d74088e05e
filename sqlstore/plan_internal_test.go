package sqlstore

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/customersd/customersd"
)

// queryPlan returns SQLite's plan of query, one detail per line.
func queryPlan(tb testing.TB, db *DB, query string, args ...any) []string {
	tb.Helper()
	rows, err := db.read.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		tb.Fatalf("explain %s: %v", query, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			tb.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return plan
}

// checkPlan fails unless every step of plan reading table does so through
// an index constrained on the store and on column (the filter's): neither
// a scan of the table nor one of the store's rows.
func checkPlan(t *testing.T, plan []string, table, column string) {
	t.Helper()
	want := regexp.MustCompile(`^SEARCH ` + table + ` USING (COVERING )?INDEX \S+ \(store_id=\? AND ` + column + `[=<>]`)
	reads := 0
	for _, step := range plan {
		if !strings.Contains(step, " "+table+" ") && !strings.HasSuffix(step, " "+table) {
			continue
		}
		reads++
		// The outer read of a page by primary key, once its ids are found.
		if strings.Contains(step, "(store_id=? AND id=?)") && column != "id" {
			continue
		}
		if !want.MatchString(step) {
			t.Errorf("plan step %q: want an index on (store_id, %s, ...)\nplan:\n  %s", step, column, strings.Join(plan, "\n  "))
		}
	}
	if reads == 0 {
		t.Errorf("no step reads %s:\n  %s", table, strings.Join(plan, "\n  "))
	}
}

// TestFilterPlans: every documented filter of GET, count and DELETE
// /customers and GET /customer_groups reads through an index that leads
// with the store and then the filtered column (migration 0004), so one
// store's filtered lists cost it the matching rows, not a scan.
func TestFilterPlans(t *testing.T) {
	t.Parallel()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const store = customersd.StoreID(1)
	s, i, d, g, now := "x", int64(3), customersd.Decimal(10000), int64(0), time.Now()
	customerFilters := []struct {
		column string
		f      customersd.CustomerFilter
	}{
		{"first_name", customersd.CustomerFilter{FirstName: &s}},
		{"last_name", customersd.CustomerFilter{LastName: &s}},
		{"company", customersd.CustomerFilter{Company: &s}},
		{"email_key", customersd.CustomerFilter{Email: &s}},
		{"phone", customersd.CustomerFilter{Phone: &s}},
		{"store_credit", customersd.CustomerFilter{StoreCredit: &d}},
		{"customer_group_id", customersd.CustomerFilter{CustomerGroupID: &i}},
		{"customer_group_id", customersd.CustomerFilter{CustomerGroupID: &g}}, // 0: no group
		{"tax_exempt_category", customersd.CustomerFilter{TaxExemptCategory: &s}},
		{"id", customersd.CustomerFilter{MinID: &i}},
		{"id", customersd.CustomerFilter{MaxID: &i}},
		{"date_created", customersd.CustomerFilter{MinDateCreated: &now}},
		{"date_created", customersd.CustomerFilter{MaxDateCreated: &now}},
		{"date_modified", customersd.CustomerFilter{MinDateModified: &now}},
		{"date_modified", customersd.CustomerFilter{MaxDateModified: &now}},
		{"date_modified", customersd.CustomerFilter{ModifiedSince: &now}},
	}
	for _, tt := range customerFilters {
		t.Run("customers/"+tt.column, func(t *testing.T) {
			f := tt.f
			f.Page = customersd.Page{Limit: 50, Offset: 100}
			q, args := customerPageQuery(sqliteDialect, store, f)
			checkPlan(t, queryPlan(t, db, q, args...), "customers", tt.column)
			where, args := customerWhere(store, f)
			checkPlan(t, queryPlan(t, db, `SELECT COUNT(*) FROM customers WHERE `+where, args...), "customers", tt.column)
			checkPlan(t, queryPlan(t, db, `DELETE FROM customers WHERE `+where, args...), "customers", tt.column)
		})
	}
	groupFilters := []struct {
		column string
		f      customersd.GroupFilter
	}{
		{"name", customersd.GroupFilter{Name: &s}},
		{"date_created", customersd.GroupFilter{MinDateCreated: &now}},
		{"date_created", customersd.GroupFilter{MaxDateCreated: &now}},
		{"date_modified", customersd.GroupFilter{MinDateModified: &now}},
		{"date_modified", customersd.GroupFilter{MaxDateModified: &now}},
		{"date_modified", customersd.GroupFilter{ModifiedSince: &now}},
	}
	for _, tt := range groupFilters {
		t.Run("customer_groups/"+tt.column, func(t *testing.T) {
			where, args := groupWhere(sqliteDialect, store, tt.f)
			checkPlan(t, queryPlan(t, db, `SELECT id FROM customer_groups WHERE `+where+` ORDER BY id LIMIT 50`, args...), "customer_groups", tt.column)
			checkPlan(t, queryPlan(t, db, `SELECT COUNT(*) FROM customer_groups WHERE `+where, args...), "customer_groups", tt.column)
		})
	}
}

// TestWebhookQueuePlans: a claim, NextDue and the write path's lookup of
// hooks read indexes, never a scan of the queue or of the store's hooks.
func TestWebhookQueuePlans(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tc := range []struct {
		name, query, want string
		args              []any
	}{
		{"claim", `SELECT d.id FROM webhook_deliveries d WHERE ` + claimable + ` ORDER BY d.next_at, d.id LIMIT 10`,
			"SEARCH d USING INDEX webhook_deliveries_due (next_at<?)", []any{1}},
		{"next due", `SELECT MIN(d.next_at) FROM webhook_deliveries d WHERE ` + strings.Replace(claimable, "d.next_at <= ? AND ", "", 1),
			"webhook_deliveries_due", nil},
		{"hooks of a scope", `SELECT store_id, id FROM hooks WHERE store_id = ? AND is_active AND scope IN (?, ?)`,
			"SEARCH hooks USING INDEX hooks_active (store_id=? AND scope=?)", []any{1, "a", "b"}},
	} {
		plan := queryPlan(t, db, tc.query, tc.args...)
		found := false
		for _, step := range plan {
			found = found || strings.Contains(step, tc.want)
		}
		if !found {
			t.Errorf("%s: plan %q does not use %q", tc.name, plan, tc.want)
		}
	}
}
