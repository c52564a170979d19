package sign_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sign"
)

var issuedAt = time.Date(2025, 6, 9, 8, 0, 0, 0, time.UTC)

const contentHash = "5f0c2a9d4b7e61f3a8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a2b4c6d8e0f2a4"

func mustKey(tb testing.TB, issuer string) *sign.Key {
	tb.Helper()
	k, err := sign.GenerateKey(issuer, rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func issue() *registry.ExtractIssue {
	return &registry.ExtractIssue{
		IssuerCode: "26740", RecordID: "KS-26740-7F3K9Q2MXA", Form: registry.FormBirthExtract,
		Serial:   registry.Serial{Number: 45, Year: 2025, Form: registry.FormBirthExtract},
		IssuedAt: issuedAt, ContentSHA256: contentHash,
	}
}

func offline(keys ...*sign.Key) *sign.Verifier {
	return &sign.Verifier{Key: func(_ context.Context, id string) (*registry.SigningKey, error) {
		for _, k := range keys {
			if k.KeyID() == id {
				return k.Public(issuedAt), nil
			}
		}
		return nil, registry.Errorf(registry.ENOTFOUND, "no key %s", id)
	}}
}

func TestSealAndVerify(t *testing.T) {
	ctx := context.Background()
	k := mustKey(t, "26740")
	payload, err := k.Seal(issue())
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Format", func(t *testing.T) {
		prefix := "HT1*26740*45/2025/TLKS-BS*KS-26740-7F3K9Q2MXA*20250609*"
		if !strings.HasPrefix(payload, prefix) {
			t.Fatalf("payload %q does not start with %q", payload, prefix)
		}
		// Only characters of the QR code's alphanumeric mode.
		for _, r := range payload {
			if !strings.ContainsRune("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", r) {
				t.Fatalf("payload has %q, outside the QR alphanumeric set", r)
			}
		}
		if len(payload) > 230 {
			t.Errorf("payload is %d characters", len(payload))
		}
	})
	t.Run("OK", func(t *testing.T) {
		res, err := offline(k).Verify(ctx, payload, &sign.Document{ContentSHA256: contentHash})
		if err != nil {
			t.Fatal(err)
		}
		if res.Payload.RecordID != "KS-26740-7F3K9Q2MXA" || res.Payload.Serial.Number != 45 || res.Payload.ContentHex() != contentHash {
			t.Fatalf("%+v", res.Payload)
		}
	})
	t.Run("ErrAlteredPayload", func(t *testing.T) {
		for _, alter := range []func(string) string{
			func(s string) string { return strings.Replace(s, "45/2025", "46/2025", 1) },
			func(s string) string { return strings.Replace(s, "KS-26740-7F3K9Q2MXA", "KS-26740-7F3K9Q2MXB", 1) },
			func(s string) string { return strings.Replace(s, "20250609", "20250610", 1) },
			func(s string) string { // a character of the signature
				i := len(s) - 5
				c := byte('A')
				if s[i] == 'A' {
					c = 'B'
				}
				return s[:i] + string(c) + s[i+1:]
			},
		} {
			altered := alter(payload)
			_, err := offline(k).Verify(ctx, altered, nil)
			if registry.ErrorCode(err) != registry.EINVALID || !strings.Contains(registry.ErrorMessage(err), "chữ ký không hợp lệ") {
				t.Errorf("Verify(%q) = %v, want an invalid signature", altered, err)
			}
		}
	})
	t.Run("ErrAlteredContent", func(t *testing.T) {
		_, err := offline(k).Verify(ctx, payload, &sign.Document{ContentSHA256: strings.Repeat("0", 64)})
		if !strings.Contains(registry.ErrorMessage(err), "nội dung bản sao đã bị sửa") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrOtherKey", func(t *testing.T) {
		// Signed by another key of the same authority that claims k's ID.
		other := mustKey(t, "26740")
		forged, err := other.Seal(issue())
		if err != nil {
			t.Fatal(err)
		}
		forged = strings.Replace(forged, other.KeyID(), k.KeyID(), 1)
		if _, err := offline(k).Verify(ctx, forged, nil); !strings.Contains(registry.ErrorMessage(err), "chữ ký không hợp lệ") {
			t.Fatalf("err = %v", err)
		}
		// Signed by a key nobody registered.
		unknown, _ := other.Seal(issue())
		if _, err := offline(k).Verify(ctx, unknown, nil); !strings.Contains(registry.ErrorMessage(err), "không phải khóa đã đăng ký") {
			t.Fatalf("err = %v", err)
		}
		// Signed by another authority's registered key.
		stranger := mustKey(t, "26743")
		iss := issue()
		iss.IssuerCode = "26743"
		theirs, _ := stranger.Seal(iss)
		theirs = strings.Replace(theirs, "*26743*", "*26740*", 1)
		if _, err := offline(k, stranger).Verify(ctx, theirs, nil); !strings.Contains(registry.ErrorMessage(err), "thuộc cơ quan 26743") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrWrongIssuer", func(t *testing.T) {
		iss := issue()
		iss.IssuerCode = "26743"
		if _, err := k.Seal(iss); registry.ErrorCode(err) != registry.EINVALID {
			t.Fatalf("sealing another authority's copy: %v", err)
		}
	})
	t.Run("ErrMalformed", func(t *testing.T) {
		noncanonical := strings.Replace(payload, "*45/2025/", "*045/2025/", 1)
		for _, s := range []string{"", "HT1", "HT2*" + payload[4:], strings.ToLower(payload), payload + "*X", " " + payload, noncanonical} {
			if _, err := sign.Parse(s); registry.ErrorCode(err) != registry.EINVALID {
				t.Errorf("Parse(%q) = %v", s, err)
			}
		}
	})
}

func TestKeyFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	k := mustKey(t, "26740")
	priv, pub, err := sign.WriteKeyFiles(dir, k, false)
	if err != nil {
		t.Fatal(err)
	}
	for path, mode := range map[string]os.FileMode{priv: 0o600, pub: 0o644, dir: 0o700} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != mode {
			t.Errorf("%s has mode %v, want %v", path, st.Mode().Perm(), mode)
		}
	}
	t.Run("LoadPrivate", func(t *testing.T) {
		got, err := sign.LoadPrivateKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		if got.KeyID() != k.KeyID() || got.IssuerCode != "26740" {
			t.Fatalf("loaded key %s of %s", got.KeyID(), got.IssuerCode)
		}
		a, _ := k.Seal(issue())
		b, _ := got.Seal(issue())
		if a != b {
			t.Fatal("the loaded key signs differently")
		}
	})
	t.Run("LoadPublic", func(t *testing.T) {
		got, err := sign.LoadPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		if got.KeyID != k.KeyID() || got.IssuerCode != "26740" || !bytes.Equal(got.PublicKey, k.Public(issuedAt).PublicKey) {
			t.Fatalf("%+v", got)
		}
		b, _ := os.ReadFile(pub)
		if bytes.Contains(b, []byte("PRIVATE")) {
			t.Fatal("public key file holds a private key")
		}
	})
	t.Run("ErrExists", func(t *testing.T) {
		if _, _, err := sign.WriteKeyFiles(dir, mustKey(t, "26740"), false); registry.ErrorCode(err) != registry.ECONFLICT {
			t.Fatalf("err = %v", err)
		}
		if _, _, err := sign.WriteKeyFiles(dir, mustKey(t, "26740"), true); err != nil {
			t.Fatalf("--force: %v", err)
		}
	})
	t.Run("ErrReadableByOthers", func(t *testing.T) {
		if err := os.Chmod(priv, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := sign.LoadPrivateKey(priv); registry.ErrorCode(err) != registry.EREFUSED {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrMissing", func(t *testing.T) {
		if _, err := sign.LoadPrivateKey(filepath.Join(dir, "99999.key")); registry.ErrorCode(err) != registry.ENOTFOUND {
			t.Fatalf("err = %v", err)
		}
	})
}

func FuzzParse(f *testing.F) {
	k, _ := sign.GenerateKey("26740", rand.Reader)
	p, _ := k.Seal(issue())
	f.Add(p)
	f.Add("HT1*1*2*3*4*5*6*7")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := sign.Parse(s)
		if err != nil {
			return
		}
		// What parses prints back to what was parsed.
		if p.String() != s {
			t.Fatalf("Parse(%q).String() = %q", s, p.String())
		}
	})
}
