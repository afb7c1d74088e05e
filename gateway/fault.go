package gateway

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/customersd/customersd/fault"
)

// faultMessages word the injected statuses for the surface's error body,
// after BigCommerce's status code page (the 429's is the gateway's own).
var faultMessages = map[int]string{
	http.StatusTooManyRequests:     "Too many requests",
	http.StatusInternalServerError: "Internal Server Error",
	http.StatusBadGateway:          "Bad Gateway: the store could not be reached. Please try again.",
	http.StatusServiceUnavailable:  "The store is down for maintenance. Please try again later.",
	http.StatusGatewayTimeout:      "Gateway Timeout: the request did not complete in time. Please try again.",
	http.StatusInsufficientStorage: "Insufficient Storage: the store has reached a limit of its plan for this resource.",
}

// injectFault asks Gateway.Faults about a request of a store that passed
// authentication, and acts on the rule that fires: it waits the delay,
// then answers the status, drops the connection, or hands back a writer
// that drops it after the headers. done is true when the request has had
// its answer (or lost its connection) and the handler must not run.
func (p *pipeline) injectFault(w http.ResponseWriter, r *http.Request, info *Info) (_ http.ResponseWriter, done bool) {
	req := fault.Request{Method: r.Method, Route: p.relRoutes[info.Route], Path: r.URL.Path}
	if info.Account != nil {
		req.ClientID = info.Account.ClientID
	}
	a := p.g.Faults.Match(info.Store.ID, req)
	if a == nil {
		return w, false
	}
	info.fault = a.RuleID
	p.g.logger().InfoContext(r.Context(), "fault injected", p.logAttrs(r, slog.String("rule", a.RuleID))...)
	if a.Delay > 0 && !sleep(r, a.Delay) {
		info.clientClosed = true
		return w, true
	}
	switch {
	case a.Drop == fault.DropReset:
		p.readForJournal(r)
		info.reset = resetConnection(w)
		return w, true
	case a.Drop == fault.DropAfterHeaders:
		return &cutAfterHeaders{ResponseWriter: w}, false
	case a.Status != 0:
		p.readForJournal(r)
		p.answerFault(w, r, a)
		return w, true
	}
	return w, false
}

// sleep waits d, or until the client goes; false when it went.
func sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// readForJournal reads what the journal keeps of a body the handler will
// not read, so a refused request shows what it sent.
func (p *pipeline) readForJournal(r *http.Request) {
	if p.g.Journal != nil && r.Body != nil {
		io.CopyN(io.Discard, r.Body, int64(p.g.Journal.MaxBody()))
	}
}

// answerFault writes the rule's status in the surface's error shape with
// BigCommerce's headers for it: a 429 with X-Retry-After and the four
// X-Rate-Limit-* headers saying the quota is spent (or none of them, as
// BigCommerce's load balancing answers), a 503 with Retry-After. It is not
// logged as a failure: nothing failed.
func (p *pipeline) answerFault(w http.ResponseWriter, r *http.Request, a *fault.Action) {
	h := w.Header()
	e := &Error{Status: a.Status, Message: faultMessages[a.Status]}
	switch a.Status {
	case http.StatusTooManyRequests:
		if a.RateHeaders {
			if h.Get("X-Rate-Limit-Requests-Quota") == "" {
				setRateLimitHeaders(h, p.g.RateLimit.AnonymousDecision())
			}
			h.Set("X-Rate-Limit-Requests-Left", "0")
			h.Set("X-Rate-Limit-Time-Reset-Ms", strconv.Itoa(a.RetryAfter*1000))
		} else {
			for _, k := range rateLimitHeaders {
				h.Del(k)
			}
		}
		h.Set("X-Retry-After", strconv.Itoa(a.RetryAfter))
	case http.StatusServiceUnavailable:
		h.Set("Retry-After", strconv.Itoa(a.RetryAfter))
	}
	p.s.Render(w, r, e)
}

var rateLimitHeaders = []string{"X-Rate-Limit-Time-Window-Ms", "X-Rate-Limit-Time-Reset-Ms", "X-Rate-Limit-Requests-Quota", "X-Rate-Limit-Requests-Left"}

// resetConnection takes the client's connection and sets it to close
// with a TCP reset (SO_LINGER 0): the client reads ECONNRESET, as when a
// load balancer drops it. The caller closes it once the request is
// journaled, so that a test which saw the reset finds its entry. Where the
// connection cannot be taken (HTTP/2), the stream is aborted instead.
func resetConnection(w http.ResponseWriter) net.Conn {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	for c := conn; c != nil; {
		if tc, ok := c.(interface{ SetLinger(int) error }); ok {
			tc.SetLinger(0)
			break
		}
		u, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			break
		}
		c = u.NetConn()
	}
	return conn
}

// cutAfterHeaders lets the handler run and sends its status line and
// headers, then aborts the connection before the body: the request's
// change is made and the client cannot read the answer.
type cutAfterHeaders struct {
	http.ResponseWriter
}

func (w *cutAfterHeaders) WriteHeader(code int) {
	if code < 200 {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.ResponseWriter.WriteHeader(code)
	http.NewResponseController(w.ResponseWriter).Flush()
	panic(http.ErrAbortHandler) // net/http closes the connection without a word
}

func (w *cutAfterHeaders) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return 0, nil // not reached
}

func (w *cutAfterHeaders) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// relativeRoute is a route's pattern as fault rules and the journal name
// it: the path relative to the version root for /stores/{store_hash}/{v}/
// paths ("/customers/{customer_id}"), the whole path otherwise.
func relativeRoute(rt *Route) string {
	if rt.Name != "" {
		return rt.Name
	}
	_, path, ok := strings.Cut(rt.Pattern, " ")
	if !ok {
		path = rt.Pattern
	}
	if rest, ok := strings.CutPrefix(path, "/stores/{store_hash}/"); ok {
		_, after, _ := strings.Cut(rest, "/")
		return "/" + after
	}
	return path
}

// KnownRoute reports whether route (relative, as relativeRoute names it)
// is served by a store surface mounted on g: the check of a fault rule's
// route.
func (g *Gateway) KnownRoute(route string) bool {
	g.routesMu.Lock()
	defer g.routesMu.Unlock()
	return g.knownRoutes[route]
}
