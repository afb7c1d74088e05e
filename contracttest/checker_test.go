package contracttest_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/customersd/customersd/contracttest"
)

// Wire bodies as BEHAVIOR.md describes them.
const (
	customer = `{"id":1,"company":"","first_name":"Jane","last_name":"Doe","email":"jane@example.com","phone":"",` +
		`"form_fields":null,"date_created":"Mon, 06 May 2024 07:34:10 +0000","date_modified":"Mon, 06 May 2024 07:34:10 +0000",` +
		`"store_credit":"0.0000","registration_ip_address":"","customer_group_id":0,"notes":"","tax_exempt_category":"",` +
		`"reset_pass_on_login":false,"accepts_marketing":false,` +
		`"addresses":{"url":"http://x/stores/abc/v2/customers/1/addresses","resource":"/customers/1/addresses"}}`
	address = `{"id":2,"customer_id":1,"first_name":"Jane","last_name":"Doe","company":"","street_1":"1 Main St","street_2":"",` +
		`"city":"Austin","state":"Texas","zip":"78726","country":"United States","country_iso2":"US","phone":"555",` +
		`"address_type":"residential","form_fields":[]}`
	groupHead = `{"id":1,"name":"Wholesale","is_default":false,"category_access":{"type":"all"},`
	groupTail = `,"is_group_for_guests":false,"date_created":"2023-07-17 06:30:41","date_modified":"2023-07-25 01:15:19"}`
	group     = groupHead + `"discount_rules":[]` + groupTail
	count     = `{"count":3}`
	appErr    = `[{"status":400,"message":"The required field 'email' was not supplied."}]`
	gateway   = `{"status":401,"title":"Unauthorized","type":"https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes","errors":{}}`
)

func groupWith(rules string) string { return groupHead + `"discount_rules":` + rules + groupTail }

var jsonType = http.Header{"Content-Type": {"application/json"}}

type exchange struct {
	name   string
	method string
	target string // path and query
	status int
	header http.Header // jsonType when nil
	body   string
}

func TestChecker_Validate_OK(t *testing.T) {
	c := mustChecker(t)
	tests := []exchange{
		{"GetCustomer", "GET", "/stores/abc/v2/customers/1", 200, nil, customer},
		{"ListCustomers", "GET", "/stores/abc/v2/customers?page=1&limit=2", 200, nil, "[" + customer + "," + customer + "]"},
		{"ListCustomersEmpty", "GET", "/stores/abc/v2/customers?email=none@example.com", 204, http.Header{}, ""},
		{"ListCustomersPastEnd", "GET", "/stores/abc/v2/customers/1/addresses?page=9", 204, http.Header{}, ""},
		{"ListCustomersNotModified", "GET", "/stores/abc/v2/customer_groups", 304, http.Header{}, ""},
		{"GetCustomerNotModified", "GET", "/stores/abc/v2/customers/1", 304, http.Header{}, ""},
		{"GetGroupNotModified", "GET", "/stores/abc/v2/customer_groups/1", 304, http.Header{}, ""},
		{"CountCustomers", "GET", "/stores/abc/v2/customers/count", 200, nil, count},
		{"CreateCustomer", "POST", "/stores/abc/v2/customers", 201, nil, customer},
		{"UpdateCustomer", "PUT", "/stores/abc/v2/customers/1", 200, nil, customer},
		{"DeleteCustomer", "DELETE", "/stores/abc/v2/customers/1", 204, http.Header{}, ""},
		{"DeleteCustomers", "DELETE", "/stores/abc/v2/customers?min_id=3", 204, http.Header{}, ""},
		{"ValidatePassword", "POST", "/stores/abc/v2/customers/1/validate", 200, nil, `{"success":true}`},
		{"ValidatePasswordFalse", "POST", "/stores/abc/v2/customers/1/validate", 200, nil, `{"success":false}`},
		{"GetAddress", "GET", "/stores/abc/v2/customers/1/addresses/2", 200, nil, address},
		{"ListAddresses", "GET", "/stores/abc/v2/customers/1/addresses", 200, nil, "[" + address + "]"},
		{"CreateAddress", "POST", "/stores/abc/v2/customers/1/addresses", 201, nil, address},
		{"CountAddresses", "GET", "/stores/abc/v2/customers/1/addresses/count", 200, nil, count},
		{"GetAddressByIDAlone", "GET", "/stores/abc/v2/customers/addresses/2", 200, nil, address},
		{"CountAllAddresses", "GET", "/stores/abc/v2/customers/addresses/count", 200, nil, count},
		{"GetGroupNoRules", "GET", "/stores/abc/v2/customer_groups/1", 200, nil, group},
		{"GetGroupAllRule", "GET", "/stores/abc/v2/customer_groups/1", 200, nil, groupWith(`[{"type":"all","method":"percent","amount":"5.0000"}]`)},
		{"GetGroupMixedRules", "GET", "/stores/abc/v2/customer_groups/1", 200, nil, groupWith(
			`[{"type":"all","method":"percent","amount":"5.0000"},{"type":"category","method":"fixed","amount":"1.0000","category_id":3},` +
				`{"type":"product","method":"price","amount":"9.9900","product_id":7}]`)},
		{"GetGroupPriceList", "GET", "/stores/abc/v2/customer_groups/1", 200, nil, groupWith(`[{"type":"price_list","price_list_id":3}]`)},
		{"GetGroupSpecificCategories", "GET", "/stores/abc/v2/customer_groups/1", 200, nil,
			strings.Replace(group, `{"type":"all"}`, `{"type":"specific","categories":[18,19]}`, 1)},
		{"ListGroups", "GET", "/stores/abc/v2/customer_groups?name:like=whole", 200, nil, "[" + group + "]"},
		{"CreateGroup", "POST", "/stores/abc/v2/customer_groups", 201, nil, group},
		{"CountGroups", "GET", "/stores/abc/v2/customer_groups/count", 200, nil, count},
		{"DeleteAllGroups", "DELETE", "/stores/abc/v2/customer_groups", 204, http.Header{}, ""},
		{"JSONSuffix", "GET", "/stores/abc/v2/customers/1.json", 200, nil, customer},
		{"JSONSuffixOnCollection", "GET", "/stores/abc/v2/customers.json?page=2", 200, nil, "[" + customer + "]"},
		{"JSONSuffixOnCount", "GET", "/stores/abc/v2/customers/count.json", 200, nil, count},
		{"TrailingSlash", "GET", "/stores/abc/v2/customers/", 200, nil, "[" + customer + "]"},
		{"CharsetInContentType", "GET", "/stores/abc/v2/customers/1", 200, http.Header{"Content-Type": {"application/json; charset=utf-8"}}, customer},
		{"HeadCustomer", "HEAD", "/stores/abc/v2/customers/1", 200, nil, ""},
		{"HeadEmptyCollection", "HEAD", "/stores/abc/v2/customers", 204, http.Header{}, ""},
		{"HeadNotFound", "HEAD", "/stores/abc/v2/customers/9", 404, nil, ""},
		{"BadRequest", "POST", "/stores/abc/v2/customers", 400, nil, appErr},
		{"DuplicateEmail", "POST", "/stores/abc/v2/customers", 400, nil,
			`[{"status":400,"message":"The field 'email' is invalid.","details":{"invalid_reason":"This email address is already in use by a customer."}}]`},
		{"GroupBadRequest", "GET", "/stores/abc/v2/customer_groups/1?is_default=maybe", 400, nil, appErr},
		{"NotFound", "GET", "/stores/abc/v2/customers/9", 404, nil, `[{"status":404,"message":"The requested resource was not found."}]`},
		{"UnknownPathNotFound", "GET", "/stores/abc/v2/orders", 404, nil, `[{"status":404,"message":"The requested resource was not found."}]`},
		{"MethodNotAllowed", "POST", "/stores/abc/v2/customers/count", 405, nil, `[{"status":405,"message":"The requested method is not supported."}]`},
		{"NotImplemented", "PATCH", "/stores/abc/v2/customers/1", 501, nil, `[{"status":501,"message":"The requested method is not implemented."}]`},
		{"NotAcceptable", "GET", "/stores/abc/v2/customers", 406, nil, `[{"status":406,"message":"The requested content type is not acceptable."}]`},
		{"UnsupportedMediaType", "POST", "/stores/abc/v2/customers", 415, nil, `[{"status":415,"message":"The content type is not supported."}]`},
		{"Internal", "GET", "/stores/abc/v2/customers", 500, nil, `[{"status":500,"message":"Internal error."}]`},
		{"Unauthorized", "GET", "/stores/abc/v2/customers", 401, nil, gateway},
		{"Forbidden", "DELETE", "/stores/abc/v2/customers", 403, nil,
			`{"status":403,"title":"You don't have a required scope to access the endpoint","type":"https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes","errors":{}}`},
		{"TooManyRequests", "GET", "/stores/abc/v2/customers", 429, nil,
			`{"status":429,"title":"Too many requests","type":"https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes","errors":{}}`},
		{"NotV2", "GET", "/healthz", 200, http.Header{"Content-Type": {"text/plain"}}, "ok"},
		{"NotV2Admin", "POST", "/admin/stores", 500, http.Header{}, "boom"},
		{"OtherVersion", "GET", "/stores/abc/v3/customers", 200, nil, `{"data":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := validate(c, tt); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

func TestChecker_Validate_Gzip(t *testing.T) {
	c := mustChecker(t)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(customer)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	header := http.Header{"Content-Type": {"application/json"}, "Content-Encoding": {"gzip"}}
	req := httptest.NewRequest("GET", "/stores/abc/v2/customers/1", nil)
	if err := c.Validate(req, 200, header, buf.Bytes()); err != nil {
		t.Fatalf("Validate gzip: %v", err)
	}
	if err := c.Validate(req, 200, header, []byte(customer)); err == nil {
		t.Fatal("Validate accepted a plain body labelled gzip")
	}
}

// Each of these breaks the contract; the checker must say so, or it proves nothing.
func TestChecker_Validate_Fail(t *testing.T) {
	c := mustChecker(t)
	tests := []struct {
		exchange
		want string // part of the error
	}{
		{exchange{"GroupIDAsString", "GET", "/stores/abc/v2/customers/1", 200, nil,
			strings.Replace(customer, `"customer_group_id":0`, `"customer_group_id":"0"`, 1)}, "customer_group_id"},
		{exchange{"StoreCreditAsNumber", "GET", "/stores/abc/v2/customers", 200, nil,
			"[" + strings.Replace(customer, `"store_credit":"0.0000"`, `"store_credit":0`, 1) + "]"}, "store_credit"},
		{exchange{"EmailMissing", "GET", "/stores/abc/v2/customers/1", 200, nil,
			strings.Replace(customer, `"email":"jane@example.com",`, "", 1)}, "email"},
		{exchange{"AuthenticationLeaked", "PUT", "/stores/abc/v2/customers/1", 200, nil,
			strings.Replace(customer, `{"id":1,`, `{"id":1,"_authentication":{"password":"x"},`, 1)}, "_authentication"},
		{exchange{"ZipAsNumber", "GET", "/stores/abc/v2/customers/1/addresses/2", 200, nil,
			strings.Replace(address, `"zip":"78726"`, `"zip":78726`, 1)}, "zip"},
		{exchange{"AliasAddressZipAsNumber", "GET", "/stores/abc/v2/customers/addresses/2", 200, nil,
			strings.Replace(address, `"zip":"78726"`, `"zip":78726`, 1)}, "zip"},
		{exchange{"CategoryAccessBadType", "GET", "/stores/abc/v2/customer_groups/1", 200, nil,
			strings.Replace(group, `{"type":"all"}`, `{"type":"some"}`, 1)}, "category_access"},
		{exchange{"DiscountRuleBadMethod", "GET", "/stores/abc/v2/customer_groups/1", 200, nil,
			groupWith(`[{"type":"all","method":"half","amount":"5.0000"}]`)}, "discount_rules"},
		{exchange{"DiscountRulesNotArray", "GET", "/stores/abc/v2/customer_groups/1", 200, nil,
			groupWith(`{}`)}, "discount_rules"},
		{exchange{"ValidateAsString", "POST", "/stores/abc/v2/customers/1/validate", 200, nil, `{"success":"true"}`}, "success"},
		{exchange{"CreateAnswers200", "POST", "/stores/abc/v2/customers", 200, nil, customer}, "201"},
		{exchange{"CreatedBodyWrong", "POST", "/stores/abc/v2/customer_groups", 201, nil,
			strings.Replace(group, `"is_default":false`, `"is_default":"no"`, 1)}, "is_default"},
		{exchange{"ValidateAnswers201", "POST", "/stores/abc/v2/customers/1/validate", 201, nil, `{"success":true}`}, "not documented"},
		{exchange{"EmptyListAs200", "GET", "/stores/abc/v2/customers", 200, nil, `[]`}, "204"},
		{exchange{"NoContentWithBody", "GET", "/stores/abc/v2/customers", 204, nil, `[]`}, "empty body"},
		{exchange{"DeleteWithBody", "DELETE", "/stores/abc/v2/customers/1", 204, nil, `{}`}, "empty body"},
		{exchange{"NoContentOnSingle", "GET", "/stores/abc/v2/customers/1", 204, http.Header{}, ""}, "not documented"},
		{exchange{"NotModifiedOnAddress", "GET", "/stores/abc/v2/customers/1/addresses/2", 304, http.Header{}, ""}, "not documented"},
		{exchange{"NotModifiedWithBody", "GET", "/stores/abc/v2/customers/1", 304, nil, customer}, "empty body"},
		{exchange{"EmptyBodyOn200", "GET", "/stores/abc/v2/customers/1", 200, nil, ""}, "decode"},
		{exchange{"ErrorAsObjectOn400", "POST", "/stores/abc/v2/customers", 400, nil,
			`{"status":400,"message":"The required field 'email' was not supplied."}`}, "error array"},
		{exchange{"ErrorRequestShapeOn400", "GET", "/stores/abc/v2/customer_groups/1", 400, nil,
			`{"errors":[{"status":400,"title":"Bad Request","type":"x"}]}`}, "error array"},
		{exchange{"ErrorStatusMismatch", "GET", "/stores/abc/v2/customers/9", 404, nil, appErr}, "HTTP status 404"},
		{exchange{"ErrorEmptyMessage", "POST", "/stores/abc/v2/customers", 400, nil, `[{"status":400,"message":""}]`}, "message"},
		{exchange{"ErrorEmptyArray", "POST", "/stores/abc/v2/customers", 400, nil, `[]`}, "error array"},
		{exchange{"ErrorExtraField", "POST", "/stores/abc/v2/customers", 400, nil, `[{"status":400,"message":"x","field":"email"}]`}, "field"},
		{exchange{"ErrorNoBody", "GET", "/stores/abc/v2/customers/9", 404, http.Header{}, ""}, "error body"},
		{exchange{"UnauthorizedAsArray", "GET", "/stores/abc/v2/customers", 401, nil, `[{"status":401,"message":"Unauthorized"}]`}, "gateway"},
		{exchange{"ForbiddenWithoutErrors", "GET", "/stores/abc/v2/customers", 403, nil, `{"status":403,"title":"Forbidden","type":"x"}`}, "errors"},
		{exchange{"Unprocessable", "POST", "/stores/abc/v2/customers", 422, nil, `[{"status":422,"message":"x"}]`}, "not documented"},
		{exchange{"Conflict", "POST", "/stores/abc/v2/customers", 409, nil, `[{"status":409,"message":"x"}]`}, "not documented"},
		{exchange{"UnknownV2Path", "GET", "/stores/abc/v2/customer/count", 200, nil, count}, "no route"},
		{exchange{"UnknownV2Root", "GET", "/stores/abc/v2", 200, nil, `{}`}, "no route"},
		{exchange{"UndocumentedMethod", "PATCH", "/stores/abc/v2/customers/1", 200, nil, customer}, "no PATCH operation"},
		{exchange{"AliasOtherMethod", "PUT", "/stores/abc/v2/customers/addresses/2", 200, nil, address}, "no PUT operation"},
		{exchange{"TextContentType", "GET", "/stores/abc/v2/customers/count", 200, http.Header{"Content-Type": {"text/plain"}}, count}, "application/json"},
		{exchange{"NoContentType", "GET", "/stores/abc/v2/customers/count", 200, http.Header{}, count}, "Content-Type"},
		{exchange{"ErrorTextContentType", "GET", "/stores/abc/v2/customers/9", 404, http.Header{"Content-Type": {"text/html"}},
			`[{"status":404,"message":"x"}]`}, "application/json"},
		{exchange{"NotJSON", "GET", "/stores/abc/v2/customers/1", 200, nil, `{"id":1`}, "decode"},
		{exchange{"HeadWithBody", "HEAD", "/stores/abc/v2/customers/1", 200, nil, customer}, "HEAD"},
		{exchange{"HeadUndocumentedStatus", "HEAD", "/stores/abc/v2/customers/1", 201, http.Header{}, ""}, "not documented"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := validate(c, tt.exchange)
			if err == nil {
				t.Fatal("Validate accepted it")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate: %v\nwant an error mentioning %q", err, tt.want)
			}
			t.Logf("Validate: %v", err) // read with -v: a failure must say what is wrong
		})
	}
}

// The checker is shared by every test of a binary, and those run in parallel.
func TestChecker_Validate_Concurrent(t *testing.T) {
	c := mustChecker(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				if err := validate(c, exchange{"", "GET", "/stores/abc/v2/customer_groups", 200, nil, "[" + group + "]"}); err != nil {
					t.Errorf("Validate: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestNewChecker_Errors(t *testing.T) {
	if _, err := contracttest.NewChecker(filepath.Join(t.TempDir(), "missing.yml")); err == nil {
		t.Fatal("NewChecker accepted a missing file")
	}
	// A document the table does not fit: the rows must be revisited, not ignored.
	p := filepath.Join(t.TempDir(), "other.yml")
	doc := "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths: {}\n"
	if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := contracttest.NewChecker(p); err == nil || !strings.Contains(err.Error(), "exception") {
		t.Fatalf("NewChecker(other document) = %v, want an error naming an exception", err)
	}
}

func validate(c *contracttest.Checker, x exchange) error {
	header := x.header
	if header == nil {
		header = jsonType
	}
	return c.Validate(httptest.NewRequest(x.method, x.target, nil), x.status, header, []byte(x.body))
}

var (
	checkerOnce sync.Once
	checker     *contracttest.Checker
	checkerErr  error
)

// mustChecker returns the checker for the real document, loaded once, or skips
// the test when the document is not there.
func mustChecker(tb testing.TB) *contracttest.Checker {
	tb.Helper()
	path := specPath(tb)
	checkerOnce.Do(func() { checker, checkerErr = contracttest.NewChecker(path) })
	if checkerErr != nil {
		tb.Fatalf("NewChecker: %v", checkerErr)
	}
	return checker
}

// specPath is the document named by CUSTOMERSD_CONTRACT_SPEC, else the shared
// copy beside the repository.
func specPath(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv(contracttest.SpecEnv); p != "" {
		return p
	}
	p := filepath.Join("..", "..", "shared", "spec", "customers.v2.yml")
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("no OpenAPI document: set %s or provide %s", contracttest.SpecEnv, p)
	}
	return p
}
