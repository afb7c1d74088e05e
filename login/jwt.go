// Package login holds the rules of BigCommerce's Customer Login and Current
// Customer tokens (spec/LOGIN.md, docs/login.md): reading and checking a
// login JWT, each rule a named check, and signing a current customer JWT.
// The storefront (package storefront) signs shoppers in with it, and the
// admin API explains a refusal with the same checks.
//
// JWTs here are HS256 only, so no JWT library is needed: a token is three
// base64url parts, and its signature is HMAC-SHA256 over the first two with
// the API account's client secret (RFC 7515, 7519).
package login

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// Sign returns the HS256 JWT of claims, with the header
// {"typ":"JWT","alg":"HS256"}, signed with secret.
func Sign(claims any, secret string) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := b64(`{"typ":"JWT","alg":"HS256"}`) + "." + base64.RawURLEncoding.EncodeToString(payload)
	return input + "." + base64.RawURLEncoding.EncodeToString(mac(input, secret)), nil
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func mac(input, secret string) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(input))
	return h.Sum(nil)
}

// token is a JWT taken apart, its signature not yet checked.
type token struct {
	header struct {
		Alg string `json:"alg"`
		Typ string `json:"typ"`
	}
	// claims is the payload as decoded, numbers kept as written; raw is
	// the payload's JSON, for the record of an attempt.
	claims map[string]any
	raw    []byte
	input  string // header.payload, what the signature covers
	sig    []byte
}

// parse takes a compact JWT apart. Base64url without padding is the rule;
// padding is tolerated, since some encoders add it.
func parse(s string) (*token, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return nil, errors.New("a JWT has three parts separated by dots, this has " + itoa(len(parts)))
	}
	t := &token{input: parts[0] + "." + parts[1]}
	header, err := decodePart(parts[0])
	if err != nil {
		return nil, errors.New("the header is not base64url")
	}
	if err := json.Unmarshal(header, &t.header); err != nil {
		return nil, errors.New("the header is not a JSON object")
	}
	if t.raw, err = decodePart(parts[1]); err != nil {
		return nil, errors.New("the payload is not base64url")
	}
	dec := json.NewDecoder(bytes.NewReader(t.raw))
	dec.UseNumber()
	if err := dec.Decode(&t.claims); err != nil || t.claims == nil {
		return nil, errors.New("the payload is not a JSON object")
	}
	if t.sig, err = decodePart(parts[2]); err != nil {
		return nil, errors.New("the signature is not base64url")
	}
	return t, nil
}

func decodePart(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// verify reports whether the signature is the HMAC-SHA256 of the token
// under secret, compared in constant time.
func (t *token) verify(secret string) bool {
	return hmac.Equal(t.sig, mac(t.input, secret))
}
