package gateway

import (
	"log/slog"
	"net/http"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/customersd/customersd/ratelimit"
)

// recorder remembers the status and size of a response for the log.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
	// capture, when set, keeps the first bytes of the body for the journal.
	capture *captureBody
	// beforeLast, when set, runs before the write that completes a body
	// of known length, which may be the client's last wait: the journal
	// records the request there, so a test that has read the answer finds
	// its entry. Bodies of unknown length end after the handler returns.
	beforeLast func()
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.capture != nil {
		w.capture.write(b)
		if w.beforeLast != nil && w.completes(len(b)) {
			w.beforeLast()
		}
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// completes reports whether writing n more bytes completes a body of
// known Content-Length: after them, the client holds the whole answer.
func (w *recorder) completes(n int) bool {
	cl := w.Header().Get("Content-Length")
	if cl == "" {
		return false
	}
	size, err := strconv.Atoi(cl)
	return err == nil && w.bytes+n >= size
}

func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequest logs one line per request, then reports it to Observe. The line
// has the path but not the query string, which may hold emails, and never a
// header (tokens travel in them) nor a body (imports carry password hashes).
func (p *pipeline) logRequest(rec *recorder, r *http.Request, info *Info, start time.Time) {
	now := time.Now()
	d := now.Sub(start)
	status := rec.status
	if info.clientClosed && status == 0 {
		status = StatusClientClosedRequest
	}
	if info.served && !info.unavailable && status < http.StatusInternalServerError {
		p.noteRecovery(r, start)
	}
	// What Logger.LogAttrs does, but the attributes are made only when the
	// line is written, go into the record in one piece, and the source
	// costs no stack walk: the one of this call never changes.
	ctx := r.Context()
	if h := p.g.logger().Handler(); h.Enabled(ctx, slog.LevelInfo) {
		pc := requestLogPC.Load()
		if pc == 0 {
			var pcs [1]uintptr
			runtime.Callers(1, pcs[:]) // this line, for a handler that adds the source
			pc = pcs[0]
			requestLogPC.Store(pc)
		}
		attrs := [12]slog.Attr{
			slog.String("request_id", info.ID),
			slog.String("surface", p.s.Name),
			slog.String("method", r.Method),
			slog.String("path", p.logPath(r)),
			slog.String("route", info.Route),
			slog.Int("status", status),
			slog.Int("bytes", rec.bytes),
			slog.Duration("duration", d),
			slog.String("remote", r.RemoteAddr),
		}
		n := 9
		if info.Store != nil {
			attrs[n] = slog.String("store", info.Store.Hash)
			n++
		}
		if info.Account != nil {
			attrs[n] = slog.String("client_id", info.Account.ClientID)
			n++
		}
		if info.fault != "" {
			attrs[n] = slog.String("fault", info.fault)
			n++
		}
		line := slog.NewRecord(now, slog.LevelInfo, "request", pc)
		line.AddAttrs(attrs[:n]...)
		_ = h.Handle(ctx, line)
	}
	p.record(rec, r, info, start)
	if info.reset != nil {
		info.reset.Close()
	}
	if p.g.Observe != nil {
		p.g.Observe(info.Route, status, d)
	}
}

// requestLogPC is the program counter of the access log line, found on
// the first one.
var requestLogPC atomic.Uintptr

// noteRecovery logs the first request served after an outage was logged.
func (p *pipeline) noteRecovery(r *http.Request, began time.Time) {
	if ok, failures, suppressed, lasted := p.g.outages.success(began); ok {
		p.g.logger().InfoContext(r.Context(), "backend available again", slog.String("request_id", RequestID(r.Context())),
			slog.Int("failed_requests", failures), slog.Int("suppressed", suppressed), slog.Duration("outage", lasted))
	}
}

// recoverPanic turns a panic into a 500 that logs the cause and the stack and
// shows the client nothing of either. http.ErrAbortHandler goes on up: it is
// how a handler asks net/http to drop the connection.
func (p *pipeline) recoverPanic(w http.ResponseWriter, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	p.g.logger().ErrorContext(r.Context(), "panic serving request", slog.String("request_id", RequestID(r.Context())),
		slog.String("surface", p.s.Name), slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
	p.s.Render(w, r, &Error{Status: http.StatusInternalServerError})
}

// setRateLimitHeaders writes the four headers clients read on every
// response, as integers (BEHAVIOR.md, "Rate limits"). Milliseconds are
// rounded up, so a window about to end never reads as 0 ms to go.
//
// What h.Set does, with one allocation for the four values rather than
// one each; the names are canonical already. Each value is a slice of
// capacity 1, so that an Add to one copies it rather than overwriting
// the next.
func setRateLimitHeaders(h http.Header, d ratelimit.Decision) {
	v := &[4]string{
		strconv.FormatInt(ceilMillis(d.Quota.Window), 10),
		strconv.FormatInt(ceilMillis(d.ResetAfter), 10),
		strconv.Itoa(d.Quota.Requests),
		strconv.Itoa(d.Remaining),
	}
	h["X-Rate-Limit-Time-Window-Ms"] = v[0:1:1]
	h["X-Rate-Limit-Time-Reset-Ms"] = v[1:2:2]
	h["X-Rate-Limit-Requests-Quota"] = v[2:3:3]
	h["X-Rate-Limit-Requests-Left"] = v[3:4:4]
}

func ceilMillis(d time.Duration) int64 {
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}
