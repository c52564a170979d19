// Package sign signs and verifies certified copies with the issuing
// authority's Ed25519 key. A copy carries a compact payload (in its QR code
// and its PDF metadata): who issued it, its serial, the record, the issue
// date and the SHA-256 of what the page shows, signed.
//
// The payload is written in the QR code's alphanumeric character set (upper
// case, digits, "*", "/", "-"), which packs 5.5 bits per character against
// 8 in byte mode, so the code stays small enough to scan from paper:
//
//	HT1*26740*45/2025/TLKS-BS*KS-26740-7F3K9Q2MXA*20250609*<content hash>*<key ID>*<signature>
//
// The hash and signature are base32 (RFC 4648, no padding); the signature
// covers everything before the last "*".
package sign

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/hotich/hotich/registry"
)

// Version is the payload's format tag.
const Version = "HT1"

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// Payload is what a copy's QR code says.
type Payload struct {
	IssuerCode    string
	Serial        registry.Serial
	RecordID      string
	IssuedOn      string // yyyymmdd, in Vietnam
	ContentSHA256 [32]byte
	KeyID         string
	Signature     []byte
}

// PayloadFor returns the unsigned payload of an issue.
func PayloadFor(iss *registry.ExtractIssue, keyID string) (*Payload, error) {
	p := &Payload{
		IssuerCode: iss.IssuerCode,
		Serial:     iss.Serial,
		RecordID:   iss.RecordID,
		IssuedOn:   iss.IssuedOn().Format("20060102"),
		KeyID:      keyID,
	}
	h, err := hex.DecodeString(iss.ContentSHA256)
	if err != nil || len(h) != sha256.Size {
		return nil, fmt.Errorf("sign: content hash %q is not a hex SHA-256", iss.ContentSHA256)
	}
	copy(p.ContentSHA256[:], h)
	return p, nil
}

// message returns the signed part of the payload.
func (p *Payload) message() string {
	return strings.Join([]string{Version, p.IssuerCode, p.Serial.String(), p.RecordID, p.IssuedOn,
		b32.EncodeToString(p.ContentSHA256[:]), p.KeyID}, "*")
}

// String returns the payload as the QR code carries it.
func (p *Payload) String() string {
	return p.message() + "*" + b32.EncodeToString(p.Signature)
}

// ContentHex returns the content hash in hex, as the issue log keeps it.
func (p *Payload) ContentHex() string { return hex.EncodeToString(p.ContentSHA256[:]) }

// Date returns the issue date.
func (p *Payload) Date() time.Time {
	t, _ := time.ParseInLocation("20060102", p.IssuedOn, registry.Vietnam)
	return t
}

var (
	codeRE   = regexp.MustCompile(`^[0-9]{3}([0-9]{2})?$`)
	recordRE = regexp.MustCompile(`^(KS|KH|KT|NCMC)-[0-9]{3,5}-[0-9A-Z]{10}$`)
	keyIDRE  = regexp.MustCompile(`^[A-Z2-7]{8}$`)
)

// Parse reads a payload without checking its signature.
func Parse(s string) (*Payload, error) {
	bad := func(why string) (*Payload, error) {
		return nil, registry.Errorf(registry.EINVALID, "mã xác thực không đúng định dạng: %s", why)
	}
	parts := strings.Split(s, "*")
	if len(parts) != 8 || parts[0] != Version {
		return bad(fmt.Sprintf("cần 8 phần, bắt đầu bằng %s", Version))
	}
	p := &Payload{IssuerCode: parts[1], RecordID: parts[3], IssuedOn: parts[4], KeyID: parts[6]}
	var err error
	if !codeRE.MatchString(p.IssuerCode) {
		return bad("mã cơ quan cấp")
	}
	if p.Serial, err = registry.ParseSerial(parts[2]); err != nil || p.Serial.String() != parts[2] {
		return bad("số bản sao")
	}
	if !recordRE.MatchString(p.RecordID) {
		return bad("mã trích lục")
	}
	if _, err := time.Parse("20060102", p.IssuedOn); err != nil {
		return bad("ngày cấp")
	}
	// Only the canonical encodings: one payload, one string.
	h, err := b32.DecodeString(parts[5])
	if err != nil || len(h) != sha256.Size || b32.EncodeToString(h) != parts[5] {
		return bad("mã băm nội dung")
	}
	copy(p.ContentSHA256[:], h)
	if !keyIDRE.MatchString(p.KeyID) {
		return bad("mã khóa")
	}
	if p.Signature, err = b32.DecodeString(parts[7]); err != nil || len(p.Signature) != ed25519.SignatureSize || b32.EncodeToString(p.Signature) != parts[7] {
		return bad("chữ ký")
	}
	return p, nil
}

// KeyID returns the ID of a public key: the first 40 bits of its SHA-256
// in base32, 8 characters.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return b32.EncodeToString(sum[:5])
}

// Key is an issuing authority's private signing key. It implements
// registry.Sealer.
type Key struct {
	IssuerCode string
	priv       ed25519.PrivateKey
	id         string
}

var _ registry.Sealer = (*Key)(nil)

// GenerateKey creates a key for an issuing authority from rand
// (crypto/rand.Reader).
func GenerateKey(issuerCode string, rand io.Reader) (*Key, error) {
	if !codeRE.MatchString(issuerCode) {
		return nil, registry.Errorf(registry.EINVALID, "mã cơ quan cấp %q phải gồm 5 chữ số (xã) hoặc 3 chữ số (huyện)", issuerCode)
	}
	_, priv, err := ed25519.GenerateKey(rand)
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	return newKey(issuerCode, priv), nil
}

func newKey(issuerCode string, priv ed25519.PrivateKey) *Key {
	return &Key{IssuerCode: issuerCode, priv: priv, id: KeyID(priv.Public().(ed25519.PublicKey))}
}

// KeyID returns the ID of the key.
func (k *Key) KeyID() string { return k.id }

// Issuer returns the code of the authority whose key it is.
func (k *Key) Issuer() string { return k.IssuerCode }

// Public returns the public half, to register in the store.
func (k *Key) Public(now time.Time) *registry.SigningKey {
	return &registry.SigningKey{
		KeyID:      k.id,
		IssuerCode: k.IssuerCode,
		PublicKey:  append([]byte(nil), k.priv.Public().(ed25519.PublicKey)...),
		CreatedAt:  now,
	}
}

// Seal signs an issue and returns its payload.
func (k *Key) Seal(iss *registry.ExtractIssue) (string, error) {
	if iss.IssuerCode != k.IssuerCode {
		return "", registry.Errorf(registry.EINVALID, "khóa ký của cơ quan %s không dùng để ký bản sao do cơ quan %s cấp", k.IssuerCode, iss.IssuerCode)
	}
	p, err := PayloadFor(iss, k.id)
	if err != nil {
		return "", err
	}
	p.Signature = ed25519.Sign(k.priv, []byte(p.message()))
	return p.String(), nil
}

// Check verifies the payload's signature with a registered key. It
// returns an EINVALID error whose message says what is wrong.
func (p *Payload) Check(key *registry.SigningKey) error {
	if key == nil {
		return registry.Errorf(registry.EINVALID, "không có khóa công khai %s để kiểm tra chữ ký", p.KeyID)
	}
	if len(key.PublicKey) != ed25519.PublicKeySize || KeyID(key.PublicKey) != key.KeyID {
		return registry.Errorf(registry.EINVALID, "khóa công khai %s bị hỏng", key.KeyID)
	}
	if key.KeyID != p.KeyID {
		return registry.Errorf(registry.EINVALID, "chữ ký không hợp lệ: bản sao ghi khóa %s, khóa dùng để kiểm tra là %s", p.KeyID, key.KeyID)
	}
	if key.IssuerCode != p.IssuerCode {
		return registry.Errorf(registry.EINVALID, "khóa %s thuộc cơ quan %s, không phải cơ quan cấp %s ghi trên bản sao", key.KeyID, key.IssuerCode, p.IssuerCode)
	}
	if !ed25519.Verify(key.PublicKey, []byte(p.message()), p.Signature) {
		return registry.Errorf(registry.EINVALID, "chữ ký không hợp lệ: mã xác thực đã bị sửa hoặc không được ký bằng khóa %s của cơ quan %s", p.KeyID, p.IssuerCode)
	}
	return nil
}
