package v3

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"

	"github.com/customersd/customersd"
)

// Paging of the hooks list.
const (
	defaultLimit = 50
	maxLimit     = 250
)

func badQuery(name, message string) error {
	return &customersd.Error{Code: customersd.EINVALID, Field: name, Message: message}
}

// hookFilterOf reads the filters of GET /hooks: page, limit, is_active,
// scope and destination. Anything else, or a bad value, is a 422, so a typo
// never silently lists everything.
func hookFilterOf(r *http.Request) (customersd.HookFilter, error) {
	q := r.URL.Query()
	f := customersd.HookFilter{Page: 1, Limit: defaultLimit}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !slices.Contains([]string{"page", "limit", "is_active", "scope", "destination"}, k) {
			return f, badQuery(k, "The query parameter '"+k+"' is not supported by this resource.")
		}
	}
	if s := q.Get("page"); q.Has("page") {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return f, badQuery("page", "The query parameter 'page' must be a whole number from 1.")
		}
		f.Page = n
	}
	if s := q.Get("limit"); q.Has("limit") {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			return f, badQuery("limit", "The query parameter 'limit' must be a whole number from 1 to "+strconv.Itoa(maxLimit)+".")
		}
		f.Limit = n
	}
	if q.Has("is_active") {
		b, err := strconv.ParseBool(q.Get("is_active"))
		if err != nil {
			return f, badQuery("is_active", "The query parameter 'is_active' must be true or false.")
		}
		f.IsActive = &b
	}
	if q.Has("scope") {
		f.Scope = q.Get("scope")
		if !customersd.ValidHookScope(f.Scope) {
			return f, badQuery("scope", "The query parameter 'scope' is not a webhook scope of this API.")
		}
	}
	if q.Has("destination") {
		f.Destination = q.Get("destination")
		if f.Destination == "" {
			return f, badQuery("destination", "The query parameter 'destination' is empty.")
		}
	}
	return f, nil
}

// newPagination is meta.pagination of a page of count hooks out of total.
func newPagination(r *http.Request, total int64, count int, f customersd.HookFilter) *pagination {
	pages := (total + int64(f.Limit) - 1) / int64(f.Limit)
	p := &pagination{Total: total, Count: count, PerPage: f.Limit, CurrentPage: f.Page, TotalPages: pages}
	p.Links.Current = pageLink(r, f.Page, f.Limit)
	if f.Page > 1 {
		p.Links.Previous = pageLink(r, min(int64(f.Page-1), max(pages, 1)), f.Limit)
	}
	if int64(f.Page) < pages {
		p.Links.Next = pageLink(r, int64(f.Page+1), f.Limit)
	}
	return p
}

// pageLink is the query string of another page with the same filters, as
// BigCommerce writes links: "?limit=50&page=2".
func pageLink[N int | int64](r *http.Request, page N, limit int) string {
	q := url.Values{}
	for k, v := range r.URL.Query() {
		q[k] = v
	}
	q.Set("page", strconv.FormatInt(int64(page), 10))
	q.Set("limit", strconv.Itoa(limit))
	return "?" + q.Encode()
}
