package customersd

import (
	"regexp"
)

// The rules of an API account's credentials, in the words every surface
// (admin API, CLI flags, start-up variables, documents) uses to refuse a bad
// one, after the name of the setting.
//   - A client id appears in URL paths (the admin API's DELETE .../tokens/{client_id}),
//     headers and JWTs, so it keeps to the store hash's alphabet.
//   - A client secret is an HMAC key: at least 16 characters (about 95 bits
//     of this alphabet), kept to characters that survive shells, env files and
//     URLs without quoting.
//   - An access token keeps its rule of old (8 to 256 characters), limited to
//     what a header value carries unchanged: visible ASCII, no spaces.
const (
	ClientIDRule     = "must be 1 to 64 letters, digits, '-' or '_'"
	ClientSecretRule = "must be 16 to 128 characters of letters, digits, '-' or '_'"
	AccessTokenRule  = "must be 8 to 256 visible ASCII characters, without spaces"
)

var (
	clientIDPattern     = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	clientSecretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{16,128}$`)
	accessTokenPattern  = regexp.MustCompile(`^[\x21-\x7e]{8,256}$`)
)

// ValidClientID reports whether id follows ClientIDRule.
func ValidClientID(id string) bool { return clientIDPattern.MatchString(id) }

// ValidClientSecret reports whether s follows ClientSecretRule.
func ValidClientSecret(s string) bool { return clientSecretPattern.MatchString(s) }

// ValidAccessToken reports whether t follows AccessTokenRule.
func ValidAccessToken(t string) bool { return accessTokenPattern.MatchString(t) }

// APIAccountInput is an API account to create: its three credentials and
// its scopes. A caller that lets the server choose leaves credentials empty
// and calls Complete; one that scripts known values sets them.
type APIAccountInput struct {
	ClientID     string
	ClientSecret string // secret: never logged
	AccessToken  string // secret: stored only as a hash
	Scopes       []Scope
}

// Complete fills each empty credential with a random one.
func (in *APIAccountInput) Complete() {
	if in.ClientID == "" {
		in.ClientID = NewClientID()
	}
	if in.ClientSecret == "" {
		in.ClientSecret = NewClientSecret()
	}
	if in.AccessToken == "" {
		in.AccessToken = NewAccessToken()
	}
}

// Validate returns EINVALID naming the first bad field ("client_id",
// "client_secret", "access_token" or "scopes") with its rule. Values are
// never echoed: two of them are secrets.
func (in *APIAccountInput) Validate() error {
	switch {
	case !ValidClientID(in.ClientID):
		return credentialError("client_id", ClientIDRule)
	case !ValidClientSecret(in.ClientSecret):
		return credentialError("client_secret", ClientSecretRule)
	case !ValidAccessToken(in.AccessToken):
		return credentialError("access_token", AccessTokenRule)
	}
	for _, sc := range in.Scopes {
		if !sc.Valid() {
			return &Error{Code: EINVALID, Field: "scopes", Message: "scopes: " + UnknownScope(sc)}
		}
	}
	return nil
}

func credentialError(field, rule string) *Error {
	return &Error{Code: EINVALID, Field: field, Message: field + ": " + rule + "."}
}
