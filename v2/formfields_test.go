package v2_test

import (
	"net/http"
	"testing"
)

// Form fields are GET only: a non-empty array is a 400 naming 'name', null
// and [] are ignored (BEHAVIOR.md, "Representations"; bigcommerce/api#61).
func TestFormFields_Refused(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		fields := []any{obj{"name": "Shoe size", "value": "42"}}
		const refused = "The field 'name' is invalid."

		ts.do("POST", "/customers", with(jane(), "form_fields", fields)).wantError(t, http.StatusBadRequest, refused)
		wantCount(t, ts, "/customers/count", 0)
		for i, ignored := range []any{nil, []any{}} {
			c := mustCreateCustomer(t, ts, with(jane(), "email", "ff"+itoa(int64(i))+"@example.com", "form_fields", ignored))
			if c.FormFields != nil {
				t.Errorf("form_fields=%v, want null", c.FormFields)
			}
		}
		ts.do("PUT", "/customers/1", obj{"first_name": "June", "form_fields": fields}).wantError(t, http.StatusBadRequest, refused)
		ts.do("PUT", "/customers/1", obj{"form_fields": "Shoe size"}).wantError(t, http.StatusBadRequest, "The field 'form_fields' is invalid.")
		var c customer
		ts.do("GET", "/customers/1", nil).want(t, http.StatusOK).decode(t, &c)
		if c.FirstName != "Jane" {
			t.Errorf("a refused PUT changed the customer: first_name=%q", c.FirstName)
		}
		ts.do("PUT", "/customers/1", obj{"first_name": "June", "form_fields": []any{}}).want(t, http.StatusOK)

		ts.do("POST", "/customers/1/addresses", with(home(), "form_fields", fields)).wantError(t, http.StatusBadRequest, refused)
		wantCount(t, ts, "/customers/1/addresses/count", 0)
		a := mustCreateAddress(t, ts, 1, with(home(), "form_fields", []any{}))
		mustCreateAddress(t, ts, 1, with(home(), "form_fields", nil))
		ts.do("PUT", "/customers/1/addresses/"+itoa(a.ID), obj{"city": "Dallas", "form_fields": fields}).wantError(t, http.StatusBadRequest, refused)
		ts.do("PUT", "/customers/1/addresses/"+itoa(a.ID), obj{"city": "Dallas", "form_fields": nil}).want(t, http.StatusOK)
	})
}
