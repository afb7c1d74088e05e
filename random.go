package customersd

import "crypto/rand"

const identAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// randomIdent returns n random characters of BigCommerce's identifier
// alphabet (lower-case letters and digits), without modulo bias.
func randomIdent(n int) string {
	out := make([]byte, 0, n)
	buf := make([]byte, 2*n)
	for len(out) < n {
		rand.Read(buf)
		for _, b := range buf {
			// 252 is the largest multiple of 36 below 256.
			if b < 252 && len(out) < n {
				out = append(out, identAlphabet[int(b)%len(identAlphabet)])
			}
		}
	}
	return string(out)
}

// NewStoreHash returns a random store hash in BigCommerce's form ("x1y2z3a4b5").
func NewStoreHash() string { return randomIdent(10) }

// NewClientID returns a random API account client id.
func NewClientID() string { return randomIdent(31) }

// NewClientSecret returns a random API account client secret: 64
// characters of a 36-letter alphabet, about 330 bits, well past the 256 an
// HMAC-SHA256 key can use.
func NewClientSecret() string { return randomIdent(64) }

// NewAccessToken returns a random access token: 31 characters of a
// 36-letter alphabet, about 160 bits.
func NewAccessToken() string { return randomIdent(31) }
