package v2_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
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

type obj = map[string]any

// jane is a minimal valid customer body.
func jane() obj { return obj{"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com"} }

// with returns a copy of body with extra fields.
func with(body obj, kv ...any) obj {
	out := obj{}
	for k, v := range body {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// mustCreateCustomer creates a customer through the API and returns it.
func mustCreateCustomer(tb testing.TB, ts *testServer, body obj) customer {
	tb.Helper()
	var c customer
	ts.do("POST", "/customers", body).want(tb, http.StatusCreated).decode(tb, &c)
	return c
}

func mustGetCustomer(tb testing.TB, ts *testServer, id int64) customer {
	tb.Helper()
	var c customer
	ts.do("GET", "/customers/"+itoa(id), nil).want(tb, http.StatusOK).decode(tb, &c)
	return c
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// customerKeys is the key order of BEHAVIOR.md, "Representations".
var customerKeys = []string{"id", "company", "first_name", "last_name", "email", "phone", "form_fields",
	"date_created", "date_modified", "store_credit", "registration_ip_address", "customer_group_id", "notes",
	"tax_exempt_category", "reset_pass_on_login", "accepts_marketing", "addresses"}

// objectKeys returns the keys of a JSON object in the order they appear.
func objectKeys(tb testing.TB, raw []byte) []string {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		tb.Fatalf("not an object: %s", raw)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			tb.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			tb.Fatal(err)
		}
	}
	return keys
}

var rfc2822 = regexp.MustCompile(`^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$`)

func TestCreateCustomer(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		res := ts.do("POST", "/customers", jane()).want(t, http.StatusCreated)
		if ct := res.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type=%q", ct)
		}
		if got := strings.Join(objectKeys(t, res.Body), ","); got != strings.Join(customerKeys, ",") {
			t.Errorf("keys=%s\nwant %s", got, strings.Join(customerKeys, ","))
		}
		var raw map[string]json.RawMessage
		res.decode(t, &raw)
		for k, want := range map[string]string{
			"id": `1`, "company": `""`, "phone": `""`, "form_fields": `null`, "store_credit": `"0.0000"`,
			"registration_ip_address": `""`, "customer_group_id": `0`, "notes": `""`, "tax_exempt_category": `""`,
			"reset_pass_on_login": `false`, "accepts_marketing": `false`,
			"date_created": `"Mon, 06 May 2024 07:34:10 +0000"`, "date_modified": `"Mon, 06 May 2024 07:34:10 +0000"`,
			"addresses": `{"url":"` + strings.ReplaceAll(ts.URL, "/", `\/`) + `\/stores\/store1\/v2\/customers\/1\/addresses","resource":"\/customers\/1\/addresses"}`,
		} {
			if got := string(raw[k]); got != want {
				t.Errorf("%s=%s, want %s", k, got, want)
			}
		}
		// IDs are per store and start at 1 in every store.
		var other customer
		ts.do("POST", "/customers", jane(), withStore(ts.otherHash), withToken(ts.otherToken)).want(t, http.StatusCreated).decode(t, &other)
		if other.ID != 1 {
			t.Errorf("other store's first id=%d, want 1", other.ID)
		}
		if c := mustCreateCustomer(t, ts, with(jane(), "email", "second@example.com")); c.ID != 2 {
			t.Errorf("second id=%d, want 2", c.ID)
		}
	})
}

func TestCreateCustomer_AllFields(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		c := mustCreateCustomer(t, ts, obj{
			"first_name": "Jane", "last_name": "Doe", "email": "Jane@Example.com", "company": "Acme",
			"phone": "+61 2 9999 0000", "store_credit": 10.5, "registration_ip_address": "203.0.113.7",
			"customer_group_id": 0, "notes": "VIP", "tax_exempt_category": "G", "reset_pass_on_login": true,
		})
		want := customer{ID: 1, Company: "Acme", FirstName: "Jane", LastName: "Doe", Email: "Jane@Example.com",
			Phone: "+61 2 9999 0000", StoreCredit: "10.5000", RegistrationIPAddress: "203.0.113.7", Notes: "VIP",
			TaxExemptCategory: "G", ResetPassOnLogin: true}
		c.DateCreated, c.DateModified, c.Addresses = "", "", nil
		if !equalCustomer(c, want) {
			t.Errorf("got %+v\nwant %+v", c, want)
		}
		// A phone sent as a JSON number is taken as its digits.
		if c := mustCreateCustomer(t, ts, with(jane(), "email", "num@example.com", "phone", 5550100)); c.Phone != "5550100" {
			t.Errorf("phone from a number=%q, want 5550100", c.Phone)
		}
		if !rfc2822.MatchString(mustGetCustomer(t, ts, 1).DateCreated) {
			t.Error("date_created is not RFC 2822")
		}
	})
}

func equalCustomer(a, b customer) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func TestCreateCustomer_StoreCredit(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		for i, tt := range []struct {
			in   any
			want string
		}{{10.5, "10.5000"}, {"10.5", "10.5000"}, {"3", "3.0000"}, {0.12345, "0.1235"}, {"1e2", "100.0000"}} {
			c := mustCreateCustomer(t, ts, with(jane(), "email", "c"+itoa(int64(i))+"@example.com", "store_credit", tt.in))
			if c.StoreCredit != tt.want {
				t.Errorf("store_credit %v -> %q, want %q", tt.in, c.StoreCredit, tt.want)
			}
		}
		for _, bad := range []any{"abc", true, obj{}, -1, "NaN"} {
			ts.do("POST", "/customers", with(jane(), "email", "bad@example.com", "store_credit", bad)).
				wantError(t, 400, "The field 'store_credit' is invalid.")
		}
	})
}

func TestCreateCustomer_Errors(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		tests := []struct {
			name string
			body any
			want string
		}{
			{"NoFirstName", obj{"last_name": "Doe", "email": "a@example.com"}, "The required field 'first_name' was not supplied."},
			{"EmptyFirstName", with(jane(), "first_name", ""), "The required field 'first_name' was not supplied."},
			{"NullLastName", with(jane(), "last_name", nil), "The required field 'last_name' was not supplied."},
			{"NoEmail", obj{"first_name": "Jane", "last_name": "Doe"}, "The required field 'email' was not supplied."},
			{"BadEmail", with(jane(), "email", "not-an-email"), "The field 'email' is invalid."},
			{"EmailWithName", with(jane(), "email", "Jane <jane@example.com>"), "The field 'email' is invalid."},
			{"EmailNotString", with(jane(), "email", obj{"x": 1}), "The field 'email' is invalid."},
			{"FirstNameNotString", with(jane(), "first_name", []any{1}), "The field 'first_name' is invalid."},
			{"FirstNameNumber", with(jane(), "first_name", 123), "The field 'first_name' is invalid."},
			{"EmailNumber", with(jane(), "email", 5), "The field 'email' is invalid."},
			{"CompanyBool", with(jane(), "company", true), "The field 'company' is invalid."},
			{"PhoneBool", with(jane(), "phone", false), "The field 'phone' is invalid."},
			{"UnknownField", with(jane(), "favourite_colour", "blue"), "The field 'favourite_colour' is not supported by this resource."},
			{"TopLevelForceReset", with(jane(), "force_reset", true), "The field 'force_reset' is not supported by this resource."},
			{"UnknownAuthField", with(jane(), "_authentication", obj{"pin": "1"}), "The field 'pin' is not supported by this resource."},
			{"AuthNotObject", with(jane(), "_authentication", "x"), "The field '_authentication' is invalid."},
			{"GroupNotInteger", with(jane(), "customer_group_id", "abc"), "The field 'customer_group_id' is invalid."},
			{"UnknownGroup", with(jane(), "customer_group_id", 42), "The field 'customer_group_id' is invalid."},
			{"NegativeGroup", with(jane(), "customer_group_id", -1), "The field 'customer_group_id' is invalid."},
			{"ResetNotBool", with(jane(), "reset_pass_on_login", "maybe"), "The field 'reset_pass_on_login' is invalid."},
			{"TooLong", with(jane(), "first_name", strings.Repeat("x", 256)), "The field 'first_name' is invalid."},
			{"WeakPassword", with(jane(), "_authentication", obj{"password": "abcdefgh"}), "The field 'password' is invalid."},
			{"ShortPassword", with(jane(), "_authentication", obj{"password": "ab1"}), "The field 'password' is invalid."},
			{"ConfirmationMismatch", with(jane(), "_authentication", obj{"password": "secret123", "password_confirmation": "secret124"}), "The field 'password_confirmation' is invalid."},
			{"ConfirmationAlone", with(jane(), "_authentication", obj{"password_confirmation": "secret123"}), "The field 'password_confirmation' is invalid."},
			{"MalformedJSON", `{"first_name": "Jane",`, "The request body is not valid JSON."},
			{"ArrayBody", `[{"first_name": "Jane"}]`, "The request body is not valid JSON."},
			{"TrailingData", `{"first_name": "Jane"} {}`, "The request body is not valid JSON."},
			{"EmptyBody", ``, "The request body is not valid JSON."},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ts.do("POST", "/customers", tt.body).wantError(t, http.StatusBadRequest, tt.want)
			})
		}
		// A failed write changes nothing.
		ts.do("GET", "/customers", nil).want(t, http.StatusNoContent)
		var n struct{ Count int }
		ts.do("GET", "/customers/count", nil).want(t, 200).decode(t, &n)
		if n.Count != 0 {
			t.Errorf("count=%d after failed creates", n.Count)
		}
		// The failed attempts used no IDs.
		if c := mustCreateCustomer(t, ts, jane()); c.ID != 1 {
			t.Errorf("id=%d, want 1", c.ID)
		}
	})
}

func TestCreateCustomer_DuplicateEmail(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		mustCreateCustomer(t, ts, jane())
		for _, email := range []string{"jane@example.com", "JANE@Example.COM", " jane@example.com "} {
			res := ts.do("POST", "/customers", with(jane(), "email", email))
			res.want(t, http.StatusBadRequest)
			if got, want := string(res.Body), `[{"status":400,"message":"The field 'email' is invalid.","details":{"invalid_reason":"This email address is already in use by a customer."}}]`; got != want {
				t.Errorf("body=%s\nwant %s", got, want)
			}
		}
		// Another store may use the same email.
		ts.do("POST", "/customers", jane(), withStore(ts.otherHash), withToken(ts.otherToken)).want(t, http.StatusCreated)
	})
}

func TestCreateCustomer_ReadOnlyFieldsIgnored(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		c := mustCreateCustomer(t, ts, with(jane(), "id", 999, "date_created", "Tue, 01 Jan 2019 00:00:00 +0000",
			"date_modified", "x", "accepts_marketing", true, "addresses", obj{"url": "x", "resource": "y"},
			"form_fields", []any{})) // a non-empty one is a 400: TestFormFields_Refused
		if c.ID != 1 || c.AcceptsMarketing || c.FormFields != nil || c.DateCreated != "Mon, 06 May 2024 07:34:10 +0000" {
			t.Errorf("read-only fields were applied: %+v", c)
		}
		// What a client fetched can be sent back as is (the PHP client does).
		fetched := ts.do("GET", "/customers/1", nil).want(t, 200).Body
		ts.do("PUT", "/customers/1", string(fetched)).want(t, http.StatusOK)
	})
}

func TestCustomerPassword(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		validate := func(id int64, pw string) bool {
			t.Helper()
			res := ts.do("POST", "/customers/"+itoa(id)+"/validate", obj{"password": pw}).want(t, http.StatusOK)
			switch string(res.Body) {
			case `{"success":true}`:
				return true
			case `{"success":false}`:
				return false
			}
			t.Fatalf("validate body=%s", res.Body)
			return false
		}
		withPw := mustCreateCustomer(t, ts, with(jane(), "_authentication", obj{"password": "secret123", "password_confirmation": "secret123"}))
		if !validate(withPw.ID, "secret123") || validate(withPw.ID, "secret124") || validate(withPw.ID, "") {
			t.Error("validate with a password set")
		}
		if withPw.ResetPassOnLogin {
			t.Error("reset_pass_on_login set without force_reset")
		}
		// Without a password the customer has none: validate always says false.
		none := mustCreateCustomer(t, ts, with(jane(), "email", "none@example.com"))
		if validate(none.ID, "") || validate(none.ID, "secret123") {
			t.Error("a customer without a password validated")
		}
		// force_reset sets reset_pass_on_login.
		forced := mustCreateCustomer(t, ts, with(jane(), "email", "forced@example.com", "_authentication", obj{"force_reset": true}))
		if !forced.ResetPassOnLogin {
			t.Error("force_reset did not set reset_pass_on_login")
		}
		// PUT without _authentication keeps the password; with one it changes.
		ts.do("PUT", "/customers/"+itoa(withPw.ID), obj{"notes": "x"}).want(t, 200)
		if !validate(withPw.ID, "secret123") {
			t.Error("PUT without _authentication changed the password")
		}
		ts.do("PUT", "/customers/"+itoa(withPw.ID), obj{"_authentication": obj{"password": "newpass99"}}).want(t, 200)
		if validate(withPw.ID, "secret123") || !validate(withPw.ID, "newpass99") {
			t.Error("PUT with a password did not change it")
		}
		ts.do("PUT", "/customers/"+itoa(withPw.ID), obj{"_authentication": obj{"password": "another77", "password_confirmation": "nope"}}).
			wantError(t, 400, "The field 'password_confirmation' is invalid.")
		if !validate(withPw.ID, "newpass99") {
			t.Error("a rejected PUT changed the password")
		}
		// Errors of the validate endpoint.
		ts.do("POST", "/customers/99/validate", obj{"password": "secret123"}).wantError(t, 404, "The requested resource was not found.")
		ts.do("POST", "/customers/1/validate", obj{}).wantError(t, 400, "The required field 'password' was not supplied.")
		ts.do("POST", "/customers/1/validate", obj{"password": "x", "email": "y"}).wantError(t, 400, "The field 'email' is not supported by this resource.")
		// Neither the password nor its hash is ever returned or logged.
		body := string(ts.do("GET", "/customers", nil).want(t, 200).Body)
		for _, leak := range []string{"secret123", "newpass99", "$2a$", "_authentication", "password"} {
			if strings.Contains(body, leak) || strings.Contains(ts.logs.String(), leak) {
				t.Errorf("%q leaked into a response or the log", leak)
			}
		}
	})
}

func TestGetCustomer(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		mustCreateCustomer(t, ts, jane())
		if c := mustGetCustomer(t, ts, 1); c.Email != "jane@example.com" {
			t.Errorf("email=%q", c.Email)
		}
		for _, id := range []string{"2", "0", "-1", "abc", "99999999999999999999", "1.5"} {
			ts.do("GET", "/customers/"+id, nil).wantError(t, http.StatusNotFound, "The requested resource was not found.")
		}
	})
}

func TestUpdateCustomer(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		created := mustCreateCustomer(t, ts, with(jane(), "company", "Acme", "phone", "123"))
		mustCreateCustomer(t, ts, with(jane(), "email", "taken@example.com"))
		ts.clock.Advance(time.Hour)

		var c customer
		ts.do("PUT", "/customers/1", obj{"company": "Globex", "store_credit": "2.5", "email": "JANE@example.com"}).want(t, 200).decode(t, &c)
		if c.Company != "Globex" || c.Phone != "123" || c.FirstName != "Jane" || c.StoreCredit != "2.5000" || c.Email != "JANE@example.com" {
			t.Errorf("PUT changed the wrong fields: %+v", c)
		}
		if c.DateCreated != created.DateCreated || c.DateModified != "Mon, 06 May 2024 08:34:10 +0000" {
			t.Errorf("dates after PUT: created %q modified %q", c.DateCreated, c.DateModified)
		}
		if got := mustGetCustomer(t, ts, 1); !equalCustomer(got, c) {
			t.Errorf("GET after PUT=%+v, want %+v", got, c)
		}

		ts.do("PUT", "/customers/1", obj{"email": "Taken@example.com"}).want(t, 400)
		ts.do("PUT", "/customers/1", obj{"first_name": ""}).wantError(t, 400, "The field 'first_name' is invalid.")
		ts.do("PUT", "/customers/1", obj{"email": "nope"}).wantError(t, 400, "The field 'email' is invalid.")
		ts.do("PUT", "/customers/1", obj{"id": 5, "nickname": "x"}).wantError(t, 400, "The field 'nickname' is not supported by this resource.")
		ts.do("PUT", "/customers/1", obj{"customer_group_id": 7}).wantError(t, 400, "The field 'customer_group_id' is invalid.")
		if got := mustGetCustomer(t, ts, 1); !equalCustomer(got, c) {
			t.Errorf("a rejected PUT changed the customer: %+v", got)
		}
		ts.do("PUT", "/customers/99", obj{"notes": "x"}).wantError(t, 404, "The requested resource was not found.")
		ts.do("PUT", "/customers/1", obj{"reset_pass_on_login": true}).want(t, 200).decode(t, &c)
		if !c.ResetPassOnLogin {
			t.Error("reset_pass_on_login not written directly")
		}
	})
}

func TestDeleteCustomer(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		mustCreateCustomer(t, ts, jane())
		res := ts.do("DELETE", "/customers/1", nil).want(t, http.StatusNoContent)
		if len(res.Body) != 0 {
			t.Errorf("DELETE body=%q", res.Body)
		}
		ts.do("GET", "/customers/1", nil).want(t, http.StatusNotFound)
		ts.do("DELETE", "/customers/1", nil).wantError(t, http.StatusNotFound, "The requested resource was not found.")
		// IDs never repeat, even after the highest one is deleted.
		if c := mustCreateCustomer(t, ts, jane()); c.ID != 2 {
			t.Errorf("id after delete=%d, want 2", c.ID)
		}
	})
}

func TestDeleteCustomers(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		for _, e := range []string{"a@example.com", "b@example.com", "c@example.com"} {
			mustCreateCustomer(t, ts, with(jane(), "email", e))
		}
		ts.do("POST", "/customers", jane(), withStore(ts.otherHash), withToken(ts.otherToken)).want(t, 201)
		ts.do("DELETE", "/customers?email=B@example.com", nil).want(t, http.StatusNoContent)
		wantIDs(t, ts, "/customers", 1, 3)
		wantCount(t, ts, "/customers/count", 2)
		ts.do("DELETE", "/customers?nickname=x", nil).wantError(t, 400, "The field 'nickname' is not supported by this resource.")
		wantIDs(t, ts, "/customers", 1, 3)
		ts.do("DELETE", "/customers", nil).want(t, http.StatusNoContent)
		ts.do("GET", "/customers", nil).want(t, http.StatusNoContent)
		wantCount(t, ts, "/customers/count", 0)
		// The other store's customers are untouched.
		ts.do("GET", "/customers/1", nil, withStore(ts.otherHash), withToken(ts.otherToken)).want(t, 200)
		wantCount(t, ts, "/customers/count", 1, withStore(ts.otherHash), withToken(ts.otherToken))
	})
}

// wantIDs lists path and checks the ids, in order.
func wantIDs(tb testing.TB, ts *testServer, path string, ids ...int64) {
	tb.Helper()
	res := ts.do("GET", path, nil)
	if len(ids) == 0 {
		res.want(tb, http.StatusNoContent)
		return
	}
	var cs []struct{ ID int64 }
	res.want(tb, http.StatusOK).decode(tb, &cs)
	got := make([]int64, len(cs))
	for i, c := range cs {
		got[i] = c.ID
	}
	if !slices.Equal(got, ids) {
		tb.Fatalf("GET %s: ids=%v, want %v", path, got, ids)
	}
}

// wantCount reads a count endpoint and checks its value.
func wantCount(tb testing.TB, ts *testServer, path string, want int64, opts ...reqOption) {
	tb.Helper()
	var n struct {
		Count *int64 `json:"count"`
	}
	ts.do("GET", path, nil, opts...).want(tb, http.StatusOK).decode(tb, &n)
	if n.Count == nil || *n.Count != want {
		tb.Fatalf("GET %s: count=%v, want %d", path, n.Count, want)
	}
}
