package v3_test

import (
	"fmt"
	"net/http"
	"testing"
)

// listIDs is the ids and meta.pagination of a list.
type listPage struct {
	Data []struct {
		ID int64 `json:"id"`
	} `json:"data"`
	Meta struct {
		Pagination map[string]any `json:"pagination"`
	} `json:"meta"`
}

func (p listPage) ids() []int64 {
	out := []int64{}
	for _, h := range p.Data {
		out = append(out, h.ID)
	}
	return out
}

func TestListHooks_FiltersAndPages(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		// 1-3 created (3 inactive), 4-5 updated, and one of another account.
		for i, h := range []map[string]any{
			{"scope": "store/customer/created", "destination": "http://localhost:9/a"},
			{"scope": "store/customer/created", "destination": "http://localhost:9/b"},
			{"scope": "store/customer/created", "destination": "http://localhost:9/c", "is_active": false},
			{"scope": "store/customer/updated", "destination": "http://localhost:9/a"},
			{"scope": "store/customer/updated", "destination": "http://localhost:9/b"},
		} {
			if id := ts.mustCreateHook(t, ts.token, h); id != int64(i+1) {
				t.Fatalf("id=%d, want %d", id, i+1)
			}
		}
		ts.mustCreateHook(t, ts.token2, map[string]any{"scope": "store/customer/created", "destination": "http://localhost:9/a"})

		tests := []struct {
			query string
			want  string
			meta  string
		}{
			{"", "[1 2 3 4 5]", `{"total":5,"count":5,"per_page":50,"current_page":1,"total_pages":1,"links":{"current":"?limit=50&page=1"}}`},
			{"?scope=store/customer/created", "[1 2 3]", ""},
			{"?is_active=false", "[3]", ""},
			{"?is_active=true&scope=store/customer/created", "[1 2]", ""},
			{"?destination=http://localhost:9/a", "[1 4]", ""},
			{"?limit=2", "[1 2]", `{"total":5,"count":2,"per_page":2,"current_page":1,"total_pages":3,"links":{"current":"?limit=2&page=1","next":"?limit=2&page=2"}}`},
			{"?limit=2&page=2", "[3 4]", `{"total":5,"count":2,"per_page":2,"current_page":2,"total_pages":3,"links":{"previous":"?limit=2&page=1","current":"?limit=2&page=2","next":"?limit=2&page=3"}}`},
			{"?limit=2&page=3&scope=store/customer/created", "[]", `{"total":3,"count":0,"per_page":2,"current_page":3,"total_pages":2,"links":{"previous":"?limit=2&page=2&scope=store%2Fcustomer%2Fcreated","current":"?limit=2&page=3&scope=store%2Fcustomer%2Fcreated"}}`},
		}
		for _, tt := range tests {
			t.Run(tt.query, func(t *testing.T) {
				res := ts.do("GET", "/hooks"+tt.query, nil).want(t, http.StatusOK)
				var p listPage
				res.decode(t, &p)
				if got := fmt.Sprint(p.ids()); got != tt.want {
					t.Fatalf("ids=%s, want %s", got, tt.want)
				}
				if tt.meta != "" {
					var m struct {
						Meta struct {
							Pagination jsonRaw `json:"pagination"`
						} `json:"meta"`
					}
					res.decode(t, &m)
					if string(m.Meta.Pagination) != tt.meta {
						t.Fatalf("pagination=%s\nwant %s", m.Meta.Pagination, tt.meta)
					}
				}
			})
		}
		bad := []struct{ query, field, title string }{
			{"?limit=0", "limit", "The query parameter 'limit' must be a whole number from 1 to 250."},
			{"?limit=251", "limit", "The query parameter 'limit' must be a whole number from 1 to 250."},
			{"?page=0", "page", "The query parameter 'page' must be a whole number from 1."},
			{"?page=x", "page", "The query parameter 'page' must be a whole number from 1."},
			{"?is_active=maybe", "is_active", "The query parameter 'is_active' must be true or false."},
			{"?scope=store/order/*", "scope", "The query parameter 'scope' is not a webhook scope of this API."},
			{"?destination=", "destination", "The query parameter 'destination' is empty."},
			{"?sort=id", "sort", "The query parameter 'sort' is not supported by this resource."},
		}
		for _, tt := range bad {
			t.Run(tt.query, func(t *testing.T) {
				ts.do("GET", "/hooks"+tt.query, nil).wantError(t, http.StatusUnprocessableEntity, tt.title, `{"`+tt.field+`":`+quote(tt.title)+`}`)
			})
		}
	})
}
