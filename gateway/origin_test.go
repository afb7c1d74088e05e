package gateway_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/customersd/customersd/gateway"
)

func TestValidHost(t *testing.T) {
	for h, want := range map[string]bool{
		"api.example.com": true, "api.example.com:8080": true, "localhost": true, "127.0.0.1:80": true,
		"[::1]": true, "[2001:db8::1]:443": true, "my_host.internal.": true,
		"": false, "evil.com/x": false, "a@b": false, "x'y": false, `x"y`: false, "x<y": false, "x y": false,
		"a,b": false, "x%2fy": false, "x(y)": false, "host:": false, "host:0": false, "host:65536": false,
		"host:+80": false, "[::1%eth0]": false, "[127.0.0.1]": false, "[::1]x": false, "a..b": false, "-a": false,
	} {
		if got := gateway.ValidHost(h); got != want {
			t.Errorf("ValidHost(%q)=%v, want %v", h, got, want)
		}
	}
}

func TestParsePublicURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.example.com":         "https://api.example.com",
		"https://api.example.com/":        "https://api.example.com",
		"http://10.0.0.5:8080/customers/": "http://10.0.0.5:8080/customers",
		"ftp://api.example.com":           "",
		"https://user:pw@api.example.com": "",
		"https://api.example.com/?x=1":    "",
		"https://api.example.com'x":       "",
		"api.example.com":                 "",
	} {
		got, err := gateway.ParsePublicURL(in)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("ParsePublicURL(%q)=%q, %v; want %q", in, got, err, want)
		}
	}
}

// TestBaseURL_PublicURL: a configured public URL wins over Host and
// X-Forwarded-Proto.
func TestBaseURL_PublicURL(t *testing.T) {
	gw := &gateway.Gateway{AdminToken: adminToken, PublicURL: "https://api.example.com/cust"}
	s := &gateway.Surface{Name: "admin", Auth: gateway.AdminToken, Render: v3Render, Routes: []gateway.Route{
		{Pattern: "GET /admin/v1/base", Handler: func(w http.ResponseWriter, r *http.Request) error {
			io.WriteString(w, gateway.BaseURL(r))
			return nil
		}},
	}}
	srv := httptest.NewServer(gw.Mount(s))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/admin/v1/base", nil)
	req.Host = "evil.example"
	req.Header.Set("X-Forwarded-Proto", "http")
	req.Header.Set("Authorization", "Bearer "+adminToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if string(b) != "https://api.example.com/cust" {
		t.Fatalf("BaseURL=%q, want the public URL", b)
	}
}
