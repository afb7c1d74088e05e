package v2

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/customersd/customersd"
)

// The XML form of V2 responses (XML.md). It is derived from the wire types'
// json tags, so a field added to a wire type appears in both formats, in
// the same order (§3: XML order = JSON order). Types with their own
// MarshalJSON (a group's category_access and discount rules) are written
// from that JSON, key by key.

// xmlDeclaration opens every document. XML.md §3 [INF]: the live capture's
// form, without encoding="UTF-8" (what PHP's saveXML prints), then a newline.
const xmlDeclaration = "<?xml version=\"1.0\"?>\n"

// xmlIndent indents nested elements. XML.md §3: whitespace is unknown and
// insignificant to clients; we keep the docs' two spaces.
const xmlIndent = "  "

// xmlNull is how XML writes a JSON null (XML.md §4.2, [DOC]; no capture
// shows one).
const xmlNull = "NULL"

// xmlNames are a wire type's root (one object) and collection (plural)
// element names (XML.md §4.1).
type xmlNames struct{ one, many string }

// xmlRoots names the roots of every V2 response.
var xmlRoots = map[reflect.Type]xmlNames{
	reflect.TypeFor[customerJSON](): {"customer", "customers"},
	reflect.TypeFor[addressJSON]():  {"address", "addresses"},
	// [INF] §4.1: no source names groups; customer_group follows the URL
	// segment (alternative: group).
	reflect.TypeFor[groupJSON](): {"customer_group", "customer_groups"},
	// [INF] §7, §9.6: the count is a <count> child of a root named <count>
	// (alternative: the resource's singular name).
	reflect.TypeFor[countJSON](): {"count", "counts"},
	// [INF] §7, §9.7: nothing records validate in XML; <validate> as count.
	reflect.TypeFor[validateJSON](): {"validate", "validates"},
	// [INF] webhooks document no XML; <hook> follows the URL segment, headers
	// as one element per name (the hook rules keep names valid XML names).
	reflect.TypeFor[customersd.HookView](): {"hook", "hooks"},
	// §6.1, recorded: <errors><error>…</error></errors>.
	reflect.TypeFor[errorJSON](): {"error", "errors"},
	// [INF] The Store Information API's roots, named as its resources.
	reflect.TypeFor[timeJSON]():  {"time", "times"},
	reflect.TypeFor[storeJSON](): {"store", "stores"},
}

// xmlNamesOf is t's entry in xmlRoots. A type without one is a programming
// error that the tests of every route catch; its snake-cased Go name keeps
// the document well-formed meanwhile.
func xmlNamesOf(t reflect.Type) xmlNames {
	if n, ok := xmlRoots[t]; ok {
		return n
	}
	name := strings.ToLower(t.Name())
	return xmlNames{name, name + "s"}
}

// xmlItemNames name the items of arrays of objects: the singular of the
// field, [INF] XML.md §4.2 (alternative: <value>, the scalar-array rule).
var xmlItemNames = map[string]string{
	"discount_rules": "discount_rule",
	"form_fields":    "form_field",
}

func xmlItemName(field string) string {
	if n, ok := xmlItemNames[field]; ok {
		return n
	}
	return strings.TrimSuffix(field, "s")
}

// marshalXMLDocument writes v as a whole document: a slice is a collection
// under its plural root (the error array is <errors>), anything else an
// object under its singular root.
func marshalXMLDocument(v any) ([]byte, error) {
	rv := reflect.ValueOf(v)
	e := &xmlEncoder{}
	e.buf.WriteString(xmlDeclaration)
	if rv.Kind() == reflect.Slice {
		names := xmlNamesOf(rv.Type().Elem())
		e.open(names.many, 0)
		for i := range rv.Len() {
			if err := e.element(names.one, rv.Index(i), 1); err != nil {
				return nil, err
			}
		}
		e.close(names.many, 0)
		return e.buf.Bytes(), nil
	}
	if err := e.element(xmlNamesOf(rv.Type()).one, rv, 0); err != nil {
		return nil, err
	}
	return e.buf.Bytes(), nil
}

// marshalXMLElement writes v as one element named name at depth, for the
// items of a streamed collection.
func marshalXMLElement(name string, v any, depth int) ([]byte, error) {
	e := &xmlEncoder{}
	if err := e.element(name, reflect.ValueOf(v), depth); err != nil {
		return nil, err
	}
	return e.buf.Bytes(), nil
}

// xmlEncoder writes elements, one per line, indented by depth.
type xmlEncoder struct{ buf bytes.Buffer }

var (
	jsonMarshaler   = reflect.TypeFor[json.Marshaler]()
	resourceLinkTyp = reflect.TypeFor[resourceLink]()
)

func (e *xmlEncoder) indent(depth int) {
	for range depth {
		e.buf.WriteString(xmlIndent)
	}
}

func (e *xmlEncoder) open(name string, depth int) {
	e.indent(depth)
	e.buf.WriteString("<" + name + ">\n")
}

func (e *xmlEncoder) close(name string, depth int) {
	e.indent(depth)
	e.buf.WriteString("</" + name + ">\n")
}

func (e *xmlEncoder) empty(name string, depth int) {
	e.indent(depth)
	e.buf.WriteString("<" + name + "/>\n")
}

// scalar writes <name>text</name>, or <name/> for "" (XML.md §4.2, [INF]
// the capture's form over the docs' <name></name>).
func (e *xmlEncoder) scalar(name, text string, depth int) {
	if text == "" {
		e.empty(name, depth)
		return
	}
	e.indent(depth)
	e.buf.WriteString("<" + name + ">")
	writeXMLText(&e.buf, text)
	e.buf.WriteString("</" + name + ">\n")
}

// element writes v as the element name, as encoding/json would write it
// as the value of key name.
func (e *xmlEncoder) element(name string, v reflect.Value, depth int) error {
	for v.IsValid() && (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) && !v.IsNil() {
		v = v.Elem()
	}
	switch {
	case !v.IsValid() || (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer || v.Kind() == reflect.Map || v.Kind() == reflect.Slice) && v.IsNil():
		e.scalar(name, xmlNull, depth)
		return nil
	case v.Type() == resourceLinkTyp:
		// XML.md §4.2, recorded: a link element, no <url>/<resource>.
		l := v.Interface().(resourceLink)
		e.open(name, depth)
		e.indent(depth + 1)
		e.buf.WriteString(`<link rel="resource" href="`)
		writeXMLAttr(&e.buf, l.URL)
		e.buf.WriteString(`">`)
		writeXMLText(&e.buf, l.Resource)
		e.buf.WriteString("</link>\n")
		e.close(name, depth)
		return nil
	case v.Type().Implements(jsonMarshaler):
		b, err := json.Marshal(v.Interface())
		if err != nil {
			return fmt.Errorf("v2: encode %s: %w", name, err)
		}
		return e.fromJSON(name, b, depth)
	}
	switch v.Kind() {
	case reflect.Struct:
		return e.object(name, v, depth)
	case reflect.Slice, reflect.Array:
		if v.Len() == 0 {
			e.empty(name, depth)
			return nil
		}
		item := "value" // XML.md §4.2, documented: scalar arrays hold <value> items
		if k := derefType(v.Type().Elem()).Kind(); k == reflect.Struct || k == reflect.Map || k == reflect.Slice || k == reflect.Interface {
			item = xmlItemName(name)
		}
		e.open(name, depth)
		for i := range v.Len() {
			if err := e.element(item, v.Index(i), depth+1); err != nil {
				return err
			}
		}
		e.close(name, depth)
		return nil
	case reflect.Map:
		b, err := json.Marshal(v.Interface()) // sorted keys, as in JSON
		if err != nil {
			return fmt.Errorf("v2: encode %s: %w", name, err)
		}
		return e.fromJSON(name, b, depth)
	case reflect.String:
		e.scalar(name, v.String(), depth)
	case reflect.Bool:
		e.scalar(name, strconv.FormatBool(v.Bool()), depth) // true/false, XML.md §4.2
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.scalar(name, strconv.FormatInt(v.Int(), 10), depth)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		e.scalar(name, strconv.FormatUint(v.Uint(), 10), depth)
	case reflect.Float32, reflect.Float64:
		e.scalar(name, strconv.FormatFloat(v.Float(), 'f', -1, 64), depth)
	default:
		return fmt.Errorf("v2: encode %s: no XML form for %s", name, v.Type())
	}
	return nil
}

func derefType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// object writes a struct's fields in declaration order, named by their
// json tags, with encoding/json's omitempty and "-".
func (e *xmlEncoder) object(name string, v reflect.Value, depth int) error {
	type field struct {
		name string
		v    reflect.Value
	}
	var fields []field
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		tag, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if tag == "-" && opts == "" {
			continue
		}
		if tag == "" {
			tag = sf.Name
		}
		fv := v.Field(i)
		if slices.Contains(strings.Split(opts, ","), "omitempty") && isEmptyJSON(fv) {
			continue
		}
		fields = append(fields, field{tag, fv})
	}
	if len(fields) == 0 {
		e.empty(name, depth)
		return nil
	}
	e.open(name, depth)
	for _, f := range fields {
		if err := e.element(f.name, f.v, depth+1); err != nil {
			return err
		}
	}
	e.close(name, depth)
	return nil
}

// isEmptyJSON is encoding/json's omitempty test.
func isEmptyJSON(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64,
		reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// fromJSON writes the JSON value b as the element name, with the same
// rules as element: objects by key order, arrays of scalars as <value>,
// null as NULL.
func (e *xmlEncoder) fromJSON(name string, b []byte, depth int) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var walk func(name string, depth int) error
	walk = func(name string, depth int) error {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("v2: encode %s: %w", name, err)
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' {
				if !dec.More() {
					dec.Token()
					e.empty(name, depth)
					return nil
				}
				e.open(name, depth)
				for dec.More() {
					key, err := dec.Token()
					if err != nil {
						return fmt.Errorf("v2: encode %s: %w", name, err)
					}
					if err := walk(key.(string), depth+1); err != nil {
						return err
					}
				}
				dec.Token()
				e.close(name, depth)
				return nil
			}
			var items []json.RawMessage
			for dec.More() {
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return fmt.Errorf("v2: encode %s: %w", name, err)
				}
				items = append(items, raw)
			}
			dec.Token()
			if len(items) == 0 {
				e.empty(name, depth)
				return nil
			}
			e.open(name, depth)
			for _, raw := range items {
				item := "value"
				if raw[0] == '{' || raw[0] == '[' {
					item = xmlItemName(name)
				}
				if err := e.fromJSON(item, raw, depth+1); err != nil {
					return err
				}
			}
			e.close(name, depth)
		case string:
			e.scalar(name, t, depth)
		case json.Number:
			e.scalar(name, t.String(), depth)
		case bool:
			e.scalar(name, strconv.FormatBool(t), depth)
		case nil:
			e.scalar(name, xmlNull, depth)
		}
		return nil
	}
	return walk(name, depth)
}

// writeXMLText writes s as element content. XML.md §3 [INF]: a string with
// "<", ">" or "&" goes in CDATA (as the one recorded error message did),
// any other as plain text. A "]]>" inside, and a carriage return (which
// parsers would turn into a newline), are written outside the CDATA
// section. Characters XML 1.0 cannot hold (most control characters,
// invalid UTF-8) become U+FFFD, as encoding/xml does.
func writeXMLText(buf *bytes.Buffer, s string) {
	s = validXML(s)
	if !strings.ContainsAny(s, "<>&") {
		buf.WriteString(strings.ReplaceAll(s, "\r", "&#xD;"))
		return
	}
	buf.WriteString("<![CDATA[")
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\r':
			buf.WriteString("]]>&#xD;<![CDATA[")
		case strings.HasPrefix(s[i:], "]]>"):
			buf.WriteString("]]]]><![CDATA[>")
			i += 2
		default:
			buf.WriteByte(s[i])
		}
	}
	buf.WriteString("]]>")
}

// writeXMLAttr writes s as a double-quoted attribute value.
func writeXMLAttr(buf *bytes.Buffer, s string) {
	for _, r := range validXML(s) {
		switch r {
		case '&':
			buf.WriteString("&amp;")
		case '<':
			buf.WriteString("&lt;")
		case '>':
			buf.WriteString("&gt;")
		case '"':
			buf.WriteString("&quot;")
		case '\t':
			buf.WriteString("&#x9;")
		case '\n':
			buf.WriteString("&#xA;")
		case '\r':
			buf.WriteString("&#xD;")
		default:
			buf.WriteRune(r)
		}
	}
}

// validXML replaces what XML 1.0 cannot carry with U+FFFD.
func validXML(s string) string {
	ok := true
	for _, r := range s {
		if !isXMLChar(r) {
			ok = false
			break
		}
	}
	if ok && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s { // invalid UTF-8 arrives as utf8.RuneError, itself U+FFFD
		if !isXMLChar(r) {
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isXMLChar is XML 1.0's Char production.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
