package login

import (
	"strings"
	"testing"
)

// Sign and parse agree; padding is tolerated; a changed payload or another
// secret fails verification; malformed tokens say what is wrong.
func TestSignParse(t *testing.T) {
	tok, err := Sign(map[string]any{"iss": "app", "n": 1}, "secret-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := parse(tok)
	if err != nil || !parsed.verify("secret-0123456789") || parsed.verify("other-secret-0123") {
		t.Fatalf("parse(%q) = %v, %v", tok, parsed, err)
	}
	if parsed.header.Alg != "HS256" || parsed.header.Typ != "JWT" || parsed.claims["iss"] != "app" {
		t.Fatalf("header %+v claims %v", parsed.header, parsed.claims)
	}
	parts := strings.Split(tok, ".")
	padded := parts[0] + strings.Repeat("=", (4-len(parts[0])%4)%4) + "." + parts[1] + "." + parts[2]
	if p, err := parse(padded); err != nil || !p.verify("secret-0123456789") {
		t.Fatalf("padded header refused: %v", err)
	}
	forged := parts[0] + "." + strings.TrimRight(b64(`{"iss":"app","n":2}`), "=") + "." + parts[2]
	if p, err := parse(forged); err != nil || p.verify("secret-0123456789") {
		t.Fatalf("a changed payload verified: %v", err)
	}
	for _, bad := range []struct{ tok, want string }{
		{"a.b", "three parts"},
		{"!!!." + parts[1] + "." + parts[2], "header is not base64url"},
		{b64("[]") + "." + parts[1] + "." + parts[2], "header is not a JSON object"},
		{parts[0] + "." + b64("[1]") + "." + parts[2], "payload is not a JSON object"},
		{parts[0] + "." + parts[1] + ".***", "signature is not base64url"},
	} {
		if _, err := parse(bad.tok); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("parse(%q) = %v, want %q", bad.tok, err, bad.want)
		}
	}
}
