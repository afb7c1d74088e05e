package customersd_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/customersd/customersd"
)

func TestAPIAccountInput_Validate(t *testing.T) {
	ok := customersd.APIAccountInput{ClientID: "app_1-x", ClientSecret: strings.Repeat("s", 16),
		AccessToken: "tok.en~0!", Scopes: []customersd.Scope{customersd.ScopeCustomersLogin}}
	tests := []struct {
		name      string
		edit      func(in *customersd.APIAccountInput)
		wantField string
	}{
		{"OK", func(in *customersd.APIAccountInput) {}, ""},
		{"LongestValues", func(in *customersd.APIAccountInput) {
			in.ClientID, in.ClientSecret, in.AccessToken = strings.Repeat("c", 64), strings.Repeat("s", 128), strings.Repeat("t", 256)
		}, ""},
		{"ErrClientIDEmpty", func(in *customersd.APIAccountInput) { in.ClientID = "" }, "client_id"},
		{"ErrClientIDSlash", func(in *customersd.APIAccountInput) { in.ClientID = "a/b" }, "client_id"},
		{"ErrClientIDLong", func(in *customersd.APIAccountInput) { in.ClientID = strings.Repeat("c", 65) }, "client_id"},
		{"ErrSecretShort", func(in *customersd.APIAccountInput) { in.ClientSecret = strings.Repeat("s", 15) }, "client_secret"},
		{"ErrSecretLong", func(in *customersd.APIAccountInput) { in.ClientSecret = strings.Repeat("s", 129) }, "client_secret"},
		{"ErrSecretChars", func(in *customersd.APIAccountInput) { in.ClientSecret = strings.Repeat("s", 15) + "+" }, "client_secret"},
		{"ErrTokenShort", func(in *customersd.APIAccountInput) { in.AccessToken = "1234567" }, "access_token"},
		{"ErrTokenLong", func(in *customersd.APIAccountInput) { in.AccessToken = strings.Repeat("t", 257) }, "access_token"},
		{"ErrTokenSpace", func(in *customersd.APIAccountInput) { in.AccessToken = "has a space" }, "access_token"},
		{"ErrTokenNonASCII", func(in *customersd.APIAccountInput) { in.AccessToken = "tökentöken" }, "access_token"},
		{"ErrScope", func(in *customersd.APIAccountInput) { in.Scopes = []customersd.Scope{"store_v2_orders"} }, "scopes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok
			tt.edit(&in)
			err := in.Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Validate=%v, want nil", err)
				}
				return
			}
			var e *customersd.Error
			if !errors.As(err, &e) || e.Code != customersd.EINVALID || e.Field != tt.wantField || !strings.HasPrefix(e.Message, tt.wantField+": ") {
				t.Fatalf("Validate=%v, want EINVALID on %s with its rule", err, tt.wantField)
			}
			if strings.Contains(e.Message, in.ClientSecret) || strings.Contains(e.Message, in.AccessToken) {
				t.Fatalf("message %q echoes a secret", e.Message)
			}
		})
	}
}

func TestAPIAccountInput_Complete(t *testing.T) {
	in := customersd.APIAccountInput{ClientID: "given"}
	in.Complete()
	if in.ClientID != "given" || in.ClientSecret == "" || in.AccessToken == "" {
		t.Fatalf("Complete=%+v, want the given id kept and the rest filled", in)
	}
	if err := in.Validate(); err != nil {
		t.Fatalf("generated credentials break the rules: %v", err)
	}
}

func TestScope_Valid(t *testing.T) {
	for _, s := range []customersd.Scope{customersd.ScopeCustomers, customersd.ScopeCustomersReadOnly, customersd.ScopeCustomersLogin} {
		if !s.Valid() {
			t.Errorf("%s: not valid", s)
		}
	}
	login := &customersd.APIAccount{Scopes: []customersd.Scope{customersd.ScopeCustomersLogin}}
	if login.CanRead() || login.CanWrite() {
		t.Fatal("store_v2_customers_login grants access to the V2 customers API; want none")
	}
}
