package v2

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/customersd/customersd"
)

// The typing table of XML.md §8 (BigCommerce's Unit_Lib_Store_Api_Input_Xml),
// plus the exceptions for zip, phone and tracking_number (BIG-4870).
func TestXMLToJSON_Typing(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"1", `1`},
		{"1999.99", `1999.99`},
		{"true", `true`},
		{"false", `false`},
		{"50.00", `50`},
		{"00050", `50`},
		{"-50", `-50`},
		{"5.53400", `5.534`},
		{"50.", `"50."`},
		{"0x539", `"0x539"`},
		{"0b1010", `"0b1010"`},
		{"9102927002338349750071", `"9102927002338349750071"`},
		{"9223372036854775807", `9223372036854775807`},
		{"0.12345678901234567890123", `0.12345678901234567890123`},
		{"-0", `0`},
		{"-0.50", `-0.5`},
		{"1e5", `"1e5"`},
		{"+5", `"+5"`},
		{".5", `".5"`},
		{" 1", `" 1"`},
		{"True", `"True"`},
		{"Jane", `"Jane"`},
		{"", `""`},
		{"NULL", `null`},
		{"a &lt; b &amp; c", `"a \u003c b \u0026 c"`},
	} {
		got, err := xmlToJSON([]byte("<customer><x>" + tt.text + "</x></customer>"))
		if err != nil {
			t.Errorf("%q: %v", tt.text, err)
			continue
		}
		if want := `{"x":` + tt.want + `}`; string(got) != want {
			t.Errorf("%q: got %s, want %s", tt.text, got, want)
		}
	}
	for _, name := range []string{"zip", "phone", "tracking_number"} {
		got, err := xmlToJSON([]byte("<a><" + name + ">0200</" + name + "></a>"))
		if want := `{"` + name + `":"0200"}`; err != nil || string(got) != want {
			t.Errorf("%s: got %s, %v; want %s", name, got, err, want)
		}
	}
}

// The shapes of XML.md §8: nested objects, <value> lists, runs of one name,
// the V2 list fields with any item name, empty elements, ignored attributes
// and root name.
func TestXMLToJSON_Shapes(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"nested object", `<customer><_authentication><password>pw</password></_authentication></customer>`,
			`{"_authentication":{"password":"pw"}}`},
		{"value items", `<g><categories><value>2</value><value>6</value></categories></g>`, `{"categories":[2,6]}`},
		{"one value item", `<p><related><value>4</value></related></p>`, `{"related":[4]}`},
		{"run of objects", `<p><images><image><id>1</id></image><image><id>2</id></image></images></p>`,
			`{"images":[{"id":1},{"id":2}]}`},
		{"one rule", `<g><discount_rules><discount_rule><type>all</type></discount_rule></discount_rules></g>`,
			`{"discount_rules":[{"type":"all"}]}`},
		{"rules as item", `<root><discount_rules><item><type>all</type></item><x><type>product</type></x></discount_rules></root>`,
			`{"discount_rules":[{"type":"all"},{"type":"product"}]}`},
		{"empty list field", `<g><discount_rules/><categories></categories><form_fields>
			</form_fields></g>`, `{"discount_rules":[],"categories":[],"form_fields":[]}`},
		{"empty element", `<address><street_2/><company></company></address>`, `{"street_2":"","company":""}`},
		{"empty root", `<customer/>`, `{}`},
		{"attributes ignored", `<root type="dict"><first_name type="str">Jane</first_name><_authentication type="dict"><password type="str">pw</password></_authentication></root>`,
			`{"first_name":"Jane","_authentication":{"password":"pw"}}`},
		{"declaration, comments, pretty print", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c -->\n<customer>\n  <first_name>Jane</first_name>\n  <notes><![CDATA[<b>]]></notes>\n</customer>\n",
			`{"first_name":"Jane","notes":"\u003cb\u003e"}`},
		{"namespace prefix", `<c:customer xmlns:c="urn:x"><c:first_name>Jane</c:first_name></c:customer>`, `{"first_name":"Jane"}`},
	} {
		got, err := xmlToJSON([]byte(tt.in))
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: got %s, %v; want %s", tt.name, got, err, tt.want)
		}
	}
}

func TestXMLToJSON_Refused(t *testing.T) {
	deep := strings.Repeat("<a>", maxXMLBodyDepth+1) + strings.Repeat("</a>", maxXMLBodyDepth+1)
	wide := "<a>" + strings.Repeat("<value>1</value>", maxXMLBodyElements) + "</a>"
	for _, tt := range []struct {
		name, in string
		want     error
	}{
		{"not XML", `foo`, errMalformedXML},
		{"empty", ``, errMalformedXML},
		{"JSON", `{"first_name":"Jane"}`, errMalformedXML},
		{"unclosed", `<customer><first_name>Jane</first_name>`, errMalformedXML},
		{"mismatched", `<customer><first_name>Jane</last_name></customer>`, errMalformedXML},
		{"two roots", `<a/><b/>`, errMalformedXML},
		{"text after root", `<a/>x`, errMalformedXML},
		{"bare text root", `<customer>Jane</customer>`, errMalformedXML},
		{"undeclared entity", `<a><b>&bomb;</b></a>`, errMalformedXML},
		{"entity bomb", `<!DOCTYPE a [<!ENTITY x "xx"><!ENTITY y "&x;&x;">]><a><b>&y;</b></a>`, errMalformedXML},
		{"other charset", `<?xml version="1.0" encoding="ISO-8859-1"?><a/>`, errMalformedXML},
		{"too deep", deep, errXMLBodyTooDeep},
		{"too many elements", wide, errXMLBodyTooLarge},
		{"mixed content", `<a><notes>x<b/></notes></a>`, customersd.Invalid("notes")},
		{"repeated key", `<a><email>x</email><first_name>y</first_name><email>z</email></a>`, customersd.Invalid("email")},
	} {
		_, err := xmlToJSON([]byte(tt.in))
		var got, want *customersd.Error
		if !errors.As(err, &got) || !errors.As(tt.want, &want) || got.Message != want.Message || got.Code != want.Code {
			t.Errorf("%s: err=%v, want %v", tt.name, err, tt.want)
		}
	}
	// The deepest V2 body is well inside the bound.
	if _, err := xmlToJSON([]byte(strings.Repeat("<a>", maxXMLBodyDepth) + strings.Repeat("</a>", maxXMLBodyDepth))); err != nil {
		t.Errorf("depth %d: %v", maxXMLBodyDepth, err)
	}
}

// FuzzXMLToJSON: whatever the body, the converter either refuses it with a
// V2 error or hands the JSON reader one JSON object.
func FuzzXMLToJSON(f *testing.F) {
	for _, seed := range []string{
		`<customer><first_name>Jane</first_name><_authentication><password>x</password></_authentication></customer>`,
		`<g><categories><value>1</value></categories><discount_rules><r><amount>5.00</amount></r></discount_rules></g>`,
		`<a><b>00050</b><c>NULL</c><zip>0200</zip><d/></a>`,
		`<a>x</a>`, `<a><b>x<c/></b></a>`, `<a/><a/>`, `<?xml version="1.0"?><!DOCTYPE a><a/>`, ``, `foo`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		out, err := xmlToJSON([]byte(body))
		if err != nil {
			var e *customersd.Error
			if !errors.As(err, &e) || e.Code != customersd.EINVALID {
				t.Fatalf("%q: error %v is not a V2 400", body, err)
			}
			return
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(out, &m); err != nil || m == nil {
			t.Fatalf("%q gave %s, not a JSON object: %v", body, out, err)
		}
	})
}
