package v2_test

import (
	"net/http"
	"testing"
)

// customer is the wire form of a customer, as tests read it.
type customer struct {
	ID                    int64          `json:"id"`
	Company               string         `json:"company"`
	FirstName             string         `json:"first_name"`
	LastName              string         `json:"last_name"`
	Email                 string         `json:"email"`
	Phone                 string         `json:"phone"`
	FormFields            any            `json:"form_fields"`
	DateCreated           string         `json:"date_created"`
	DateModified          string         `json:"date_modified"`
	StoreCredit           string         `json:"store_credit"`
	RegistrationIPAddress string         `json:"registration_ip_address"`
	CustomerGroupID       int64          `json:"customer_group_id"`
	Notes                 string         `json:"notes"`
	TaxExemptCategory     string         `json:"tax_exempt_category"`
	ResetPassOnLogin      bool           `json:"reset_pass_on_login"`
	AcceptsMarketing      bool           `json:"accepts_marketing"`
	Addresses             map[string]any `json:"addresses"`
}

// mustCreateCustomer creates a customer through the API and returns it.
func mustCreateCustomer(tb testing.TB, ts *testServer, body map[string]any) customer {
	tb.Helper()
	var c customer
	ts.do("POST", "/customers", body).want(tb, http.StatusCreated).decode(tb, &c)
	return c
}

func TestCreateCustomer_Smoke(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		c := mustCreateCustomer(t, ts, map[string]any{"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com"})
		if c.ID != 1 {
			t.Fatalf("id=%d, want 1", c.ID)
		}
	})
}
