package customersd_test

import (
	"strings"
	"testing"

	"github.com/customersd/customersd"
)

func ptr[T any](v T) *T { return &v }

func TestCustomerInput_Validate(t *testing.T) {
	valid := func() customersd.CustomerInput {
		return customersd.CustomerInput{FirstName: ptr("Jane"), LastName: ptr("Doe"), Email: ptr("jane@example.com")}
	}
	tests := []struct {
		name      string
		edit      func(*customersd.CustomerInput)
		create    bool
		wantField string
		wantMsg   string
	}{
		{"OK", func(*customersd.CustomerInput) {}, true, "", ""},
		{"ErrFirstNameRequired", func(in *customersd.CustomerInput) { in.FirstName = nil }, true, "first_name", "The required field 'first_name' was not supplied."},
		{"ErrBlankLastName", func(in *customersd.CustomerInput) { in.LastName = ptr("  ") }, true, "last_name", "The required field 'last_name' was not supplied."},
		{"ErrEmailRequired", func(in *customersd.CustomerInput) { in.Email = nil }, true, "email", "The required field 'email' was not supplied."},
		{"UpdateWithoutNames", func(in *customersd.CustomerInput) { in.FirstName, in.LastName, in.Email = nil, nil, nil }, false, "", ""},
		{"ErrUpdateEmptiesName", func(in *customersd.CustomerInput) { in.FirstName = ptr("") }, false, "first_name", "The field 'first_name' is invalid."},
		{"ErrBadEmail", func(in *customersd.CustomerInput) { in.Email = ptr("jane@") }, true, "email", "The field 'email' is invalid."},
		{"ErrNegativeCredit", func(in *customersd.CustomerInput) { in.StoreCredit = ptr(customersd.Decimal(-1)) }, true, "store_credit", "The field 'store_credit' is invalid."},
		{"ErrNotes", func(in *customersd.CustomerInput) { in.Notes = ptr(strings.Repeat("n", 65536)) }, true, "notes", "The field 'notes' is invalid."},
		{"ErrNUL", func(in *customersd.CustomerInput) { in.Company = ptr("a\x00b") }, true, "company", "The field 'company' is invalid."},
		{"Password", func(in *customersd.CustomerInput) { in.Password = ptr("secret123") }, true, "", ""},
		{"PasswordConfirmed", func(in *customersd.CustomerInput) {
			in.Password, in.PasswordConfirmation = ptr("secret123"), ptr("secret123")
		}, true, "", ""},
		{"ErrConfirmationMismatch", func(in *customersd.CustomerInput) { in.Password, in.PasswordConfirmation = ptr("secret123"), ptr("x") }, true, "password_confirmation", "The field 'password_confirmation' is invalid."},
		{"ErrConfirmationAlone", func(in *customersd.CustomerInput) { in.PasswordConfirmation = ptr("secret123") }, true, "password_confirmation", "The field 'password_confirmation' is invalid."},
		{"ErrPasswordTooLong", func(in *customersd.CustomerInput) { in.Password = ptr("a1" + strings.Repeat("x", 71)) }, true, "password", "The field 'password' is invalid."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := valid()
			tt.edit(&in)
			var err error
			if tt.create {
				err = in.ValidateCreate()
			} else {
				err = in.ValidateUpdate()
			}
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("err=%v, want nil", err)
				}
				return
			}
			e, ok := err.(*customersd.Error)
			if !ok || e.Field != tt.wantField || e.Message != tt.wantMsg || e.Code != customersd.EINVALID {
				t.Fatalf("err=%#v, want field %q message %q", err, tt.wantField, tt.wantMsg)
			}
		})
	}
}

func TestValidEmail(t *testing.T) {
	for email, want := range map[string]bool{
		"jane@example.com": true, "j.doe+tag@sub.example.co.uk": true, "x@y": true,
		"": false, "jane": false, "@example.com": false, "jane@": false, "Jane <jane@example.com>": false,
		"jane doe@example.com": false, "jane@exa mple.com": false, "<jane@example.com>": false,
	} {
		if got := customersd.ValidEmail(email); got != want {
			t.Errorf("ValidEmail(%q)=%v, want %v", email, got, want)
		}
	}
}

func TestValidPassword(t *testing.T) {
	for pw, want := range map[string]bool{
		"secret1": true, "p4ssword": true, "пароль12": true,
		"secret": false, "abcdefgh": false, "12345678": false, "a1": false,
		"a1" + strings.Repeat("x", 70): true, "a1" + strings.Repeat("x", 71): false,
	} {
		if got := customersd.ValidPassword(pw); got != want {
			t.Errorf("ValidPassword(%q)=%v, want %v", pw, got, want)
		}
	}
}

func TestEmailKey(t *testing.T) {
	if got := customersd.EmailKey(" Jane@Example.COM "); got != "jane@example.com" {
		t.Errorf("EmailKey=%q", got)
	}
}
