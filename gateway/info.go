package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"

	"github.com/customersd/customersd"
)

// Info is what the gateway learns about a request on its way in and reads on
// its way out (access log, metrics). Handlers read it with InfoOf.
type Info struct {
	// ID is the request ID, echoed in X-Request-ID.
	ID string
	// Route is the pattern of the route that serves the request, "" when
	// none does.
	Route string
	// Account is the API account of a StoreToken request, once
	// authenticated.
	Account *customersd.APIAccount
	// Store is the store the request is for: the account's, or on a Public
	// surface the one its path names.
	Store *customersd.Store
	// Format is the response format the surface's Negotiate picked ("" for
	// a surface without one), so that its error renderer answers in it too.
	Format string

	// served: the route's handler ran, so the backend answered at least
	// the authentication; unavailable: a backend outage failed the
	// request; clientClosed: the client went away before an answer.
	served, unavailable, clientClosed bool
	// viaHandler: the route was found before the checks, and the mux
	// dispatches r after them (pipeline.serve).
	viaHandler bool
	// notAcceptable is Negotiate's refusal, answered before authentication.
	notAcceptable error
	// publicURL is the gateway's PublicURL, for BaseURL.
	publicURL string
	// fault is the ID of the fault rule that fired on the request.
	fault string
	// capture is what the journal keeps of the request, nil when off;
	// recorded: its entry is made.
	capture  *capture
	recorded bool
	// reset is the connection a fault rule resets, closed once the
	// request is logged.
	reset io.Closer
}

type infoKey struct{}

func withInfo(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, infoKey{}, info)
}

// InfoOf returns the Info of a request the gateway serves, nil elsewhere.
func InfoOf(ctx context.Context) *Info {
	info, _ := ctx.Value(infoKey{}).(*Info)
	return info
}

// StoreOf returns the store a request authenticated for (StoreToken) or
// names (Public); a handler of such a surface can rely on it.
func StoreOf(ctx context.Context) *customersd.Store {
	return InfoOf(ctx).Store
}

// AccountOf returns the API account of a StoreToken request.
func AccountOf(ctx context.Context) *customersd.APIAccount {
	return InfoOf(ctx).Account
}

// RequestID returns the request's ID, "" outside the gateway.
func RequestID(ctx context.Context) string {
	if info := InfoOf(ctx); info != nil {
		return info.ID
	}
	return ""
}

// requestIDOf is the client's or load balancer's X-Request-ID when it is a
// sane token, else a random one.
func requestIDOf(r *http.Request) string {
	id := r.Header.Get("X-Request-ID")
	if saneRequestID(id) {
		return id
	}
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func saneRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
