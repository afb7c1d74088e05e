package v2_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/customersd/customersd/country"
)

// address is the wire form of an address, as tests read it.
type address struct {
	ID          int64  `json:"id"`
	CustomerID  int64  `json:"customer_id"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Company     string `json:"company"`
	Street1     string `json:"street_1"`
	Street2     string `json:"street_2"`
	City        string `json:"city"`
	State       string `json:"state"`
	Zip         string `json:"zip"`
	Country     string `json:"country"`
	CountryISO2 string `json:"country_iso2"`
	Phone       string `json:"phone"`
	AddressType string `json:"address_type"`
	FormFields  any    `json:"form_fields"`
}

// addressKeys is the key order of BEHAVIOR.md, "Representations".
var addressKeys = []string{"id", "customer_id", "first_name", "last_name", "company", "street_1", "street_2",
	"city", "state", "zip", "country", "country_iso2", "phone", "address_type", "form_fields"}

// home is a minimal valid address body.
func home() obj {
	return obj{"first_name": "Jane", "last_name": "Doe", "phone": "555-0100", "street_1": "1 Main St",
		"city": "Austin", "state": "Texas", "zip": "78726", "country": "United States"}
}

func mustCreateAddress(tb testing.TB, ts *testServer, customerID int64, body obj, opts ...reqOption) address {
	tb.Helper()
	var a address
	ts.do("POST", "/customers/"+itoa(customerID)+"/addresses", body, opts...).want(tb, http.StatusCreated).decode(tb, &a)
	return a
}

// twoCustomers creates customers 1 and 2 in the store under test.
func twoCustomers(tb testing.TB, ts *testServer) {
	tb.Helper()
	mustCreateCustomer(tb, ts, jane())
	mustCreateCustomer(tb, ts, with(jane(), "email", "john@example.com"))
}

func TestCreateAddress(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		twoCustomers(t, ts)
		// Read-only fields are ignored, customer_id included: the path wins.
		body := with(home(), "id", 77, "customer_id", 2, "country_iso2", "FR", "form_fields", []any{}, "zip", 78726, "street_2", "Suite 5")
		res := ts.do("POST", "/customers/1/addresses", body).want(t, http.StatusCreated)
		if got := objectKeys(t, res.Body); !slices.Equal(got, addressKeys) {
			t.Fatalf("keys=%v, want %v", got, addressKeys)
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/json" {
			t.Fatalf("Content-Type=%q", ct)
		}
		var a address
		res.decode(t, &a)
		want := address{ID: 1, CustomerID: 1, FirstName: "Jane", LastName: "Doe", Street1: "1 Main St", Street2: "Suite 5",
			City: "Austin", State: "Texas", Zip: "78726", Country: "United States", CountryISO2: "US", Phone: "555-0100",
			AddressType: "residential"}
		if a != want {
			t.Fatalf("got %+v\nwant %+v", a, want)
		}
		var got address
		ts.do("GET", "/customers/1/addresses/1", nil).want(t, 200).decode(t, &got)
		if got != want {
			t.Fatalf("GET gave %+v", got)
		}
		// A place without states sends a single space.
		b := mustCreateAddress(t, ts, 2, with(home(), "state", " ", "address_type", "commercial", "country", "Hong Kong"))
		if b.ID != 2 || b.CustomerID != 2 || b.State != " " || b.AddressType != "commercial" || b.CountryISO2 != "HK" {
			t.Fatalf("got %+v", b)
		}
	})
}

func TestCreateAddress_Errors(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		mustCreateCustomer(t, ts, jane())
		required := func(f string) string { return "The required field '" + f + "' was not supplied." }
		invalid := func(f string) string { return "The field '" + f + "' is invalid." }
		without := func(field string) obj {
			b := home()
			delete(b, field)
			return b
		}
		tests := []struct {
			name string
			body any
			msg  string
		}{
			{"FirstName", without("first_name"), required("first_name")},
			{"LastName", with(home(), "last_name", " "), required("last_name")},
			{"Phone", without("phone"), required("phone")},
			{"Street1", without("street_1"), required("street_1")},
			{"City", with(home(), "city", nil), required("city")},
			{"State", without("state"), required("state")},
			{"StateEmpty", with(home(), "state", ""), required("state")},
			{"Zip", without("zip"), required("zip")},
			{"Country", without("country"), required("country")},
			{"UnknownCountry", with(home(), "country", "Atlantis"), invalid("country")},
			{"CountryCode", with(home(), "country", "US"), invalid("country")},
			{"AddressType", with(home(), "address_type", "office"), invalid("address_type")},
			{"TypeOfField", with(home(), "city", obj{"name": "Austin"}), invalid("city")},
			{"UnknownField", with(home(), "nickname", "x"), "The field 'nickname' is not supported by this resource."},
			{"Malformed", `{"first_name":`, "The request body is not valid JSON."},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ts.do("POST", "/customers/1/addresses", tt.body).wantError(t, http.StatusBadRequest, tt.msg)
			})
		}
		ts.do("POST", "/customers/9/addresses", home()).wantError(t, http.StatusNotFound, "The requested resource was not found.")
		ts.do("POST", "/customers/1/addresses", "a=b", withHeader("Content-Type", "application/x-www-form-urlencoded")).want(t, http.StatusUnsupportedMediaType)
		ts.do("GET", "/customers/1/addresses", nil).want(t, http.StatusNoContent) // nothing was created
	})
}

// TestAddress_Country checks that the country is one of BigCommerce's own
// names, matched ignoring case and stored as BigCommerce spells it, with its
// code (BEHAVIOR.md, "Addresses").
func TestAddress_Country(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		mustCreateCustomer(t, ts, jane())
		tests := []struct{ in, name, iso2 string }{
			{"United States", "United States", "US"},
			{"united states", "United States", "US"},
			{"Australia", "Australia", "AU"},
			{"UNITED KINGDOM", "United Kingdom", "GB"},
			{"Korea, Republic of", "Korea, Republic of", "KR"},
			{"Libya", "Libya", "LY"},
			{"cote d'ivoire", "Cote d'Ivoire", "CI"},
			{"Reunion", "Reunion", "RE"},
			{"Heard Island and McDonald Islands", "Heard Island and Mcdonald Islands", "HM"},
			{"Macedonia, the Former Yugoslav Republic of", "Macedonia, the Former Yugoslav Republic of", "MK"},
			{"Republic of Kosovo", "Republic of Kosovo", "XK"},
			{"Netherlands Antilles", "Netherlands Antilles", "AN"},
		}
		for _, tt := range tests {
			a := mustCreateAddress(t, ts, 1, with(home(), "country", tt.in))
			if a.Country != tt.name || a.CountryISO2 != tt.iso2 {
				t.Errorf("%q: country=%q iso2=%q, want %q %q", tt.in, a.Country, a.CountryISO2, tt.name, tt.iso2)
			}
			var got address
			ts.do("GET", "/customers/1/addresses/"+itoa(a.ID), nil).want(t, http.StatusOK).decode(t, &got)
			if got.Country != tt.name || got.CountryISO2 != tt.iso2 {
				t.Errorf("%q read back: country=%q iso2=%q, want %q %q", tt.in, got.Country, got.CountryISO2, tt.name, tt.iso2)
			}
		}
		// ISO names BigCommerce lacks or spells otherwise, aliases, codes
		// and near misses are refused, on create and on update.
		for _, in := range []string{"Cuba", "Iran, Islamic Republic of", "Korea, Democratic People's Republic of", "North Korea",
			"Syrian Arab Republic", "South Sudan", "Curaçao", "Sint Maarten (Dutch part)", "Saint Martin (French part)",
			"Saint Barthélemy", "Åland Islands", "Libyan Arab Jamahiriya", "Côte d'Ivoire", "Réunion", "Macedonia",
			"Holland", "Great Britain", "United States of America", "South Korea", "Vietnam", "USA", "US",
			" Australia ", "Australia."} {
			ts.do("POST", "/customers/1/addresses", with(home(), "country", in)).wantError(t, http.StatusBadRequest, "The field 'country' is invalid.")
			ts.do("PUT", "/customers/1/addresses/1", obj{"country": in}).wantError(t, http.StatusBadRequest, "The field 'country' is invalid.")
		}
		wantCount(t, ts, "/customers/1/addresses/count", int64(len(tests)))
	})
}

// TestAddress_EveryBigCommerceCountry stores each of BigCommerce's 241
// countries, sent in lower case, and reads back its spelling and code.
func TestAddress_EveryBigCommerceCountry(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		mustCreateCustomer(t, ts, jane())
		mustCreateAddress(t, ts, 1, home())
		all := country.All()
		if len(all) != 241 {
			t.Fatalf("%d countries, want 241", len(all))
		}
		for _, c := range all {
			var a address
			ts.do("PUT", "/customers/1/addresses/1", obj{"country": strings.ToLower(c.Name)}).want(t, http.StatusOK).decode(t, &a)
			if a.Country != c.Name || a.CountryISO2 != c.ISO2 {
				t.Errorf("%q: country=%q iso2=%q, want %q %q", c.Name, a.Country, a.CountryISO2, c.Name, c.ISO2)
			}
		}
	})
}

func TestListAddresses(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		twoCustomers(t, ts)
		for _, c := range []int64{1, 2, 1, 1} {
			mustCreateAddress(t, ts, c, home())
		}
		wantIDs(t, ts, "/customers/1/addresses", 1, 3, 4)
		wantIDs(t, ts, "/customers/2/addresses", 2)
		wantIDs(t, ts, "/customers/1/addresses?limit=2", 1, 3)
		wantIDs(t, ts, "/customers/1/addresses?limit=2&page=2", 4)
		wantIDs(t, ts, "/customers/1/addresses?limit=2&page=3") // past the end: 204
		wantIDs(t, ts, "/customers/1/addresses.json?limit=1&page=2", 3)
		ts.do("HEAD", "/customers/1/addresses", nil).want(t, 200)

		mustCreateCustomer(t, ts, with(jane(), "email", "none@example.com"))
		wantIDs(t, ts, "/customers/3/addresses") // a customer without addresses: 204
		ts.do("GET", "/customers/9/addresses", nil).wantError(t, http.StatusNotFound, "The requested resource was not found.")
		ts.do("GET", "/customers/1/addresses?limit=0", nil).wantError(t, 400, "The field 'limit' is invalid.")
		ts.do("GET", "/customers/1/addresses?page=x", nil).wantError(t, 400, "The field 'page' is invalid.")
		ts.do("GET", "/customers/1/addresses?city=Austin", nil).wantError(t, 400, "The field 'city' is not supported by this resource.")
	})
}

func TestCountAddresses(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		twoCustomers(t, ts)
		for _, c := range []int64{1, 2, 1} {
			mustCreateAddress(t, ts, c, home())
		}
		ts.do("POST", "/customers", jane(), withStore(ts.otherHash), withToken(ts.otherToken)).want(t, 201)
		ts.do("POST", "/customers/1/addresses", home(), withStore(ts.otherHash), withToken(ts.otherToken)).want(t, 201)
		for path, want := range map[string]int64{
			"/customers/1/addresses/count":              2,
			"/customers/2/addresses/count":              1,
			"/customers/2/addresses/count?limit=1":      1, // page and limit are accepted, and mean nothing
			"/customers/addresses/count":                3, // every address of this store, not the other's
			"/customers/addresses/count.json?page=1":    3,
			"/customers/addresses/count?limit=1&page=9": 3,
		} {
			var got struct{ Count int64 }
			ts.do("GET", path, nil).want(t, 200).decode(t, &got)
			if got.Count != want {
				t.Errorf("GET %s: count=%d, want %d", path, got.Count, want)
			}
		}
		ts.do("GET", "/customers/9/addresses/count", nil).want(t, http.StatusNotFound)
		ts.do("GET", "/customers/addresses/count?city=x", nil).wantError(t, 400, "The field 'city' is not supported by this resource.")
	})
}

func TestGetAddress(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		twoCustomers(t, ts)
		mustCreateAddress(t, ts, 1, home())
		mustCreateAddress(t, ts, 2, with(home(), "city", "Paris", "country", "France"))
		var a address
		ts.do("GET", "/customers/2/addresses/2", nil).want(t, 200).decode(t, &a)
		if a.City != "Paris" || a.CountryISO2 != "FR" {
			t.Fatalf("got %+v", a)
		}
		// Another customer's address does not exist for this customer.
		ts.do("GET", "/customers/1/addresses/2", nil).wantError(t, http.StatusNotFound, "The requested resource was not found.")
		ts.do("GET", "/customers/1/addresses/9", nil).want(t, http.StatusNotFound)
		ts.do("GET", "/customers/1/addresses/x", nil).want(t, http.StatusNotFound)
		// The undocumented route finds an address by its id alone.
		var b address
		ts.do("GET", "/customers/addresses/2", nil).want(t, 200).decode(t, &b)
		if b != a {
			t.Fatalf("GET /customers/addresses/2 gave %+v, want %+v", b, a)
		}
		ts.do("GET", "/customers/addresses/2.json", nil).want(t, 200)
		ts.do("GET", "/customers/addresses/9", nil).want(t, http.StatusNotFound)
	})
}

func TestUpdateAddress(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		twoCustomers(t, ts)
		mustCreateAddress(t, ts, 1, with(home(), "company", "Acme"))
		mustCreateAddress(t, ts, 2, home())
		var a address
		ts.do("PUT", "/customers/1/addresses/1", obj{"city": "Lyon", "country": "france", "customer_id": 2, "id": 5, "country_iso2": "US"}).
			want(t, 200).decode(t, &a)
		want := address{ID: 1, CustomerID: 1, FirstName: "Jane", LastName: "Doe", Company: "Acme", Street1: "1 Main St",
			City: "Lyon", State: "Texas", Zip: "78726", Country: "France", CountryISO2: "FR", Phone: "555-0100", AddressType: "residential"}
		if a != want {
			t.Fatalf("got %+v\nwant %+v", a, want)
		}
		var got address
		ts.do("GET", "/customers/1/addresses/1", nil).want(t, 200).decode(t, &got)
		if got != want {
			t.Fatalf("GET gave %+v", got)
		}
		ts.do("PUT", "/customers/1/addresses/1", obj{"address_type": "commercial", "state": " "}).want(t, 200).decode(t, &got)
		if got.AddressType != "commercial" || got.State != " " || got.City != "Lyon" {
			t.Fatalf("got %+v", got)
		}
		ts.do("PUT", "/customers/1/addresses/1", obj{"city": ""}).wantError(t, 400, "The field 'city' is invalid.")
		ts.do("PUT", "/customers/1/addresses/1", obj{"state": ""}).wantError(t, 400, "The field 'state' is invalid.")
		ts.do("PUT", "/customers/1/addresses/1", obj{"country": "Narnia"}).wantError(t, 400, "The field 'country' is invalid.")
		ts.do("PUT", "/customers/1/addresses/1", obj{"nickname": "x"}).wantError(t, 400, "The field 'nickname' is not supported by this resource.")
		// Customer 1 cannot change customer 2's address.
		ts.do("PUT", "/customers/1/addresses/2", obj{"city": "Lyon"}).want(t, http.StatusNotFound)
		ts.do("GET", "/customers/2/addresses/2", nil).want(t, 200).decode(t, &got)
		if got.City != "Austin" {
			t.Fatalf("another customer's address changed: %+v", got)
		}
		ts.do("PUT", "/customers/1/addresses/9", obj{"city": "Lyon"}).want(t, http.StatusNotFound)
	})
}

func TestDeleteAddress(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		twoCustomers(t, ts)
		mustCreateAddress(t, ts, 1, home())
		mustCreateAddress(t, ts, 2, home())
		mustCreateAddress(t, ts, 1, home())
		ts.do("DELETE", "/customers/1/addresses/2", nil).want(t, http.StatusNotFound) // customer 2's
		res := ts.do("DELETE", "/customers/1/addresses/1", nil).want(t, http.StatusNoContent)
		if len(res.Body) != 0 {
			t.Fatalf("body=%q", res.Body)
		}
		ts.do("DELETE", "/customers/1/addresses/1", nil).want(t, http.StatusNotFound)
		wantIDs(t, ts, "/customers/1/addresses", 3)
		wantIDs(t, ts, "/customers/2/addresses", 2)
	})
}

func TestDeleteAddresses(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		twoCustomers(t, ts)
		for _, c := range []int64{1, 2, 1} {
			mustCreateAddress(t, ts, c, home())
		}
		ts.do("DELETE", "/customers/1/addresses", nil).want(t, http.StatusNoContent)
		wantIDs(t, ts, "/customers/1/addresses")
		wantIDs(t, ts, "/customers/2/addresses", 2)
		ts.do("DELETE", "/customers/1/addresses", nil).want(t, http.StatusNoContent) // none left is fine
		ts.do("DELETE", "/customers/9/addresses", nil).want(t, http.StatusNotFound)
		ts.do("DELETE", "/customers/2/addresses?city=x", nil).wantError(t, 400, "The field 'city' is not supported by this resource.")
		// IDs are never reused.
		if a := mustCreateAddress(t, ts, 1, home()); a.ID != 4 {
			t.Fatalf("id=%d, want 4", a.ID)
		}
	})
}

// TestDeleteCustomer_DeletesAddresses checks the cascade (BEHAVIOR.md, "Customers").
func TestDeleteCustomer_DeletesAddresses(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		twoCustomers(t, ts)
		mustCreateAddress(t, ts, 1, home())
		mustCreateAddress(t, ts, 2, home())
		ts.do("DELETE", "/customers/1", nil).want(t, http.StatusNoContent)
		ts.do("GET", "/customers/addresses/1", nil).want(t, http.StatusNotFound)
		ts.do("GET", "/customers/addresses/2", nil).want(t, 200)
		ts.do("DELETE", "/customers", nil).want(t, http.StatusNoContent)
		var n struct{ Count int64 }
		ts.do("GET", "/customers/addresses/count", nil).want(t, 200).decode(t, &n)
		if n.Count != 0 {
			t.Fatalf("count=%d after deleting every customer", n.Count)
		}
	})
}

// TestAddresses_StoreIsolation: another store's token sees none of this
// store's addresses, even where it has a customer with the same id.
func TestAddresses_StoreIsolation(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		mustCreateCustomer(t, ts, jane())
		mustCreateAddress(t, ts, 1, home())
		other := []reqOption{withStore(ts.otherHash), withToken(ts.otherToken)}
		ts.do("POST", "/customers", jane(), other...).want(t, 201)
		ts.do("GET", "/customers/1/addresses", nil, other...).want(t, http.StatusNoContent)
		ts.do("GET", "/customers/1/addresses/1", nil, other...).want(t, http.StatusNotFound)
		ts.do("GET", "/customers/addresses/1", nil, other...).want(t, http.StatusNotFound)
		ts.do("PUT", "/customers/1/addresses/1", obj{"city": "X"}, other...).want(t, http.StatusNotFound)
		ts.do("DELETE", "/customers/1/addresses/1", nil, other...).want(t, http.StatusNotFound)
		ts.do("DELETE", "/customers/1/addresses", nil, other...).want(t, http.StatusNoContent)
		// The other store's token on this store's path is refused outright.
		ts.do("GET", "/customers/1/addresses/1", nil, withToken(ts.otherToken)).wantGatewayError(t, http.StatusUnauthorized)
		var a address
		ts.do("GET", "/customers/1/addresses/1", nil).want(t, 200).decode(t, &a)
		if a.City != "Austin" {
			t.Fatalf("got %+v", a)
		}
		// Its own first address has its own id 1.
		if b := mustCreateAddress(t, ts, 1, home(), other...); b.ID != 1 {
			t.Fatalf("other store's first address: id=%d", b.ID)
		}
	})
}

func TestAddresses_ReadOnlyToken(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		mustCreateCustomer(t, ts, jane())
		mustCreateAddress(t, ts, 1, home())
		ro := withToken(ts.readToken)
		for _, p := range []string{"/customers/1/addresses", "/customers/1/addresses/1", "/customers/1/addresses/count",
			"/customers/addresses/1", "/customers/addresses/count"} {
			ts.do("GET", p, nil, ro).want(t, 200)
		}
		ts.do("POST", "/customers/1/addresses", home(), ro).wantGatewayError(t, http.StatusForbidden)
		ts.do("PUT", "/customers/1/addresses/1", obj{"city": "X"}, ro).wantGatewayError(t, http.StatusForbidden)
		ts.do("DELETE", "/customers/1/addresses/1", nil, ro).wantGatewayError(t, http.StatusForbidden)
		ts.do("DELETE", "/customers/1/addresses", nil, ro).wantGatewayError(t, http.StatusForbidden)
		wantIDs(t, ts, "/customers/1/addresses", 1)
	})
}
