package accounts

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// HashParams are the argon2id parameters new password hashes are made
// with. A stored hash carries its own parameters (PHC string format), so
// changing these changes new hashes only; older ones still verify.
type HashParams struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8  // lanes
	SaltLen int    // bytes
	KeyLen  int    // bytes
}

// DefaultHashParams are the second recommended option of RFC 9106 §4
// (argon2id, 64 MiB, 3 passes, 4 lanes, 128-bit salt, 256-bit tag): about
// 0.1–0.3 s per hash on a ward office server. Concurrent hashes are
// bounded (see Service.MaxHashing), so a flood of logins costs at most
// MaxHashing × 64 MiB of memory.
var DefaultHashParams = HashParams{Memory: 64 * 1024, Time: 3, Threads: 4, SaltLen: 16, KeyLen: 32}

// Bounds on the parameters a stored hash may ask for: a hash edited in the
// store must not make one login take gigabytes or minutes.
const (
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxTime    = 16
	maxThreads = 16
	maxKeyLen  = 64
)

var phcB64 = base64.RawStdEncoding

// HashPassword returns the argon2id hash of a password in PHC string
// format: $argon2id$v=19$m=65536,t=3,p=4$<salt>$<tag>, salt and tag in
// unpadded standard base64.
func HashPassword(password string, p HashParams) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(p.KeyLen))
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		phcB64.EncodeToString(salt), phcB64.EncodeToString(key)), nil
}

// parseHash reads a PHC argon2id string.
func parseHash(h string) (p HashParams, salt, key []byte, err error) {
	bad := fmt.Errorf("mã băm mật khẩu không đúng định dạng argon2id")
	parts := strings.Split(h, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, bad
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, bad
	}
	var m, t, th uint32
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &th); err != nil || n != 3 {
		return p, nil, nil, bad
	}
	if m < 8 || m > maxMemory || t < 1 || t > maxTime || th < 1 || th > maxThreads || m < 8*th {
		return p, nil, nil, bad
	}
	if salt, err = phcB64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, bad
	}
	if key, err = phcB64.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > maxKeyLen {
		return p, nil, nil, bad
	}
	return HashParams{Memory: m, Time: t, Threads: uint8(th), SaltLen: len(salt), KeyLen: len(key)}, salt, key, nil
}

// VerifyPassword reports whether password matches a PHC argon2id hash,
// comparing in constant time. A malformed hash matches nothing.
func VerifyPassword(password, hash string) bool {
	p, salt, key, err := parseHash(hash)
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(p.KeyLen))
	return subtle.ConstantTimeCompare(got, key) == 1
}

// Password rules, after NIST SP 800-63B: length matters, composition
// rules do not. A password is 10 to 128 characters, not one character
// repeated, and contains neither the username nor the unit code; a few
// passwords everyone tries first are refused.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 128
)

// common are passwords guessed first, compared without case and
// diacritics.
var common = map[string]bool{
	"1234567890": true, "0123456789": true, "12345678910": true, "123456789012": true,
	"matkhau123": true, "matkhau1234": true, "matkhaumoi": true, "password123": true, "password1234": true,
	"qwertyuiop": true, "abcd123456": true, "admin12345": true, "admin123456": true, "hotich12345": true,
	"hotich2025": true, "hotich2026": true, "ubndphuong": true, "tuphap12345": true, "iloveyou123": true,
	"motbaibonnam": true, "ngayxuaboncc": true,
}

func firstRune(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	return string(r)
}

// CheckPassword checks a new password against the rules, saying in
// Vietnamese what is wrong.
func CheckPassword(password, username, unit string) error {
	n := utf8.RuneCountInString(password)
	bad := func(format string, args ...any) error {
		return registry.FieldErrorf(registry.EINVALID, "password", format, args...)
	}
	switch {
	case !utf8.ValidString(password):
		return bad("mật khẩu có ký tự không hợp lệ")
	case n < MinPasswordLen:
		return bad("mật khẩu phải có ít nhất %d ký tự (nên dùng một câu dễ nhớ)", MinPasswordLen)
	case n > MaxPasswordLen:
		return bad("mật khẩu dài quá %d ký tự", MaxPasswordLen)
	case strings.Trim(password, firstRune(password)) == "":
		return bad("mật khẩu không được chỉ lặp lại một ký tự")
	}
	folded := strings.ReplaceAll(vntext.FoldKey(password), " ", "")
	switch {
	case username != "" && strings.Contains(folded, strings.ToLower(username)):
		return bad("mật khẩu không được chứa tên đăng nhập")
	case unit != "" && strings.Contains(password, unit):
		return bad("mật khẩu không được chứa mã đơn vị")
	case common[folded]:
		return bad("mật khẩu này quá phổ biến, dễ bị đoán")
	}
	return nil
}
