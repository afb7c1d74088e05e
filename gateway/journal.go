package gateway

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/customersd/customersd/journal"
)

// capture is what the journal keeps of a request while it runs: its path
// as the client sent it (before the surface's Rewrite), and the first
// bytes of each body.
type capture struct {
	path, query string
	req         captureBody
	resp        captureBody
}

// captureBody keeps the first max bytes written to it and notes whether
// more came.
type captureBody struct {
	max       int
	buf       []byte
	truncated bool
}

func (c *captureBody) write(b []byte) {
	room := c.max - len(c.buf)
	if len(b) > room {
		b, c.truncated = b[:max(room, 0)], true
	}
	c.buf = append(c.buf, b...)
}

// teeBody copies what the handler reads of the request body into the
// capture; the handler reads exactly what it would without it.
type teeBody struct {
	io.ReadCloser
	c *captureBody
}

func (t *teeBody) Read(b []byte) (int, error) {
	n, err := t.ReadCloser.Read(b)
	t.c.write(b[:n])
	return n, err
}

// journaling reports whether the surface's requests are journaled: those
// of a store (not the admin API, which is how tests read the journal).
func (p *pipeline) journaling() bool {
	return p.g.Journal != nil && p.s.Auth != AdminToken
}

// startCapture prepares the journal entry of r, before the surface
// rewrites its path.
func (p *pipeline) startCapture(rec *recorder, r *http.Request) *capture {
	max := p.g.Journal.MaxBody()
	c := &capture{path: r.URL.Path, query: r.URL.RawQuery, req: captureBody{max: max}, resp: captureBody{max: max}}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = &teeBody{ReadCloser: r.Body, c: &c.req}
	}
	rec.capture = &c.resp
	return c
}

// recordBeforeLastWrite arranges for the journal entry to be made before
// the write that completes a body of known length (recorder.beforeLast).
func (p *pipeline) recordBeforeLastWrite(rec *recorder, r *http.Request, info *Info, start time.Time) {
	rec.beforeLast = func() {
		rec.beforeLast = nil
		p.record(rec, r, info, start)
	}
}

// record adds the request's entry to its store's journal, with every
// secret removed (journal.RedactPath, RedactQuery, RedactBody) and no
// header. A request that never reached a store (unknown store, bad
// token) has no journal to go to.
func (p *pipeline) record(rec *recorder, r *http.Request, info *Info, start time.Time) {
	c := info.capture
	if c == nil || info.Store == nil || info.recorded {
		return
	}
	info.recorded = true
	d, status := time.Since(start), rec.status
	if info.clientClosed && status == 0 {
		status = StatusClientClosedRequest
	}
	max := p.g.Journal.MaxBody()
	h := rec.Header()
	e := &journal.Entry{
		Time:       start.UTC(),
		Method:     r.Method,
		Path:       journal.RedactPath(c.path, routePath(info.Route)),
		Query:      journal.RedactQuery(c.query),
		Route:      p.relRoutes[info.Route],
		Surface:    p.s.Name,
		Status:     status,
		DurationMS: float64(d.Microseconds()) / 1000,
		RequestID:  info.ID,
		RateLimit:  rateLimitOf(h),
	}
	var cut bool
	e.RequestBody, cut = journal.RedactBody(c.req.buf, r.Header.Get("Content-Type"), r.Header.Get("Content-Encoding"), max)
	e.RequestBodyTruncated = c.req.truncated || cut
	e.ResponseBody, cut = journal.RedactBody(c.resp.buf, h.Get("Content-Type"), h.Get("Content-Encoding"), max)
	e.ResponseBodyTruncated = c.resp.truncated || cut
	if info.Account != nil {
		e.ClientID = info.Account.ClientID
	}
	if info.fault != "" {
		e.Fault = &info.fault
	}
	p.g.Journal.Add(info.Store.ID, e)
}

// routePath is the path of a route pattern, "" for none.
func routePath(pattern string) string {
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	return pattern
}

// rateLimitOf reads the quota the response told the client, nil when it
// carried no X-Rate-Limit-* headers.
func rateLimitOf(h http.Header) *journal.RateLimit {
	quota := h.Get("X-Rate-Limit-Requests-Quota")
	if quota == "" {
		return nil
	}
	rl := &journal.RateLimit{}
	rl.RequestsQuota, _ = strconv.Atoi(quota)
	rl.RequestsLeft, _ = strconv.Atoi(h.Get("X-Rate-Limit-Requests-Left"))
	rl.TimeResetMS, _ = strconv.ParseInt(h.Get("X-Rate-Limit-Time-Reset-Ms"), 10, 64)
	rl.TimeWindowMS, _ = strconv.ParseInt(h.Get("X-Rate-Limit-Time-Window-Ms"), 10, 64)
	return rl
}
