package storefront

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
)

// page is what every template reads.
type page struct {
	Title    string
	Root     string // the storefront's URL, for links
	Store    string
	Customer *customersd.Customer
	Group    string // the customer's group name, "" for none
	Error    string
	Email    string // the email a refused form sent, to fill it again
	Status   int
}

var pages = template.Must(template.New("layout").Parse(`{{define "top"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} - {{.Store}}</title></head>
<body><header><a href="{{.Root}}/">{{.Store}}</a>
{{if .Customer}}Signed in as {{.Customer.FirstName}} {{.Customer.LastName}} · <a href="{{.Root}}/account.php">Account</a> · <a href="{{.Root}}/login.php?action=logout">Sign out</a>{{else}}<a href="{{.Root}}/login.php">Sign in</a>{{end}}
</header><main><h1>{{.Title}}</h1>
{{if .Error}}<p class="alert" role="alert">{{.Error}}</p>{{end}}{{end}}
{{define "bottom"}}</main></body></html>
{{end}}
{{define "home"}}{{template "top" .}}<p>{{if .Customer}}Welcome back, {{.Customer.FirstName}}.{{else}}Welcome, guest.{{end}}</p>{{template "bottom" .}}{{end}}
{{define "login"}}{{template "top" .}}<form method="post" action="{{.Root}}/login.php">
<p><label>Email address <input type="email" name="login_email" value="{{.Email}}" required></label></p>
<p><label>Password <input type="password" name="login_pass" required></label></p>
<p><button type="submit">Sign in</button></p>
</form>{{template "bottom" .}}{{end}}
{{define "account"}}{{template "top" .}}<dl>
<dt>Name</dt><dd class="name">{{.Customer.FirstName}} {{.Customer.LastName}}</dd>
<dt>Email</dt><dd class="email">{{.Customer.Email}}</dd>
<dt>Customer group</dt><dd class="group">{{if .Group}}{{.Group}}{{else}}None{{end}}</dd>
</dl>{{template "bottom" .}}{{end}}
{{define "error"}}{{template "top" .}}<p>{{.Status}}</p>{{template "bottom" .}}{{end}}
`))

// render writes the named page. Storefront pages are personal: no cache
// keeps them.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) error {
	st := gateway.StoreOf(r.Context())
	p.Root, p.Store = Root(r, st), st.Hash
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, p); err != nil {
		return err
	}
	writeHTML(w, status, buf.Bytes())
	return nil
}

func writeHTML(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(b)
}

// renderError writes an error as a plain HTML page: a storefront has no
// JSON error shape. Internal errors show nothing of their cause.
func renderError(w http.ResponseWriter, r *http.Request, err error) int {
	p := gateway.ProblemOf(err, http.StatusConflict)
	msg := p.Message
	switch {
	case p.Status == http.StatusInternalServerError:
		msg = "Something went wrong. Please try again later."
	case msg == "":
		msg = http.StatusText(p.Status)
	}
	var buf bytes.Buffer
	pg := page{Title: http.StatusText(p.Status), Error: msg, Status: p.Status}
	if st := gateway.StoreOf(r.Context()); st != nil {
		pg.Root, pg.Store = Root(r, st), st.Hash
	}
	if pages.ExecuteTemplate(&buf, "error", pg) != nil {
		buf.Reset()
		buf.WriteString(template.HTMLEscapeString(msg))
	}
	writeHTML(w, p.Status, buf.Bytes())
	return p.Status
}

// home implements GET /stores/{store_hash}/storefront/: where Ruby's
// default redirect_to "/" lands.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	cu, err := s.shopper(r.Context(), r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "home", page{Title: "Home", Customer: cu})
}

// account implements GET /stores/{store_hash}/storefront/account.php: the
// signed-in customer's name, email and group. A guest is sent to sign in,
// as BigCommerce does.
func (s *Server) account(w http.ResponseWriter, r *http.Request) error {
	cu, err := s.shopper(r.Context(), r)
	if err != nil {
		return err
	}
	if cu == nil {
		return redirect(w, r, "/login.php")
	}
	p := page{Title: "Your account", Customer: cu}
	if cu.CustomerGroupID != 0 {
		g, err := s.Groups.FindGroupByID(r.Context(), gateway.StoreOf(r.Context()).ID, cu.CustomerGroupID)
		if err != nil && customersd.ErrorCode(err) != customersd.ENOTFOUND {
			return err
		}
		if g != nil {
			p.Group = g.Name
		}
	}
	return s.render(w, r, http.StatusOK, "account", p)
}

func itoa(n int) string { return strconv.Itoa(n) }
