package v2

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
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
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if len(b) >= gzipMinSize && acceptsGzip(r) {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		zw.Write(b)
		zw.Close()
		b = buf.Bytes()
		h.Set("Content-Encoding", "gzip")
		h.Add("Vary", "Accept-Encoding")
	}
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
	return nil
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

// writeList writes a collection: BigCommerce answers 204 with no body when a
// collection has no items, and clients page until they see it.
func writeList[T any](w http.ResponseWriter, r *http.Request, items []T) error {
	if len(items) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return writeJSON(w, r, http.StatusOK, items)
}

type countJSON struct {
	Count int64 `json:"count"`
}

// decimal is how BigCommerce writes amounts: a string with four decimals.
func decimal(d customersd.Decimal) string { return d.String() }
