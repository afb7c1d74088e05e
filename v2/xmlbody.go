package v2

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/customersd/customersd"
)

// XML request bodies (XML.md §8) are turned into the JSON object the JSON
// reader takes, so an XML body meets exactly the validation and the error
// messages of the same body in JSON: one code path for both.

const (
	// maxXMLBodyDepth bounds element nesting. The deepest V2 body is four levels
	// (root, category_access, categories, value); the bound keeps the
	// recursive conversion shallow whatever a client sends.
	maxXMLBodyDepth = 16
	// maxXMLBodyElements bounds the tree a body can build. The largest legitimate
	// body, a group with 16,000 categories and 1,000 rules of six fields,
	// has about 23,000 elements; the 1 MiB cap alone would admit 260,000.
	maxXMLBodyElements = 50000
)

var (
	// The text is our choice: XML.md §8 knows only that BigCommerce refuses
	// malformed XML (Store_Api_Exception_InputParser_Xml_InvalidInput).
	errMalformedXML   = &customersd.Error{Code: customersd.EINVALID, Message: "The request body is not valid XML."}
	errXMLBodyTooDeep = &customersd.Error{Code: customersd.EINVALID,
		Message: fmt.Sprintf("The request body nests XML elements more than %d levels deep.", maxXMLBodyDepth)}
	errXMLBodyTooLarge = &customersd.Error{Code: customersd.EINVALID,
		Message: fmt.Sprintf("The request body has more than %d XML elements.", maxXMLBodyElements)}
)

// isXMLBodyType admits application/xml, the type BigCommerce documents, and
// text/xml, which XML.md does not mention: RFC 7303 makes the two the same
// format, and older clients (node-bigcommerce before 2017) used text/xml.
func isXMLBodyType(mt string) bool {
	return mt == "application/xml" || mt == "text/xml"
}

// xmlListFields are the V2 body fields that hold arrays. XML cannot tell a list
// of one from an object, nor an empty list from an empty string, so for these
// names every child is an item, whatever its name, and an empty element is
// []: a client can send one discount rule, or clear them with
// <discount_rules/>, the form V2 writes an empty array in (XML.md §4.2).
var xmlListFields = map[string]bool{"discount_rules": true, "categories": true, "form_fields": true}

// xmlTextFields keep their text as a string even when it looks like a number:
// BigCommerce keeps the leading zeros of a zip, a phone and a tracking
// number in XML (BIG-4870, XML.md §8).
var xmlTextFields = map[string]bool{"zip": true, "phone": true, "tracking_number": true}

// bodyNode is one element of a body: attributes are dropped (XML.md §8: clients
// never mean them; dicttoxml adds type="str").
type bodyNode struct {
	name     string
	text     []byte
	children []*bodyNode
}

// xmlToJSON converts an XML body into a JSON object. The root's name is not
// checked (BigCommerce's own tests post dicttoxml bodies rooted at <root>),
// and its children are the object's keys.
func xmlToJSON(body []byte) ([]byte, error) {
	root, err := parseXMLBody(body)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(root.text)) > 0 {
		return nil, errMalformedXML // a body is an object, never bare text
	}
	var buf bytes.Buffer
	if err := bodyObject(&buf, root); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// parseXMLBody reads one element tree, refusing anything but comments,
// processing instructions, a doctype and white space around the root. Go's
// encoding/xml expands no entities but the five predefined ones, so an
// entity bomb is a syntax error; depth and size are bounded here.
func parseXMLBody(body []byte) (*bodyNode, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	var root *bodyNode
	var open []*bodyNode
	elements := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, errMalformedXML
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(open) == 0 {
				return nil, errMalformedXML // a second root
			}
			if elements++; elements > maxXMLBodyElements {
				return nil, errXMLBodyTooLarge
			}
			if len(open) >= maxXMLBodyDepth {
				return nil, errXMLBodyTooDeep
			}
			n := &bodyNode{name: t.Name.Local}
			if len(open) == 0 {
				root = n
			} else {
				parent := open[len(open)-1]
				parent.children = append(parent.children, n)
			}
			open = append(open, n)
		case xml.EndElement:
			open = open[:len(open)-1] // the decoder checks that tags match
		case xml.CharData:
			if len(open) > 0 {
				n := open[len(open)-1]
				n.text = append(n.text, t...)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, errMalformedXML
			}
		}
	}
	if root == nil {
		return nil, errMalformedXML
	}
	return root, nil
}

// bodyValue writes one element as a JSON value.
func bodyValue(buf *bytes.Buffer, n *bodyNode) error {
	blank := len(bytes.TrimSpace(n.text)) == 0
	switch {
	case len(n.children) > 0 && !blank:
		return customersd.Invalid(n.name) // text mixed with elements has no JSON form
	case len(n.children) == 0 && string(n.text) == xmlNull:
		// V2 writes null as NULL (XML.md §4.2); reading it back as null
		// lets a client send back what it fetched.
		buf.WriteString("null")
		return nil
	case xmlListFields[n.name] && blank:
		return bodyList(buf, n)
	case len(n.children) == 0:
		bodyScalar(buf, n.name, string(n.text))
		return nil
	case xmlListFields[n.name] || bodyIsList(n):
		return bodyList(buf, n)
	default:
		return bodyObject(buf, n)
	}
}

// bodyIsList tells a list from an object by its children: <value> items
// (XML.md §4.2), or a run of two or more elements of one name, whatever the
// name (<images><image>…</image><image>…</image></images>).
func bodyIsList(n *bodyNode) bool {
	for _, c := range n.children {
		if c.name != n.children[0].name {
			return false
		}
	}
	return len(n.children) > 1 || n.children[0].name == "value"
}

func bodyList(buf *bytes.Buffer, n *bodyNode) error {
	buf.WriteByte('[')
	for i, c := range n.children {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := bodyValue(buf, c); err != nil {
			return err
		}
	}
	buf.WriteByte(']')
	return nil
}

// bodyObject writes n's children as keys. A name given twice among others
// is ambiguous (JSON would keep the last silently), so it is refused by name.
func bodyObject(buf *bytes.Buffer, n *bodyNode) error {
	seen := make(map[string]bool, len(n.children))
	buf.WriteByte('{')
	for i, c := range n.children {
		if seen[c.name] {
			return customersd.Invalid(c.name)
		}
		seen[c.name] = true
		if i > 0 {
			buf.WriteByte(',')
		}
		bodyString(buf, c.name)
		buf.WriteByte(':')
		if err := bodyValue(buf, c); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

// bodyScalar types an element's text as BigCommerce's XML parser does
// (XML.md §8, from its own tests): true and false are booleans, decimal
// numerals are numbers, everything else stays text.
func bodyScalar(buf *bytes.Buffer, name, text string) {
	if xmlTextFields[name] {
		bodyString(buf, text)
		return
	}
	if text == "true" || text == "false" {
		buf.WriteString(text)
		return
	}
	if num, ok := bodyNumber(text); ok {
		buf.WriteString(num)
		return
	}
	bodyString(buf, text)
}

// bodyNumber reads a decimal numeral, -?digits[.digits], as its shortest
// JSON number: 00050 is 50, 50.00 is 50, 5.53400 is 5.534. The text is
// rewritten, never passed through a float, so no digit is lost. 50., 0x539,
// 1e5, +5 and whole parts beyond 64 bits (9102927002338349750071) stay text.
func bodyNumber(s string) (string, bool) {
	neg := strings.HasPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	if !bodyDigits(whole) || (hasFrac && !bodyDigits(frac)) {
		return "", false
	}
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return "", false
	}
	frac = strings.TrimRight(frac, "0")
	num := strconv.FormatInt(n, 10)
	if frac != "" {
		num += "." + frac
	}
	if neg && num != "0" {
		num = "-" + num
	}
	return num, true
}

func bodyDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func bodyString(buf *bytes.Buffer, s string) {
	b, _ := json.Marshal(s) // a string always marshals
	buf.Write(b)
}
