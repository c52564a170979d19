package sign

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/smallstep/pkcs7"

	"github.com/hotich/hotich/registry"
)

// The CMS of a PAdES baseline signature (ETSI EN 319 142-1, B-B) is a
// detached SignedData over the signed byte ranges of the PDF, SHA-256,
// with the content-type, message-digest and ESS signing-certificate-v2
// signed attributes, the signer's certificate and its chain.
//
// github.com/smallstep/pkcs7 builds and parses the SignedData: the
// maintained successor of go.mozilla.org/pkcs7 (archived), with ECDSA and
// RSA signers, detached content and extra signed attributes. It always adds
// a signing-time attribute (time of signing): ETSI's baseline would have
// the time only in the PDF's /M entry, and no reader we tried refuses the
// attribute. None of the served libraries builds the ESS
// signing-certificate-v2 attribute, so it is marshalled here with
// encoding/asn1 (RFC 5035, four small structures).

// oidSigningCertificateV2 is id-aa-signingCertificateV2 (RFC 5035).
var oidSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}

type essIssuerSerial struct {
	Issuer []asn1.RawValue // GeneralNames: one directoryName
	Serial *big.Int
}

type essCertIDv2 struct {
	// hashAlgorithm is omitted: its DEFAULT is SHA-256, and DER leaves a
	// default value out.
	CertHash     []byte
	IssuerSerial essIssuerSerial
}

type signingCertificateV2 struct {
	Certs []essCertIDv2
}

func essSigningCertificate(c *x509.Certificate) signingCertificateV2 {
	sum := sha256.Sum256(c.Raw)
	dirName := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: c.RawIssuer}
	return signingCertificateV2{Certs: []essCertIDv2{{CertHash: sum[:], IssuerSerial: essIssuerSerial{Issuer: []asn1.RawValue{dirName}, Serial: c.SerialNumber}}}}
}

// SignCMS returns the detached CMS signature of content.
func (k *UnitKey) SignCMS(content []byte, _ time.Time) ([]byte, error) {
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		return nil, err
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	cfg := pkcs7.SignerInfoConfig{ExtraSignedAttributes: []pkcs7.Attribute{
		{Type: oidSigningCertificateV2, Value: essSigningCertificate(k.Cert)},
	}}
	if err := sd.AddSignerChain(k.Cert, k.priv, k.Chain, cfg); err != nil {
		return nil, fmt.Errorf("sign: CMS: %w", err)
	}
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		return nil, fmt.Errorf("sign: CMS: %w", err)
	}
	if len(der) > k.CMSSize() {
		return nil, fmt.Errorf("sign: CMS of %d bytes exceeds the %d reserved", len(der), k.CMSSize())
	}
	return der, nil
}

// CMSSize bounds the CMS SignCMS makes: the certificates, the signature and
// the attributes.
func (k *UnitKey) CMSSize() int {
	n := len(k.Cert.Raw) + 2048
	for _, c := range k.Chain {
		n += len(c.Raw)
	}
	return n
}

// CMSResult is what checking a CMS signature found.
type CMSResult struct {
	Signer      *x509.Certificate
	Certs       []*x509.Certificate // all the CMS carries
	SigningTime time.Time
}

// MaxCMS bounds a CMS read from an untrusted PDF.
const MaxCMS = 64 << 10

// CheckCMS checks a detached CMS signature over content: that it parses,
// signs exactly content (message digest), that the signature over the
// signed attributes is the signer certificate's, and that the ESS
// signing-certificate-v2 attribute names that certificate. It does not
// check the certificate chain (see CheckChain). An EINVALID error says
// what is wrong.
func CheckCMS(der, content []byte) (*CMSResult, error) {
	if len(der) > MaxCMS {
		return nil, registry.Errorf(registry.EINVALID, "chữ ký số quá lớn (%d byte)", len(der))
	}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return nil, registry.Errorf(registry.EINVALID, "chữ ký số hỏng: không đọc được CMS (%v)", err)
	}
	if len(p7.Signers) != 1 {
		return nil, registry.Errorf(registry.EINVALID, "chữ ký số phải có đúng một người ký (có %d)", len(p7.Signers))
	}
	res := &CMSResult{Signer: p7.GetOnlySigner(), Certs: p7.Certificates}
	if res.Signer == nil {
		return nil, registry.Errorf(registry.EINVALID, "chữ ký số không kèm chứng thư của người ký")
	}
	_ = p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeSigningTime, &res.SigningTime)
	p7.Content = content
	if err := p7.Verify(); err != nil {
		var mismatch *pkcs7.MessageDigestMismatchError
		if errors.As(err, &mismatch) {
			return res, registry.Errorf(registry.EINVALID, "nội dung tệp đã bị thay đổi sau khi ký (mã băm phần được ký không khớp chữ ký số)")
		}
		return res, registry.Errorf(registry.EINVALID, "chữ ký số không hợp lệ: %v", err)
	}
	var ess signingCertificateV2
	if err := p7.UnmarshalSignedAttribute(oidSigningCertificateV2, &ess); err != nil || len(ess.Certs) == 0 {
		return res, registry.Errorf(registry.EINVALID, "chữ ký số thiếu thuộc tính signing-certificate-v2 (PAdES)")
	}
	sum := sha256.Sum256(res.Signer.Raw)
	if !bytes.Equal(ess.Certs[0].CertHash, sum[:]) {
		return res, registry.Errorf(registry.EINVALID, "thuộc tính signing-certificate-v2 không khớp chứng thư của người ký")
	}
	return res, nil
}

// CheckChain checks that a signer certificate chains to one of roots at
// time t, through the intermediates given, and returns the chain.
func CheckChain(signer *x509.Certificate, intermediates, roots []*x509.Certificate, t time.Time) ([]*x509.Certificate, error) {
	if len(roots) == 0 {
		return nil, registry.Errorf(registry.EUNVERIFIABLE, "không có chứng thư gốc tin cậy nào để kiểm tra chứng thư ký")
	}
	rp, ip := x509.NewCertPool(), x509.NewCertPool()
	for _, r := range roots {
		rp.AddCert(r)
	}
	for _, c := range intermediates {
		ip.AddCert(c)
	}
	chains, err := signer.Verify(x509.VerifyOptions{Roots: rp, Intermediates: ip, CurrentTime: t, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		return nil, registry.Errorf(registry.EINVALID, "chứng thư ký %q không được cơ quan chứng thực nào trong danh sách tin cậy cấp (hoặc đã hết hạn khi ký): %v", signer.Subject.CommonName, err)
	}
	return chains[0], nil
}
