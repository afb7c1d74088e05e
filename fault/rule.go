// Package fault holds the fault rules of each store: which requests they
// match, when they fire, and what they do (a status, latency, a dropped
// connection). The gateway asks Engine.Match once per request of a store
// and acts on the answer; the admin API creates, lists and deletes rules.
// Rules live in the memory of the node that received them.
package fault

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Statuses are the statuses a rule may answer with: those BigCommerce
// documents for a failure a client must survive (api-status-codes: 429
// over quota or load balancing, 500, 502, 503 maintenance, 504, 507 plan
// limits).
var Statuses = []int{
	http.StatusTooManyRequests,
	http.StatusInternalServerError,
	http.StatusBadGateway,
	http.StatusServiceUnavailable,
	http.StatusGatewayTimeout,
	http.StatusInsufficientStorage,
}

// The drop kinds.
const (
	// DropReset closes the connection at once with a TCP reset (SO_LINGER
	// 0), before the request is served: the client sees ECONNRESET.
	DropReset = "reset"
	// DropAfterHeaders serves the request, sends its status line and
	// headers, then closes the connection before the body: the change is
	// made, the client cannot read the answer.
	DropAfterHeaders = "after_headers"
)

// Bounds of a rule's numbers, so a typo cannot hold a connection for hours.
const (
	MaxDelay      = 60 * time.Second
	MaxRetryAfter = 3600
	MaxTTL        = 7 * 24 * time.Hour
)

// Rule is one fault rule. Zero fields do not constrain: a rule with no
// match fields matches every request of its store.
type Rule struct {
	// ID is given by Engine.Add.
	ID string
	// Match: all that are set must hold.
	Method     string // exact, upper case
	Route      string // the route pattern relative to the version root, "/customers/{customer_id}"
	PathPrefix string // a prefix of the request's full path, "/stores/abc/v2/customers"
	ClientID   string // the API account's client ID

	// When: on every matching request, unless Every (every Nth match) or
	// Probability (drawn from Seed's generator) says otherwise; the rule
	// expires after Times firings (0: no limit) or TTL (0: none).
	Times       int
	Every       int
	Probability *float64
	Seed        *int64
	TTL         time.Duration

	// What: Delay (up to DelayMax, drawn from Seed's generator) first, then
	// Status or Drop, or the request as usual.
	Status int
	// RateHeaders: a 429 carries the four X-Rate-Limit-* headers (true)
	// or none, as when BigCommerce's load balancing refuses (false).
	RateHeaders bool
	// RetryAfter is the X-Retry-After (429) or Retry-After (503) in seconds.
	RetryAfter int
	Delay      time.Duration
	DelayMax   time.Duration
	Drop       string
}

// InvalidError is a rule that cannot be. Message names the field.
type InvalidError struct{ Message string }

func (e *InvalidError) Error() string { return e.Message }

func invalid(format string, args ...any) error {
	return &InvalidError{Message: fmt.Sprintf(format, args...)}
}

// IsInvalid reports whether err is an *InvalidError.
func IsInvalid(err error) bool {
	var ie *InvalidError
	return errors.As(err, &ie)
}

// Validate checks a rule before it is added; knownRoute, when set, tells
// whether a route pattern is one a surface serves.
func (r *Rule) Validate(knownRoute func(string) bool) error {
	if r.Method != "" && (r.Method != strings.ToUpper(r.Method) || strings.ContainsAny(r.Method, " /\t")) {
		return invalid("'method' must be an HTTP method in upper case, such as POST, not %q.", r.Method)
	}
	if r.Route != "" {
		if !strings.HasPrefix(r.Route, "/") || strings.Contains(r.Route, " ") {
			return invalid("'route' must be a route pattern relative to the version root, such as /customers/{customer_id}, not %q.", r.Route)
		}
		if knownRoute != nil && !knownRoute(r.Route) {
			return invalid("'route' %q is no route of this server; patterns are relative to the version root, such as /customers/{customer_id}.", r.Route)
		}
	}
	if r.PathPrefix != "" && !strings.HasPrefix(r.PathPrefix, "/") {
		return invalid("'path_prefix' must start with /, such as /stores/abc123/v2/customers, not %q.", r.PathPrefix)
	}
	if err := r.validateWhen(); err != nil {
		return err
	}
	return r.validateWhat()
}

func (r *Rule) validateWhen() error {
	switch {
	case r.Times < 0:
		return invalid("'times' must be 1 or more.")
	case r.Every < 0:
		return invalid("'every' must be 1 or more.")
	case r.Every > 0 && r.Probability != nil:
		return invalid("Give 'every' or 'probability', not both.")
	case r.Probability != nil && (math.IsNaN(*r.Probability) || *r.Probability < 0 || *r.Probability > 1):
		return invalid("'probability' must be between 0 and 1.")
	case r.TTL < 0 || r.TTL > MaxTTL:
		return invalid("'ttl_seconds' must be between 1 and %d.", int(MaxTTL/time.Second))
	}
	return nil
}

func (r *Rule) validateWhat() error {
	switch {
	case r.Status == 0 && r.Drop == "" && r.Delay == 0 && r.DelayMax == 0:
		return invalid("A rule needs something to do: 'status', 'delay_ms' or 'drop'.")
	case r.Status != 0 && !slices.Contains(Statuses, r.Status):
		return invalid("'status' must be one of 429, 500, 502, 503, 504 or 507, not %d.", r.Status)
	case r.Drop != "" && r.Drop != DropReset && r.Drop != DropAfterHeaders:
		return invalid("'drop' must be \"reset\" or \"after_headers\", not %q.", r.Drop)
	case r.Drop != "" && r.Status != 0:
		return invalid("Give 'status' or 'drop', not both.")
	case !r.RateHeaders && r.Status != http.StatusTooManyRequests:
		return invalid("'rate_headers' applies to 'status' 429 only.")
	case r.RetryAfter != 0 && r.Status != http.StatusTooManyRequests && r.Status != http.StatusServiceUnavailable:
		return invalid("'retry_after_seconds' applies to 'status' 429 and 503 only.")
	case r.RetryAfter < 0 || r.RetryAfter > MaxRetryAfter:
		return invalid("'retry_after_seconds' must be between 1 and %d.", MaxRetryAfter)
	case r.Delay < 0 || r.Delay > MaxDelay:
		return invalid("'delay_ms' must be between 0 and %d.", MaxDelay.Milliseconds())
	case r.DelayMax != 0 && (r.DelayMax < r.Delay || r.DelayMax > MaxDelay):
		return invalid("'delay_max_ms' must be at least 'delay_ms' and at most %d.", MaxDelay.Milliseconds())
	}
	return nil
}
