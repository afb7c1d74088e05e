package sqlstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/bcrypt"
)

// exportFixture is a database with the services the export tests use.
type exportFixture struct {
	db        *sqlstore.DB
	tenants   *sqlstore.TenantService
	exporter  *sqlstore.ExportService
	customers *sqlstore.CustomerService
}

func newExportFixture(db *sqlstore.DB) *exportFixture {
	h := password.Hasher{Cost: bcrypt.MinCost}
	return &exportFixture{
		db:        db,
		tenants:   sqlstore.NewTenantService(db),
		exporter:  sqlstore.NewExportService(db, h),
		customers: sqlstore.NewCustomerService(db, h),
	}
}

// mustNewStoreWith creates a store and imports doc into it (nil: none).
func (f *exportFixture) mustNewStoreWith(tb testing.TB, hash string, doc *customersd.Document) customersd.StoreID {
	tb.Helper()
	st := &customersd.Store{Hash: hash}
	if err := f.tenants.CreateStore(context.Background(), st); err != nil {
		tb.Fatalf("create store %s: %v", hash, err)
	}
	if doc != nil {
		if err := f.exporter.Import(context.Background(), st.ID, doc); err != nil {
			tb.Fatalf("import into %s: %v", hash, err)
		}
	}
	return st.ID
}

func (f *exportFixture) mustExport(tb testing.TB, store customersd.StoreID) *customersd.Document {
	tb.Helper()
	doc, err := f.exporter.Export(context.Background(), store, customersd.ExportOptions{APIAccounts: true})
	if err != nil {
		tb.Fatalf("export store %d: %v", store, err)
	}
	return doc
}

// mustJSON is the document as it goes over the wire, where identity counts.
func mustJSON(tb testing.TB, doc *customersd.Document) string {
	tb.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestExportService_RoundTrip(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newExportFixture(db)
		a := f.mustNewStoreWith(t, "store-a", sqlstoretest.FixtureDocument("store-a", 6))
		// One customer written by the V2 path, with a real password hash
		// and dates from the clock.
		db.Now = func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) }
		pw := "hunter22"
		in := &customersd.CustomerInput{FirstName: ptrTo("Ann"), LastName: ptrTo("Lee"), Email: ptrTo("ann@example.com"), Password: &pw}
		if _, err := f.customers.CreateCustomer(ctx, a, in); err != nil {
			t.Fatal(err)
		}

		first := f.mustExport(t, a)
		if err := f.exporter.Import(ctx, a, first); err != nil {
			t.Fatalf("re-import: %v", err)
		}
		second := f.mustExport(t, a)
		if got, want := mustJSON(t, second), mustJSON(t, first); got != want {
			t.Fatalf("export -> import -> export changed the document:\n%s", cmp.Diff(first, second))
		}

		// Into another store: the same state under another hash.
		b := f.mustNewStoreWith(t, "store-b", first)
		copied := f.mustExport(t, b)
		copied.Store.Hash = first.Store.Hash
		if diff := cmp.Diff(first, copied); diff != "" {
			t.Fatalf("copy differs (-a +b):\n%s", diff)
		}

		// What was imported is what the V2 services see.
		if ok, err := f.customers.ValidatePassword(ctx, b, 12, pw); err != nil || !ok {
			t.Fatalf("ValidatePassword(imported hash)=%v, %v; want true", ok, err)
		}
		if ok, err := f.customers.ValidatePassword(ctx, b, 2, sqlstoretest.FixturePassword); err != nil || !ok {
			t.Fatalf("ValidatePassword(fixture hash)=%v, %v; want true", ok, err)
		}
		// The counter ran ahead of the highest id (6 + 5, then one created).
		c, err := f.customers.CreateCustomer(ctx, b, &customersd.CustomerInput{FirstName: ptrTo("N"), LastName: ptrTo("N"), Email: ptrTo("n@example.com")})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := c.ID, int64(13); got != want {
			t.Fatalf("next id after import=%d, want %d", got, want)
		}
		if got, want := c.CustomerGroupID, int64(1); got != want {
			t.Fatalf("new customer's group=%d, want the imported default %d", got, want)
		}
	})
}

func ptrTo[T any](v T) *T { return &v }

func TestExportService_Import_PlainPassword(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newExportFixture(db)
		db.Now = func() time.Time { return time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC) }
		doc, err := customersd.DecodeDocument([]byte(`{
			"format": "customersd/1",
			"store": {"hash": "fixture", "plan": "plus"},
			"groups": [{"id": 1, "name": "VIP", "discount_rules": [{"type": "all", "method": "percent", "amount": 10}]}],
			"customers": [{"id": 1, "first_name": "Jane", "last_name": "Doe", "email": "Jane@Example.com",
				"customer_group_id": 1, "store_credit": 5, "password": "secret123"}],
			"addresses": [{"id": 1, "customer_id": 1, "first_name": "Jane", "last_name": "Doe", "street_1": "1 Main St",
				"city": "Austin", "state": "Texas", "zip": "78701", "country": "united states", "phone": "555"}]
		}`))
		if err != nil {
			t.Fatal(err)
		}
		st := f.mustNewStoreWith(t, "fixture", doc)
		if ok, err := f.customers.ValidatePassword(ctx, st, 1, "secret123"); err != nil || !ok {
			t.Fatalf("ValidatePassword=%v, %v; want true", ok, err)
		}
		got := f.mustExport(t, st)
		if got.Customers[0].Password != "" || len(got.Customers[0].PasswordHash) != 60 {
			t.Fatalf("exported password fields: %+v", got.Customers[0])
		}
		got.Customers[0].PasswordHash = ""
		now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
		want := &customersd.Document{
			Format:   customersd.DocumentFormat,
			Store:    customersd.DocumentStore{Hash: "fixture", Plan: "plus"},
			Counters: customersd.DocumentCounters{Customers: 1, Addresses: 1, Groups: 1},
			Groups: []customersd.DocumentGroup{{ID: 1, Name: "VIP",
				CategoryAccess: json.RawMessage(`{"type":"all"}`),
				DiscountRules:  json.RawMessage(`[{"type":"all","method":"percent","amount":"10.0000"}]`),
				DateCreated:    now, DateModified: now}},
			Customers: []customersd.DocumentCustomer{{ID: 1, FirstName: "Jane", LastName: "Doe", Email: "Jane@Example.com",
				CustomerGroupID: 1, StoreCredit: "5.0000", DateCreated: now, DateModified: now}},
			Addresses: []customersd.DocumentAddress{{ID: 1, CustomerID: 1, FirstName: "Jane", LastName: "Doe", Street1: "1 Main St",
				City: "Austin", State: "Texas", Zip: "78701", Country: "United States", CountryISO2: "US", Phone: "555",
				AddressType: "residential"}},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("export of a hand-written fixture (-want +got):\n%s", diff)
		}
	})
}

func TestExportService_Import_BadDocument(t *testing.T) {
	tests := []struct {
		name      string
		break_    func(d *customersd.Document)
		wantField string
	}{
		{"ErrFormat", func(d *customersd.Document) { d.Format = "customersd/0" }, "format"},
		{"ErrEmail", func(d *customersd.Document) { d.Customers[3].Email = "not-an-email" }, "customers[3].email"},
		{"ErrEmailTaken", func(d *customersd.Document) { d.Customers[3].Email = " JANE1@example.com" }, "customers[3].email"},
		{"ErrDuplicateID", func(d *customersd.Document) { d.Customers[2].ID = 1 }, "customers[2].id"},
		{"ErrGroupNotFound", func(d *customersd.Document) { d.Customers[1].CustomerGroupID = 9 }, "customers[1].customer_group_id"},
		{"ErrCustomerNotFound", func(d *customersd.Document) { d.Addresses[4].CustomerID = 99 }, "addresses[4].customer_id"},
		{"ErrCountry", func(d *customersd.Document) { d.Addresses[0].Country = "Atlantis" }, "addresses[0].country"},
		{"ErrTwoDefaults", func(d *customersd.Document) { d.Groups[1].IsDefault = true }, "groups[1].is_default"},
		{"ErrRule", func(d *customersd.Document) {
			d.Groups[0].DiscountRules = json.RawMessage(`[{"type":"all","method":"bogus","amount":"1"}]`)
		}, "groups[0].discount_rules[0].method"},
		{"ErrPasswordAndHash", func(d *customersd.Document) { d.Customers[1].Password = "secret123" }, "customers[1].password"},
		{"ErrHash", func(d *customersd.Document) { d.Customers[1].PasswordHash = "md5:abc" }, "customers[1].password_hash"},
		// Cost 35 made every validate a 500; 31 would cost a day of CPU a call.
		{"ErrHashCost35", func(d *customersd.Document) {
			d.Customers[1].PasswordHash = withCost(sqlstoretest.FixturePasswordHash, "35")
		}, "customers[1].password_hash"},
		{"ErrHashCost15", func(d *customersd.Document) {
			d.Customers[3].PasswordHash = withCost(sqlstoretest.FixturePasswordHash, "15")
		}, "customers[3].password_hash"},
		{"ErrHashCost03", func(d *customersd.Document) {
			d.Customers[1].PasswordHash = withCost(sqlstoretest.FixturePasswordHash, "03")
		}, "customers[1].password_hash"},
		{"ErrStoreCredit", func(d *customersd.Document) { d.Customers[0].StoreCredit = "ten" }, "customers[0].store_credit"},
	}
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		f := newExportFixture(db)
		st := f.mustNewStoreWith(t, "store", sqlstoretest.FixtureDocument("store", 5))
		before := mustJSON(t, f.mustExport(t, st))
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				doc := sqlstoretest.FixtureDocument("other", 5)
				tt.break_(doc)
				err := f.exporter.Import(context.Background(), st, doc)
				if got, want := customersd.ErrorCode(err), customersd.EINVALID; got != want {
					t.Fatalf("code=%q (%v), want %q", got, err, want)
				}
				if got := fieldOf(err); got != tt.wantField {
					t.Fatalf("field=%q (%v), want %q", got, err, tt.wantField)
				}
				if after := mustJSON(t, f.mustExport(t, st)); after != before {
					t.Fatalf("a refused import changed the store")
				}
			})
		}
	})
}

// withCost is a bcrypt hash with its cost digits replaced by cost.
func withCost(hash, cost string) string { return hash[:4] + cost + hash[6:] }

func fieldOf(err error) string {
	if e, ok := err.(*customersd.Error); ok {
		return e.Field
	}
	return ""
}

func TestExportService_NotFound(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		f := newExportFixture(db)
		if _, err := f.exporter.Export(context.Background(), 42, customersd.ExportOptions{}); customersd.ErrorCode(err) != customersd.ENOTFOUND {
			t.Fatalf("Export(missing)=%v, want ENOTFOUND", err)
		}
		err := f.exporter.Import(context.Background(), 42, sqlstoretest.FixtureDocument("x", 1))
		if customersd.ErrorCode(err) != customersd.ENOTFOUND {
			t.Fatalf("Import(missing)=%v, want ENOTFOUND", err)
		}
	})
}

// BenchmarkExportService_Import loads 1,000 customers with an address each
// into a store, replacing the previous load.
func BenchmarkExportService_Import(b *testing.B) {
	for _, d := range sqlstoretest.Dialects {
		b.Run(d, func(b *testing.B) {
			f := newExportFixture(sqlstoretest.Open(b, d))
			st := f.mustNewStoreWith(b, "bench", nil)
			doc := sqlstoretest.FixtureDocument("bench", 1000)
			for b.Loop() {
				if err := f.exporter.Import(context.Background(), st, doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkExportService_Export dumps a store of 1,000 customers with addresses.
func BenchmarkExportService_Export(b *testing.B) {
	for _, d := range sqlstoretest.Dialects {
		b.Run(d, func(b *testing.B) {
			f := newExportFixture(sqlstoretest.Open(b, d))
			st := f.mustNewStoreWith(b, "bench", sqlstoretest.FixtureDocument("bench", 1000))
			for b.Loop() {
				f.mustExport(b, st)
			}
		})
	}
}

// TestExportService_Import_ManyPasswords hashes plain passwords on several
// goroutines; each customer must get a hash of its own password.
func TestExportService_Import_ManyPasswords(t *testing.T) {
	db := sqlstoretest.Open(t, "sqlite")
	f := newExportFixture(db)
	doc := sqlstoretest.FixtureDocument("pw", 8)
	for i := range doc.Customers {
		doc.Customers[i].PasswordHash = ""
		doc.Customers[i].Password = fmt.Sprintf("secret%d", i)
	}
	st := f.mustNewStoreWith(t, "pw", doc)
	for i, c := range doc.Customers {
		if ok, err := f.customers.ValidatePassword(context.Background(), st, c.ID, fmt.Sprintf("secret%d", i)); err != nil || !ok {
			t.Fatalf("customer %d: ValidatePassword=%v, %v; want true", c.ID, ok, err)
		}
	}
}
