package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/customersd/customersd"
)

// The Standard Webhooks headers (https://www.standardwebhooks.com), which
// BigCommerce sends since January 2025.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// MessageID is the webhook-id of event's deliveries to hook: derived from
// both ids, never from the attempt, so every re-delivery carries the same
// one and a receiver can deduplicate on it. The store is part of it because
// event and hook ids are only unique within a store.
func MessageID(store customersd.StoreID, eventID, hookID int64) string {
	return fmt.Sprintf("msg_%d_%d_%d", store, eventID, hookID)
}

// Sign returns the webhook-signature value of body sent as id at ts:
// "v1," and the base64 HMAC-SHA256 of "{id}.{ts}.{body}" keyed by the bytes
// of secret (the account's client secret; receivers using the Standard
// Webhooks libraries pass it base64-encoded, and they decode it back).
func Sign(secret, id string, ts time.Time, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(id))
	mac.Write([]byte{'.'})
	mac.Write([]byte(strconv.FormatInt(ts.Unix(), 10)))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// setHeaders sets the headers of one attempt of d at ts. The hook's own
// headers go first, so they cannot replace the content type or the
// signature a receiver relies on.
func setHeaders(h http.Header, d *customersd.Delivery, ts time.Time) {
	for k, v := range d.Hook.Headers {
		h.Set(k, v)
	}
	id := MessageID(d.Event.Store, d.Event.ID, d.Hook.ID)
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "customersd-webhooks")
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, Sign(d.Secret, id, ts, d.Event.Payload))
}
