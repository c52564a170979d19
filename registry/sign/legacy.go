package sign

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hotich/hotich/registry"
)

// Copies issued before PAdES signatures carry only an Ed25519 signature,
// in their QR code and in the document's Keywords, over a payload of the
// alphanumeric QR set:
//
//	HT1*26740*45/2025/TLKS-BS*KS-26740-7F3K9Q2MXA*20250609*<content hash>*<key ID>*<signature>
//
// The hash (of the page's content stream) and the signature are base32;
// the signature covers everything before the last "*", with the issuing
// authority's key registered in the store (signing_keys). That signature
// proves who issued which serial of which entry on which day; it does not
// cover the file, so it does not prove on its own what the file shows.

// LegacyVersion tags the old payloads.
const LegacyVersion = "HT1"

// LegacyPayload is an old copy's QR payload.
type LegacyPayload struct {
	IssuerCode string
	Serial     registry.Serial
	RecordID   string
	IssuedOn   string // yyyymmdd, in Vietnam
	Content    [32]byte
	KeyID      string
	Signature  []byte
	raw        string
}

// IsLegacy reports whether a payload is of the old format.
func IsLegacy(s string) bool { return strings.HasPrefix(strings.TrimSpace(s), LegacyVersion+"*") }

var recordRE = regexp.MustCompile(`^([A-Z]+)-[0-9]{3,5}-[0-9A-Z]{10}$`)

// ParseLegacy reads an old payload without checking its signature.
func ParseLegacy(s string) (*LegacyPayload, error) {
	bad := func(why string) (*LegacyPayload, error) {
		return nil, registry.Errorf(registry.EINVALID, "mã xác thực (định dạng cũ) không đúng định dạng: %s", why)
	}
	s = strings.TrimSpace(s)
	if len(s) > MaxPayload {
		return bad("quá dài")
	}
	parts := strings.Split(s, "*")
	if len(parts) != 8 || parts[0] != LegacyVersion {
		return bad("cần 8 phần, bắt đầu bằng " + LegacyVersion)
	}
	p := &LegacyPayload{IssuerCode: parts[1], RecordID: parts[3], IssuedOn: parts[4], KeyID: parts[6], raw: s}
	var err error
	if !codeRE.MatchString(p.IssuerCode) {
		return bad("mã cơ quan cấp")
	}
	if p.Serial, err = registry.ParseSerial(parts[2]); err != nil || p.Serial.String() != parts[2] {
		return bad("số bản sao")
	}
	if m := recordRE.FindStringSubmatch(p.RecordID); m == nil || !registry.Register(m[1]).Valid() {
		return bad("mã trích lục")
	}
	if _, err := time.Parse("20060102", p.IssuedOn); err != nil {
		return bad("ngày cấp")
	}
	h, err := b32.DecodeString(parts[5])
	if err != nil || len(h) != sha256.Size || b32.EncodeToString(h) != parts[5] {
		return bad("mã băm nội dung")
	}
	copy(p.Content[:], h)
	if !keyIDRE.MatchString(p.KeyID) {
		return bad("mã khóa")
	}
	if p.Signature, err = b32.DecodeString(parts[7]); err != nil || len(p.Signature) != ed25519.SignatureSize || b32.EncodeToString(p.Signature) != parts[7] {
		return bad("chữ ký")
	}
	return p, nil
}

// String returns the payload as the copy carries it.
func (p *LegacyPayload) String() string { return p.raw }

// Date returns the day of issue, as dd/mm/yyyy.
func (p *LegacyPayload) Date() string {
	t, _ := time.Parse("20060102", p.IssuedOn)
	return t.Format("02/01/2006")
}

// Check verifies the payload's signature with the key registered for it.
func (p *LegacyPayload) Check(key *registry.LegacyKey) error {
	sum := sha256.Sum256(key.PublicKey)
	switch {
	case len(key.PublicKey) != ed25519.PublicKeySize || b32.EncodeToString(sum[:5]) != key.KeyID:
		return registry.Errorf(registry.EINVALID, "khóa công khai %s trong kho bị hỏng", key.KeyID)
	case key.KeyID != p.KeyID:
		return registry.Errorf(registry.EINVALID, "bản sao ghi khóa %s, khóa dùng để kiểm tra là %s", p.KeyID, key.KeyID)
	case key.IssuerCode != p.IssuerCode:
		return registry.Errorf(registry.EINVALID, "khóa %s thuộc cơ quan %s, không phải cơ quan cấp %s ghi trên bản sao", key.KeyID, key.IssuerCode, p.IssuerCode)
	}
	msg := p.raw[:strings.LastIndex(p.raw, "*")]
	if !ed25519.Verify(key.PublicKey, []byte(msg), p.Signature) {
		return registry.Errorf(registry.EINVALID, "chữ ký của mã xác thực (định dạng cũ) không hợp lệ: mã đã bị sửa hoặc không được ký bằng khóa %s của cơ quan %s", p.KeyID, p.IssuerCode)
	}
	return nil
}

// Describe names the copy as the payload does, for the report.
func (p *LegacyPayload) Describe() string {
	return fmt.Sprintf("Bản sao số %s, trích lục %s, cơ quan cấp %s, ngày cấp %s (định dạng cũ, trước chữ ký số PAdES)", p.Serial, p.RecordID, p.IssuerCode, p.Date())
}
