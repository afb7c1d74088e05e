package journal

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"mime"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Redacted replaces every secret the journal would otherwise keep.
const Redacted = "[redacted]"

// sensitiveParts are the pieces of a field, parameter or path wildcard
// name whose value is never kept: passwords (password, new_password,
// password_confirmation, login_pass), secrets (client_secret), tokens
// (access_token, tokens, jwt), V2's _authentication object, and a hook's
// headers, where apps put the credentials their endpoint checks.
// Not a bare "pass": V2's reset_pass_on_login is no secret.
var sensitiveParts = []string{"password", "passwd", "login_pass", "secret", "token", "jwt", "authentication", "headers", "signature"}

func sensitive(name string) bool {
	name = strings.ToLower(name)
	for _, p := range sensitiveParts {
		if strings.Contains(name, p) {
			return true
		}
	}
	return false
}

// jwtPattern finds a JSON Web Token (or what is left of one cut by a
// body limit) anywhere: a login URL carries one in its path.
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}(\.[A-Za-z0-9_-]*){0,2}`)

func redactText(s string) string {
	return jwtPattern.ReplaceAllString(s, Redacted)
}

// RedactPath removes the segments of path that pattern (the route's path,
// "/login/token/{jwt}") names as secrets, and any JWT.
func RedactPath(path, pattern string) string {
	if pattern != "" && strings.Contains(pattern, "{") {
		segs, pats := strings.Split(path, "/"), strings.Split(pattern, "/")
		for i, p := range pats {
			if i < len(segs) && strings.HasPrefix(p, "{") && sensitive(p) {
				segs[i] = Redacted
			}
		}
		path = strings.Join(segs, "/")
	}
	return redactText(path)
}

// RedactQuery removes the values of secret parameters and any JWT, keeping
// the order and encoding of the rest.
func RedactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, _, _ := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil || sensitive(name) {
			parts[i] = k + "=" + Redacted
		}
	}
	return redactText(strings.Join(parts, "&"))
}

// RedactBody returns body as text without its secrets. contentType and
// contentEncoding are the body's headers; a gzipped body is unpacked
// first, to at most limit bytes, and cut reports a longer one.
func RedactBody(body []byte, contentType, contentEncoding string, limit int) (text string, cut bool) {
	if len(body) == 0 {
		return "", false
	}
	if strings.EqualFold(contentEncoding, "gzip") {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return "[gzip body]", false
		}
		body, _ = io.ReadAll(io.LimitReader(zr, int64(limit)+1)) // a cut body ends in an error: keep what came
		if len(body) > limit {
			body, cut = body[:limit], true
		}
	}
	if !mightHoldSecret(body) {
		return strings.ToValidUTF8(string(body), "\uFFFD"), cut
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	trimmed := bytes.TrimSpace(body)
	var s string
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json") || (mt == "" && len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[')):
		s = redactJSON(body)
	case mt == "application/x-www-form-urlencoded":
		s = RedactQuery(string(body))
	case strings.Contains(mt, "xml") || (mt == "" && len(trimmed) > 0 && trimmed[0] == '<'):
		s = redactXML(string(body))
	default:
		s = redactLoose(string(body))
	}
	return strings.ToValidUTF8(s, "\uFFFD"), cut
}

// mightHoldSecret is the fast path of the common body, which names no
// secret: every redaction below needs one of these words (in any case),
// a JWT's "eyJ" or an escape that could spell one.
func mightHoldSecret(body []byte) bool {
	for i, c := range body {
		if (c == '\\' && hasPrefixFold(body[i+1:], "u")) || (c == '%' && i+2 < len(body) && isHex(body[i+1]) && isHex(body[i+2])) {
			return true // an escape (\u0077, %77) could spell a word; V2's \/ cannot
		}
		switch c | 0x20 { // ASCII lower case; the words are ASCII
		case 'p', 's', 't', 'j', 'a', 'h', 'l':
			for _, p := range sensitiveParts {
				if hasPrefixFold(body[i:], p) {
					return true
				}
			}
		case 'e':
			if hasPrefixFold(body[i:], "eyj") {
				return true
			}
		}
	}
	return false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f'
}

// hasPrefixFold reports whether b starts with the lower-case ASCII word w,
// in any case.
func hasPrefixFold(b []byte, w string) bool {
	if len(b) < len(w) {
		return false
	}
	for i := range len(w) {
		if b[i]|0x20 != w[i] {
			return false
		}
	}
	return true
}

var (
	// xmlLeaf is an element holding text (or CDATA) only: a secret
	// element nested in another (<_authentication><password>) is a leaf.
	xmlLeaf = regexp.MustCompile(`(?is)<([A-Za-z_][\w.-]*)(\s[^>]*)?>((?:[^<]|<!\[CDATA\[.*?\]\]>)*)</([A-Za-z_][\w.-]*)\s*>`)
	// xmlOpenTail is an element a body limit cut before it closed.
	xmlOpenTail = regexp.MustCompile(`(?is)<([A-Za-z_][\w.-]*)(\s[^>]*)?>([^<]*|<!\[CDATA\[.*)$`)
)

// redactXML blanks the text of elements with a secret name.
func redactXML(s string) string {
	return redactText(redactXMLLeaves(s))
}

func redactXMLLeaves(s string) string {
	s = xmlLeaf.ReplaceAllStringFunc(s, func(m string) string {
		sub := xmlLeaf.FindStringSubmatch(m)
		if !sensitive(sub[1]) {
			return m
		}
		return "<" + sub[1] + sub[2] + ">" + Redacted + "</" + sub[4] + ">"
	})
	if loc := xmlOpenTail.FindStringSubmatchIndex(s); loc != nil && sensitive(s[loc[2]:loc[3]]) {
		s = s[:loc[0]] + "<" + s[loc[2]:loc[3]] + ">" + Redacted
	}
	return s
}

// loosePair finds "key": value and key=value in text that is not (or no
// longer) well-formed, such as a body a limit cut or a client got wrong;
// redactLoose looks for secret XML elements too, whatever the body claims
// to be.
var loosePair = regexp.MustCompile(`(?i)("?)([\w.-]*(?:password|passwd|login_pass|secret|token|jwt|authentication|headers|signature)[\w.-]*)("?\s*[:=]\s*)("(?:[^"\\]|\\.)*"?|[^\s,&}<\]]*)`)

// jsonEscape is a \uXXXX escape, undone before loosePair looks, so that
// "pass\u0077ord" is seen as the server reads it.
var jsonEscape = regexp.MustCompile(`\\u[0-9A-Fa-f]{4}`)

func redactLoose(s string) string {
	s = jsonEscape.ReplaceAllStringFunc(s, func(m string) string {
		n, _ := strconv.ParseUint(m[2:], 16, 32)
		return string(rune(n))
	})
	return redactText(redactXMLLeaves(loosePair.ReplaceAllString(s, `${1}${2}${3}"`+Redacted+`"`)))
}

// redactJSON re-encodes JSON token by token, compact, in its own key
// order, with every scalar under a secret key (at any depth) replaced.
// Reading tokens rather than matching text means an escaped key
// ("pass\u0077ord") is caught as the server would read it. Where the
// JSON ends early (a body the limit cut) or goes wrong, what follows is
// kept only through the loose text redaction.
func redactJSON(body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	type frame struct {
		obj, redact bool
		n           int // keys and values written
		keySecret   bool
	}
	var stack []*frame
	for {
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		offset := dec.InputOffset()
		tok, err := dec.Token()
		if err == io.EOF {
			return strings.TrimSuffix(out.String(), "\n")
		}
		if err != nil {
			if top != nil && (top.redact || (top.obj && top.n%2 == 1 && top.keySecret)) {
				return out.String() // cut inside a secret: keep none of it
			}
			return strings.TrimSuffix(out.String(), "\n") + redactLoose(string(body[offset:]))
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			out.WriteByte(byte(d))
			stack = stack[:len(stack)-1]
			continue
		}
		isKey := top != nil && top.obj && top.n%2 == 0
		secret := false
		if top != nil {
			switch {
			case top.obj && top.n%2 == 1:
				out.WriteByte(':')
				secret = top.redact || top.keySecret
			case top.n > 0:
				out.WriteByte(',')
				secret = top.redact
			default:
				secret = top.redact
			}
			top.n++
		} else if out.Len() > 0 {
			out.WriteByte('\n')
		}
		switch v := tok.(type) {
		case json.Delim:
			out.WriteByte(byte(v))
			stack = append(stack, &frame{obj: v == '{', redact: secret})
		case string:
			if isKey {
				top.keySecret = sensitive(v)
				enc.Encode(v)
			} else if secret {
				enc.Encode(Redacted)
			} else {
				enc.Encode(redactText(v))
			}
			out.Truncate(out.Len() - 1) // Encode's newline
		default:
			if secret {
				enc.Encode(Redacted)
			} else {
				enc.Encode(v)
			}
			out.Truncate(out.Len() - 1)
		}
	}
}
