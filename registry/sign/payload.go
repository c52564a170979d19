// Package sign signs and verifies certified copies with the issuing unit's
// certified key (X.509, ECDSA P-256 when hotich makes the key, or whatever
// a real CA issued in a PKCS #12 file).
//
// A copy is signed twice by the same key:
//
//   - the PDF carries a PAdES baseline signature (a detached CMS over the
//     whole file, see CMS), which PDF readers check against the unit's
//     certification authority;
//   - the QR code carries a Payload: the values the copy prints that
//     identify it (register, serial, unit, names, dates), signed, so that a
//     copy on paper can be checked offline by reading its code.
//
// The payload is "HT2." + base64url(values) + "." + key ID + "." +
// base64url(signature), where the values are "key=value" lines in a fixed
// order per form. When the desk has a public address, the QR code holds
// the verification URL "<base>/xac-thuc/<serial>?m=<payload>".
package sign

import (
	"bytes"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/hotich/hotich/registry"
)

// Version is the payload's format tag.
const Version = "HT2"

// MaxPayload bounds a payload read from untrusted input.
const MaxPayload = 4096

var (
	b64 = base64.RawURLEncoding
	b32 = base32.StdEncoding.WithPadding(base32.NoPadding)
)

// Value is one printed value a payload signs.
type Value struct{ Key, Value string }

// Labels names the payload's keys for the clerk, in the order they are
// shown.
var Labels = map[string]string{
	"so":         "Số bản sao",
	"cq":         "Cơ quan cấp (mã)",
	"ngay_cap":   "Ngày cấp",
	"mau":        "Mẫu",
	"trich_luc":  "Mã trích lục",
	"so_dk":      "Số, quyển số đăng ký",
	"ngay_dk":    "Ngày đăng ký",
	"ho_ten":     "Họ, chữ đệm, tên",
	"ngay_sinh":  "Ngày, tháng, năm sinh",
	"ngay_chet":  "Ngày chết",
	"vo":         "Họ, chữ đệm, tên vợ",
	"chong":      "Họ, chữ đệm, tên chồng",
	"nguoi_nhan": "Người nhận",
	"duoc_nhan":  "Người được nhận",
	"me":         "Họ, chữ đệm, tên người mẹ",
	"cha":        "Họ, chữ đệm, tên người cha",
	"trang":      "Số trang",
}

// Payload is what a copy's QR code says.
type Payload struct {
	Values    []Value
	KeyID     string
	Signature []byte
}

// Get returns a value by key ("" if absent).
func (p *Payload) Get(key string) string {
	for _, v := range p.Values {
		if v.Key == key {
			return v.Value
		}
	}
	return ""
}

// Serial returns the serial the payload names.
func (p *Payload) Serial() (registry.Serial, error) { return registry.ParseSerial(p.Get("so")) }

// IssuerCode returns the code of the issuing unit.
func (p *Payload) IssuerCode() string { return p.Get("cq") }

// valuesText returns the values as signed: "key=value\n" lines.
func valuesText(vs []Value) []byte {
	var b bytes.Buffer
	for _, v := range vs {
		b.WriteString(v.Key)
		b.WriteByte('=')
		b.WriteString(v.Value)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// Message returns the bytes the signature covers: the version, the key ID
// and the values.
func (p *Payload) Message() []byte {
	return append([]byte(Version+"\n"+p.KeyID+"\n"), valuesText(p.Values)...)
}

// ValuesSHA256 returns the hex SHA-256 of the signed message, as the
// issue log keeps it.
func (p *Payload) ValuesSHA256() string {
	sum := sha256.Sum256(p.Message())
	return hex.EncodeToString(sum[:])
}

// String returns the payload as the QR code carries it without a URL.
func (p *Payload) String() string {
	return Version + "." + b64.EncodeToString(valuesText(p.Values)) + "." + p.KeyID + "." + b64.EncodeToString(p.Signature)
}

// QRText returns what the QR code holds: the desk's verification URL with
// the payload when base is set, else the payload alone.
func (p *Payload) QRText(base string) string {
	if base == "" {
		return p.String()
	}
	s, _ := p.Serial()
	path := strings.ReplaceAll(s.String(), "/", "-")
	return strings.TrimRight(base, "/") + "/xac-thuc/" + url.PathEscape(path) + "?m=" + p.String()
}

var (
	keyRE   = regexp.MustCompile(`^[a-z_]{1,16}$`)
	keyIDRE = regexp.MustCompile(`^[A-Z2-7]{8}$`)
)

// NewPayload checks values for signing: known keys, a serial and a unit,
// values on one line.
func NewPayload(values []Value, keyID string) (*Payload, error) {
	p := &Payload{Values: values, KeyID: keyID}
	if err := p.check(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Payload) check() error {
	bad := func(why string) error {
		return registry.Errorf(registry.EINVALID, "mã xác thực không đúng định dạng: %s", why)
	}
	seen := map[string]bool{}
	for _, v := range p.Values {
		if !keyRE.MatchString(v.Key) || seen[v.Key] {
			return bad("tên giá trị " + v.Key)
		}
		if _, ok := Labels[v.Key]; !ok {
			return bad("giá trị lạ " + v.Key)
		}
		seen[v.Key] = true
		if strings.ContainsAny(v.Value, "\n\r") || !utf8.ValidString(v.Value) {
			return bad("giá trị " + v.Key)
		}
	}
	if s, err := p.Serial(); err != nil || s.String() != p.Get("so") {
		return bad("số bản sao")
	}
	if !codeRE.MatchString(p.IssuerCode()) {
		return bad("mã cơ quan cấp")
	}
	if !keyIDRE.MatchString(p.KeyID) {
		return bad("mã khóa")
	}
	return nil
}

// ParsePayload reads a payload, or a verification URL carrying one,
// without checking its signature.
func ParsePayload(s string) (*Payload, error) {
	bad := func(why string) (*Payload, error) {
		return nil, registry.Errorf(registry.EINVALID, "mã xác thực không đúng định dạng: %s", why)
	}
	s = strings.TrimSpace(s)
	if len(s) > MaxPayload {
		return bad("quá dài")
	}
	if i := strings.Index(s, "?m="); i >= 0 && strings.Contains(s[:i], "/xac-thuc/") {
		s = s[i+3:]
		if j := strings.IndexAny(s, "&#"); j >= 0 {
			s = s[:j]
		}
	}
	parts := strings.Split(s, ".")
	if len(parts) != 4 || parts[0] != Version {
		return bad("cần 4 phần, bắt đầu bằng " + Version)
	}
	text, err := b64.DecodeString(parts[1])
	if err != nil || b64.EncodeToString(text) != parts[1] || len(text) == 0 || text[len(text)-1] != '\n' {
		return bad("phần giá trị")
	}
	p := &Payload{KeyID: parts[2]}
	for _, line := range strings.Split(string(text[:len(text)-1]), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return bad("phần giá trị")
		}
		p.Values = append(p.Values, Value{k, v})
	}
	if p.Signature, err = b64.DecodeString(parts[3]); err != nil || len(p.Signature) == 0 || len(p.Signature) > 1024 || b64.EncodeToString(p.Signature) != parts[3] {
		return bad("chữ ký")
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	return p, nil
}

var codeRE = regexp.MustCompile(`^[0-9]{3}([0-9]{2})?$`)
