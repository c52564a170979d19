package sign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/hotich/hotich/registry"
)

// KeyID returns the ID of a public key: the first 40 bits of the SHA-256
// of its SubjectPublicKeyInfo, in base32 (8 characters).
func KeyID(pub crypto.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(der)
	return b32.EncodeToString(sum[:5])
}

// Fingerprint returns the hex SHA-256 of a certificate.
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// UnitKey is an issuing unit's private key with its certificate and the
// chain of the CAs above it (nearest first). It implements
// registry.Sealer.
type UnitKey struct {
	IssuerCode string
	Cert       *x509.Certificate
	Chain      []*x509.Certificate
	// TSA, when set, timestamps each signature (PAdES B-T).
	TSA    *TSA
	priv   crypto.Signer
	id, fp string
}

var _ registry.Sealer = (*UnitKey)(nil)

// NewUnitKey pairs a private key with its certificate, which must certify
// that key.
func NewUnitKey(issuerCode string, priv crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate) (*UnitKey, error) {
	if !codeRE.MatchString(issuerCode) {
		return nil, registry.Errorf(registry.EINVALID, "mã cơ quan cấp %q phải gồm 5 chữ số (xã) hoặc 3 chữ số (huyện)", issuerCode)
	}
	if !samePublic(cert.PublicKey, priv.Public()) {
		return nil, registry.Errorf(registry.EINVALID, "chứng thư số %q không phải chứng thư của khóa ký này", cert.Subject.CommonName)
	}
	switch priv.Public().(type) {
	case *ecdsa.PublicKey, *rsa.PublicKey:
	default:
		return nil, registry.Errorf(registry.EINVALID, "khóa ký phải là ECDSA hoặc RSA")
	}
	return &UnitKey{IssuerCode: issuerCode, Cert: cert, Chain: chain, priv: priv, id: KeyID(cert.PublicKey), fp: Fingerprint(cert)}, nil
}

// SamePublic reports whether two public keys are the same.
func SamePublic(a, b crypto.PublicKey) bool { return samePublic(a, b) }

func samePublic(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}

// Issuer returns the unit's code.
func (k *UnitKey) Issuer() string { return k.IssuerCode }

// KeyID returns the ID of the key.
func (k *UnitKey) KeyID() string { return k.id }

// CertSHA256 returns the fingerprint of the signing certificate.
func (k *UnitKey) CertSHA256() string { return k.fp }

// SignerName returns the certificate's common name.
func (k *UnitKey) SignerName() string { return k.Cert.Subject.CommonName }

// SignPayload signs msg (SHA-256, ASN.1 ECDSA or PKCS #1 v1.5 RSA).
func (k *UnitKey) SignPayload(msg []byte) ([]byte, error) {
	sum := sha256.Sum256(msg)
	return k.priv.Sign(rand.Reader, sum[:], crypto.SHA256)
}

// Seal signs a copy's printed values with a unit's key and returns the
// payload: the QR code's text.
func Seal(s registry.Sealer, values []Value) (*Payload, error) {
	p, err := NewPayload(values, s.KeyID())
	if err != nil {
		return nil, err
	}
	if p.IssuerCode() != s.Issuer() {
		return nil, registry.Errorf(registry.EINVALID, "khóa ký của cơ quan %s không dùng để ký bản sao do cơ quan %s cấp", s.Issuer(), p.IssuerCode())
	}
	if p.Signature, err = s.SignPayload(p.Message()); err != nil {
		return nil, fmt.Errorf("sign payload: %w", err)
	}
	return p, nil
}

// CheckPayload verifies a payload's signature with a certificate's key.
func CheckPayload(p *Payload, cert *x509.Certificate) error {
	if KeyID(cert.PublicKey) != p.KeyID {
		return registry.Errorf(registry.EINVALID, "mã xác thực ghi khóa %s, chứng thư dùng để kiểm tra là của khóa %s", p.KeyID, KeyID(cert.PublicKey))
	}
	sum := sha256.Sum256(p.Message())
	ok := false
	switch pub := cert.PublicKey.(type) {
	case *ecdsa.PublicKey:
		ok = ecdsa.VerifyASN1(pub, sum[:], p.Signature)
	case *rsa.PublicKey:
		ok = rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], p.Signature) == nil
	}
	if !ok {
		return registry.Errorf(registry.EINVALID, "chữ ký của mã xác thực không hợp lệ: các giá trị đã bị sửa hoặc không được ký bằng khóa %s", p.KeyID)
	}
	return nil
}

// Describe names a certificate for the clerk: its subject and validity.
func Describe(c *x509.Certificate) string {
	var parts []string
	if c.Subject.CommonName != "" {
		parts = append(parts, c.Subject.CommonName)
	}
	parts = append(parts, c.Subject.Organization...)
	return fmt.Sprintf("%s (hiệu lực %s – %s)", strings.Join(parts, ", "),
		c.NotBefore.In(registry.Vietnam).Format("02/01/2006"), c.NotAfter.In(registry.Vietnam).Format("02/01/2006"))
}

// Record describes a certificate for registration in the store: a unit's
// signing certificate (issuerCode set) or a CA's.
func Record(c *x509.Certificate, issuerCode string, trusted bool) *registry.Certificate {
	role := registry.CertCA
	if issuerCode != "" {
		role = registry.CertUnit
	}
	return &registry.Certificate{
		Fingerprint: Fingerprint(c), KeyID: KeyID(c.PublicKey), IssuerCode: issuerCode, Role: role, Trusted: trusted,
		Test:    strings.HasPrefix(c.Subject.CommonName, TestCAName) || strings.HasPrefix(c.Issuer.CommonName, TestCAName),
		Subject: c.Subject.String(), NotBefore: c.NotBefore, NotAfter: c.NotAfter, DER: c.Raw,
	}
}
