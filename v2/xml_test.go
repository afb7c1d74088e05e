package v2_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/customersd/customersd/contracttest"
	v2 "github.com/customersd/customersd/v2"
)

// asXML asks for XML, as a client in XML mode does.
var asXML = withHeader("Accept", "application/xml")

// noAccept sends no Accept header, as many clients do.
func noAccept(r *http.Request) { r.Header.Del("Accept") }

// wantFormat checks a response's status and that its body is in format f.
func (r *response) wantFormat(tb testing.TB, status int, f string) *response {
	tb.Helper()
	r.want(tb, status)
	want := "application/" + f
	if ct := r.Header.Get("Content-Type"); ct != want {
		tb.Fatalf("Content-Type=%q, want %s; body: %s", ct, want, r.Body)
	}
	if f == "xml" && !strings.HasPrefix(string(r.Body), `<?xml version="1.0"?>`+"\n") {
		tb.Fatalf("body without the XML declaration: %s", r.Body)
	}
	return r
}

// TestNegotiationTable is every row of XML.md §2.2.
func TestNegotiationTable(t *testing.T) {
	ts := newTestServer(t, "sqlite")
	mustCreateCustomer(t, ts, jane())
	const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
	for _, tt := range []struct {
		row    string
		accept string // "-": no Accept header
		suffix string
		status int
		format string
	}{
		{"1 no Accept, no suffix", "-", "", 200, "xml"},
		{"2 */*", "*/*", "", 200, "xml"},
		{"3 application/json", "application/json", "", 200, "json"},
		{"4 application/xml", "application/xml", "", 200, "xml"},
		{"5 .json, no Accept", "-", ".json", 200, "json"},
		{"5 .json, */*", "*/*", ".json", 200, "json"},
		{"6 .xml, no Accept", "-", ".xml", 200, "xml"},
		{"6 .xml, */*", "*/*", ".xml", 200, "xml"},
		{"7 application/xml + .json", "application/xml", ".json", 200, "xml"},
		{"8 application/json + .xml", "application/json", ".xml", 200, "json"},
		{"9 application/json;q=0.9 + .xml", "application/json;q=0.9", ".xml", 200, "xml"},
		{"10 application/json;q=0.9", "application/json;q=0.9", "", 200, "json"},
		{"11 both at q=1: the first", "application/json, application/xml", "", 200, "json"},
		{"11 both at q=1, XML first", "application/xml, application/json", "", 200, "xml"},
		{"12 highest q<1", "application/xml;q=0.5, application/json;q=0.9", "", 200, "json"},
		{"13 foo,application/xml", "foo,application/xml", "", 200, "xml"},
		{"14 foo", "foo", "", 200, "xml"},
		{"15 application/foo", "application/foo", "", 406, "xml"},
		{"15 application/foo + .json", "application/foo", ".json", 406, "json"},
		{"16 .csv", "-", ".csv", 406, "xml"},
		{"16 .csv, application/json", "application/json", ".csv", 406, "json"},
		{"17 text/xml", "text/xml", "", 200, "xml"},
		{"17 text/html", "text/html", "", 200, "xml"},
		{"17 a browser", browser, "", 200, "xml"},
		{"17 text/html + .json", "text/html", ".json", 200, "json"},
	} {
		t.Run(tt.row, func(t *testing.T) {
			opt := withHeader("Accept", tt.accept)
			if tt.accept == "-" {
				opt = noAccept
			}
			res := ts.do("GET", "/customers/1"+tt.suffix, nil, opt).wantFormat(t, tt.status, tt.format)
			if tt.status == http.StatusNotAcceptable && tt.format == "json" {
				res.wantError(t, tt.status, "This resource can only be served as application/xml or application/json.")
			}
		})
	}
	t.Run("18 JSON body, no Accept", func(t *testing.T) {
		ts.do("POST", "/customers", with(jane(), "email", "row18@example.com"), noAccept).wantFormat(t, http.StatusCreated, "xml")
	})
	t.Run("19 XML body, Accept: application/json", func(t *testing.T) {
		// The XML body is parsed; the format follows Accept alone.
		body := "<customer><first_name>Row</first_name><last_name>Nineteen</last_name><email>row19@example.com</email></customer>"
		ts.do("POST", "/customers", body, withHeader("Content-Type", "application/xml")).wantFormat(t, http.StatusCreated, "json")
	})
}

// TestDefaultFormatJSON: the server setting answers JSON where
// BigCommerce answers XML, and nothing else changes.
func TestDefaultFormatJSON(t *testing.T) {
	ts := newTestServer(t, "sqlite", func(_ *testServer, api *v2.Server) { api.DefaultFormat = v2.FormatJSON })
	mustCreateCustomer(t, ts, jane())
	ts.do("GET", "/customers/1", nil, noAccept).wantFormat(t, 200, "json")
	ts.do("GET", "/customers/1", nil, withHeader("Accept", "*/*")).wantFormat(t, 200, "json")
	ts.do("GET", "/customers/1", nil, asXML).wantFormat(t, 200, "xml")
	ts.do("GET", "/customers/1.xml", nil, noAccept).wantFormat(t, 200, "xml")
	ts.do("GET", "/customers/1.csv", nil, noAccept).wantFormat(t, 406, "json")
	ts.do("GET", "/orders", nil, noAccept).wantFormat(t, 404, "json")
}

// sameInBoth sends the request twice, for JSON and for XML, and checks that
// the XML is the JSON's form (contracttest.CompareXML). Only for requests
// that change nothing.
func sameInBoth(t *testing.T, ts *testServer, method, path string, body any, status int) {
	t.Helper()
	j := ts.do(method, path, body).wantFormat(t, status, "json")
	x := ts.do(method, path, body, asXML).wantFormat(t, status, "xml")
	if err := contracttest.CompareXML(x.Body, j.Body); err != nil {
		t.Errorf("%s %s: %v\nXML: %s\nJSON: %s", method, path, err, x.Body, j.Body)
	}
}

// xmlLikeJSON checks an XML answer against the JSON of a later GET.
func xmlLikeJSON(t *testing.T, ts *testServer, x *response, path string) {
	t.Helper()
	j := ts.do("GET", path, nil).wantFormat(t, http.StatusOK, "json")
	if err := contracttest.CompareXML(x.Body, j.Body); err != nil {
		t.Errorf("GET %s: %v\nXML: %s\nJSON: %s", path, err, x.Body, j.Body)
	}
}

// TestXMLRoundTrip: create, read, update, list, count, validate and errors
// of customers, addresses and groups answer in XML with the same content as
// in JSON, and with XML.md's names (contracttest checks the roots of every
// response the tests see).
func TestXMLRoundTrip(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		// Customers.
		notes := "a </notes> & ]]> b\r\nc/d \u00e9"
		x := ts.do("POST", "/customers", with(jane(), "notes", notes, "_authentication", obj{"password": "secret123"}), asXML).wantFormat(t, http.StatusCreated, "xml")
		xmlLikeJSON(t, ts, x, "/customers/1")
		mustCreateCustomer(t, ts, with(jane(), "email", "two@example.com"))
		x = ts.do("PUT", "/customers/1", obj{"company": "Acme & Sons", "accepts_marketing": true, "store_credit": 10}, asXML).wantFormat(t, http.StatusOK, "xml")
		xmlLikeJSON(t, ts, x, "/customers/1")
		sameInBoth(t, ts, "GET", "/customers/1", nil, http.StatusOK)
		sameInBoth(t, ts, "GET", "/customers", nil, http.StatusOK)
		sameInBoth(t, ts, "GET", "/customers?limit=1", nil, http.StatusOK)
		sameInBoth(t, ts, "GET", "/customers/count", nil, http.StatusOK)
		sameInBoth(t, ts, "POST", "/customers/1/validate", obj{"password": "secret123"}, http.StatusOK)
		sameInBoth(t, ts, "POST", "/customers/1/validate", obj{"password": "wrong-one"}, http.StatusOK)
		sameInBoth(t, ts, "POST", "/customers", obj{"last_name": "Doe"}, http.StatusBadRequest)
		sameInBoth(t, ts, "POST", "/customers", with(jane(), "email", "two@example.com"), http.StatusBadRequest) // with details
		sameInBoth(t, ts, "GET", "/customers/999", nil, http.StatusNotFound)
		sameInBoth(t, ts, "GET", "/customers?limit=251", nil, http.StatusRequestEntityTooLarge)
		sameInBoth(t, ts, "PUT", "/customers", obj{}, http.StatusMethodNotAllowed)
		ts.do("GET", "/customers?page=9", nil, asXML).want(t, http.StatusNoContent)

		// Addresses.
		x = ts.do("POST", "/customers/1/addresses", home(), asXML).wantFormat(t, http.StatusCreated, "xml")
		xmlLikeJSON(t, ts, x, "/customers/1/addresses/1")
		x = ts.do("PUT", "/customers/1/addresses/1", obj{"city": "Dallas", "street_2": "<b>"}, asXML).wantFormat(t, http.StatusOK, "xml")
		xmlLikeJSON(t, ts, x, "/customers/1/addresses/1")
		sameInBoth(t, ts, "GET", "/customers/1/addresses/1", nil, http.StatusOK)
		sameInBoth(t, ts, "GET", "/customers/1/addresses", nil, http.StatusOK)
		sameInBoth(t, ts, "GET", "/customers/1/addresses/count", nil, http.StatusOK)
		sameInBoth(t, ts, "GET", "/customers/addresses/count", nil, http.StatusOK)
		sameInBoth(t, ts, "GET", "/customers/addresses/1", nil, http.StatusOK)
		sameInBoth(t, ts, "POST", "/customers/1/addresses", obj{"first_name": "Jane"}, http.StatusBadRequest)
		sameInBoth(t, ts, "GET", "/customers/1/addresses/99", nil, http.StatusNotFound)
		ts.do("GET", "/customers/2/addresses", nil, asXML).want(t, http.StatusNoContent)

		// Groups.
		group := obj{"name": "Wholesale", "category_access": obj{"type": "specific", "categories": []int{18, 19, 23}},
			"discount_rules": []obj{{"type": "all", "method": "percent", "amount": 5}, {"type": "product", "product_id": 33, "method": "price", "amount": 12}}}
		x = ts.do("POST", "/customer_groups", group, asXML).wantFormat(t, http.StatusCreated, "xml")
		xmlLikeJSON(t, ts, x, "/customer_groups/1")
		x = ts.do("PUT", "/customer_groups/1", obj{"discount_rules": []obj{}, "category_access": obj{"type": "all"}}, asXML).wantFormat(t, http.StatusOK, "xml")
		xmlLikeJSON(t, ts, x, "/customer_groups/1")
		ts.do("POST", "/customer_groups", group2(), asXML).wantFormat(t, http.StatusCreated, "xml")
		sameInBoth(t, ts, "GET", "/customer_groups/2", nil, http.StatusOK)
		sameInBoth(t, ts, "GET", "/customer_groups", nil, http.StatusOK)
		sameInBoth(t, ts, "GET", "/customer_groups/count", nil, http.StatusOK)
		sameInBoth(t, ts, "POST", "/customer_groups", obj{"is_default": true}, http.StatusBadRequest)
		sameInBoth(t, ts, "GET", "/customer_groups/9", nil, http.StatusNotFound)
		ts.do("GET", "/customer_groups?page=5", nil, asXML).want(t, http.StatusNoContent)
	})
}

func group2() obj {
	return obj{"name": "Specific, none", "category_access": obj{"type": "specific", "categories": []int{}},
		"discount_rules": []obj{{"type": "price_list", "price_list_id": 1}}}
}

// TestXMLErrorsOfTheGateway: the gateway's own refusals are in the
// negotiated format too, except the gateway objects (401, 403, 429), which
// XML.md §6.2 [INF] has in JSON whatever the Accept.
func TestXMLErrorsOfTheGateway(t *testing.T) {
	ts := newTestServer(t, "sqlite")
	for _, tt := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/orders", http.StatusNotFound},
		{"PUT", "/customers", http.StatusMethodNotAllowed},
		{"GET", "/customers.csv", http.StatusNotAcceptable},
	} {
		res := ts.do(tt.method, tt.path, nil, noAccept).wantFormat(t, tt.status, "xml")
		if err := contracttest.CompareXML(res.Body, ts.do(tt.method, tt.path, nil).Body); err != nil {
			t.Errorf("%s %s: %v", tt.method, tt.path, err)
		}
	}
	ts.do("GET", "/customers", nil, noAccept, withToken("")).wantFormat(t, http.StatusUnauthorized, "json").wantGatewayError(t, http.StatusUnauthorized)
	ts.do("POST", "/customers", jane(), asXML, withToken(ts.readToken)).wantFormat(t, http.StatusForbidden, "json").wantGatewayError(t, http.StatusForbidden)
}

// TestXMLExamples reproduces the complete examples of XML.md §9 byte for
// byte, in our indentation (two spaces). Ids are the ones this store
// hands out, 1 where the examples have 5, 8 or 2.
func TestXMLExamples(t *testing.T) {
	ts := newTestServer(t, "sqlite")
	root := ts.URL + "/stores/store1/v2"
	mustCreateCustomer(t, ts, obj{"first_name": "Ivory", "last_name": "Keller", "email": "muro@mailinator.com",
		"phone": "+1 (752) 337-4022", "registration_ip_address": "39.42.27.1"})
	examples := []struct {
		name, method, path string
		body               any
		status             int
		want               string
	}{
		{"9.1 customer", "GET", "/customers/1", nil, 200, `<?xml version="1.0"?>
<customer>
  <id>1</id>
  <company/>
  <first_name>Ivory</first_name>
  <last_name>Keller</last_name>
  <email>muro@mailinator.com</email>
  <phone>+1 (752) 337-4022</phone>
  <form_fields>NULL</form_fields>
  <date_created>Mon, 06 May 2024 07:34:10 +0000</date_created>
  <date_modified>Mon, 06 May 2024 07:34:10 +0000</date_modified>
  <store_credit>0.0000</store_credit>
  <registration_ip_address>39.42.27.1</registration_ip_address>
  <customer_group_id>0</customer_group_id>
  <notes/>
  <tax_exempt_category/>
  <reset_pass_on_login>false</reset_pass_on_login>
  <accepts_marketing>false</accepts_marketing>
  <addresses>
    <link rel="resource" href="` + root + `/customers/1/addresses">/customers/1/addresses</link>
  </addresses>
</customer>
`},
		{"9.3 address", "POST", "/customers/1/addresses", obj{"first_name": "Ivory", "last_name": "Keller", "street_1": "11 New Avenue",
			"city": "Lahore", "state": "Punjab", "zip": "54000", "country": "Pakistan", "phone": "+1 (752) 337-4022"}, 201, `<?xml version="1.0"?>
<address>
  <id>1</id>
  <customer_id>1</customer_id>
  <first_name>Ivory</first_name>
  <last_name>Keller</last_name>
  <company/>
  <street_1>11 New Avenue</street_1>
  <street_2/>
  <city>Lahore</city>
  <state>Punjab</state>
  <zip>54000</zip>
  <country>Pakistan</country>
  <country_iso2>PK</country_iso2>
  <phone>+1 (752) 337-4022</phone>
  <address_type>residential</address_type>
  <form_fields>NULL</form_fields>
</address>
`},
		{"9.4 address list", "GET", "/customers/1/addresses", nil, 200, `<?xml version="1.0"?>
<addresses>
  <address>
    <id>1</id>
    <customer_id>1</customer_id>
    <first_name>Ivory</first_name>
    <last_name>Keller</last_name>
    <company/>
    <street_1>11 New Avenue</street_1>
    <street_2/>
    <city>Lahore</city>
    <state>Punjab</state>
    <zip>54000</zip>
    <country>Pakistan</country>
    <country_iso2>PK</country_iso2>
    <phone>+1 (752) 337-4022</phone>
    <address_type>residential</address_type>
    <form_fields>NULL</form_fields>
  </address>
</addresses>
`},
		// §9.5 with the rule keys in their JSON order (the example's order
		// inside a rule is [INF]) and the group dates of XML.md §5.
		{"9.5 group", "POST", "/customer_groups", obj{"name": "Wholesale", "category_access": obj{"type": "specific", "categories": []int{18, 19, 23}},
			"discount_rules": []obj{{"type": "all", "method": "percent", "amount": 5}, {"type": "product", "product_id": 33, "method": "price", "amount": 12},
				{"type": "category", "category_id": 7, "method": "fixed", "amount": 2.5}}}, 201, `<?xml version="1.0"?>
<customer_group>
  <id>1</id>
  <name>Wholesale</name>
  <is_default>false</is_default>
  <category_access>
    <type>specific</type>
    <categories>
      <value>18</value>
      <value>19</value>
      <value>23</value>
    </categories>
  </category_access>
  <discount_rules>
    <discount_rule>
      <type>all</type>
      <method>percent</method>
      <amount>5.0000</amount>
    </discount_rule>
    <discount_rule>
      <type>product</type>
      <method>price</method>
      <amount>12.0000</amount>
      <product_id>33</product_id>
    </discount_rule>
    <discount_rule>
      <type>category</type>
      <method>fixed</method>
      <amount>2.5000</amount>
      <category_id>7</category_id>
    </discount_rule>
  </discount_rules>
  <is_group_for_guests>false</is_group_for_guests>
  <date_created>2024-05-06 07:34:10</date_created>
  <date_modified>2024-05-06 07:34:10</date_modified>
</customer_group>
`},
		{"9.5 group without rules", "POST", "/customer_groups", obj{"name": "Retail", "category_access": obj{"type": "all"}}, 201, `<?xml version="1.0"?>
<customer_group>
  <id>2</id>
  <name>Retail</name>
  <is_default>false</is_default>
  <category_access>
    <type>all</type>
  </category_access>
  <discount_rules/>
  <is_group_for_guests>false</is_group_for_guests>
  <date_created>2024-05-06 07:34:10</date_created>
  <date_modified>2024-05-06 07:34:10</date_modified>
</customer_group>
`},
		{"9.6 count", "GET", "/customers/count", nil, 200, `<?xml version="1.0"?>
<count>
  <count>1</count>
</count>
`},
		{"9.7 validate", "POST", "/customers/1/validate", obj{"password": "correct horse"}, 200, `<?xml version="1.0"?>
<validate>
  <success>false</success>
</validate>
`},
		{"9.8 400", "POST", "/customers", obj{"last_name": "Doe", "email": "x@example.com"}, 400, `<?xml version="1.0"?>
<errors>
  <error>
    <status>400</status>
    <message>The required field 'first_name' was not supplied.</message>
  </error>
</errors>
`},
		{"9.9 404", "GET", "/customers/999.xml", nil, 404, `<?xml version="1.0"?>
<errors>
  <error>
    <status>404</status>
    <message>The requested resource was not found.</message>
  </error>
</errors>
`},
		{"6.2 413 with details", "GET", "/customers?limit=251", nil, 413, `<?xml version="1.0"?>
<errors>
  <error>
    <status>413</status>
    <message>The specified limit exceeds the maximum allowed.</message>
    <details>
      <max_limit>250</max_limit>
    </details>
  </error>
</errors>
`},
	}
	for _, ex := range examples {
		res := ts.do(ex.method, ex.path, ex.body, asXML).wantFormat(t, ex.status, "xml")
		if string(res.Body) != ex.want {
			t.Errorf("%s: body\n%s\nwant\n%s", ex.name, res.Body, ex.want)
		}
	}
}

// TestXMLText: text with markup characters goes in CDATA and reads back
// exactly, whatever it holds; characters XML cannot carry become U+FFFD.
func TestXMLText(t *testing.T) {
	ts := newTestServer(t, "sqlite")
	for i, notes := range []string{"plain", "a<b", "x & y", "]]>", "a]]>b]]>", "<![CDATA[x]]>", "line\r\nnext", "<\r>", "quote \" ' end", "tab\there"} {
		email := "t" + itoa(int64(i)) + "@example.com"
		x := ts.do("POST", "/customers", with(jane(), "email", email, "notes", notes), asXML).wantFormat(t, http.StatusCreated, "xml")
		xmlLikeJSON(t, ts, x, "/customers/"+itoa(int64(i+1)))
		if strings.ContainsAny(notes, "<>&") && !strings.Contains(string(x.Body), "<notes><![CDATA[") {
			t.Errorf("notes %q not in CDATA: %s", notes, x.Body)
		}
	}
}
