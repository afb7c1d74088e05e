package admin

import (
	"net/http"
	"time"

	"github.com/customersd/customersd"
)

// rateLimitJSON is a store's own request quota on the wire: requests per
// window of window_ms milliseconds. A store without one shows null and gets
// the server's default for its plan (docs/ratelimits.md).
type rateLimitJSON struct {
	Requests int   `json:"requests"`
	WindowMS int64 `json:"window_ms"`
}

func newRateLimitJSON(q *customersd.Quota) *rateLimitJSON {
	if q == nil {
		return nil
	}
	return &rateLimitJSON{Requests: q.Requests, WindowMS: q.Window.Milliseconds()}
}

// toRateLimit returns the domain quota, nil for null.
func (j *rateLimitJSON) toRateLimit() *customersd.Quota {
	if j == nil {
		return nil
	}
	return &customersd.Quota{Requests: j.Requests, Window: time.Duration(j.WindowMS) * time.Millisecond}
}

// setStoreRateLimit implements PUT /admin/v1/stores/{hash}/rate_limit: the
// body {"requests": N, "window_ms": W} gives the store its own quota; null
// returns it to its plan's default. Running servers apply it from the
// store's next request. Answers with the store.
func (s *Server) setStoreRateLimit(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	var in *rateLimitJSON
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	q := in.toRateLimit()
	if err := s.Tenants.SetStoreRateLimit(r.Context(), st.ID, q); err != nil {
		return err
	}
	st.RateLimit = q
	return writeJSON(w, http.StatusOK, newStoreJSON(st))
}
