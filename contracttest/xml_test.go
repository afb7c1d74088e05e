package contracttest_test

import (
	"strings"
	"testing"

	"github.com/customersd/customersd/contracttest"
)

const decl = `<?xml version="1.0"?>` + "\n"

// TestCompareXML: the checker accepts XML.md's form of a JSON body and
// names what differs in anything else.
func TestCompareXML(t *testing.T) {
	const customer = `{"id":5,"company":"","notes":"a<b","form_fields":null,"store_credit":"0.0000","accepts_marketing":false,` +
		`"addresses":{"url":"https:\/\/x\/v2\/customers\/5\/addresses","resource":"\/customers\/5\/addresses"}}`
	good := decl + `<customer><id>5</id><company/><notes><![CDATA[a<b]]></notes><form_fields>NULL</form_fields>` +
		`<store_credit>0.0000</store_credit><accepts_marketing>false</accepts_marketing>` +
		`<addresses><link rel="resource" href="https://x/v2/customers/5/addresses">/customers/5/addresses</link></addresses></customer>`
	if err := contracttest.CompareXML([]byte(good), []byte(customer)); err != nil {
		t.Fatalf("XML.md's form refused: %v", err)
	}
	for _, tt := range []struct{ name, xml, want string }{
		{"order", strings.Replace(good, "<id>5</id><company/>", "<company/><id>5</id>", 1), "JSON order"},
		{"missing field", strings.Replace(good, "<company/>", "", 1), "one per JSON key"},
		{"value", strings.Replace(good, "<id>5</id>", "<id>6</id>", 1), `text "6", want "5"`},
		{"null", strings.Replace(good, "NULL", "", 1), `want "NULL"`},
		{"link as fields", strings.Replace(good, `<link rel="resource" href="https://x/v2/customers/5/addresses">/customers/5/addresses</link>`,
			"<url>https://x/v2/customers/5/addresses</url><resource>/customers/5/addresses</resource>", 1), "<link>"},
		{"malformed", strings.Replace(good, "</customer>", "", 1), "well-formed"},
	} {
		err := contracttest.CompareXML([]byte(tt.xml), []byte(customer))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err=%v, want one saying %q", tt.name, err, tt.want)
		}
	}
	// Arrays: scalars as <value>, objects as items of one name, empty as an empty element.
	const group = `{"categories":[18,19],"discount_rules":[{"type":"all"},{"type":"product"}],"none":[]}`
	okGroup := decl + `<customer_group><categories><value>18</value><value>19</value></categories>` +
		`<discount_rules><discount_rule><type>all</type></discount_rule><discount_rule><type>product</type></discount_rule></discount_rules><none/></customer_group>`
	if err := contracttest.CompareXML([]byte(okGroup), []byte(group)); err != nil {
		t.Fatalf("arrays refused: %v", err)
	}
	for _, bad := range []string{
		strings.Replace(okGroup, "<value>18</value>", "<item>18</item>", 1),
		strings.Replace(okGroup, "<discount_rule><type>product</type></discount_rule>", "<rule><type>product</type></rule>", 1),
	} {
		if err := contracttest.CompareXML([]byte(bad), []byte(group)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

// TestCheckXMLDocument: the declaration, the root XML.md names for the
// request, and attributes only on links.
func TestCheckXMLDocument(t *testing.T) {
	for _, tt := range []struct {
		method, path string
		status       int
		root         string
	}{
		{"GET", "/customers", 200, "customers"},
		{"POST", "/customers", 201, "customer"},
		{"GET", "/customers/5", 200, "customer"},
		{"GET", "/customers/5/addresses", 200, "addresses"},
		{"PUT", "/customers/5/addresses/8", 200, "address"},
		{"GET", "/customers/addresses/8", 200, "address"},
		{"GET", "/customer_groups/2", 200, "customer_group"},
		{"GET", "/customer_groups", 200, "customer_groups"},
		{"GET", "/customers/5/addresses/count", 200, "count"},
		{"POST", "/customers/5/validate", 200, "validate"},
		{"GET", "/orders", 404, "errors"},
	} {
		if got := contracttest.XMLRoot(tt.method, tt.path, tt.status); got != tt.root {
			t.Errorf("%s %s %d: root %q, want %q", tt.method, tt.path, tt.status, got, tt.root)
		}
	}
	if err := contracttest.CheckXMLDocument("GET", "/customers/5", 200, []byte(decl+"<customer><id>5</id></customer>")); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{
		"<customer><id>5</id></customer>",
		`<?xml version="1.0" encoding="UTF-8"?>` + "\n<customer/>",
		decl + "<customers/>",
		decl + `<customer><id type="int">5</id></customer>`,
		decl + "<customer></customer><customer/>",
	} {
		if err := contracttest.CheckXMLDocument("GET", "/customers/5", 200, []byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
