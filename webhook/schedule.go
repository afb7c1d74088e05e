package webhook

import "time"

// Schedule is BigCommerce's retry schedule: the gaps after the first failed
// attempt, the second, and so on (spec/WEBHOOKS.md, "Delivery"). An event is
// tried at most len(Schedule)+1 times, over about 48 hours; after the last
// failure the hook is deactivated.
var Schedule = [...]time.Duration{
	60 * time.Second, 180 * time.Second, 300 * time.Second, 600 * time.Second,
	900 * time.Second, 1800 * time.Second, 3600 * time.Second, 7200 * time.Second,
	21600 * time.Second, 50400 * time.Second, 86400 * time.Second,
}

// MaxAttempts is the attempts of one delivery: the first and one per gap.
const MaxAttempts = len(Schedule) + 1

// Scale multiplies d by the time scale f (--webhook-time-scale), so tests
// can watch the whole schedule; f <= 0 counts as 1.
func Scale(d time.Duration, f float64) time.Duration {
	if f <= 0 || f == 1 {
		return d
	}
	return time.Duration(float64(d) * f)
}

// NextAttempt returns when to try again after attempt number n (1 for the
// first) failed at t, with the schedule scaled by f; ok is false when n was
// the last attempt.
func NextAttempt(n int, t time.Time, f float64) (next time.Time, ok bool) {
	if n < 1 || n > len(Schedule) {
		return time.Time{}, false
	}
	return t.Add(Scale(Schedule[n-1], f)), true
}
