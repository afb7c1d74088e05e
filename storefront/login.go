package storefront

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/ratelimit"
)

// The messages BigCommerce's storefront shows: to a shopper whose login
// token was refused (whatever the reason; the reason goes to the log and
// the admin API), and to one whose email or password is wrong.
const (
	TokenRefusedMessage    = "Invalid login. Please attempt to log in again."
	PasswordRefusedMessage = "Your email address or password is incorrect. Please try again."
)

// loginWithToken implements GET /stores/{store_hash}/storefront/login/token/{jwt}.
// Every check of LOGIN.md runs (login.Verifier); the attempt is recorded with
// its reason either way and a refusal logged at info level. A success
// changes nothing on the customer, so no webhook fires.
//
// A HEAD request (a link checker, a chat app's preview) neither checks nor
// uses the token: it would otherwise spend the shopper's one use.
func (s *Server) loginWithToken(w http.ResponseWriter, r *http.Request) error {
	// The token must not travel on in a Referer from the page we land on.
	w.Header().Set("Referrer-Policy", "no-referrer")
	if r.Method == http.MethodHead {
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	st := gateway.StoreOf(r.Context())
	ip := clientIP(r)
	res, err := s.Verifier.Login(r.Context(), st, r.PathValue("jwt"), ip)
	if err != nil {
		return err
	}
	a := res.Attempt(ip)
	if a.OK {
		// The session first, so the attempt records what happened: the
		// customer may have been deleted since the check.
		err := s.signIn(w, r, res.CustomerID)
		if customersd.ErrorCode(err) == customersd.ENOTFOUND {
			a.OK, a.Check, a.Reason = false, "customer_id", "unknown_customer"
			a.Detail = "The customer was deleted while signing in."
		} else if err != nil {
			return err
		}
	}
	if err := s.Logins.RecordLoginAttempt(r.Context(), st.ID, a); err != nil {
		return err
	}
	attrs := []any{slog.String("request_id", gateway.RequestID(r.Context())), slog.String("store", st.Hash),
		slog.String("iss", a.ClientID), slog.Int64("customer_id", a.CustomerID), slog.String("ip", ip)}
	if !a.OK {
		s.logger().InfoContext(r.Context(), "customer login refused",
			append(attrs, slog.String("check", a.Check), slog.String("reason", a.Reason), slog.String("detail", a.Detail))...)
		s.setCookie(w, r, flashCookie, "1", 60)
		return redirect(w, r, "/login.php")
	}
	s.logger().InfoContext(r.Context(), "customer signed in with a login token", attrs...)
	return redirect(w, r, res.RedirectTo)
}

// clientIP is the browser's address as the connection shows it, for the
// request_ip claim. customersd trusts no forwarding header for it: behind a
// proxy, sign tokens without request_ip.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// loginPage implements GET /stores/{store_hash}/storefront/login.php: the
// sign-in form, with BigCommerce's message after a refused login token;
// ?action=logout signs out first.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	// Not on HEAD: a link checker must not sign the shopper out.
	if r.URL.Query().Get("action") == "logout" && r.Method == http.MethodGet {
		if err := s.signOut(w, r); err != nil {
			return err
		}
		return redirect(w, r, "/login.php")
	}
	p := page{Title: "Sign in"}
	if c, err := r.Cookie(flashCookie); err == nil && c.Value != "" {
		p.Error = TokenRefusedMessage
		s.setCookie(w, r, flashCookie, "", -1)
	}
	cu, err := s.shopper(r.Context(), r)
	if err != nil {
		return err
	}
	p.Customer = cu
	return s.render(w, r, http.StatusOK, "login", p)
}

// loginWithPassword implements POST /stores/{store_hash}/storefront/login.php:
// email and password, the password checked against the customer's hash
// behind the guards of V2's validate call (ratelimit.Policy.CheckPassword).
// A wrong email and a wrong password get the same answer.
func (s *Server) loginWithPassword(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return &gateway.Error{Status: http.StatusBadRequest, Message: "The form could not be read."}
	}
	email, pw := strings.TrimSpace(r.PostForm.Get("login_email")), r.PostForm.Get("login_pass")
	st := gateway.StoreOf(r.Context())
	refuse := func(status int, msg string) error {
		return s.render(w, r, status, "login", page{Title: "Sign in", Error: msg, Email: email})
	}
	if email == "" || pw == "" {
		return refuse(http.StatusBadRequest, "Enter your email address and password.")
	}
	found, err := s.Customers.FindCustomers(r.Context(), st.ID, customersd.CustomerFilter{Email: &email, Page: customersd.Page{Limit: 1}})
	if err != nil {
		return err
	}
	if len(found) == 0 {
		return refuse(http.StatusOK, PasswordRefusedMessage)
	}
	id := found[0].ID
	ok, err := s.RateLimit.CheckPassword(r.Context(), st, id, func() (bool, error) {
		return s.Customers.ValidatePassword(r.Context(), st.ID, id, pw)
	})
	var le *ratelimit.LimitError
	if errors.As(err, &le) {
		w.Header().Set("Retry-After", itoa(le.RetryAfterSeconds()))
		return refuse(http.StatusTooManyRequests, "Too many sign-in attempts. Please try again later.")
	}
	if err != nil {
		return err
	}
	if !ok {
		return refuse(http.StatusOK, PasswordRefusedMessage)
	}
	if err := s.signIn(w, r, id); err != nil {
		return err
	}
	return redirect(w, r, "/account.php")
}
