package v2

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
)

// customerDate formats a customer date as BigCommerce does: RFC 2822 in UTC,
// "Mon, 06 May 2024 07:34:10 +0000".
func customerDate(t time.Time) string { return t.UTC().Format(time.RFC1123Z) }

// groupDate formats a group date in the form the docs show (a decision in
// BEHAVIOR.md): "2023-07-17 06:30:41", UTC.
func groupDate(t time.Time) string { return t.UTC().Format(time.DateTime) }

// resourceLink is the V2 link to a sub-collection: an absolute url built from
// the request, and a resource path relative to the version root, which the
// PHP client appends to its own base URL.
type resourceLink struct {
	URL      string `json:"url"`
	Resource string `json:"resource"`
}

func newResourceLink(r *http.Request, resource string) resourceLink {
	return resourceLink{URL: versionRoot(r) + resource, Resource: resource}
}

// versionRoot is the absolute URL of /stores/{store_hash}/v2 as the client
// reached it: the configured public URL, or one built from a well-formed
// Host and X-Forwarded-Proto (gateway.BaseURL), never a hostile Host.
func versionRoot(r *http.Request) string {
	return gateway.BaseURL(r) + "/stores/" + r.PathValue("store_hash") + "/v2"
}

// gzipMinSize is the smallest body worth compressing: below about one
// packet, gzip's header and CPU cost more than they save.
const gzipMinSize = 1400

// write writes v, a wire value, with the given status in the format
// negotiated for r.
func write(w http.ResponseWriter, r *http.Request, status int, v any) error {
	return writeAs(w, r, formatOf(r.Context()), status, v)
}

// writeAs writes v as JSON or XML, gzipped when the client accepts it and
// the body is large enough. Both forms come from the same wire value: the
// JSON from its json tags, the XML from the same tags (xml.go).
func writeAs(w http.ResponseWriter, r *http.Request, f Format, status int, v any) error {
	var b []byte
	var err error
	if f == FormatJSON {
		b, err = marshalJSON(v)
	} else {
		b, err = marshalXMLDocument(v)
	}
	if err != nil {
		return err
	}
	writeBody(w, r, status, f.contentType(), b)
	return nil
}

// marshalJSON is V2's JSON: compact, as encoding/json writes it, with every
// "/" written "\/" as PHP's json_encode does and every recorded BigCommerce
// body shows (BEHAVIOR.md, "Formats"). A "/" can only occur inside a JSON
// string, so the replacement never touches the syntax, and encoding/json
// never writes "\/" itself.
func marshalJSON(v any) ([]byte, error) {
	if a, ok := v.(jsonAppender); ok {
		return a.appendJSON(make([]byte, 0, 1024)), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("v2: encode response: %w", err)
	}
	return escapeSlashes(b), nil
}

var slash, escapedSlash = []byte("/"), []byte(`\/`)

func escapeSlashes(b []byte) []byte {
	if bytes.IndexByte(b, '/') < 0 {
		return b
	}
	return bytes.ReplaceAll(b, slash, escapedSlash)
}

// writeBody writes a whole body with its Content-Length.
func writeBody(w http.ResponseWriter, r *http.Request, status int, contentType string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	if len(b) >= gzipMinSize && acceptsGzip(r) {
		buf := bytes.NewBuffer(make([]byte, 0, len(b)/3))
		zw := newGzip(buf)
		zw.Write(b)
		zw.Close()
		freeGzip(zw)
		b = buf.Bytes()
		setGzip(h)
	}
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

func setGzip(h http.Header) {
	h.Set("Content-Encoding", "gzip")
	h.Add("Vary", "Accept-Encoding")
}

func acceptsGzip(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") && !strings.Contains(strings.ReplaceAll(params, " ", ""), "q=0") {
			return true
		}
	}
	return false
}

// listBufferSize is how much of a collection's body is gathered before it
// is sent: a list that fits is written whole, as any response, and a larger
// one is streamed item by item, so a page never exists as one []byte (250
// customers with 64 KB notes would be 16 MB, and the gzip copy more).
const listBufferSize = 64 << 10

// listForm is how a collection is written in one format: what comes before
// the items, between two of them and after them, and one item's form,
// appended to dst.
type listForm struct {
	contentType     string
	head, sep, tail []byte
	appendItem      func(dst []byte, v any) ([]byte, error)
}

// appendJSONItem appends v's JSON to dst: an item that writes its own JSON
// writes it there, so a page of customers costs no buffer, and no copy, per
// item.
func appendJSONItem(dst []byte, v any) ([]byte, error) {
	if a, ok := v.(jsonAppender); ok {
		return a.appendJSON(dst), nil
	}
	b, err := marshalJSON(v)
	return append(dst, b...), err
}

// listFormOf is the JSON array of the items, or the XML plural root with
// one singular element per item (XML.md §4.1; a page of one item keeps the
// plural root, [INF] as JSON keeps the array).
func listFormOf[T any](f Format) listForm {
	if f == FormatJSON {
		return listForm{contentType: f.contentType(), head: []byte("["), sep: comma, tail: []byte("]"), appendItem: appendJSONItem}
	}
	names := xmlNamesOf(reflect.TypeFor[T]())
	return listForm{
		contentType: f.contentType(),
		head:        []byte(xmlDeclaration + "<" + names.many + ">\n"),
		tail:        []byte("</" + names.many + ">\n"),
		appendItem: func(dst []byte, v any) ([]byte, error) {
			b, err := marshalXMLElement(names.one, v, 1)
			return append(dst, b...), err
		},
	}
}

// writeList writes a collection, each item in its wire form, in the format
// negotiated for r.
func writeList[V, T any](w http.ResponseWriter, r *http.Request, items []V, wire func(V) T) error {
	return writeListAs(w, r, formatOf(r.Context()), items, wire)
}

// writeListAs writes a collection in format f: BigCommerce answers 204 with
// no body when a collection has no items, in either format, and clients
// page until they see it. The body is the same whether it is written whole
// or streamed.
func writeListAs[V, T any](w http.ResponseWriter, r *http.Request, f Format, items []V, wire func(V) T) error {
	if len(items) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	lf := listFormOf[T](f)
	buf := make([]byte, 0, min(listBufferSize, 512*len(items)))
	buf = append(buf, lf.head...)
	for i, item := range items {
		if len(buf) >= listBufferSize {
			return streamList(w, r, lf, buf, items[i:], wire)
		}
		if i > 0 {
			buf = append(buf, lf.sep...)
		}
		var err error
		if buf, err = lf.appendItem(buf, wire(item)); err != nil {
			return fmt.Errorf("v2: encode list item %d: %w", i, err)
		}
	}
	buf = append(buf, lf.tail...)
	writeBody(w, r, http.StatusOK, lf.contentType, buf)
	return nil
}

// streamList sends a 200 with the head of a list already encoded, then
// each of the remaining items as it is encoded. Without Content-Length the
// body goes chunked. Once the status is sent nothing can be reported, so a
// failed write (the client went away) just ends the body; the wire types
// cannot fail to encode.
func streamList[V, T any](w http.ResponseWriter, r *http.Request, lf listForm, head []byte, rest []V, wire func(V) T) error {
	h := w.Header()
	h.Set("Content-Type", lf.contentType)
	var out io.Writer = w
	if acceptsGzip(r) {
		setGzip(h)
		zw := newGzip(w)
		defer func() {
			zw.Close()
			freeGzip(zw)
		}()
		out = zw
	}
	w.WriteHeader(http.StatusOK)
	if _, err := out.Write(head); err != nil {
		return nil
	}
	var b []byte // reused item after item
	for _, item := range rest {
		var err error
		if b, err = lf.appendItem(b[:0], wire(item)); err != nil {
			return nil
		}
		if _, err := out.Write(lf.sep); err != nil {
			return nil
		}
		if _, err := out.Write(b); err != nil {
			return nil
		}
	}
	out.Write(lf.tail)
	return nil
}

var comma = []byte{','}

type countJSON struct {
	Count int64 `json:"count"`
}

// decimal is how BigCommerce writes amounts: a string with four decimals.
func decimal(d customersd.Decimal) string { return d.String() }
