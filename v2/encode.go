package v2

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
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

// writeJSON writes v as compact JSON with the given status, gzipped when the
// client accepts it and the body is large enough.
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("v2: encode response: %w", err)
	}
	writeBody(w, r, status, b)
	return nil
}

// writeBody writes a whole JSON body with its Content-Length.
func writeBody(w http.ResponseWriter, r *http.Request, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if len(b) >= gzipMinSize && acceptsGzip(r) {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		zw.Write(b)
		zw.Close()
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

// listBufferSize is how much of a collection's JSON is gathered before it
// is sent: a list that fits is written whole, as any response, and a larger
// one is streamed item by item, so a page never exists as one []byte (250
// customers with 64 KB notes would be 16 MB, and the gzip copy more).
const listBufferSize = 64 << 10

// writeList writes a collection, each item in its wire form: BigCommerce
// answers 204 with no body when a collection has no items, and clients
// page until they see it. The body is the JSON array of the wire forms,
// whether it is written whole or streamed.
func writeList[V, T any](w http.ResponseWriter, r *http.Request, items []V, wire func(V) T) error {
	if len(items) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	buf := bytes.NewBuffer(make([]byte, 0, min(listBufferSize, 512*len(items))))
	buf.WriteByte('[')
	for i, item := range items {
		if buf.Len() >= listBufferSize {
			return streamList(w, r, buf.Bytes(), items[i:], wire)
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		b, err := json.Marshal(wire(item))
		if err != nil {
			return fmt.Errorf("v2: encode list item %d: %w", i, err)
		}
		buf.Write(b)
	}
	buf.WriteByte(']')
	writeBody(w, r, http.StatusOK, buf.Bytes())
	return nil
}

// streamList sends a 200 with the head of a list already encoded, then
// each of the remaining items as it is encoded. Without Content-Length the
// body goes chunked. Once the status is sent nothing can be reported, so a
// failed write (the client went away) just ends the body; the wire types
// cannot fail to encode.
func streamList[V, T any](w http.ResponseWriter, r *http.Request, head []byte, rest []V, wire func(V) T) error {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	var out io.Writer = w
	if acceptsGzip(r) {
		setGzip(h)
		zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		defer zw.Close()
		out = zw
	}
	w.WriteHeader(http.StatusOK)
	if _, err := out.Write(head); err != nil {
		return nil
	}
	for _, item := range rest {
		b, err := json.Marshal(wire(item))
		if err != nil {
			return nil
		}
		if _, err := out.Write(comma); err != nil {
			return nil
		}
		if _, err := out.Write(b); err != nil {
			return nil
		}
	}
	out.Write([]byte{']'})
	return nil
}

var comma = []byte{','}

type countJSON struct {
	Count int64 `json:"count"`
}

// decimal is how BigCommerce writes amounts: a string with four decimals.
func decimal(d customersd.Decimal) string { return d.String() }
