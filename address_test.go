package customersd_test

import (
	"strings"
	"testing"

	"github.com/customersd/customersd"
)

// wantValidation checks err against an expected field and message; an empty
// field means no error.
func wantValidation(tb testing.TB, err error, field, msg string) {
	tb.Helper()
	if field == "" {
		if err != nil {
			tb.Fatalf("err=%v, want nil", err)
		}
		return
	}
	e, ok := err.(*customersd.Error)
	if !ok || e.Field != field || e.Message != msg || e.Code != customersd.EINVALID {
		tb.Fatalf("err=%#v, want field %q message %q", err, field, msg)
	}
}

func validAddress() customersd.AddressInput {
	return customersd.AddressInput{
		FirstName: ptr("Jane"), LastName: ptr("Doe"), Phone: ptr("555-0100"), Street1: ptr("1 Main St"),
		City: ptr("Austin"), State: ptr("Texas"), Zip: ptr("78726"), Country: ptr("United States"),
	}
}

func TestAddressInput_Validate(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(*customersd.AddressInput)
		create    bool
		wantField string
		wantMsg   string
	}{
		{"OK", func(*customersd.AddressInput) {}, true, "", ""},
		{"StateSingleSpace", func(in *customersd.AddressInput) { in.State = ptr(" ") }, true, "", ""},
		{"Commercial", func(in *customersd.AddressInput) { in.AddressType = ptr("commercial") }, true, "", ""},
		{"TypeAnyCase", func(in *customersd.AddressInput) { in.AddressType = ptr(" Residential ") }, true, "", ""},
		{"TypeEmptyIsDefault", func(in *customersd.AddressInput) { in.AddressType = ptr("") }, true, "", ""},
		{"ErrFirstNameRequired", func(in *customersd.AddressInput) { in.FirstName = nil }, true, "first_name", msgRequired("first_name")},
		{"ErrLastNameRequired", func(in *customersd.AddressInput) { in.LastName = ptr(" ") }, true, "last_name", msgRequired("last_name")},
		{"ErrPhoneRequired", func(in *customersd.AddressInput) { in.Phone = nil }, true, "phone", msgRequired("phone")},
		{"ErrStreetRequired", func(in *customersd.AddressInput) { in.Street1 = nil }, true, "street_1", msgRequired("street_1")},
		{"ErrCityRequired", func(in *customersd.AddressInput) { in.City = ptr("") }, true, "city", msgRequired("city")},
		{"ErrStateRequired", func(in *customersd.AddressInput) { in.State = nil }, true, "state", msgRequired("state")},
		{"ErrStateEmpty", func(in *customersd.AddressInput) { in.State = ptr("") }, true, "state", msgRequired("state")},
		{"ErrZipRequired", func(in *customersd.AddressInput) { in.Zip = nil }, true, "zip", msgRequired("zip")},
		{"ErrCountryRequired", func(in *customersd.AddressInput) { in.Country = nil }, true, "country", msgRequired("country")},
		{"ErrBadType", func(in *customersd.AddressInput) { in.AddressType = ptr("office") }, true, "address_type", msgInvalid("address_type")},
		{"ErrLongCompany", func(in *customersd.AddressInput) { in.Company = ptr(strings.Repeat("c", 256)) }, true, "company", msgInvalid("company")},
		{"ErrNUL", func(in *customersd.AddressInput) { in.Street2 = ptr("a\x00") }, true, "street_2", msgInvalid("street_2")},
		{"UpdateNothing", func(in *customersd.AddressInput) { *in = customersd.AddressInput{} }, false, "", ""},
		{"UpdateStateSpace", func(in *customersd.AddressInput) { *in = customersd.AddressInput{State: ptr(" ")} }, false, "", ""},
		{"ErrUpdateEmptiesCity", func(in *customersd.AddressInput) { *in = customersd.AddressInput{City: ptr(" ")} }, false, "city", msgInvalid("city")},
		{"ErrUpdateEmptiesState", func(in *customersd.AddressInput) { *in = customersd.AddressInput{State: ptr("")} }, false, "state", msgInvalid("state")},
		{"ErrUpdateBadType", func(in *customersd.AddressInput) { *in = customersd.AddressInput{AddressType: ptr("x")} }, false, "address_type", msgInvalid("address_type")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validAddress()
			tt.edit(&in)
			var err error
			if tt.create {
				err = in.ValidateCreate()
			} else {
				err = in.ValidateUpdate()
			}
			wantValidation(t, err, tt.wantField, tt.wantMsg)
		})
	}
}

func TestAddressInput_Apply(t *testing.T) {
	in := validAddress()
	in.AddressType = ptr(" Commercial")
	var a customersd.Address
	in.Apply(&a)
	if a.FirstName != "Jane" || a.State != "Texas" || a.Country != "United States" || a.AddressType != "commercial" {
		t.Fatalf("Apply: %+v", a)
	}
	// Without a type the default applies; a PUT without one keeps the old.
	var b customersd.Address
	(&customersd.AddressInput{}).Apply(&b)
	if b.AddressType != customersd.AddressResidential {
		t.Fatalf("address_type=%q, want residential", b.AddressType)
	}
	(&customersd.AddressInput{City: ptr("Paris")}).Apply(&a)
	if a.AddressType != "commercial" || a.City != "Paris" || a.Street1 != "1 Main St" {
		t.Fatalf("update Apply: %+v", a)
	}
}
