package journal_test

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"

	"github.com/customersd/customersd/journal"
)

func TestRedactBody(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		want                    string // exact when set
		keep                    []string
	}{
		{name: "password", contentType: "application/json", body: `{"email":"a@b.c","password":"hunter2"}`, want: `{"email":"a@b.c","password":"[redacted]"}`},
		{name: "authentication object", contentType: "application/json",
			body: `{"_authentication":{"password":"x1","password_confirmation":"x1","force_reset":true},"id":1}`,
			want: `{"_authentication":{"password":"[redacted]","password_confirmation":"[redacted]","force_reset":"[redacted]"},"id":1}`},
		{name: "new password and secret", contentType: "application/json", body: `[{"new_password":"n1"},{"client_secret":"s1","access_token":"t1","tokens":["t2","t3"]}]`,
			want: `[{"new_password":"[redacted]"},{"client_secret":"[redacted]","access_token":"[redacted]","tokens":["[redacted]","[redacted]"]}]`},
		{name: "escaped key", contentType: "application/json", body: `{"pass\u0077ord":"x9"}`, want: `{"password":"[redacted]"}`},
		{name: "hook headers", contentType: "application/json", body: `{"destination":"https://app/hook","headers":{"Authorization":"Bearer s3"}}`,
			want: `{"destination":"https://app/hook","headers":{"Authorization":"[redacted]"}}`},
		{name: "jwt value", contentType: "application/json", body: `{"login":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"}`, want: `{"login":"[redacted]"}`},
		{name: "no secret kept as sent", contentType: "application/json", body: `{"reset_pass_on_login":false,"notes":"<b>&</b>","n":1.50}`,
			want: `{"reset_pass_on_login":false,"notes":"<b>&</b>","n":1.50}`},
		{name: "bad json", contentType: "application/json", body: `{"password": "x7",}`, keep: []string{`"password":"[redacted]"`}},
		{name: "not json at all", contentType: "application/json", body: `password=x8&a=b`, keep: []string{"a=b"}},
		{name: "xml", contentType: "application/xml",
			body: `<customer><_authentication><password>x2</password><password_confirmation><![CDATA[x2]]></password_confirmation></_authentication><reset_pass_on_login>true</reset_pass_on_login></customer>`,
			want: `<customer><_authentication><password>[redacted]</password><password_confirmation>[redacted]</password_confirmation></_authentication><reset_pass_on_login>true</reset_pass_on_login></customer>`},
		{name: "form", contentType: "application/x-www-form-urlencoded", body: `login_email=a%40b.c&login_pass=x3`, want: `login_email=a%40b.c&login_pass=[redacted]`},
		{name: "text with a jwt", contentType: "text/html", body: `<a href="/login/token/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln">`, want: `<a href="/login/token/[redacted]">`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := journal.RedactBody([]byte(tt.body), tt.contentType, "", 1<<20)
			if tt.want != "" && got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
			for _, k := range tt.keep {
				if !strings.Contains(got, k) {
					t.Fatalf("got %s, want it to hold %s", got, k)
				}
			}
			for _, secret := range []string{"hunter2", "x1", "x2", "x3", "x7", "x8", "x9", "n1", "s1", "s3", "t1", "t2", "t3", "c2ln"} {
				if strings.Contains(got, secret) {
					t.Fatalf("%s kept %q", got, secret)
				}
			}
		})
	}
}

// TestRedactBody_Cut: a body cut anywhere inside a secret keeps none of it.
func TestRedactBody_Cut(t *testing.T) {
	const secret = "ZZSECRETZZ"
	for _, body := range []string{
		`{"email":"a@b.c","_authentication":{"password":"` + secret + `"}}`,
		`{"email":"a@b.c","pass\u0077ord":"` + secret + `"}`,
		`<customer><email>a@b.c</email><password>` + secret + `</password></customer>`,
		`<customer><email>a@b.c</email><password><![CDATA[` + secret + `]]></password></customer>`,
	} {
		at := strings.Index(body, secret)
		for cut := at + 1; cut < at+len(secret); cut++ {
			got, _ := journal.RedactBody([]byte(body[:cut]), "", "", 1<<20)
			if strings.Contains(got, "ZZ") {
				t.Fatalf("cut at %d of %s: kept %s", cut, body, got)
			}
		}
	}
}

func TestRedactBody_Gzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(`{"password":"x1","notes":"` + strings.Repeat("n", 100) + `"}`))
	zw.Close()
	got, cut := journal.RedactBody(buf.Bytes(), "application/json", "gzip", 1<<20)
	if cut || got != `{"password":"[redacted]","notes":"`+strings.Repeat("n", 100)+`"}` {
		t.Fatalf("got %s (cut %v)", got, cut)
	}
	got, cut = journal.RedactBody(buf.Bytes(), "application/json", "gzip", 40)
	if !cut || strings.Contains(got, "x1") || strings.Count(got, "n") > 40 {
		t.Fatalf("cut to 40: %s (cut %v)", got, cut)
	}
}

func TestRedactPathAndQuery(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
	if got := journal.RedactPath("/login/token/"+jwt, "/login/token/{jwt}"); got != "/login/token/[redacted]" {
		t.Fatalf("path %s", got)
	}
	if got := journal.RedactPath("/stores/s/v2/customers/"+jwt, "/stores/{store_hash}/v2/customers/{customer_id}"); got != "/stores/s/v2/customers/[redacted]" {
		t.Fatalf("path %s", got)
	}
	if got := journal.RedactPath("/stores/s/v2/customers/5", "/stores/{store_hash}/v2/customers/{customer_id}"); got != "/stores/s/v2/customers/5" {
		t.Fatalf("path %s", got)
	}
	if got := journal.RedactQuery("email=a%40b.c&access_token=t1&Password=p&page=2"); got != "email=a%40b.c&access_token=[redacted]&Password=[redacted]&page=2" {
		t.Fatalf("query %s", got)
	}
}

// TestRedactBody_KeptAsSent: a body that names no secret is kept byte for
// byte, V2's escaped slashes included; one with an escape that could spell
// a secret's name is read.
func TestRedactBody_KeptAsSent(t *testing.T) {
	plain := `{"resource":"\/customers\/1\/addresses","notes":"100% done","reset_pass_on_login":false}`
	if got, _ := journal.RedactBody([]byte(plain), "application/json", "", 1<<20); got != plain {
		t.Fatalf("got %s", got)
	}
	for _, body := range []string{`{"pass\u0077ord":"x1"}`, `{"PASSWORD":"x1"}`, `{"a":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.x1"}`} {
		if got, _ := journal.RedactBody([]byte(body), "application/json", "", 1<<20); strings.Contains(got, "x1") {
			t.Fatalf("%s kept as %s", body, got)
		}
	}
	if got, _ := journal.RedactBody([]byte("login_email=a&login_p%61ss=x1"), "application/x-www-form-urlencoded", "", 1<<20); strings.Contains(got, "x1") {
		t.Fatalf("form kept %s", got)
	}
}
