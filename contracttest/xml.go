package contracttest

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// The XML side of V2 (shared/spec/XML.md). The OpenAPI document describes
// JSON only, so an XML response gets checks of its own: CheckXMLDocument
// (well-formed, the declaration, the root XML.md names, attributes only on
// links), and CompareXML, which holds an XML body against the JSON of the
// same request: every JSON key an element, in the same order, with the
// same value.

// xmlDeclaration is the declaration every V2 XML body starts with (XML.md
// §3, the live capture's form).
const xmlDeclaration = `<?xml version="1.0"?>` + "\n"

// xmlNode is an element of a parsed XML body.
type xmlNode struct {
	name     string
	attrs    []xml.Attr
	children []*xmlNode
	text     string // character data, CDATA included, outside the children
}

// parseXML parses a whole document strictly: one root, nothing after it.
func parseXML(body []byte) (*xmlNode, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = true
	var root *xmlNode
	var stack []*xmlNode
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("XML body is not well-formed: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{name: t.Name.Local, attrs: t.Attr}
			if t.Name.Space != "" {
				return nil, fmt.Errorf("element <%s> has a namespace", t.Name.Local)
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, fmt.Errorf("a second root element <%s>", n.name)
				}
				root = n
			} else {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			} else if strings.TrimSpace(string(t)) != "" {
				return nil, fmt.Errorf("text outside the root element: %q", t)
			}
		case xml.Directive:
			return nil, fmt.Errorf("unexpected directive <!%s>", t)
		}
	}
	if root == nil {
		return nil, fmt.Errorf("XML body has no root element")
	}
	return root, nil
}

// value is an element's text: its character data when it has no children,
// else "" (the indentation between children is not a value).
func (n *xmlNode) value() string {
	if len(n.children) > 0 {
		return ""
	}
	return n.text
}

// XMLRoot is the root element XML.md gives the answer to method on path
// (relative to the version root, without suffix) with status: <errors>
// for an error, <count> and <validate> (§7), the plural name for a
// collection read (§4.1), the singular for one object, a created one
// included.
func XMLRoot(method, path string, status int) string {
	if status >= 400 {
		return "errors"
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	last := segs[len(segs)-1]
	singular := map[string]string{"customers": "customer", "addresses": "address", "customer_groups": "customer_group", "hooks": "hook"}
	switch {
	case last == "count" || last == "validate":
		return last
	case singular[last] != "":
		if method == http.MethodPost {
			return singular[last]
		}
		return last
	case len(segs) >= 2:
		return singular[segs[len(segs)-2]]
	}
	return ""
}

// CheckXMLDocument checks an XML body of V2 on its own: the declaration,
// well-formedness, the root XML.md names for the request, and no
// attributes but a link's rel and href (§3).
func CheckXMLDocument(method, path string, status int, body []byte) error {
	if !bytes.HasPrefix(body, []byte(xmlDeclaration)) {
		return fmt.Errorf("XML body does not start with %q", xmlDeclaration)
	}
	root, err := parseXML(body)
	if err != nil {
		return err
	}
	if want := XMLRoot(method, path, status); root.name != want {
		return fmt.Errorf("XML root <%s>, want <%s>", root.name, want)
	}
	var walk func(n *xmlNode) error
	walk = func(n *xmlNode) error {
		if len(n.attrs) > 0 && n.name != "link" {
			return fmt.Errorf("element <%s> has attributes", n.name)
		}
		for _, c := range n.children {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(root)
}

// jsonValue is a JSON value with its object keys in order.
type jsonValue struct {
	kind  byte // '{', '[', 's' string, 'n' number, 'b' bool, '0' null
	keys  []string
	elems []*jsonValue // object values (by keys) or array items
	text  string       // a scalar's XML text
}

func parseJSON(b []byte) (*jsonValue, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var read func() (*jsonValue, error)
	read = func() (*jsonValue, error) {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case json.Delim:
			v := &jsonValue{kind: byte(t)}
			for dec.More() {
				if t == '{' {
					k, err := dec.Token()
					if err != nil {
						return nil, err
					}
					v.keys = append(v.keys, k.(string))
				}
				e, err := read()
				if err != nil {
					return nil, err
				}
				v.elems = append(v.elems, e)
			}
			_, err := dec.Token()
			return v, err
		case string:
			return &jsonValue{kind: 's', text: t}, nil
		case json.Number:
			return &jsonValue{kind: 'n', text: t.String()}, nil
		case bool:
			return &jsonValue{kind: 'b', text: fmt.Sprint(t)}, nil
		default:
			return &jsonValue{kind: '0', text: "NULL"}, nil
		}
	}
	return read()
}

// CompareXML checks that xmlBody is the XML form of jsonBody (XML.md §4,
// §9): a JSON array is the root's children, an object an element per key
// in the JSON order, a scalar array <value> items, an array of objects
// items of one name, null the text NULL, a {url, resource} link a
// <link rel="resource" href="url">resource</link>, "" and empty
// collections empty elements. Root names are CheckXMLDocument's.
func CompareXML(xmlBody, jsonBody []byte) error {
	root, err := parseXML(xmlBody)
	if err != nil {
		return err
	}
	j, err := parseJSON(jsonBody)
	if err != nil {
		return fmt.Errorf("JSON body: %w", err)
	}
	return compareNode(root, j, root.name)
}

func compareNode(n *xmlNode, j *jsonValue, where string) error {
	switch j.kind {
	case '{':
		if len(j.keys) == 2 && j.keys[0] == "url" && j.keys[1] == "resource" {
			if len(n.children) != 1 || n.children[0].name != "link" {
				return fmt.Errorf("%s: want one <link> for the resource link", where)
			}
			l := n.children[0]
			attrs := map[string]string{}
			for _, a := range l.attrs {
				attrs[a.Name.Local] = a.Value
			}
			if len(l.attrs) != 2 || attrs["rel"] != "resource" || attrs["href"] != j.elems[0].text || l.value() != j.elems[1].text {
				return fmt.Errorf("%s: <link %v>%s</link>, want rel=resource href=%q text %q", where, l.attrs, l.value(), j.elems[0].text, j.elems[1].text)
			}
			return nil
		}
		if len(n.children) != len(j.keys) {
			return fmt.Errorf("%s: %d elements, want one per JSON key %v", where, len(n.children), j.keys)
		}
		if len(j.keys) == 0 && n.text != "" {
			return fmt.Errorf("%s: text %q in an empty object", where, n.text)
		}
		for i, k := range j.keys {
			c := n.children[i]
			if c.name != k {
				return fmt.Errorf("%s: element %d is <%s>, want <%s> (JSON order)", where, i, c.name, k)
			}
			if err := compareNode(c, j.elems[i], where+"/"+k); err != nil {
				return err
			}
		}
	case '[':
		if len(n.children) != len(j.elems) {
			return fmt.Errorf("%s: %d items, want %d", where, len(n.children), len(j.elems))
		}
		if len(j.elems) == 0 && n.text != "" {
			return fmt.Errorf("%s: text %q in an empty array", where, n.text)
		}
		for i, e := range j.elems {
			c := n.children[i]
			switch {
			case e.kind != '{' && e.kind != '[' && c.name != "value":
				return fmt.Errorf("%s: scalar item <%s>, want <value>", where, c.name)
			case c.name != n.children[0].name:
				return fmt.Errorf("%s: items <%s> and <%s>", where, n.children[0].name, c.name)
			}
			if err := compareNode(c, e, fmt.Sprintf("%s/%s[%d]", where, c.name, i)); err != nil {
				return err
			}
		}
	default:
		if len(n.children) > 0 {
			return fmt.Errorf("%s: %d child elements, want the text %q", where, len(n.children), j.text)
		}
		if n.text != j.text {
			return fmt.Errorf("%s: text %q, want %q", where, n.text, j.text)
		}
	}
	return nil
}
