package customersd_test

import (
	"testing"

	"github.com/customersd/customersd"
)

func TestHookRules_Validate(t *testing.T) {
	tests := []struct {
		name      string
		rules     customersd.HookRules
		in        customersd.HookInput
		create    bool
		wantField string // "" for valid; "-" for an error without a field
	}{
		{"OK", customersd.HookRules{}, customersd.HookInput{Scope: ptr("store/customer/*"), Destination: ptr("http://127.0.0.1:8080/h")}, true, ""},
		{"IPv6", customersd.HookRules{}, customersd.HookInput{Scope: ptr("store/customer/created"), Destination: ptr("http://[::1]:9/h")}, true, ""},
		{"BadIPv6", customersd.HookRules{}, customersd.HookInput{Scope: ptr("store/customer/created"), Destination: ptr("http://[zz::1]:9/h")}, true, "destination"},
		{"NoHost", customersd.HookRules{}, customersd.HookInput{Scope: ptr("store/customer/created"), Destination: ptr("http:///h")}, true, "destination"},
		{"Opaque", customersd.HookRules{}, customersd.HookInput{Scope: ptr("store/customer/created"), Destination: ptr("http:example.com")}, true, "destination"},
		{"UpperScheme", customersd.HookRules{}, customersd.HookInput{Scope: ptr("store/customer/created"), Destination: ptr("HTTP://example.com/")}, true, ""},
		{"HTTPSRule", customersd.HookRules{RequireHTTPS: true}, customersd.HookInput{Scope: ptr("store/customer/created"), Destination: ptr("https://example.com:444/")}, true, "destination"},
		{"HTTPSOK", customersd.HookRules{RequireHTTPS: true}, customersd.HookInput{Scope: ptr("store/customer/created"), Destination: ptr("https://example.com/")}, true, ""},
		{"UpdateNothing", customersd.HookRules{}, customersd.HookInput{}, false, "-"},
		{"UpdateHeadersOnly", customersd.HookRules{}, customersd.HookInput{HeadersSet: true}, false, ""},
		{"DigitHeader", customersd.HookRules{}, customersd.HookInput{HeadersSet: true, Headers: map[string]string{"1X": "v"}}, false, "headers"},
		{"TabInValue", customersd.HookRules{}, customersd.HookInput{HeadersSet: true, Headers: map[string]string{"X-A": "a\tb"}}, false, ""},
		{"WildcardAddress", customersd.HookRules{}, customersd.HookInput{Scope: ptr("store/customer/address/*")}, false, ""},
		{"OtherWildcard", customersd.HookRules{}, customersd.HookInput{Scope: ptr("store/*")}, false, "scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rules.Validate(&tt.in, tt.create)
			switch {
			case tt.wantField == "" && err != nil:
				t.Fatalf("err=%v, want none", err)
			case tt.wantField == "":
			case customersd.ErrorCode(err) != customersd.EINVALID:
				t.Fatalf("err=%v, want EINVALID", err)
			case tt.wantField != "-" && err.(*customersd.Error).Field != tt.wantField:
				t.Fatalf("field=%q, want %q (%v)", err.(*customersd.Error).Field, tt.wantField, err)
			}
		})
	}
}

func TestHookScopeAllowed(t *testing.T) {
	for _, tt := range []struct {
		scope customersd.Scope
		want  bool
	}{{customersd.ScopeCustomers, true}, {customersd.ScopeCustomersReadOnly, true}, {customersd.ScopeCustomersLogin, false}} {
		a := &customersd.APIAccount{Scopes: []customersd.Scope{tt.scope}}
		if got := customersd.HookScopeAllowed(a, customersd.HookCustomerAll); got != tt.want {
			t.Errorf("%s: allowed=%t, want %t", tt.scope, got, tt.want)
		}
	}
}

func TestValidateHookEmails(t *testing.T) {
	if err := customersd.ValidateHookEmails([]string{"a@example.com", "b.c+d@example.org"}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]string{{"a"}, {"<a@example.com>"}, {"A <a@example.com>"}, {""}, make([]string, 21)} {
		if customersd.ErrorCode(customersd.ValidateHookEmails(bad)) != customersd.EINVALID {
			t.Errorf("%q: want EINVALID", bad)
		}
	}
}
