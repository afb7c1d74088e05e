package v2

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/customersd/customersd"
)

// BenchmarkEncodeCustomer measures the wire encoding of one customer, the
// last step of every customer response: the V2 shape and its JSON.
//
//	go test -run '^$' -bench BenchmarkEncodeCustomer -benchmem ./v2
func BenchmarkEncodeCustomer(b *testing.B) {
	r := httptest.NewRequest("GET", "/stores/bench/v2/customers/42", nil)
	r.SetPathValue("store_hash", "bench")
	now := time.Date(2024, 5, 6, 7, 34, 10, 0, time.UTC)
	c := &customersd.Customer{
		ID: 42, Company: "Acme", FirstName: "Jane", LastName: "Doe", Email: "jane@example.com",
		Phone: "+1 555 0100", DateCreated: now, DateModified: now, StoreCredit: 105000,
		RegistrationIPAddress: "192.0.2.1", CustomerGroupID: 2, AcceptsMarketing: true,
	}
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		if err := writeAs(w, r, FormatJSON, 200, newCustomerJSON(r, c)); err != nil {
			b.Fatal(err)
		}
	}
}
