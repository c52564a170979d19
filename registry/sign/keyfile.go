package sign

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"time"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/hotich/hotich/internal/atomicfile"
	"github.com/hotich/hotich/registry"
)

// A unit's files in the key folder: CODE.key (the private key, PKCS #8
// PEM, mode 0600: it never enters the store or a PDF), CODE.csr (the
// certificate request for the CA) and CODE.crt (the certificate and the
// CA chain above it, PEM, nearest first).

// KeyPath, CSRPath and CertPath name a unit's files in dir.
func KeyPath(dir, code string) string  { return filepath.Join(dir, code+".key") }
func CSRPath(dir, code string) string  { return filepath.Join(dir, code+".csr") }
func CertPath(dir, code string) string { return filepath.Join(dir, code+".crt") }

// GenerateKey makes a new ECDSA P-256 signing key.
func GenerateKey() (*ecdsa.PrivateKey, error) {
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
}

// WritePrivateKey writes a private key to path, mode 0600, refusing to
// replace a file there unless force is set.
func WritePrivateKey(path string, priv crypto.Signer, force bool) error {
	if !force {
		if _, err := os.Stat(path); err == nil {
			return registry.Errorf(registry.ECONFLICT, "đã có tệp khóa %s (tạo khóa mới sẽ thay khóa cũ; các bản sao đã cấp vẫn kiểm tra được bằng chứng thư cũ đã đăng ký)", path)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("key folder: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), atomicfile.Private)
}

// LoadPrivateKey reads a private key file. Like ssh, it refuses a file
// that others can read.
func LoadPrivateKey(path string) (crypto.Signer, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, registry.Errorf(registry.ENOTFOUND, "không tìm thấy khóa ký %s (tạo bằng lệnh keys init)", path)
	}
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, registry.Errorf(registry.EREFUSED, "tệp khóa ký %s có quyền %v: người khác đọc được; sửa bằng chmod 600", path, st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, registry.Errorf(registry.EINVALID, "tệp %s không phải khóa ký PEM (PKCS #8)", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, registry.Errorf(registry.EINVALID, "tệp %s: khóa ký hỏng: %v", path, err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, registry.Errorf(registry.EINVALID, "tệp %s: loại khóa không dùng để ký được", path)
	}
	return s, nil
}

// WriteCSR writes a certificate request for a unit's key, its subject
// the unit's name (common name), province and country.
func WriteCSR(path string, priv crypto.Signer, unitName, province string) ([]byte, error) {
	tmpl := &x509.CertificateRequest{Subject: pkix.Name{CommonName: unitName, Country: []string{"VN"}}}
	if province != "" {
		tmpl.Subject.Province = []string{province}
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, priv)
	if err != nil {
		return nil, fmt.Errorf("certificate request: %w", err)
	}
	return der, atomicfile.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), atomicfile.Public)
}

// WriteChain writes certificates to path as PEM, mode 0644.
func WriteChain(path string, certs []*x509.Certificate) error {
	var b bytes.Buffer
	for _, c := range certs {
		pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return atomicfile.WriteFile(path, b.Bytes(), atomicfile.Public)
}

// MaxCertFile bounds a certificate file read.
const MaxCertFile = 1 << 20

// LoadCerts reads the PEM certificates of a file (a chain or a trust
// list), in order.
func LoadCerts(path string) ([]*x509.Certificate, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, registry.Errorf(registry.ENOTFOUND, "không tìm thấy tệp chứng thư %s", path)
	}
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxCertFile {
		return nil, registry.Errorf(registry.EINVALID, "tệp chứng thư %s quá lớn", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseCerts(b, path)
}

// ParseCerts reads PEM certificates (or one DER certificate).
func ParseCerts(b []byte, name string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	rest := b
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, registry.Errorf(registry.EINVALID, "%s: chứng thư hỏng: %v", name, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		if c, err := x509.ParseCertificate(b); err == nil {
			return []*x509.Certificate{c}, nil
		}
		return nil, registry.Errorf(registry.EINVALID, "%s không có chứng thư nào (PEM hoặc DER)", name)
	}
	return out, nil
}

// LoadUnitKey loads a unit's key and certificate chain from dir.
func LoadUnitKey(dir, code string) (*UnitKey, error) {
	priv, err := LoadPrivateKey(KeyPath(dir, code))
	if err != nil {
		return nil, err
	}
	certs, err := LoadCerts(CertPath(dir, code))
	if registry.ErrorCode(err) == registry.ENOTFOUND {
		return nil, registry.Errorf(registry.EREFUSED, "cơ quan %s có khóa ký nhưng chưa có chứng thư số (%s): nhận chứng thư từ tổ chức chứng thực rồi cài bằng lệnh keys import", code, CertPath(dir, code))
	}
	if err != nil {
		return nil, err
	}
	return NewUnitKey(code, priv, certs[0], certs[1:])
}

// P12 is what a PKCS #12 file from a CA holds.
type P12 struct {
	Key   crypto.Signer // nil when the file has no key
	Cert  *x509.Certificate
	Chain []*x509.Certificate
}

// MaxP12 bounds a PKCS #12 file read.
const MaxP12 = 1 << 20

// DecodeP12 reads a PKCS #12 file (the modern and legacy encryptions,
// through software.sslmate.com/src/go-pkcs12).
func DecodeP12(b []byte, password string) (*P12, error) {
	if len(b) > MaxP12 {
		return nil, registry.Errorf(registry.EINVALID, "tệp PKCS #12 quá lớn")
	}
	key, cert, chain, err := pkcs12.DecodeChain(b, password)
	if err != nil {
		certs, err2 := pkcs12.DecodeTrustStore(b, password)
		if err2 != nil || len(certs) == 0 {
			return nil, registry.Errorf(registry.EINVALID, "không đọc được tệp PKCS #12 (sai mật khẩu hoặc tệp hỏng): %v", err)
		}
		return &P12{Cert: certs[0], Chain: certs[1:]}, nil
	}
	p := &P12{Cert: cert, Chain: chain}
	if key != nil {
		s, ok := key.(crypto.Signer)
		if !ok {
			return nil, registry.Errorf(registry.EINVALID, "khóa trong tệp PKCS #12 không dùng để ký được")
		}
		p.Key = s
	}
	return p, nil
}

// A test CA's files in its folder.
func CAKeyPath(dir string) string  { return filepath.Join(dir, "test-ca.key") }
func CACertPath(dir string) string { return filepath.Join(dir, "test-ca.crt") }

// TestCAName starts the common name of every test CA, so that no one takes
// its certificates for real ones.
const TestCAName = "HOTICH TEST CA - KHÔNG DÙNG CHO BẢN SAO THẬT"

// NewTestCA makes a local test certification authority: a self-signed
// ECDSA P-256 certificate valid 20 years from now.
func NewTestCA(label string, now time.Time) (*ecdsa.PrivateKey, *x509.Certificate, error) {
	priv, err := GenerateKey()
	if err != nil {
		return nil, nil, err
	}
	name := TestCAName
	if label != "" {
		name += " (" + label + ")"
	}
	serial, err := randSerial()
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name, Organization: []string{"hotich (thử nghiệm)"}, Country: []string{"VN"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(20, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, priv.Public(), priv)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return priv, cert, err
}

// IssueUnitCert has a CA certify a unit's key: a signing certificate
// (digital signature, non-repudiation; document signing) valid five years
// from now, its subject the request's.
func IssueUnitCert(caKey crypto.Signer, ca *x509.Certificate, csr *x509.CertificateRequest, now time.Time) (*x509.Certificate, error) {
	if err := csr.CheckSignature(); err != nil {
		return nil, registry.Errorf(registry.EINVALID, "yêu cầu cấp chứng thư hỏng: %v", err)
	}
	serial, err := randSerial()
	if err != nil {
		return nil, err
	}
	notAfter := now.AddDate(5, 0, 0)
	if notAfter.After(ca.NotAfter) {
		notAfter = ca.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      csr.Subject,
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		// E-mail protection is what NSS (pdfsig, Firefox) asks of a CMS
		// signer; id-kp-documentSigning (RFC 9336) and Adobe's
		// authentic-documents use say what it signs.
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
		UnknownExtKeyUsage:    []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 36}, {1, 2, 840, 113583, 1, 1, 5}},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, csr.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

func randSerial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
}

// WriteCA writes a test CA's key (0600) and certificate into dir.
func WriteCA(dir string, priv crypto.Signer, cert *x509.Certificate, force bool) error {
	if err := WritePrivateKey(CAKeyPath(dir), priv, force); err != nil {
		return err
	}
	return WriteChain(CACertPath(dir), []*x509.Certificate{cert})
}

// LoadCA reads a test CA from dir.
func LoadCA(dir string) (crypto.Signer, *x509.Certificate, error) {
	priv, err := LoadPrivateKey(CAKeyPath(dir))
	if err != nil {
		return nil, nil, err
	}
	certs, err := LoadCerts(CACertPath(dir))
	if err != nil {
		return nil, nil, err
	}
	if !samePublic(certs[0].PublicKey, priv.Public()) {
		return nil, nil, registry.Errorf(registry.EINVALID, "khóa và chứng thư của tổ chức chứng thực trong %s không khớp nhau", dir)
	}
	return priv, certs[0], nil
}

// NewTestUnitKey makes a key for a unit and has a test CA certify it, in
// memory: for trials and tests, never for real copies.
func NewTestUnitKey(issuerCode, unitName string, caKey crypto.Signer, ca *x509.Certificate, now time.Time) (*UnitKey, error) {
	priv, err := GenerateKey()
	if err != nil {
		return nil, err
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: unitName}}, priv)
	if err != nil {
		return nil, err
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, err
	}
	cert, err := IssueUnitCert(caKey, ca, csr, now)
	if err != nil {
		return nil, err
	}
	return NewUnitKey(issuerCode, priv, cert, []*x509.Certificate{ca})
}
