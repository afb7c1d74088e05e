package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/customersd/customersd"
)

// httpClient sends the deliveries. It is the workers' own, never
// http.DefaultClient: its timeouts and connection pool belong to delivery,
// so a slow receiver cannot hold the API's connections, and the API's
// settings cannot change delivery.
type httpClient struct{ *http.Client }

func newHTTPClient(timeout time.Duration, workers int) *httpClient {
	t := &http.Transport{
		Proxy:                 nil, // a destination is reached directly, as BigCommerce does
		DialContext:           (&net.Dialer{Timeout: min(timeout, 5*time.Second), KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   min(timeout, 5*time.Second),
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   workers,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &httpClient{&http.Client{
		Transport: t,
		Timeout:   timeout,
		// A redirect is not followed: the answer is a 3xx, which is not a
		// 2xx, so a failure. Following it would POST a signed payload to a
		// place the app never registered.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// maxAnswer is how much of an answer is read (and discarded) so the
// connection can be reused; a receiver sending more is cut off.
const maxAnswer = 64 << 10

// result is an attempt made, waiting for the recorder.
type result struct {
	customersd.DeliveryResult
	outcome string
}

// attempt makes one attempt of d. It runs on a context of its own, not the
// dispatcher's: Stop lets attempts in flight finish (the timeout bounds
// them) so their outcome is recorded, not lost to a lease.
func (s *Deliverer) attempt(d *customersd.Delivery) result {
	ctx := context.Background()
	start := s.now()
	a := &customersd.DeliveryAttempt{DeliveryID: d.ID, Number: d.Attempts + 1, At: start}
	key := BlockKey{Store: d.Hook.Store, ClientID: d.Hook.ClientID, Domain: Domain(d.Hook.Destination)}
	outcome := OutcomeDelivered
	delivered := false
	if until, blocked := s.Blocklist.Blocked(key, start); blocked {
		// A blocked delivery is not sent. It counts as a failed attempt of
		// the schedule, logged with the reason, and its next attempt is not
		// before the block ends: so a receiver that keeps failing still
		// ends deactivated after the schedule's 48 hours, as BigCommerce.
		a.Error = errBlocked.Error()
		outcome = OutcomeBlocked
		if next, ok := NextAttempt(a.Number, start, s.cfg.TimeScale); ok {
			a.NextAt = maxTime(next, until)
		}
	} else {
		status, err := s.post(ctx, d, start)
		a.StatusCode = status
		a.Duration = s.now().Sub(start)
		delivered = err == nil && status >= 200 && status < 300
		// The log's Error says why there was no status; the blocklist's
		// reasons name the status too.
		failure := ""
		switch {
		case err != nil:
			a.Error = err.Error()
			failure = a.Error
		case !delivered:
			failure = fmt.Sprintf("status %d", status)
		}
		if s.Blocklist.Record(key, start, failure) {
			s.Logger.Warn("webhook: destination domain blocked", slog.String("client_id", key.ClientID),
				slog.String("domain", key.Domain), slog.Duration("for", s.Blocklist.block))
		}
		if !delivered {
			next, ok := NextAttempt(a.Number, start, s.cfg.TimeScale)
			a.NextAt = next
			outcome = OutcomeRetry
			if !ok {
				outcome = OutcomeFailed
			}
		}
	}
	if outcome == OutcomeBlocked && a.NextAt.IsZero() {
		outcome = OutcomeFailed
	}
	return result{customersd.DeliveryResult{Delivery: d, Attempt: a, Delivered: delivered}, outcome}
}

// record runs until results is closed, recording the attempts that wait in
// one CompleteAttempts call: one at a time when the queue is quiet, and
// many per transaction when the workers are busy.
func (s *Deliverer) record(results <-chan result) {
	batch := make([]result, 0, s.cfg.Workers)
	rs := make([]customersd.DeliveryResult, 0, s.cfg.Workers)
	for r := range results {
		batch, rs = append(batch[:0], r), rs[:0]
	drain:
		for len(batch) < cap(batch) {
			select {
			case r, ok := <-results:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		for _, r := range batch {
			rs = append(rs, r.DeliveryResult)
		}
		if err := s.Queue.CompleteAttempts(context.Background(), rs); err != nil {
			// The leases run out and the deliveries are tried again: at
			// least once.
			s.queueFailed("record attempts", err)
			continue
		}
		s.queueOK()
		for _, r := range batch {
			if s.Observer != nil {
				s.Observer.ObserveAttempt(r.outcome, r.Attempt.Duration)
			}
			if h := r.Delivery.Hook; r.outcome == OutcomeFailed {
				s.Logger.Warn("webhook: last attempt failed; hook deactivated", slog.Int64("hook", h.ID),
					slog.String("scope", h.Scope), slog.String("destination", h.Destination))
			}
		}
		s.Wake() // a retry may be due sooner than the dispatcher's sleep
	}
}

// post sends d's payload and returns the status; err is set when there was
// no answer (refused, timed out, cut off).
func (s *Deliverer) post(ctx context.Context, d *customersd.Delivery, ts time.Time) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Hook.Destination, bytes.NewReader(d.Event.Payload))
	if err != nil {
		return 0, fmt.Errorf("bad destination: %w", err)
	}
	setHeaders(req.Header, d, ts)
	res, err := s.client.Do(req)
	if err != nil {
		return 0, describe(err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, maxAnswer))
	return res.StatusCode, nil
}

// describe shortens a client error for the delivery log, which apps read:
// the kind of failure, without Go's wrapping of the URL.
func describe(err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return errors.New("timeout: no answer in time")
	}
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
