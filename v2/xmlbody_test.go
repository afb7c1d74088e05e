package v2_test

import (
	"net/http"
	"strings"
	"testing"
)

// xmlBody sends the request body as XML. Responses stay JSON: the tests
// ask for it, since the request's Content-Type never picks the format.
var xmlBody = withHeader("Content-Type", "application/xml")

// XML.md §9.11: QA's customer payload, once with the <customer> root the docs
// ask for and once as dicttoxml builds it (<root>, type attributes), which
// BigCommerce answered with 201.
func TestXMLBody_Customer(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		const documented = `<?xml version="1.0" encoding="UTF-8"?>
<customer>
  <first_name>Jane</first_name>
  <last_name>Doe</last_name>
  <email>jane@example.com</email>
  <phone>0255500000</phone>
  <store_credit>10</store_credit>
  <customer_group_id>0</customer_group_id>
  <notes>Automation Testing created this customer</notes>
  <_authentication>
    <password>12w69Y217PYR96J</password>
    <password_confirmation>12w69Y217PYR96J</password_confirmation>
  </_authentication>
</customer>`
		res := ts.do("POST", "/customers", documented, xmlBody).want(t, http.StatusCreated)
		if ct := res.Header.Get("Content-Type"); ct != "application/json" {
			t.Fatalf("Content-Type=%q, want the JSON that was asked for", ct)
		}
		var c customer
		res.decode(t, &c)
		if c.FirstName != "Jane" || c.Email != "jane@example.com" || c.Phone != "0255500000" ||
			c.StoreCredit != "10.0000" || c.Notes != "Automation Testing created this customer" {
			t.Fatalf("got %+v", c)
		}
		validate := func(body string) string {
			return string(ts.do("POST", "/customers/"+itoa(c.ID)+"/validate", body, xmlBody).want(t, http.StatusOK).Body)
		}
		if got := validate(`<customer><password>12w69Y217PYR96J</password></customer>`); got != `{"success":true}` {
			t.Fatalf("validate with the password: %s", got)
		}
		if got := validate(`<customer><password>wrong1234x</password></customer>`); got != `{"success":false}` {
			t.Fatalf("validate with another password: %s", got)
		}

		const dicttoxml = `<?xml version="1.0" ?><root><first_name type="str">John</first_name>` +
			`<last_name type="str">Roe</last_name><email type="str">john@example.com</email>` +
			`<phone type="str">0044</phone><store_credit type="float">1.5</store_credit>` +
			`<_authentication type="dict"><password type="str">secret123</password></_authentication></root>`
		var john customer
		ts.do("POST", "/customers", dicttoxml, xmlBody).want(t, http.StatusCreated).decode(t, &john)
		if john.FirstName != "John" || john.Phone != "0044" || john.StoreCredit != "1.5000" {
			t.Fatalf("got %+v", john)
		}

		// PUT changes only what it sends; an empty element is "".
		var put customer
		ts.do("PUT", "/customers/"+itoa(c.ID), `<customer><company>Acme</company><notes/>`+
			`<reset_pass_on_login>true</reset_pass_on_login></customer>`,
			withHeader("Content-Type", "text/xml; charset=utf-8")).want(t, http.StatusOK).decode(t, &put)
		if put.Company != "Acme" || put.Notes != "" || !put.ResetPassOnLogin || put.FirstName != "Jane" || put.Phone != "0255500000" {
			t.Fatalf("after PUT: %+v", put)
		}
		// What V2 writes for a fetched customer can be sent back: read-only
		// fields are ignored, NULL is null (not sent).
		ts.do("PUT", "/customers/"+itoa(c.ID), `<customer><id>1</id><company>Acme2</company><form_fields>NULL</form_fields>`+
			`<addresses><link rel="resource" href="https://x/customers/1/addresses">/customers/1/addresses</link></addresses>`+
			`<date_created>Mon, 06 May 2024 07:34:10 +0000</date_created></customer>`, xmlBody).want(t, http.StatusOK).decode(t, &put)
		if put.Company != "Acme2" {
			t.Fatalf("after round-trip PUT: %+v", put)
		}
	})
}

func TestXMLBody_Address(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		mustCreateCustomer(t, ts, jane())
		var a address
		ts.do("POST", "/customers/1/addresses", `<address><first_name>Jane</first_name><last_name>Doe</last_name>`+
			`<street_1>1 Main St</street_1><street_2/><city>Boston</city><state>Massachusetts</state>`+
			`<zip>02134</zip><country>United States</country><phone>0617555000</phone></address>`, xmlBody).
			want(t, http.StatusCreated).decode(t, &a)
		if a.Zip != "02134" || a.Phone != "0617555000" || a.Street2 != "" || a.City != "Boston" || a.CountryISO2 != "US" {
			t.Fatalf("got %+v", a)
		}
		ts.do("PUT", "/customers/1/addresses/"+itoa(a.ID), `<address><city>Cambridge</city><zip>02138</zip></address>`, xmlBody).
			want(t, http.StatusOK).decode(t, &a)
		if a.City != "Cambridge" || a.Zip != "02138" || a.Street1 != "1 Main St" {
			t.Fatalf("after PUT: %+v", a)
		}
		// The address as V2 writes it (XML.md §9.3) can be sent back.
		ts.do("PUT", "/customers/1/addresses/"+itoa(a.ID), `<?xml version="1.0"?>
<address>
  <id>1</id>
  <customer_id>1</customer_id>
  <first_name>Ivory</first_name>
  <last_name>Keller</last_name>
  <company/>
  <street_1>11 New Avenue</street_1>
  <street_2/>
  <city>Cambridge</city>
  <state>Massachusetts</state>
  <zip>02139</zip>
  <country>United States</country>
  <country_iso2>US</country_iso2>
  <phone>+1 (752) 337-4022</phone>
  <address_type>residential</address_type>
  <form_fields>NULL</form_fields>
</address>`, xmlBody).want(t, http.StatusOK).decode(t, &a)
		if a.FirstName != "Ivory" || a.Street1 != "11 New Avenue" || a.Zip != "02139" || a.Phone != "+1 (752) 337-4022" {
			t.Fatalf("after the round-trip PUT: %+v", a)
		}
	})
}

// XML.md §9.11's group body: categories as <value> items, discount rules as
// a run of <discount_rule>, one item of either still a list, and
// <discount_rules/> the empty list.
func TestXMLBody_Group(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		var g group
		ts.do("POST", "/customer_groups", `<customer_group><name>Wholesale</name><is_default>false</is_default>`+
			`<category_access><type>specific</type><categories><value>18</value><value>19</value></categories></category_access>`+
			`<discount_rules><discount_rule><type>all</type><method>percent</method><amount>5</amount></discount_rule>`+
			`<discount_rule><type>product</type><product_id>33</product_id><method>price</method><amount>12.00</amount></discount_rule>`+
			`</discount_rules></customer_group>`, xmlBody).want(t, http.StatusCreated).decode(t, &g)
		if want := `{"type":"specific","categories":[18,19]}`; string(g.CategoryAccess) != want {
			t.Fatalf("category_access=%s, want %s", g.CategoryAccess, want)
		}
		if want := `[{"type":"all","method":"percent","amount":"5.0000"},{"type":"product","method":"price","amount":"12.0000","product_id":33}]`; string(g.DiscountRules) != want {
			t.Fatalf("discount_rules=%s, want %s", g.DiscountRules, want)
		}

		ts.do("PUT", "/customer_groups/"+itoa(g.ID), `<root><category_access><type>specific</type><categories><value>7</value></categories></category_access>`+
			`<discount_rules><rule><type>category</type><category_id>7</category_id><method>fixed</method><amount>2.5</amount></rule></discount_rules></root>`,
			xmlBody).want(t, http.StatusOK).decode(t, &g)
		if string(g.CategoryAccess) != `{"type":"specific","categories":[7]}` ||
			string(g.DiscountRules) != `[{"type":"category","method":"fixed","amount":"2.5000","category_id":7}]` {
			t.Fatalf("after PUT: %s %s", g.CategoryAccess, g.DiscountRules)
		}

		// The group as V2 writes it (XML.md §9.5) can be sent back.
		ts.do("PUT", "/customer_groups/"+itoa(g.ID), `<?xml version="1.0"?>
<customer_group>
  <id>1</id>
  <name>Wholesale</name>
  <is_default>false</is_default>
  <category_access>
    <type>specific</type>
    <categories>
      <value>18</value>
      <value>19</value>
    </categories>
  </category_access>
  <discount_rules>
    <discount_rule>
      <type>all</type>
      <method>percent</method>
      <amount>5.0000</amount>
    </discount_rule>
  </discount_rules>
  <is_group_for_guests>false</is_group_for_guests>
  <date_created>2023-07-17 06:30:41</date_created>
  <date_modified>2023-07-17 06:30:41</date_modified>
</customer_group>`, xmlBody).want(t, http.StatusOK).decode(t, &g)
		if string(g.CategoryAccess) != `{"type":"specific","categories":[18,19]}` ||
			string(g.DiscountRules) != `[{"type":"all","method":"percent","amount":"5.0000"}]` {
			t.Fatalf("after the round-trip PUT: %s %s", g.CategoryAccess, g.DiscountRules)
		}

		ts.do("PUT", "/customer_groups/"+itoa(g.ID), `<customer_group><discount_rules/></customer_group>`, xmlBody).
			want(t, http.StatusOK).decode(t, &g)
		if string(g.DiscountRules) != `[]` || g.Name != "Wholesale" {
			t.Fatalf("after clearing the rules: %+v", g)
		}
	})
}

// A bad XML body is a 400 in V2's error shape with the JSON texts, and
// changes nothing.
func TestXMLBody_Errors(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		mustCreateCustomer(t, ts, jane())
		deep := "<customer>" + strings.Repeat("<notes>", 20) + strings.Repeat("</notes>", 20) + "</customer>"
		for _, tt := range []struct {
			name, method, path, body, message string
		}{
			{"NotXML", "POST", "/customers", `foo`, "The request body is not valid XML."},
			{"JSONSentAsXML", "POST", "/customers", `{"first_name":"Ann","last_name":"Lee","email":"ann@example.com"}`, "The request body is not valid XML."},
			{"Unclosed", "POST", "/customers", `<customer><first_name>Ann</first_name><last_name>Lee</last_name><email>ann@example.com</email>`, "The request body is not valid XML."},
			{"TooDeep", "POST", "/customers", deep, "The request body nests XML elements more than 16 levels deep."},
			{"NumberInTextField", "POST", "/customers", `<customer><first_name>123</first_name><last_name>Lee</last_name><email>ann@example.com</email></customer>`, "The field 'first_name' is invalid."},
			{"BooleanInTextField", "POST", "/customers", `<customer><first_name>Ann</first_name><last_name>true</last_name><email>ann@example.com</email></customer>`, "The field 'last_name' is invalid."},
			{"Required", "POST", "/customers", `<customer><last_name>Lee</last_name><email>ann@example.com</email></customer>`, "The required field 'first_name' was not supplied."},
			{"ConfirmationAlone", "POST", "/customers", `<customer><first_name>Ann</first_name><last_name>Lee</last_name><email>ann@example.com</email>` +
				`<_authentication><password_confirmation>secret123</password_confirmation></_authentication></customer>`, "The field 'password_confirmation' is invalid."},
			{"Unsupported", "POST", "/customers", `<customer><first_name>Ann</first_name><last_name>Lee</last_name><email>ann@example.com</email><pin>1</pin></customer>`, "The field 'pin' is not supported by this resource."},
			{"PutNotXML", "PUT", "/customers/1", `<customer><company>Acme</company>`, "The request body is not valid XML."},
			{"PutBadField", "PUT", "/customers/1", `<customer><company>Acme</company><customer_group_id>x</customer_group_id></customer>`, "The field 'customer_group_id' is invalid."},
			{"AddressNotXML", "POST", "/customers/1/addresses", `<address>`, "The request body is not valid XML."},
			{"GroupNotXML", "POST", "/customer_groups", `<customer_group><name>G</name></group>`, "The request body is not valid XML."},
			{"GroupRulesNotList", "POST", "/customer_groups", `<customer_group><name>G</name><discount_rules>all</discount_rules></customer_group>`, "The field 'discount_rules' is invalid."},
			{"ValidateNotXML", "POST", "/customers/1/validate", `password=x`, "The request body is not valid XML."},
		} {
			t.Run(tt.name, func(t *testing.T) {
				ts.do(tt.method, tt.path, tt.body, xmlBody).wantError(t, http.StatusBadRequest, tt.message)
			})
		}
		wantCount(t, ts, "/customers/count", 1)
		wantCount(t, ts, "/customers/1/addresses/count", 0)
		wantCount(t, ts, "/customer_groups/count", 0)
		if c := mustGetCustomer(t, ts, 1); c.Company != "" || c.CustomerGroupID != 0 {
			t.Fatalf("a refused PUT changed the customer: %+v", c)
		}
	})
}
