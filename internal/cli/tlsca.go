package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Lifetimes of the self-signed files. The CA lives long because users
// install it in their clients once; the server certificate stays under the
// 398 days browsers accept and is made again from the same CA when it nears
// its end or the host names change, which costs the user nothing.
const (
	caLifetime     = 10 * 365 * 24 * time.Hour
	serverLifetime = 365 * 24 * time.Hour
	renewBefore    = 30 * 24 * time.Hour
)

// The files of --tls-dir. ca-key.pem is kept so that a new server
// certificate can be signed by the CA users already trust.
const (
	caFile        = "ca.pem"
	caKeyFile     = "ca-key.pem"
	serverFile    = "server.pem"
	serverKeyFile = "server-key.pem"
)

// selfSignedFiles are the paths ensureSelfSigned leaves, and what it made.
type selfSignedFiles struct {
	dir, ca, cert, key string
	made               []string // "CA", "server certificate"
}

// ensureSelfSigned makes sure dir holds a CA (ECDSA P-256) and a server
// certificate it signs for hosts, valid at now. It reuses what is there and
// makes only what is missing, expiring or, for the server certificate, made
// for other hosts. A CA file that cannot be read is an error, not replaced:
// clients may trust it.
func ensureSelfSigned(dir string, hosts []string, now time.Time) (selfSignedFiles, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return selfSignedFiles{}, err
	}
	f := selfSignedFiles{dir: abs, ca: filepath.Join(abs, caFile), cert: filepath.Join(abs, serverFile), key: filepath.Join(abs, serverKeyFile)}
	// Readable by all: other containers and users read ca.pem from it; the
	// key files are 0600 themselves.
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return f, fmt.Errorf("make %s: %w", abs, err)
	}
	ca, caKey, err := loadCA(abs)
	if errors.Is(err, fs.ErrNotExist) || err == nil && now.Add(renewBefore).After(ca.NotAfter) {
		if ca, caKey, err = makeCA(abs, now); err == nil {
			f.made = append(f.made, "CA")
		}
	}
	if err != nil {
		return f, err
	}
	if len(f.made) == 0 && serverCertFits(f.cert, f.key, ca, hosts, now) {
		return f, nil
	}
	if err := makeServerCert(abs, ca, caKey, hosts, now); err != nil {
		return f, err
	}
	f.made = append(f.made, "server certificate")
	return f, nil
}

// loadCA reads the CA and its key; fs.ErrNotExist when neither is there.
func loadCA(dir string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	certPath, keyPath := filepath.Join(dir, caFile), filepath.Join(dir, caKeyFile)
	_, cerr := os.Stat(certPath)
	_, kerr := os.Stat(keyPath)
	if errors.Is(cerr, fs.ErrNotExist) && errors.Is(kerr, fs.ErrNotExist) {
		return nil, nil, fs.ErrNotExist
	}
	pair, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return nil, nil, fmt.Errorf("read the CA (remove %s and %s to have a new one made): %w", certPath, keyPath, err)
	}
	key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
	if !ok || !pair.Leaf.IsCA {
		return nil, nil, fmt.Errorf("%s is not a CA with an ECDSA key", certPath)
	}
	return pair.Leaf, key, nil
}

func makeCA(dir string, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{Organization: []string{"customersd"}, CommonName: fmt.Sprintf("customersd local CA (%s, %s)", host, now.UTC().Format("2006-01-02"))},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true, // it signs server certificates only
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("make the CA: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	// The key first: a CA file without its key would be unusable.
	if err := writeKey(filepath.Join(dir, caKeyFile), key); err != nil {
		return nil, nil, err
	}
	if err := writePEM(filepath.Join(dir, caFile), "CERTIFICATE", der, 0o644); err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}

// serverCertFits reports whether the server certificate in certPath, with
// its key, is signed by ca, covers exactly hosts and is not near its end.
func serverCertFits(certPath, keyPath string, ca *x509.Certificate, hosts []string, now time.Time) bool {
	pair, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return false
	}
	leaf := pair.Leaf
	if leaf.CheckSignatureFrom(ca) != nil || now.Add(renewBefore).After(leaf.NotAfter) || now.Before(leaf.NotBefore) {
		return false
	}
	names, ips := splitHosts(hosts)
	have := make([]string, 0, len(leaf.IPAddresses))
	for _, ip := range leaf.IPAddresses {
		have = append(have, ip.String())
	}
	want := make([]string, 0, len(ips))
	for _, ip := range ips {
		want = append(want, ip.String())
	}
	return sameSet(leaf.DNSNames, names) && sameSet(have, want)
}

func makeServerCert(dir string, ca *x509.Certificate, caKey *ecdsa.PrivateKey, hosts []string, now time.Time) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	names, ips := splitHosts(hosts)
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		// A subject that is not empty: strict verifiers (Python 3.13's
		// VERIFY_X509_STRICT) reject an empty one.
		Subject:     pkix.Name{Organization: []string{"customersd"}, CommonName: hosts[0]},
		NotBefore:   now.Add(-time.Hour),
		NotAfter:    now.Add(serverLifetime),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    names,
		IPAddresses: ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return fmt.Errorf("make the server certificate: %w", err)
	}
	if err := writeKey(filepath.Join(dir, serverKeyFile), key); err != nil {
		return err
	}
	return writePEM(filepath.Join(dir, serverFile), "CERTIFICATE", der, 0o644)
}

// splitHosts separates host names from IP addresses, without duplicates.
func splitHosts(hosts []string) (names []string, ips []net.IP) {
	seen := map[string]bool{}
	for _, h := range hosts {
		if seen[h] {
			continue
		}
		seen[h] = true
		if ip := net.ParseIP(h); ip != nil {
			ips = append(ips, ip)
		} else {
			names = append(names, h)
		}
	}
	return names, ips
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

func randomSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return n
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	return writePEM(path, "PRIVATE KEY", der, 0o600)
}

// writePEM replaces path atomically, so a crash never leaves half a file
// that the next start would refuse.
func writePEM(path, typ string, der []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := pem.Encode(tmp, &pem.Block{Type: typ, Bytes: der}); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}
