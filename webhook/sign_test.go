package webhook_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/customersd/customersd/webhook"
)

func TestSign_StandardWebhooksAccepts(t *testing.T) {
	const secret = "client-secret-0123456789"
	body := []byte(`{"producer":"stores/abc","hash":"x","created_at":1,"store_id":"1","scope":"store/customer/created","data":{"type":"customer","id":5}}`)
	now := time.Unix(1714980857, 0)
	id := webhook.MessageID(1, 7, 3)
	h := http.Header{}
	h.Set(webhook.HeaderID, id)
	h.Set(webhook.HeaderTimestamp, "1714980857")
	h.Set(webhook.HeaderSignature, webhook.Sign(secret, id, now, body))
	if err := verifyStandardWebhook(whsec(secret), h, body, now); err != nil {
		t.Fatalf("verify: %v", err)
	}

	tests := []struct {
		name   string
		secret string
		body   []byte
		ts     string
	}{
		{"WrongSecret", "another-secret", body, "1714980857"},
		{"ChangedBody", secret, append([]byte{' '}, body...), "1714980857"},
		{"ChangedTimestamp", secret, body, "1714980858"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := h.Clone()
			h.Set(webhook.HeaderTimestamp, tt.ts)
			if err := verifyStandardWebhook(whsec(tt.secret), h, tt.body, now); err == nil {
				t.Fatal("verify accepted a request it must reject")
			}
		})
	}
}

// TestSign_KnownVector pins the signature of the Standard Webhooks spec's
// own example, so the format cannot drift with the code.
func TestSign_KnownVector(t *testing.T) {
	// From the spec's reference libraries' tests: key "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	// base64-decoded, id "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp 1614265330.
	const keyB64 = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	const want = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	key := mustB64(t, keyB64)
	got := webhook.Sign(string(key), "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}

func TestMessageID_SamePerEventAndHook(t *testing.T) {
	if a, b := webhook.MessageID(1, 2, 3), webhook.MessageID(1, 2, 3); a != b {
		t.Fatalf("%s != %s", a, b)
	}
	seen := map[string]bool{}
	for _, id := range []string{webhook.MessageID(1, 2, 3), webhook.MessageID(1, 2, 4), webhook.MessageID(1, 3, 3), webhook.MessageID(2, 2, 3), webhook.MessageID(1, 23, 3)} {
		if seen[id] {
			t.Fatalf("id %s repeats for another event or hook", id)
		}
		seen[id] = true
	}
}
