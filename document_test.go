package customersd_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/customersd/customersd"
)

// minimalDocument is the smallest useful hand-written fixture; tests break
// one thing in it at a time.
const minimalDocument = `{
	"format": "customersd/1",
	"store": {"hash": "s1"},
	"groups": [{"id": 1, "name": "VIP", "category_access": {"type": "all"}, "discount_rules": []}],
	"customers": [
		{"id": 1, "first_name": "Jane", "last_name": "Doe", "email": "jane@example.com", "customer_group_id": 1, "password": "secret123"},
		{"id": 2, "first_name": "John", "last_name": "Doe", "email": "john@example.com", "store_credit": 10.5}
	],
	"addresses": [{"id": 1, "customer_id": 2, "first_name": "J", "last_name": "D", "street_1": "1 St", "city": "Paris",
		"state": " ", "zip": "75001", "country": "France", "phone": "1"}]
}`

func TestDecodeDocument(t *testing.T) {
	tests := []struct {
		name      string
		replace   [2]string // applied to minimalDocument
		wantField string    // "" means the document is valid
	}{
		{"OK", [2]string{}, ""},
		{"ErrUnknownTopField", [2]string{`"format"`, `"tokens": [], "format"`}, "document"},
		{"ErrUnknownRecordField", [2]string{`"id": 2,`, `"id": 2, "emial": "x",`}, "customers[1]"},
		{"ErrType", [2]string{`"customer_id": 2`, `"customer_id": true`}, "addresses[0].customer_id"},
		{"ErrDate", [2]string{`"id": 2,`, `"id": 2, "date_created": "yesterday",`}, "customers[1]"},
		{"ErrTrailing", [2]string{"]\n}", "]\n} {}"}, "document"},
		{"ErrFormat", [2]string{`customersd/1`, `customersd/9`}, "format"},
		{"ErrPlan", [2]string{`"hash": "s1"`, `"hash": "s1", "plan": "gold"`}, "store.plan"},
		{"ErrCounter", [2]string{`"format"`, `"counters": {"customers": -1}, "format"`}, "counters"},
		{"ErrGroupName", [2]string{`"name": "VIP"`, `"name": " "`}, "groups[0].name"},
		{"ErrCategoryAccessShape", [2]string{`"category_access": {"type": "all"}`, `"category_access": "all"`}, "groups[0].category_access"},
		{"ErrCategoryAccess", [2]string{`{"type": "all"}`, `{"type": "specific"}`}, "groups[0].category_access.categories"},
		{"ErrRulesShape", [2]string{`"discount_rules": []`, `"discount_rules": {}`}, "groups[0].discount_rules"},
		{"ErrRuleCombination", [2]string{`"discount_rules": []`, `"discount_rules": [{"type":"price_list","price_list_id":1},{"type":"all","method":"fixed","amount":1}]`}, "groups[0].discount_rules"},
		{"ErrRulesOverCap", [2]string{`"discount_rules": []`, `"discount_rules": ` + productRulesJSON(customersd.MaxGroupDiscountRules+1)}, "groups[0].discount_rules"},
		{"OKRulesAtCap", [2]string{`"discount_rules": []`, `"discount_rules": ` + productRulesJSON(customersd.MaxGroupDiscountRules)}, ""},
		{"ErrCategoriesOverCap", [2]string{`{"type": "all"}`, `{"type": "specific", "categories": ` + idsJSON(customersd.MaxGroupCategories+1) + `}`}, "groups[0].category_access.categories"},
		{"OKFormFields", [2]string{`"id": 2,`, `"id": 2, "form_fields": ` + formFieldsJSON(customersd.MaxFormFields, 255) + `,`}, ""},
		{"ErrFormFieldsOverCap", [2]string{`"id": 2,`, `"id": 2, "form_fields": ` + formFieldsJSON(customersd.MaxFormFields+1, 1) + `,`}, "customers[1].form_fields"},
		{"ErrFormFieldValue", [2]string{`"id": 2,`, `"id": 2, "form_fields": ` + formFieldsJSON(1, 256) + `,`}, "customers[1].form_fields"},
		{"ErrAddressFormFields", [2]string{`"customer_id": 2`, `"customer_id": 2, "form_fields": ` + formFieldsJSON(customersd.MaxFormFields+1, 1)}, "addresses[0].form_fields"},
		{"ErrRequired", [2]string{`"last_name": "Doe", "email": "john`, `"email": "john`}, "customers[1].last_name"},
		{"ErrPassword", [2]string{`"secret123"`, `"short"`}, "customers[0].password"},
		{"ErrGroupID", [2]string{`"customer_group_id": 1`, `"customer_group_id": -1`}, "customers[0].customer_group_id"},
		{"ErrID", [2]string{`"id": 2,`, `"id": 0,`}, "customers[1].id"},
		{"ErrState", [2]string{`"state": " "`, `"state": ""`}, "addresses[0].state"},
		{"ErrISO2", [2]string{`"country": "France"`, `"country": "France", "country_iso2": "DE"`}, "addresses[0].country_iso2"},
		{"OKISO2", [2]string{`"country": "France"`, `"country": "France", "country_iso2": "fr"`}, ""},
		{"ErrAddressType", [2]string{`"country": "France"`, `"country": "France", "address_type": "castle"`}, "addresses[0].address_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := minimalDocument
			if tt.replace[0] != "" {
				if !strings.Contains(in, tt.replace[0]) {
					t.Fatalf("fixture has no %q", tt.replace[0])
				}
				in = strings.Replace(in, tt.replace[0], tt.replace[1], 1)
			}
			doc, err := customersd.DecodeDocument([]byte(in))
			if err == nil {
				err = doc.Validate()
			}
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("err=%v, want none", err)
				}
				return
			}
			e, ok := err.(*customersd.Error)
			if !ok || e.Code != customersd.EINVALID || e.Field != tt.wantField || !strings.HasPrefix(e.Message, tt.wantField+": ") {
				t.Fatalf("err=%#v, want EINVALID on %q with the path first in the message", err, tt.wantField)
			}
		})
	}
}

// productRulesJSON is a JSON array of n product discount rules.
func productRulesJSON(n int) string {
	rules := make([]string, n)
	for i := range rules {
		rules[i] = `{"type":"product","method":"fixed","amount":1,"product_id":` + strconv.Itoa(i+1) + `}`
	}
	return "[" + strings.Join(rules, ",") + "]"
}

// formFieldsJSON is a JSON array of n form fields with values of size bytes.
func formFieldsJSON(n, size int) string {
	fields := make([]string, n)
	for i := range fields {
		fields[i] = `{"name":"f` + strconv.Itoa(i) + `","value":"` + strings.Repeat("v", size) + `"}`
	}
	return "[" + strings.Join(fields, ",") + "]"
}

// idsJSON is the JSON array [1, ..., n].
func idsJSON(n int) string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = strconv.Itoa(i + 1)
	}
	return "[" + strings.Join(ids, ",") + "]"
}

func TestAmount(t *testing.T) {
	doc, err := customersd.DecodeDocument([]byte(minimalDocument))
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.Customers[1].StoreCredit; got != "10.5" {
		t.Fatalf("store_credit read from a number = %q, want 10.5", got)
	}
	if d, ok := doc.Customers[0].StoreCredit.Decimal(); !ok || d != 0 {
		t.Fatalf("omitted store_credit = %v, %v; want 0", d, ok)
	}
	b, err := customersd.Amount("10.5000").MarshalJSON()
	if err != nil || string(b) != `"10.5000"` {
		t.Fatalf("MarshalJSON=%s, %v", b, err)
	}
}
