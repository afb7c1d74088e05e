package sqlstoretest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/customersd/customersd"
)

// FixturePassword is the password of every customer in FixtureDocument, and
// FixturePasswordHash its bcrypt hash at the minimum cost, precomputed so
// that building fixtures costs no hashing.
const (
	FixturePassword     = "secret123"
	FixturePasswordHash = "$2a$04$6.Tbr5rJT8I9dtwoLdlREuF7oxzQ9Lpkun/5JrEzjkN5qD.qlbb52"
)

// FixtureDocument returns a valid export document of store hash with two
// groups (a default one with discount rules) and n customers, each with one
// address; the odd ones have a password hash and form fields. Counters run
// ahead of the highest IDs, as they do after deletes.
func FixtureDocument(hash string, n int) *customersd.Document {
	base := time.Date(2024, 5, 6, 7, 34, 10, 0, time.UTC)
	doc := &customersd.Document{
		Format:   customersd.DocumentFormat,
		Store:    customersd.DocumentStore{Hash: hash, Plan: customersd.PlanStandard},
		Counters: customersd.DocumentCounters{Customers: int64(n) + 5, Addresses: int64(n) + 2, Groups: 3},
		Groups: []customersd.DocumentGroup{
			{
				ID: 1, Name: "Retail", IsDefault: true,
				CategoryAccess: json.RawMessage(`{"type":"all"}`),
				DiscountRules:  json.RawMessage(`[{"type":"all","method":"percent","amount":"5.0000"}]`),
				DateCreated:    base, DateModified: base.Add(time.Hour),
			},
			{
				ID: 3, Name: "Wholesale", IsGroupForGuests: true,
				CategoryAccess: json.RawMessage(`{"type":"specific","categories":[18,19]}`),
				DiscountRules:  json.RawMessage(`[{"type":"price_list","price_list_id":3}]`),
				DateCreated:    base, DateModified: base,
			},
		},
		Customers: make([]customersd.DocumentCustomer, n),
		Addresses: make([]customersd.DocumentAddress, n),
	}
	for i := range n {
		id := int64(i + 1)
		c := customersd.DocumentCustomer{
			ID: id, FirstName: "Jane", LastName: fmt.Sprintf("Doe %d", id),
			Email: fmt.Sprintf("jane%d@example.com", id), Phone: "555-0100",
			DateCreated: base.Add(time.Duration(i) * time.Minute), DateModified: base.Add(time.Duration(i)*time.Minute + time.Second),
			StoreCredit: "0.0000", CustomerGroupID: 1 + 2*int64(i%2), Notes: "imported",
		}
		if i%2 == 1 {
			c.PasswordHash = FixturePasswordHash
			c.FormFields = []customersd.FormField{{Name: "shoe size", Value: "42"}}
			c.StoreCredit, c.AcceptsMarketing, c.Company = "10.5000", true, "Acme"
		}
		doc.Customers[i] = c
		doc.Addresses[i] = customersd.DocumentAddress{
			ID: id, CustomerID: id, FirstName: "Jane", LastName: c.LastName,
			Street1: fmt.Sprintf("%d Main St", id), City: "Sydney", State: "NSW", Zip: "2000",
			Country: "Australia", CountryISO2: "AU", Phone: "555-0100", AddressType: "residential",
		}
	}
	return doc
}
