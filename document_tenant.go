package customersd

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"
)

// DocumentRateLimit is a store's own request quota in a document, in the
// admin API's shape: requests per window of window_ms milliseconds.
type DocumentRateLimit struct {
	Requests int   `json:"requests"`
	WindowMS int64 `json:"window_ms"`
}

// NewDocumentRateLimit returns q in a document's shape; nil for nil.
func NewDocumentRateLimit(q *Quota) *DocumentRateLimit {
	if q == nil {
		return nil
	}
	return &DocumentRateLimit{Requests: q.Requests, WindowMS: q.Window.Milliseconds()}
}

// RateLimit returns the domain quota; nil for nil.
func (q *DocumentRateLimit) RateLimit() *Quota {
	if q == nil {
		return nil
	}
	return &Quota{Requests: q.Requests, Window: time.Duration(q.WindowMS) * time.Millisecond}
}

func (q *DocumentRateLimit) validate() error {
	if q == nil {
		return nil
	}
	if err := q.RateLimit().Validate(); err != nil {
		return docError("store."+fieldOf(err), ErrorMessage(err))
	}
	return nil
}

// DocumentAPIAccount is an API account of the store. An export carries its
// client secret as it is (the server signs with it) and its access token
// only as the SHA-256 the database holds, so an export is a secret file. A
// hand-written fixture may give the plain AccessToken instead, hashed on
// import, never both; a client id or secret left out is random, scopes left
// out (null) are store_v2_customers, and a missing created_at is the time
// of the import.
type DocumentAPIAccount struct {
	ClientID          string    `json:"client_id"`
	ClientSecret      string    `json:"client_secret"`
	AccessTokenSHA256 string    `json:"access_token_sha256,omitempty"`
	AccessToken       string    `json:"access_token,omitempty"`
	Scopes            []Scope   `json:"scopes"`
	CreatedAt         time.Time `json:"created_at,omitzero"`
}

// TokenHash returns the SHA-256 of the account's access token, from
// whichever form the document gives; nil when it has neither or a bad hash
// (Validate refuses both).
func (a *DocumentAPIAccount) TokenHash() []byte {
	if a.AccessToken != "" {
		h := sha256.Sum256([]byte(a.AccessToken))
		return h[:]
	}
	h, err := hex.DecodeString(a.AccessTokenSHA256)
	if err != nil || len(h) != sha256.Size {
		return nil
	}
	return h
}

// ScopesOrDefault returns the account's scopes, store_v2_customers when
// left out, as POST .../tokens does.
func (a *DocumentAPIAccount) ScopesOrDefault() []Scope {
	if a.Scopes == nil {
		return []Scope{ScopeCustomers}
	}
	return a.Scopes
}

// validateAPIAccounts checks each account's credentials against the rules
// of a new account, and that no two share a client id or a token. Values
// are never echoed: they are secrets, or identify one.
func (d *Document) validateAPIAccounts() error {
	ids, tokens := map[string]int{}, map[string]int{}
	for i, a := range d.APIAccounts {
		path := fmt.Sprintf("api_accounts[%d]", i)
		switch {
		case a.ClientID != "" && !ValidClientID(a.ClientID):
			return docError(path+".client_id", ClientIDRule)
		case a.ClientSecret != "" && !ValidClientSecret(a.ClientSecret):
			return docError(path+".client_secret", ClientSecretRule)
		case a.AccessToken != "" && a.AccessTokenSHA256 != "":
			return docError(path+".access_token", "give access_token or access_token_sha256, not both")
		case a.AccessToken == "" && a.AccessTokenSHA256 == "":
			return docError(path+".access_token_sha256", "required, or a plain access_token instead")
		case a.AccessToken != "" && !ValidAccessToken(a.AccessToken):
			return docError(path+".access_token", AccessTokenRule)
		case a.TokenHash() == nil:
			return docError(path+".access_token_sha256", "want the SHA-256 of the token as 64 hexadecimal digits")
		}
		if j := slices.IndexFunc(a.Scopes, func(s Scope) bool { return !s.Valid() }); j >= 0 {
			return docError(fmt.Sprintf("%s.scopes[%d]", path, j), UnknownScope(a.Scopes[j]))
		}
		if a.ClientID != "" {
			if j, dup := ids[a.ClientID]; dup {
				return docError(path+".client_id", fmt.Sprintf("api_accounts[%d] has this client id too", j))
			}
			ids[a.ClientID] = i
		}
		key := string(a.TokenHash())
		if j, dup := tokens[key]; dup {
			return docError(path, fmt.Sprintf("api_accounts[%d] has this access token too", j))
		}
		tokens[key] = i
	}
	return nil
}
