package v2

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
)

// MaxBodyBytes caps a request body. The largest legitimate V2 body (a group
// with many rules) is a few kilobytes.
const MaxBodyBytes = 1 << 20

var errMalformedJSON = &customersd.Error{Code: customersd.EINVALID, Message: "The request body is not valid JSON."}

var errUnsupportedMediaType = &gateway.Error{Status: http.StatusUnsupportedMediaType,
	Message: "The Content-Type of the request is not supported; send application/json or application/xml."}

// decodeBody is the only body reader: it checks the media type, caps the size
// and reads one JSON object, returning its fields for a fields reader. An XML
// body is first converted to that JSON object (xmlbody.go). A body without
// Content-Type is a 415, as on BigCommerce (BEHAVIOR.md, "Status codes"):
// reading it as JSON let through clients that BigCommerce refuses.
func decodeBody(w http.ResponseWriter, r *http.Request) (*fields, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	isXML := err == nil && isXMLBodyType(mt)
	if !isXML && (err != nil || !gateway.IsJSONMediaType(mt)) {
		return nil, errUnsupportedMediaType
	}
	body, err := gateway.ReadBody(w, r, MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	if isXML {
		if body, err = xmlToJSON(body); err != nil {
			return nil, err
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	m := map[string]json.RawMessage{}
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, errMalformedJSON
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errMalformedJSON
	}
	return &fields{m: m}, nil
}

// fields reads typed values out of a decoded JSON object. The first problem
// sticks: later reads return nil and err() reports it. A field sent as null
// counts as not sent.
type fields struct {
	m      map[string]json.RawMessage
	failed error
}

func (f *fields) err() error { return f.failed }

func (f *fields) fail(err error) {
	if f.failed == nil {
		f.failed = err
	}
}

// check rejects any field that is neither writable nor in ignored. Read-only
// fields are ignored rather than rejected because the official PHP client
// sends back what it fetched (BEHAVIOR.md, "Customers").
func (f *fields) check(writable, ignored []string) {
	keys := make([]string, 0, len(f.m))
	for k := range f.m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the same body always names the same field
	for _, k := range keys {
		if !slices.Contains(writable, k) && !slices.Contains(ignored, k) {
			f.fail(customersd.NotSupported(k))
			return
		}
	}
}

func (f *fields) raw(name string) (json.RawMessage, bool) {
	v, ok := f.m[name]
	if !ok || string(v) == "null" || f.failed != nil {
		return nil, false
	}
	return v, true
}

// str reads a text field. Any other JSON type is a bad type: "The field
// 'X' is invalid." (BEHAVIOR.md, "Error bodies").
func (f *fields) str(name string) *string {
	v, ok := f.raw(name)
	if !ok {
		return nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		f.fail(customersd.Invalid(name))
		return nil
	}
	return &s
}

// digits reads a text field that clients often send as a JSON number (a
// zip or a phone, from a language where it was an integer): the number is
// taken as its literal text.
func (f *fields) digits(name string) *string {
	v, ok := f.raw(name)
	if !ok {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(v, &n); err == nil {
		s := n.String()
		return &s
	}
	return f.str(name)
}

// boolean reads true/false, also as the strings "true"/"false" and the
// numbers 1/0 that form-encoding clients produce.
func (f *fields) boolean(name string) *bool {
	v, ok := f.raw(name)
	if !ok {
		return nil
	}
	var b bool
	if err := json.Unmarshal(v, &b); err == nil {
		return &b
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		s = string(v)
	}
	if b, ok := parseBool(s); ok {
		return &b
	}
	f.fail(customersd.Invalid(name))
	return nil
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// integer reads a whole number, also from a numeric string.
func (f *fields) integer(name string) *int64 {
	v, ok := f.raw(name)
	if !ok {
		return nil
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		s = string(v)
	}
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return &n
	}
	// 5.0 is still the integer 5.
	if x, err := strconv.ParseFloat(s, 64); err == nil && x == math.Trunc(x) && math.Abs(x) < 1<<53 {
		n := int64(x)
		return &n
	}
	f.fail(customersd.Invalid(name))
	return nil
}

// decimal reads an amount sent as a number or a numeric string.
func (f *fields) decimal(name string) *customersd.Decimal {
	v, ok := f.raw(name)
	if !ok {
		return nil
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		s = string(v)
	}
	d, ok := customersd.ParseDecimal(s)
	if !ok {
		f.fail(customersd.Invalid(name))
		return nil
	}
	return &d
}

// object reads a nested object; its own problems are reported by its leaf
// names, as BigCommerce does.
func (f *fields) object(name string) *fields {
	v, ok := f.raw(name)
	if !ok {
		return nil
	}
	m := map[string]json.RawMessage{}
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil || m == nil {
		f.fail(customersd.Invalid(name))
		return nil
	}
	return &fields{m: m}
}

// array reads a nested array of raw values.
func (f *fields) array(name string) []json.RawMessage {
	v, ok := f.raw(name)
	if !ok {
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(v, &items); err != nil {
		f.fail(customersd.Invalid(name))
		return nil
	}
	if items == nil {
		items = []json.RawMessage{}
	}
	return items
}

// refuseFormFields fails on form fields in a body: BigCommerce's custom form
// fields are GET only, and a non-empty array is a 400 naming 'name'
// (BEHAVIOR.md, "Representations"; bigcommerce/api#61). null and [] pass,
// since clients send back what they fetched; any other type is a bad type.
func (f *fields) refuseFormFields() {
	if items := f.array("form_fields"); len(items) > 0 {
		f.fail(customersd.Invalid("name"))
	}
}
