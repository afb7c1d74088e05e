package panel

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Cookie names. The session cookie is scoped to the panel's path, so the
// API never receives it.
const (
	sessionCookie = "customersd_panel"
	// loginCookie carries the nonce of the sign-in form's CSRF token: before
	// sign-in there is no session to bind the token to.
	loginCookie = "customersd_panel_login"
	// csrfField is the hidden field of every form.
	csrfField = "csrf"
	// sessionTTL is how long a sign-in lasts: a working day.
	sessionTTL = 12 * time.Hour
)

// sessions signs and checks session cookies. A session is a random id and
// an expiry, signed with a key derived from the admin token: any node with
// the same token accepts it, and changing the token signs everyone out. The
// cookie holds neither the token nor anything it could be derived from.
type sessions struct {
	key []byte
	now func() time.Time

	mu sync.Mutex
	// ended are the sessions signed out before they expired, until they do
	// (on this node: another node accepts the cookie until it expires, but
	// the browser that signed out no longer has it).
	ended map[string]time.Time
}

func newSessions(adminToken string, now func() time.Time) *sessions {
	m := hmac.New(sha256.New, []byte(adminToken))
	m.Write([]byte("customersd control panel session key v1"))
	return &sessions{key: m.Sum(nil), now: now, ended: map[string]time.Time{}}
}

// session is a signed-in browser.
type session struct {
	id      string // base64 of 16 random bytes
	expires time.Time
	// csrf is the token every form of this session carries.
	csrf string
}

func (ss *sessions) mac(parts ...string) []byte {
	m := hmac.New(sha256.New, ss.key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

func (ss *sessions) newSession() *session {
	return ss.session(randomString(), ss.now().Add(sessionTTL))
}

func (ss *sessions) session(id string, expires time.Time) *session {
	return &session{id: id, expires: expires, csrf: b64(ss.mac("csrf", id))}
}

// cookieValue is id.expiry.signature.
func (ss *sessions) cookieValue(se *session) string {
	var exp [8]byte
	binary.BigEndian.PutUint64(exp[:], uint64(se.expires.Unix()))
	payload := se.id + "." + b64(exp[:])
	return payload + "." + b64(ss.mac("session", payload))
}

// parse returns the session of a cookie value, or nil when it is forged,
// expired or signed out.
func (ss *sessions) parse(v string) *session {
	id, rest, _ := strings.Cut(v, ".")
	exp64, sig, _ := strings.Cut(rest, ".")
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, ss.mac("session", id+"."+exp64)) {
		return nil
	}
	exp, err := base64.RawURLEncoding.DecodeString(exp64)
	if err != nil || len(exp) != 8 {
		return nil
	}
	expires := time.Unix(int64(binary.BigEndian.Uint64(exp)), 0)
	if !ss.now().Before(expires) {
		return nil
	}
	ss.mu.Lock()
	_, ended := ss.ended[id]
	ss.mu.Unlock()
	if ended {
		return nil
	}
	return ss.session(id, expires)
}

// end signs a session out on this node, and forgets sessions that have
// expired anyway.
func (ss *sessions) end(se *session) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	now := ss.now()
	for id, exp := range ss.ended {
		if !now.Before(exp) {
			delete(ss.ended, id)
		}
	}
	ss.ended[se.id] = se.expires
}

// validCSRF compares a form's token with the expected one in constant time.
func validCSRF(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// tokenMatches compares a typed token with the admin token in constant
// time; both are hashed first so the time does not depend on the length.
func tokenMatches(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return want != "" && subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

func randomString() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return b64(b[:])
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

type sessionKey struct{}

func sessionOf(ctx context.Context) *session {
	se, _ := ctx.Value(sessionKey{}).(*session)
	return se
}

// signedIn returns r with its session in the context, or nil when the
// request carries no valid session.
func (s *Server) signedIn(r *http.Request) *http.Request {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	se := s.sessions.parse(c.Value)
	if se == nil {
		return nil
	}
	return r.WithContext(context.WithValue(r.Context(), sessionKey{}, se))
}

// page wraps a page: without a session, the browser goes to the sign-in form.
func (s *Server) page(h func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		sr := s.signedIn(r)
		if sr == nil {
			http.Redirect(w, r, base+"/login", http.StatusSeeOther)
			return nil
		}
		return h(w, sr)
	}
}

// action wraps a POST: it needs a session and that session's CSRF token in
// the form, or it is refused with 403 and changes nothing. SameSite=Strict
// already keeps the cookie off other sites' requests; the token also
// covers browsers that ignore SameSite and requests from sibling origins.
func (s *Server) action(h func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		// Parsed before signedIn copies r, so the copy has the form too.
		if err := r.ParseForm(); err != nil {
			return errBadInput("The form could not be read: it is malformed or larger than 64 KiB.")
		}
		sr := s.signedIn(r)
		if sr == nil {
			return errForbidden("You are not signed in, or your session has ended. Sign in and try again.")
		}
		if !validCSRF(r.PostFormValue(csrfField), sessionOf(sr.Context()).csrf) {
			return errForbidden("This form has expired or did not come from this panel. Go back, reload the page and try again.")
		}
		return h(w, sr)
	}
}

// maxFormBytes bounds a form: the panel's forms hold a few short fields.
const maxFormBytes = 64 << 10

// setCookie writes a panel cookie: HttpOnly, SameSite=Strict, scoped to the
// panel, Secure when the request came over TLS, here or at a proxy that
// says so (a forged X-Forwarded-Proto can only make the cookie stricter).
func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration) {
	age := int(maxAge / time.Second)
	if maxAge < 0 {
		age = -1 // delete it now
	}
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: base + "/", MaxAge: age,
		HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"),
	})
}

// loginForm implements GET /admin/ui/login.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if s.signedIn(r) != nil {
		http.Redirect(w, r, base+"/", http.StatusSeeOther)
		return nil
	}
	return s.renderLogin(w, r, http.StatusOK, "")
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, problem string) error {
	nonce := randomString()
	setCookie(w, r, loginCookie, nonce, time.Hour)
	return s.render(w, r, status, "login", &view{Title: "Sign in", CSRF: b64(s.sessions.mac("login", nonce)), Data: problem})
}

// login implements POST /admin/ui/login: the form's token field against the
// admin token. The token travels in the body only, never in a URL.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	c, err := r.Cookie(loginCookie)
	if err != nil || !validCSRF(r.PostFormValue(csrfField), b64(s.sessions.mac("login", c.Value))) {
		return errForbidden("This sign-in form has expired or did not come from this panel. Reload it and try again.")
	}
	if !tokenMatches(r.PostFormValue("token"), s.AdminToken) {
		return s.renderLogin(w, r, http.StatusUnauthorized, "That is not the admin token.")
	}
	setCookie(w, r, loginCookie, "", -1)
	setCookie(w, r, sessionCookie, s.sessions.cookieValue(s.sessions.newSession()), sessionTTL)
	http.Redirect(w, r, base+"/", http.StatusSeeOther)
	return nil
}

// logout implements POST /admin/ui/logout.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	s.sessions.end(sessionOf(r.Context()))
	setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, base+"/login", http.StatusSeeOther)
	return nil
}
