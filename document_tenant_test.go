package customersd_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/customersd/customersd"
)

// TestDecodeDocument_Tenant checks the store's quota and the API accounts
// of a document, added to minimalDocument before its format.
func TestDecodeDocument_Tenant(t *testing.T) {
	sum := sha256.Sum256([]byte("known-token-0123"))
	hash := hex.EncodeToString(sum[:])
	tests := []struct {
		name      string
		add       string
		wantField string
	}{
		{"OKHash", `"api_accounts": [{"client_id": "app", "client_secret": "secret-0123456789ab", "access_token_sha256": "` + hash + `", "scopes": ["store_v2_customers_login"]}]`, ""},
		{"OKUpperHash", `"api_accounts": [{"access_token_sha256": "` + strings.ToUpper(hash) + `"}]`, ""},
		{"OKPlainToken", `"api_accounts": [{"access_token": "known-token-0123"}]`, ""},
		{"OKRateLimit", `"store": {"hash": "s1", "rate_limit": {"requests": 10, "window_ms": 1000}}`, ""},
		{"ErrRateLimit", `"store": {"hash": "s1", "rate_limit": {"requests": 0, "window_ms": 1000}}`, "store.rate_limit.requests"},
		{"ErrClientID", `"api_accounts": [{"client_id": "a b", "access_token": "known-token-0123"}]`, "api_accounts[0].client_id"},
		{"ErrSecret", `"api_accounts": [{"client_secret": "short", "access_token": "known-token-0123"}]`, "api_accounts[0].client_secret"},
		{"ErrNoToken", `"api_accounts": [{"client_id": "app"}]`, "api_accounts[0].access_token_sha256"},
		{"ErrBothTokens", `"api_accounts": [{"access_token": "known-token-0123", "access_token_sha256": "` + hash + `"}]`, "api_accounts[0].access_token"},
		{"ErrShortToken", `"api_accounts": [{"access_token": "short"}]`, "api_accounts[0].access_token"},
		{"ErrHash", `"api_accounts": [{"access_token_sha256": "abc"}]`, "api_accounts[0].access_token_sha256"},
		{"ErrScope", `"api_accounts": [{"access_token": "known-token-0123", "scopes": ["store_v2_orders"]}]`, "api_accounts[0].scopes[0]"},
		{"ErrSameToken", `"api_accounts": [{"access_token": "known-token-0123"}, {"access_token_sha256": "` + hash + `"}]`, "api_accounts[1]"},
		{"ErrSameClientID", `"api_accounts": [{"client_id": "a", "access_token": "known-token-0123"}, {"client_id": "a", "access_token": "other-token-0123"}]`, "api_accounts[1].client_id"},
		{"ErrUnknownField", `"api_accounts": [{"token": "x"}]`, "api_accounts[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := strings.Replace(minimalDocument, `"format"`, tt.add+`, "format"`, 1)
			if strings.HasPrefix(tt.add, `"store"`) {
				in = strings.Replace(minimalDocument, `"store": {"hash": "s1"}`, tt.add, 1)
			}
			doc, err := customersd.DecodeDocument([]byte(in))
			if err == nil {
				err = doc.Validate()
			}
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("err=%v, want none", err)
				}
				return
			}
			e, ok := err.(*customersd.Error)
			if !ok || e.Code != customersd.EINVALID || e.Field != tt.wantField || !strings.HasPrefix(e.Message, tt.wantField+": ") {
				t.Fatalf("err=%#v, want EINVALID on %q with the path first in the message", err, tt.wantField)
			}
			if strings.Contains(e.Message, "known-token") || strings.Contains(e.Message, "short") {
				t.Fatalf("message %q echoes a credential", e.Message)
			}
		})
	}
}

func TestDecodeDocument_WithoutAccounts(t *testing.T) {
	doc, err := customersd.DecodeDocument([]byte(minimalDocument))
	if err != nil {
		t.Fatal(err)
	}
	if doc.APIAccounts != nil || doc.Store.RateLimit != nil {
		t.Fatalf("a document without accounts or quota decoded as %+v, %+v", doc.APIAccounts, doc.Store.RateLimit)
	}
	if err := doc.Validate(); err != nil {
		t.Fatal(err)
	}
}
