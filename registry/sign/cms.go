package sign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"sort"
	"time"

	"github.com/github/smimesign/ietf-cms/oid"
	"github.com/github/smimesign/ietf-cms/protocol"

	"github.com/hotich/hotich/registry"
)

// The CMS of a PAdES baseline signature (ETSI EN 319 142-1, B-B) is a
// detached SignedData over the signed byte ranges of the PDF, SHA-256,
// with the content-type, message-digest and ESS signing-certificate-v2
// signed attributes, the signer's certificate and its chain, and no
// signing-time attribute: the baseline puts the time in the signature
// dictionary's /M alone.
//
// The SignedData is built with the protocol package of
// github.com/github/smimesign/ietf-cms, whose types are CMS's own
// (SignedData, SignerInfo, Attribute) with their DER encodings: the
// library's one-call signer (AddSignerInfo), like every Go CMS signer
// that runs on this project's Go (smallstep/pkcs7, digitorus/pkcs7 before
// its Go 1.27 releases), always adds a signing-time attribute from the
// clock, which PAdES forbids. So the signer info is assembled here from
// the library's values (issuer and serial, attributes, their encoding for
// signing) and signed with the unit's key; no ASN.1 is written by hand
// but the ESS attribute's value, four structures of RFC 5035 that no
// served library builds, marshalled by encoding/asn1.

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

// SignCMS returns the detached CMS signature of content. The time of
// signing is not in it (see above): the caller writes it beside.
func (k *UnitKey) SignCMS(ctx context.Context, content []byte, _ time.Time) ([]byte, error) {
	der, err := k.signedData(ctx, content)
	if registry.ErrorCode(err) != "" {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("sign: CMS: %w", err)
	}
	if len(der) > k.CMSSize() {
		return nil, fmt.Errorf("sign: CMS of %d bytes exceeds the %d reserved", len(der), k.CMSSize())
	}
	return der, nil
}

func (k *UnitKey) signedData(ctx context.Context, content []byte) ([]byte, error) {
	// Detached: the encapsulated content is only its type.
	sd, err := protocol.NewSignedData(protocol.EncapsulatedContentInfo{EContentType: oid.ContentTypeData})
	if err != nil {
		return nil, err
	}
	for _, c := range append([]*x509.Certificate{k.Cert}, k.Chain...) {
		if err := sd.AddCertificate(c); err != nil {
			return nil, err
		}
	}
	sid, err := protocol.NewIssuerAndSerialNumber(k.Cert)
	if err != nil {
		return nil, err
	}
	sigAlg, ok := map[x509.PublicKeyAlgorithm]asn1.ObjectIdentifier{
		x509.ECDSA: oid.SignatureAlgorithmECDSAWithSHA256,
		x509.RSA:   oid.SignatureAlgorithmSHA256WithRSA,
	}[k.Cert.PublicKeyAlgorithm]
	if !ok {
		return nil, fmt.Errorf("unsupported key %v", k.Cert.PublicKeyAlgorithm)
	}
	digest := sha256.Sum256(content)
	var attrs protocol.Attributes
	for _, a := range []struct {
		oid asn1.ObjectIdentifier
		v   any
	}{
		{oid.AttributeContentType, oid.ContentTypeData},
		{oid.AttributeMessageDigest, digest[:]},
		{oidSigningCertificateV2, essSigningCertificate(k.Cert)},
	} {
		attr, err := protocol.NewAttribute(a.oid, a.v)
		if err != nil {
			return nil, err
		}
		attrs = append(attrs, attr)
	}
	// DER orders a SET OF by the encodings of its elements.
	enc := func(a protocol.Attribute) []byte { b, _ := asn1.Marshal(a); return b }
	sort.Slice(attrs, func(i, j int) bool { return bytes.Compare(enc(attrs[i]), enc(attrs[j])) < 0 })
	si := protocol.SignerInfo{
		Version:            1,
		SID:                sid,
		DigestAlgorithm:    pkix.AlgorithmIdentifier{Algorithm: oid.DigestAlgorithmSHA256},
		SignedAttrs:        attrs,
		SignatureAlgorithm: pkix.AlgorithmIdentifier{Algorithm: sigAlg},
	}
	tbs, err := attrs.MarshaledForSigning()
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(tbs)
	if si.Signature, err = k.priv.Sign(rand.Reader, sum[:], crypto.SHA256); err != nil {
		return nil, err
	}
	if k.TSA != nil {
		// B-T: the TSA's token over the signature value.
		token, _, err := k.TSA.Token(ctx, si.Signature)
		if err != nil {
			return nil, err
		}
		attr, err := timestampAttribute(token)
		if err != nil {
			return nil, err
		}
		si.UnsignedAttrs = protocol.Attributes{attr}
	}
	sd.DigestAlgorithms = []pkix.AlgorithmIdentifier{si.DigestAlgorithm}
	sd.SignerInfos = []protocol.SignerInfo{si}
	return sd.ContentInfoDER()
}

// CMSSize bounds the CMS SignCMS makes: the certificates, the signature,
// the attributes and a timestamp token.
func (k *UnitKey) CMSSize() int {
	n := len(k.Cert.Raw) + 2048
	for _, c := range k.Chain {
		n += len(c.Raw)
	}
	if k.TSA != nil {
		n += TSAReserve
	}
	return n
}

// CMSResult is what checking a CMS signature found.
type CMSResult struct {
	Signer      *x509.Certificate
	Certs       []*x509.Certificate // all the CMS carries
	SigningTime time.Time
	Timestamp   *Timestamp // the signature timestamp (B-T), if any
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
	bad := func(format string, args ...any) error { return registry.Errorf(registry.EINVALID, format, args...) }
	if len(der) > MaxCMS {
		return nil, bad("chữ ký số quá lớn (%d byte)", len(der))
	}
	sd, err := parseSignedData(der)
	if err != nil {
		return nil, bad("chữ ký số hỏng: không đọc được CMS (%v)", err)
	}
	if len(sd.SignerInfos) != 1 {
		return nil, bad("chữ ký số phải có đúng một người ký (có %d)", len(sd.SignerInfos))
	}
	si := sd.SignerInfos[0]
	certs, err := sd.X509Certificates()
	if err != nil {
		return nil, bad("chữ ký số hỏng: chứng thư kèm theo không đọc được (%v)", err)
	}
	signer, err := si.FindCertificate(certs)
	if err != nil || signer == nil {
		return nil, bad("chữ ký số không kèm chứng thư của người ký")
	}
	res := &CMSResult{Signer: signer, Certs: certs}
	if ct, err := si.GetContentTypeAttribute(); err != nil || !ct.Equal(oid.ContentTypeData) {
		return res, bad("chữ ký số không hợp lệ: thuộc tính content-type thiếu hoặc sai")
	}
	md, err := si.GetMessageDigestAttribute()
	if err != nil {
		return res, bad("chữ ký số không hợp lệ: thiếu thuộc tính message-digest")
	}
	hash, err := si.Hash()
	if err != nil {
		return res, bad("chữ ký số dùng thuật toán băm không hỗ trợ")
	}
	h := hash.New()
	h.Write(content)
	if !bytes.Equal(md, h.Sum(nil)) {
		return res, bad("nội dung tệp đã bị thay đổi sau khi ký (mã băm phần được ký không khớp chữ ký số)")
	}
	tbs, err := si.SignedAttrs.MarshaledForVerification()
	if err != nil {
		return res, bad("chữ ký số hỏng: %v", err)
	}
	if err := signer.CheckSignature(si.X509SignatureAlgorithm(), tbs, si.Signature); err != nil {
		return res, bad("chữ ký số không hợp lệ: %v", err)
	}
	// A signing time, which PAdES leaves out, is read when present.
	res.SigningTime, _ = si.GetSigningTimeAttribute()
	if res.Timestamp, err = checkTimestamp(si); err != nil {
		return res, err
	}
	rv, err := si.SignedAttrs.GetOnlyAttributeValueBytes(oidSigningCertificateV2)
	var ess signingCertificateV2
	if err != nil || rv.FullBytes == nil {
		return res, bad("chữ ký số thiếu thuộc tính signing-certificate-v2 (PAdES)")
	}
	if _, err := asn1.Unmarshal(rv.FullBytes, &ess); err != nil || len(ess.Certs) == 0 {
		return res, bad("chữ ký số có thuộc tính signing-certificate-v2 hỏng")
	}
	sum := sha256.Sum256(signer.Raw)
	if !bytes.Equal(ess.Certs[0].CertHash, sum[:]) {
		return res, bad("thuộc tính signing-certificate-v2 không khớp chứng thư của người ký")
	}
	return res, nil
}

// parseSignedData reads a CMS SignedData from an untrusted file. The
// library's BER reader indexes past the end of some malformed inputs (found
// by FuzzCheckCMS): such a panic is an unreadable signature, not a crash
// of the verifier.
func parseSignedData(der []byte) (sd *protocol.SignedData, err error) {
	defer func() {
		if r := recover(); r != nil {
			sd, err = nil, fmt.Errorf("malformed BER: %v", r)
		}
	}()
	ci, err := protocol.ParseContentInfo(der)
	if err != nil {
		return nil, err
	}
	return ci.SignedDataContent()
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
