package sqlstore

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/customersd/customersd"
)

// TestCustomerPages_BoundAsInlined: on PostgreSQL a page of customers is
// one statement with its LIMIT and OFFSET bound and its ids in an array
// (customerPageQuery), read on pgx's own API (scanRows). It returns the
// same rows, in the same order, as the inlined IN form read through
// database/sql it replaced, for every filter and page, including pages
// past the end, ids with gaps, customers without a group and with form
// fields.
func TestCustomerPages_BoundAsInlined(t *testing.T) {
	db := openInternal(t, "postgres")
	ctx := context.Background()
	st := &customersd.Store{Hash: "pages"}
	if err := NewTenantService(db).CreateStore(ctx, st); err != nil {
		t.Fatal(err)
	}
	created := time.Date(2024, 5, 6, 7, 0, 0, 0, time.UTC)
	doc := &customersd.Document{
		Format: customersd.DocumentFormat,
		Groups: []customersd.DocumentGroup{{ID: 1, Name: "A", IsDefault: true}, {ID: 2, Name: "B"}},
	}
	for i := int64(1); i <= 130; i++ {
		if i%7 == 0 {
			continue // gaps in the ids
		}
		c := customersd.DocumentCustomer{ID: i, FirstName: "F", LastName: fmt.Sprintf("L%d", i%3),
			Email: fmt.Sprintf("c%d@example.com", i), Company: fmt.Sprintf("Co%d", i%4),
			CustomerGroupID: i % 3, StoreCredit: customersd.Amount(fmt.Sprint(i)), DateCreated: created.Add(time.Duration(i) * time.Minute)}
		if i%5 == 0 {
			c.FormFields = []customersd.FormField{{Name: "size", Value: fmt.Sprint(i)}}
		}
		doc.Customers = append(doc.Customers, c)
	}
	if err := NewExportService(db, passwordHasherForTests).Import(ctx, st.ID, doc); err != nil {
		t.Fatal(err)
	}
	inlined := *postgresDialect
	inlined.boundPages = false
	co, g0, g2, minID, since := "Co1", int64(0), int64(2), int64(40), created.Add(50*time.Minute)
	filters := map[string]customersd.CustomerFilter{
		"none":    {},
		"company": {Company: &co},
		"group 0": {CustomerGroupID: &g0},
		"group 2": {CustomerGroupID: &g2},
		"min_id":  {MinID: &minID},
		"created": {MinDateCreated: &since},
	}
	for name, f := range filters {
		for _, p := range []customersd.Page{{Limit: 1}, {Limit: 7, Offset: 3}, {Limit: 50}, {Limit: 50, Offset: 50},
			{Limit: 50, Offset: 100}, {Limit: 250}, {Limit: 10, Offset: 500}} {
			f.Page = p
			bound := db.storeReader(st.ID)
			if !bound.dialect.boundPages || bound.native == nil {
				t.Fatal("PostgreSQL's reader does not bind its pages on pgx")
			}
			got, err := findCustomers(ctx, bound, st.ID, f)
			if err != nil {
				t.Fatalf("%s %+v: %v", name, p, err)
			}
			old := db.storeReader(st.ID)
			old.dialect, old.native = &inlined, nil // database/sql, as before
			want, err := findCustomers(ctx, old, st.ID, f)
			if err != nil {
				t.Fatalf("%s %+v inlined: %v", name, p, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s %+v: bound page %s, inlined %s", name, p, pageIDs(got), pageIDs(want))
			}
			if p.Offset == 0 && p.Limit == 250 && len(got) == 0 {
				t.Errorf("%s: no customers at all", name)
			}
		}
	}
}

func pageIDs(cs []*customersd.Customer) string {
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return fmt.Sprint(ids)
}
