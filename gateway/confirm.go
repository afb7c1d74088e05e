package gateway

import (
	"net/http"

	"github.com/customersd/customersd"
)

// Deferred authentication (customersd.DeferredAuthenticator): a GET or HEAD
// may be let through on what the node last saw of its token, the token
// being checked during the request, in the round trip of its first read.
// The gateway holds the response until that check's outcome is known:
// confirmWriter asks for it before the first byte of the status, header or
// body, and after the handler returns if it wrote nothing. A token found
// revoked, or without the route's scope any longer, gets the answer it
// would have got before the handler ran (401, 403), and what the handler
// wrote is dropped. Writes never defer: they would change data before the
// check.

// deferrable reports whether r may be authenticated on a hint: a method
// that changes nothing.
func deferrable(r *http.Request) bool {
	return r.Method == http.MethodGet || r.Method == http.MethodHead
}

// confirmWriter holds a response until the request's token is confirmed.
type confirmWriter struct {
	http.ResponseWriter
	confirm func() bool // true: the token holds; false: the refusal was written
	state   confirmState
}

type confirmState uint8

const (
	unconfirmed confirmState = iota
	confirmed
	refused
)

// settle confirms the token, once; it reports whether the handler's
// response may be written.
func (w *confirmWriter) settle() bool {
	if w.state == unconfirmed {
		w.state = refused
		if w.confirm() {
			w.state = confirmed
		}
	}
	return w.state == confirmed
}

func (w *confirmWriter) WriteHeader(code int) {
	if w.settle() {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *confirmWriter) Write(b []byte) (int, error) {
	if w.settle() {
		return w.ResponseWriter.Write(b)
	}
	return len(b), nil // the refusal has been written instead
}

// Flush is http.Flusher's, settling first: a flush sends the status.
func (w *confirmWriter) Flush() {
	if w.settle() {
		http.NewResponseController(w.ResponseWriter).Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection, for a fault
// that drops it (fault.go): a dropped connection tells nothing either way.
// Flush it finds here first.
func (w *confirmWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// confirm checks the token of a request authenticated on a hint, and
// writes the refusal to w (the writer under the confirmWriter) when it no
// longer holds, or no longer has the route's scope.
func (p *pipeline) confirm(w http.ResponseWriter, r *http.Request, info *Info, rt *Route, d customersd.DeferredAuthenticator) bool {
	a, err := d.Confirm(r.Context())
	if err != nil && info.unavailable {
		// The answer under way is already the outage's 503, which the
		// check could not be made for either: it tells nothing, and is
		// logged and counted once.
		return true
	}
	if err == nil {
		if permits(a, p.scopes(r, rt)) {
			info.Account, info.Store = a, &a.Store
			return true
		}
		err = errMissingScope()
	}
	// The handler's headers go; the request's ID stays.
	for k := range w.Header() {
		if k != "X-Request-ID" {
			delete(w.Header(), k)
		}
	}
	setRateLimitHeaders(w.Header(), p.g.RateLimit.AnonymousDecision())
	p.fail(w, r, err)
	return false
}
