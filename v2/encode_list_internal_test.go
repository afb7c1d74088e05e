package v2

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/customersd/customersd/contracttest"
)

type item struct {
	ID    int    `json:"id"`
	Notes string `json:"notes"`
}

// largestWrite records the largest single Write to the response.
type largestWrite struct {
	*httptest.ResponseRecorder
	max int
}

func (w *largestWrite) Write(b []byte) (int, error) {
	w.max = max(w.max, len(b))
	return w.ResponseRecorder.Write(b)
}

// TestWriteList: a list is the JSON array of its items' wire forms, or
// their XML document, byte for byte, whole or streamed, plain or gzipped;
// and a large list is never written as one buffer.
func TestWriteList(t *testing.T) {
	for _, f := range []Format{FormatJSON, FormatXML} {
		t.Run(string(f), func(t *testing.T) { testWriteList(t, f) })
	}
}

func testWriteList(t *testing.T, f Format) {
	// Notes that encoding/json escapes, so that the stream must escape as
	// Marshal does; a "/" that V2's JSON writes "\/"; markup, for XML's CDATA.
	notes := strings.Repeat("<a&b>\u2028\"é\\/]]>", 400)
	for _, n := range []int{1, 3, 250} {
		items := make([]int, n)
		for i := range items {
			items[i] = i + 1
		}
		wire := func(i int) item { return item{ID: i, Notes: notes} }
		all := make([]item, n)
		for i, id := range items {
			all[i] = wire(id)
		}
		want, _ := json.Marshal(all)
		want = bytes.ReplaceAll(want, []byte("/"), []byte(`\/`))
		if f == FormatXML {
			jsonBody := want
			want, _ = marshalXMLDocument(all)
			if err := contracttest.CompareXML(want, jsonBody); err != nil {
				t.Fatalf("%d items: the XML is not the JSON's: %v", n, err)
			}
		}
		for _, gz := range []bool{false, true} {
			r := httptest.NewRequest("GET", "/stores/s/v2/customers", nil)
			if gz {
				r.Header.Set("Accept-Encoding", "gzip")
			}
			w := &largestWrite{ResponseRecorder: httptest.NewRecorder()}
			if err := writeListAs(w, r, f, items, wire); err != nil {
				t.Fatal(err)
			}
			res := w.Result()
			body := w.Body.Bytes()
			if res.Header.Get("Content-Encoding") == "gzip" {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			} else if gz {
				t.Errorf("%d items: not gzipped", n)
			}
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != f.contentType() {
				t.Errorf("%d items, gzip %v: status %d, Content-Type %q", n, gz, res.StatusCode, res.Header.Get("Content-Type"))
			}
			if !bytes.Equal(body, want) {
				t.Errorf("%d items, gzip %v: body differs from the whole list's (%d bytes, want %d)", n, gz, len(body), len(want))
			}
			if len(want) <= listBufferSize {
				if got := res.Header.Get("Content-Length"); got != strconv.Itoa(w.Body.Len()) {
					t.Errorf("%d items: Content-Length %s for %d bytes", n, got, w.Body.Len())
				}
			} else if limit := listBufferSize + len(want)/n + 1; w.max > limit {
				t.Errorf("%d items (%d bytes): a write of %d bytes, want at most %d", n, len(want), w.max, limit)
			}
		}
	}
}
