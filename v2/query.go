package v2

import (
	"errors"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/customersd/customersd"
)

// Paging of every V2 collection (BEHAVIOR.md, "Collections").
const (
	defaultLimit = 50
	maxLimit     = 250
)

// query reads a request's filters. Like fields, the first problem sticks.
type query struct {
	v      url.Values
	failed error
}

// parseQuery accepts only the named parameters plus page and limit: an
// unknown parameter is a 400, so a typo never silently matches everything.
func parseQuery(r *http.Request, allowed ...string) *query {
	q := &query{v: r.URL.Query()}
	keys := make([]string, 0, len(q.v))
	for k := range q.v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if k != "page" && k != "limit" && !slices.Contains(allowed, k) {
			q.fail(customersd.NotSupported(k))
		}
	}
	return q
}

func (q *query) err() error { return q.failed }

func (q *query) fail(err error) {
	if q.failed == nil {
		q.failed = err
	}
}

func (q *query) str(name string) *string {
	if !q.v.Has(name) {
		return nil
	}
	s := q.v.Get(name)
	// No stored text holds a NUL or invalid UTF-8 (bodies are JSON, and
	// Validate refuses NUL), and PostgreSQL refuses both as a query
	// argument: a value with either matches nothing, so it is a bad value.
	if strings.ContainsRune(s, 0) || !utf8.ValidString(s) {
		q.fail(customersd.Invalid(name))
		return nil
	}
	return &s
}

func (q *query) int(name string) *int64 {
	s := q.str(name)
	if s == nil {
		return nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(*s), 10, 64)
	if err != nil {
		q.fail(customersd.Invalid(name))
		return nil
	}
	return &n
}

func (q *query) boolean(name string) *bool {
	s := q.str(name)
	if s == nil {
		return nil
	}
	b, ok := parseBool(*s)
	if !ok {
		q.fail(customersd.Invalid(name))
		return nil
	}
	return &b
}

func (q *query) decimal(name string) *customersd.Decimal {
	s := q.str(name)
	if s == nil {
		return nil
	}
	d, ok := customersd.ParseDecimal(*s)
	if !ok {
		q.fail(customersd.Invalid(name))
		return nil
	}
	return &d
}

// date reads a date filter. endOfDay makes a bare date inclusive of its
// whole day, for upper bounds: max_date_created=2024-05-06 includes
// customers created that afternoon.
func (q *query) date(name string, endOfDay bool) *time.Time {
	s := q.str(name)
	if s == nil {
		return nil
	}
	t, bare, ok := parseDate(*s)
	if !ok {
		q.fail(customersd.Invalid(name))
		return nil
	}
	if bare && endOfDay {
		t = t.Add(24*time.Hour - time.Second)
	}
	return &t
}

// dateLayouts are the date filter forms BigCommerce accepts (BEHAVIOR.md,
// "Formats"): RFC 2822, ISO 8601 / RFC 3339 with or without a zone, and a
// bare date. A time without a zone is UTC.
var dateLayouts = []string{
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05 -0700",
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
}

// parseDate returns the time, whether it was a bare date, and success.
func parseDate(s string) (time.Time, bool, bool) {
	s = restorePlus(strings.TrimSpace(s))
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true, true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), false, true
		}
	}
	return time.Time{}, false, false
}

// A client that does not encode '+' in a query string sends a time zone
// offset that arrives as a space: "2024-05-06T07:34:10 02:00" or
// "Mon, 06 May 2024 07:34:10  0000". Such a value means only one thing.
var (
	isoOffsetSpace  = regexp.MustCompile(`(\d{2}:\d{2}:\d{2}(?:\.\d+)?) (\d{2}:\d{2})$`)
	rfcOffsetSpaces = regexp.MustCompile(`(\d{2}:\d{2}:\d{2})  (\d{4})$`)
)

func restorePlus(s string) string {
	s = isoOffsetSpace.ReplaceAllString(s, "$1+$2")
	return rfcOffsetSpaces.ReplaceAllString(s, "$1 +$2")
}

// page reads page (from 1) and limit (default 50). A value below 1 or not a
// number is a 400; a limit above 250 is BigCommerce's recorded 413
// (errLimitTooHigh), also where the page is not used (counts, deletes), so a
// client learns the cap wherever it sends the parameter.
func (q *query) page() customersd.Page {
	page, limit := int64(1), int64(defaultLimit)
	if p := q.int("page"); p != nil {
		if *p < 1 {
			q.fail(customersd.Invalid("page"))
		}
		page = *p
	}
	if s := q.str("limit"); s != nil {
		l, err := strconv.ParseInt(strings.TrimSpace(*s), 10, 64)
		switch {
		case errors.Is(err, strconv.ErrRange) && l > 0: // more digits than an int64 holds
			q.fail(errLimitTooHigh)
		case err != nil || l < 1:
			q.fail(customersd.Invalid("limit"))
		case l > maxLimit:
			q.fail(errLimitTooHigh)
		}
		limit = l
	}
	if q.failed != nil {
		return customersd.Page{}
	}
	// A page so far out that its offset overflows is past any end.
	offset := int64(math.MaxInt64)
	if page-1 <= math.MaxInt64/limit {
		offset = (page - 1) * limit
	}
	return customersd.Page{Offset: offset, Limit: int(limit)}
}
