package contracttest

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// serverSuffix is the base path this package expects of the document's one
// server. Requests are routed by their path alone, so if the document moves its
// base, v2Path must change with it.
const serverSuffix = "/stores/{store_hash}/v2"

// Checker validates responses against one OpenAPI document, as amended by the
// exceptions table. It is safe for concurrent use.
type Checker struct {
	doc    *openapi3.T
	router routers.Router
	server *url.URL // the document's server, with {store_hash} still in its path
	opts   openapi3filter.Options
}

// NewChecker loads the OpenAPI document at specPath, applies the exceptions
// table to it and builds a router. It fails if the document does not load or
// validate, or if an exception no longer fits the document (a row whose
// premise is gone must be deleted, not kept "just in case").
func NewChecker(specPath string) (*Checker, error) {
	doc, err := openapi3.NewLoader().LoadFromFile(specPath)
	if err != nil {
		return nil, fmt.Errorf("contracttest: load %s: %w", specPath, err)
	}
	for _, e := range exceptions {
		if err := e.prepare(doc); err != nil {
			return nil, fmt.Errorf("contracttest: exception %q: %w", e.match, err)
		}
	}
	if len(doc.Servers) != 1 || !strings.HasSuffix(doc.Servers[0].URL, serverSuffix) {
		return nil, fmt.Errorf("contracttest: %s: want one server ending in %s", specPath, serverSuffix)
	}
	server, err := url.Parse(doc.Servers[0].URL)
	if err != nil {
		return nil, fmt.Errorf("contracttest: %s: server URL: %w", specPath, err)
	}
	// legacy.NewRouter validates the amended document. We use the legacy router
	// rather than gorillamux because it needs no module beyond kin-openapi's own.
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("contracttest: %s: %w", specPath, err)
	}
	c := &Checker{
		doc:    doc,
		router: router,
		server: server,
		opts: openapi3filter.Options{
			// Without this, kin-openapi accepts any status the document omits.
			IncludeResponseStatus: true,
			// The schema and the value would repeat the whole discount-rule
			// schema in every failure; the JSON pointer and the body say enough.
			SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()},
		},
	}
	return c, nil
}

// exchange is one request and its response, as the checks see it.
type exchange struct {
	method string // the request method; GET for a HEAD request
	head   bool   // a HEAD request: status only, and no body
	path   string // relative to the version root, without .json or trailing slash
	status int
	header http.Header
	body   []byte // decompressed

	// Set by route.
	req    *http.Request  // the request as the document's server would see it
	route  *routers.Route // nil when the document has no operation for method and path
	params map[string]string
	known  bool // the path is documented (or excepted) for some method
}

// Validate checks one exchange: req as the client sent it, and the response's
// status, header and body as read from the wire. Paths outside
// /stores/{store_hash}/v2/ are not in the document and are ignored.
func (c *Checker) Validate(req *http.Request, status int, header http.Header, body []byte) error {
	hash, path, ok := v2Path(req.URL.Path)
	if !ok {
		return nil
	}
	body, err := decodeBody(header, body)
	if err != nil {
		return err
	}
	x := &exchange{method: req.Method, path: path, status: status, header: header, body: body}
	if req.Method == http.MethodHead {
		x.method, x.head = http.MethodGet, true
	}
	if len(body) > 0 {
		if x.head {
			return fmt.Errorf("a HEAD response has a %d-byte body", len(body))
		}
		if isXML(header) {
			// XML.md: the document describes JSON only; XML has checks of its own.
			return CheckXMLDocument(x.method, x.path, status, body)
		}
		if err := checkJSONType(header); err != nil {
			return err
		}
	}
	c.route(x, hash)
	for _, e := range exceptions {
		if e.decide == nil {
			continue
		}
		if mine, err := e.decide(c, x); mine {
			if err != nil {
				return fmt.Errorf("%w (checked under exception %q)", err, e.match)
			}
			return nil
		}
	}
	return c.validateAs(x, status)
}

// route finds the document's operation for x: an alias from the exceptions
// table first, then the router.
func (c *Checker) route(x *exchange, hash string) {
	u := *c.server
	u.Path = strings.Replace(u.Path, "{store_hash}", hash, 1) + x.path
	u.RawPath = ""
	x.req = &http.Request{Method: x.method, URL: &u, Header: http.Header{}, Host: u.Host}

	for _, e := range exceptions {
		if a := e.alias; a != nil && matchPath(a.path, x.path) {
			x.known = true
			if a.method == x.method {
				x.route = c.operation(a.asMethod, a.asPath)
				x.params = map[string]string{}
				return
			}
		}
	}
	if route, params, err := c.router.FindRoute(x.req); err == nil {
		x.route, x.params, x.known = route, params, true
		return
	}
	if x.known {
		return
	}
	// The legacy router cannot tell "no such path" from "no such method on
	// this path"; ask it about each method the document uses.
	probe := *x.req
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		probe.Method = m
		if _, _, err := c.router.FindRoute(&probe); err == nil {
			x.known = true
			return
		}
	}
}

// operation returns the route of the documented operation method path, or nil.
func (c *Checker) operation(method, path string) *routers.Route {
	item := c.doc.Paths.Value(path)
	if item == nil || item.GetOperation(method) == nil {
		return nil
	}
	return &routers.Route{Spec: c.doc, Server: c.doc.Servers[0], Path: path, PathItem: item, Method: method, Operation: item.GetOperation(method)}
}

// validateAs checks x against the document's response for status, which is
// x.status unless an exception says the document files it under another.
func (c *Checker) validateAs(x *exchange, status int) error {
	if x.route == nil {
		if x.known {
			return fmt.Errorf("the document has no %s operation on %s", x.method, x.path)
		}
		return fmt.Errorf("no route in the document matches %s", x.path)
	}
	op := x.route.Operation
	ref := op.Responses.Status(status)
	if ref == nil || ref.Value == nil {
		return fmt.Errorf("status %d is not documented for %s (%s %s)", status, op.OperationID, x.route.Method, x.route.Path)
	}
	// kin-openapi checks nothing for HEAD or for a response without content;
	// both must come with an empty body.
	if x.head || len(ref.Value.Content) == 0 {
		return x.wantEmpty()
	}
	opts := c.opts
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: x.req, PathParams: x.params, Route: x.route},
		Status:                 status,
		Header:                 x.header,
		Options:                &opts,
	}
	in.SetBodyBytes(x.body)
	return openapi3filter.ValidateResponse(context.Background(), in)
}

// wantEmpty fails if x has a body.
func (x *exchange) wantEmpty() error {
	if len(x.body) > 0 {
		return fmt.Errorf("status %d must come with an empty body, got %d bytes", x.status, len(x.body))
	}
	return nil
}

// v2Path splits a request path such as /stores/abc/v2/customers/5.json/ into
// the store hash and the path relative to the version root (/customers/5),
// dropping a trailing slash and a .json or .xml suffix as V2 always has
// (BEHAVIOR.md, Paths and routing). ok is false for paths outside V2.
func v2Path(p string) (hash, path string, ok bool) {
	rest, ok := strings.CutPrefix(p, "/stores/")
	if !ok {
		return "", "", false
	}
	hash, rest, _ = strings.Cut(rest, "/")
	if hash == "" || (rest != "v2" && !strings.HasPrefix(rest, "v2/")) {
		return "", "", false
	}
	path = strings.TrimSuffix(strings.TrimPrefix(rest, "v2"), "/")
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		path = path[:i] + strings.TrimSuffix(strings.TrimSuffix(path[i:], ".json"), ".xml")
	}
	if path == "" {
		path = "/"
	}
	return hash, path, true
}

// matchPath reports whether path matches pattern, where a {name} segment of
// pattern matches any one non-empty segment.
func matchPath(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i, p := range ps {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			if xs[i] == "" {
				return false
			}
		} else if p != xs[i] {
			return false
		}
	}
	return true
}

// decodeBody undoes the response's Content-Encoding: we honour
// Accept-Encoding: gzip (BEHAVIOR.md, Other headers), and the schemas
// describe the JSON, not its compressed bytes.
func decodeBody(header http.Header, body []byte) ([]byte, error) {
	switch enc := strings.ToLower(strings.TrimSpace(header.Get("Content-Encoding"))); enc {
	case "", "identity":
		return body, nil
	case "gzip":
		if len(body) == 0 {
			return body, nil
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("body is not gzip despite Content-Encoding: gzip: %w", err)
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			return nil, fmt.Errorf("gzip body does not decompress: %w", err)
		}
		return b, nil
	default:
		return nil, fmt.Errorf("unexpected Content-Encoding %q", enc)
	}
}

// isXML reports an XML body (XML.md §3: application/xml).
func isXML(header http.Header) bool {
	mt, _, err := mime.ParseMediaType(header.Get("Content-Type"))
	return err == nil && mt == "application/xml"
}

// checkJSONType fails unless the response says its body is JSON: every V2
// body that is not XML is (BEHAVIOR.md, Formats), errors included.
func checkJSONType(header http.Header) error {
	ct := header.Get("Content-Type")
	if ct == "" {
		return fmt.Errorf("a body without Content-Type, want application/json")
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return fmt.Errorf("content type %q, want application/json", ct)
	}
	return nil
}
