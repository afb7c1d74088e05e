package sqlstore_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
	"github.com/google/go-cmp/cmp"
)

// fullDocument is a store whose first group, customer and address set every
// field of their document types (but the write-only Password), and so every
// field of the domain types. A field added to a document type must be given
// a value here: TestRowMapping_RoundTrip checks that none is zero.
func fullDocument() *customersd.Document {
	created := time.Date(2024, 5, 6, 7, 34, 10, 0, time.UTC)
	modified := created.Add(time.Hour)
	return &customersd.Document{
		Format:   customersd.DocumentFormat,
		Store:    customersd.DocumentStore{Hash: "full", Plan: customersd.PlanPlus},
		Counters: customersd.DocumentCounters{Customers: 10, Addresses: 20, Groups: 30},
		Groups: []customersd.DocumentGroup{{
			ID: 1, Name: "Wholesale", IsDefault: true, IsGroupForGuests: true,
			CategoryAccess: json.RawMessage(`{"type":"specific","categories":[18,19]}`),
			DiscountRules:  json.RawMessage(`[{"type":"category","method":"percent","amount":"5.0000","category_id":18}]`),
			DateCreated:    created, DateModified: modified,
		}},
		Customers: []customersd.DocumentCustomer{{
			ID: 1, Company: "Acme", FirstName: "Jane", LastName: "Doe", Email: "jane@example.com",
			Phone: "555-0100", FormFields: []customersd.FormField{{Name: "shoe size", Value: "42"}},
			DateCreated: created, DateModified: modified, StoreCredit: "10.5000",
			RegistrationIPAddress: "192.0.2.1", CustomerGroupID: 1, Notes: "imported",
			TaxExemptCategory: "wholesale", ResetPassOnLogin: true, AcceptsMarketing: true,
			PasswordHash: sqlstoretest.FixturePasswordHash,
		}},
		Addresses: []customersd.DocumentAddress{{
			ID: 1, CustomerID: 1, FirstName: "Jane", LastName: "Doe", Company: "Acme",
			Street1: "1 Main St", Street2: "Level 2", City: "Sydney", State: "NSW", Zip: "2000",
			Country: "Australia", CountryISO2: "AU", Phone: "555-0100", AddressType: customersd.AddressCommercial,
			FormFields: []customersd.FormField{{Name: "gate code", Value: "1234"}},
		}},
	}
}

// assertNoZeroFields fails for each field of the struct v that is zero (a
// slice: empty), but those named in except. A zero field of a value read
// back means a row mapping or the export document lost it.
func assertNoZeroFields(tb testing.TB, v any, except ...string) {
	tb.Helper()
	rv := reflect.ValueOf(v)
	skip := map[string]bool{}
	for _, name := range except {
		skip[name] = true
	}
	for i := range rv.NumField() {
		f, name := rv.Field(i), rv.Type().Field(i).Name
		if skip[name] || !rv.Type().Field(i).IsExported() {
			continue
		}
		if f.IsZero() || (f.Kind() == reflect.Slice && f.Len() == 0) {
			tb.Errorf("%s.%s is zero: is it missing from a row mapping or from the export document?", rv.Type().Name(), name)
		}
	}
}

// TestRowMapping_RoundTrip sends every field of Customer, Address and Group
// through each use of the row mappings: import, find, create, update,
// export, and import into another store. It fails when a field is missing
// from a mapping, from a conversion to or from the document, or from the
// document itself.
func TestRowMapping_RoundTrip(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newExportFixture(db)
		addresses, groups := sqlstore.NewAddressService(db), sqlstore.NewGroupService(db)
		db.Now = func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) }

		doc := fullDocument()
		assertNoZeroFields(t, doc.Groups[0])
		assertNoZeroFields(t, doc.Customers[0], "Password") // write-only: exclusive with PasswordHash
		assertNoZeroFields(t, doc.Addresses[0])
		a := f.mustNewStoreWith(t, "full-a", doc)

		// Import, then find: every field of the domain types comes back.
		c, err := f.customers.FindCustomerByID(ctx, a, 1)
		if err != nil {
			t.Fatal(err)
		}
		assertNoZeroFields(t, *c)
		addr, err := addresses.FindAddressByID(ctx, a, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		assertNoZeroFields(t, *addr)
		g, err := groups.FindGroupByID(ctx, a, 1)
		if err != nil {
			t.Fatal(err)
		}
		assertNoZeroFields(t, *g)

		// Create and update every writable field, then find: what the
		// service returned is what was stored.
		db.Now = func() time.Time { return time.Date(2025, 2, 3, 4, 5, 6, 0, time.UTC) }
		credit := customersd.Decimal(20000)
		amount := customersd.Decimal(30000)
		products := []customersd.DiscountRule{{Type: customersd.RuleTypeProduct, Method: customersd.RuleMethodFixed, Amount: &amount, ProductID: ptr(int64(7))}}
		gin := &customersd.GroupInput{
			Name: ptr("Retail"), IsDefault: ptr(true), IsGroupForGuests: ptr(true),
			CategoryAccess: &customersd.CategoryAccess{Type: customersd.CategoryAccessSpecific, Categories: []int64{5}},
			DiscountRules:  &products,
		}
		g2, err := groups.CreateGroup(ctx, a, gin)
		if err != nil {
			t.Fatal(err)
		}
		assertNoZeroFields(t, *g2)
		mustFindSame(t, "created group", g2, func() (any, error) { return groups.FindGroupByID(ctx, a, g2.ID) })
		gin.Name, gin.CategoryAccess = ptr("Retail 2"), &customersd.CategoryAccess{Type: customersd.CategoryAccessNone}
		g2, err = groups.UpdateGroup(ctx, a, g2.ID, gin)
		if err != nil {
			t.Fatal(err)
		}
		mustFindSame(t, "updated group", g2, func() (any, error) { return groups.FindGroupByID(ctx, a, g2.ID) })

		cin := &customersd.CustomerInput{
			Company: ptr("Initech"), FirstName: ptr("Ann"), LastName: ptr("Lee"), Email: ptr("ann@example.com"),
			Phone: ptr("555-0199"), StoreCredit: &credit, RegistrationIPAddress: ptr("198.51.100.7"),
			CustomerGroupID: &g2.ID, Notes: ptr("created"), TaxExemptCategory: ptr("resale"),
			ResetPassOnLogin: ptr(true), Password: ptr("hunter22"),
		}
		c2, err := f.customers.CreateCustomer(ctx, a, cin)
		if err != nil {
			t.Fatal(err)
		}
		mustFindSame(t, "created customer", c2, func() (any, error) { return f.customers.FindCustomerByID(ctx, a, c2.ID) })
		// The imported customer takes every writable field of the created one.
		cin.Email = ptr("jane.doe@example.com")
		c, err = f.customers.UpdateCustomer(ctx, a, 1, cin)
		if err != nil {
			t.Fatal(err)
		}
		assertNoZeroFields(t, *c)
		mustFindSame(t, "updated customer", c, func() (any, error) { return f.customers.FindCustomerByID(ctx, a, 1) })
		if ok, err := f.customers.ValidatePassword(ctx, a, 1, "hunter22"); !ok || err != nil {
			t.Fatalf("updated password: ok=%v, %v", ok, err)
		}

		ain := &customersd.AddressInput{
			FirstName: ptr("Ann"), LastName: ptr("Lee"), Company: ptr("Initech"), Street1: ptr("2 High St"),
			Street2: ptr("Unit 3"), City: ptr("Auckland"), State: ptr("Auckland"), Zip: ptr("1010"),
			Country: ptr("New Zealand"), Phone: ptr("555-0199"), AddressType: ptr("residential"),
		}
		a2, err := addresses.CreateAddress(ctx, a, c2.ID, ain)
		if err != nil {
			t.Fatal(err)
		}
		mustFindSame(t, "created address", a2, func() (any, error) { return addresses.FindAddressByID(ctx, a, c2.ID, a2.ID) })
		addr, err = addresses.UpdateAddress(ctx, a, 1, 1, ain)
		if err != nil {
			t.Fatal(err)
		}
		assertNoZeroFields(t, *addr)
		mustFindSame(t, "updated address", addr, func() (any, error) { return addresses.FindAddressByID(ctx, a, 1, 1) })

		// Export: every field of the document's records is set.
		exported := f.mustExport(t, a)
		assertNoZeroFields(t, exported.Counters)
		assertNoZeroFields(t, exported.Groups[1]) // the created group: it took both flags
		assertNoZeroFields(t, exported.Customers[0], "Password")
		assertNoZeroFields(t, exported.Addresses[0])

		// Import the export into another store: the same records, and the
		// same document again.
		b := f.mustNewStoreWith(t, "full-b", exported)
		for _, list := range []func(customersd.StoreID) (any, error){
			func(s customersd.StoreID) (any, error) {
				return f.customers.FindCustomers(ctx, s, customersd.CustomerFilter{})
			},
			func(s customersd.StoreID) (any, error) {
				return addresses.FindAddresses(ctx, s, customersd.AddressFilter{})
			},
			func(s customersd.StoreID) (any, error) { return groups.FindGroups(ctx, s, customersd.GroupFilter{}) },
		} {
			inA, err := list(a)
			if err != nil {
				t.Fatal(err)
			}
			mustFindSame(t, "imported records", inA, func() (any, error) { return list(b) })
		}
		again := f.mustExport(t, b)
		again.Store.Hash = exported.Store.Hash
		if diff := cmp.Diff(exported, again); diff != "" {
			t.Errorf("export of the imported export differs (-first +second):\n%s", diff)
		}
	})
}

// mustFindSame fails unless find returns what want is.
func mustFindSame(tb testing.TB, what string, want any, find func() (any, error)) {
	tb.Helper()
	got, err := find()
	if err != nil {
		tb.Fatalf("find %s: %v", what, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		tb.Errorf("%s as found differs (-returned +found):\n%s", what, diff)
	}
}
