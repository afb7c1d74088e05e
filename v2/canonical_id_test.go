package v2_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestNonCanonicalIDs: an ID in a path is canonical digits or names
// nothing. "01" and "+1" are not second names for resource 1: every route
// with an ID answers them with V2's 404, and nothing changes (docs/behavior.md).
func TestNonCanonicalIDs(t *testing.T) {
	ts := newTestServer(t, "sqlite")
	secFixture(t, ts)
	before := snapshot(t, ts)
	for _, rt := range v2Routes {
		for _, pos := range []string{"{c}", "{a}", "{g}"} {
			if !strings.Contains(rt.path, pos) {
				continue
			}
			for _, id := range []string{"01", "001", "+1", "0"} {
				ids := map[string]string{"{c}": "1", "{a}": "1", "{g}": "1"}
				ids[pos] = id
				path := rt.withIDs(ids["{c}"], ids["{a}"], ids["{g}"])
				res := ts.do(rt.method, path, rt.body)
				if res.Status != http.StatusNotFound {
					t.Errorf("%s %s: status=%d, want 404: %s", rt.method, path, res.Status, res.Body)
				} else if rt.method != http.MethodHead {
					res.wantError(t, http.StatusNotFound, "The requested resource was not found.")
				}
			}
		}
	}
	if after := snapshot(t, ts); after != before {
		t.Fatalf("requests with non-canonical IDs changed the store:\nbefore %s\nafter  %s", before, after)
	}
	ts.do("GET", "/customers/1", nil).want(t, http.StatusOK)
	ts.do("GET", "/customer_groups/1", nil).want(t, http.StatusOK)
}
