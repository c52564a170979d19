package sign

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/hotich/hotich/internal/atomicfile"
	"github.com/hotich/hotich/registry"
)

// PrivateKeyPath returns where an authority's private key lives in dir:
// "<dir>/<code>.key".
func PrivateKeyPath(dir, issuerCode string) string {
	return filepath.Join(dir, issuerCode+".key")
}

// PublicKeyPath returns where an authority's public key lives in dir:
// "<dir>/<code>.pub".
func PublicKeyPath(dir, issuerCode string) string {
	return filepath.Join(dir, issuerCode+".pub")
}

// WriteKeyFiles writes k's private key (PKCS #8 PEM, mode 0600) and public
// key (PKIX PEM, mode 0644) into dir, which is created (mode 0700) if
// needed. It refuses to replace existing files unless force is set.
func WriteKeyFiles(dir string, k *Key, force bool) (privPath, pubPath string, err error) {
	privPath, pubPath = PrivateKeyPath(dir, k.IssuerCode), PublicKeyPath(dir, k.IssuerCode)
	if !force {
		for _, p := range []string{privPath, pubPath} {
			if _, err := os.Stat(p); err == nil {
				return "", "", registry.Errorf(registry.ECONFLICT, "đã có tệp khóa %s; dùng --force để tạo khóa mới (các bản sao đã cấp vẫn kiểm tra được bằng khóa cũ đã đăng ký)", p)
			}
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", fmt.Errorf("key directory: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k.priv)
	if err != nil {
		return "", "", err
	}
	headers := map[string]string{"Issuer": k.IssuerCode, "Key-Id": k.id}
	privPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Headers: headers, Bytes: der})
	pubDER, err := x509.MarshalPKIXPublicKey(k.priv.Public())
	if err != nil {
		return "", "", err
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Headers: headers, Bytes: pubDER})
	if err := atomicfile.WriteFile(privPath, privPEM, atomicfile.Private); err != nil {
		return "", "", err
	}
	if err := atomicfile.WriteFile(pubPath, pubPEM, atomicfile.Public); err != nil {
		return "", "", err
	}
	return privPath, pubPath, nil
}

// LoadPrivateKey reads a private key file written by WriteKeyFiles. Like
// ssh, it refuses a file that others can read.
func LoadPrivateKey(path string) (*Key, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, registry.Errorf(registry.ENOTFOUND, "không tìm thấy khóa ký %s (tạo bằng: hotich keys init --issuer MÃ)", path)
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
		return nil, registry.Errorf(registry.EINVALID, "tệp %s không phải khóa ký PEM", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, registry.Errorf(registry.EINVALID, "tệp %s: khóa ký hỏng: %v", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, registry.Errorf(registry.EINVALID, "tệp %s không phải khóa Ed25519", path)
	}
	issuer := block.Headers["Issuer"]
	if !codeRE.MatchString(issuer) {
		return nil, registry.Errorf(registry.EINVALID, "tệp %s không ghi mã cơ quan cấp (Issuer)", path)
	}
	return newKey(issuer, priv), nil
}

// LoadPublicKey reads a public key file written by WriteKeyFiles.
func LoadPublicKey(path string) (*registry.SigningKey, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, registry.Errorf(registry.ENOTFOUND, "không tìm thấy khóa công khai %s", path)
	}
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, registry.Errorf(registry.EINVALID, "tệp %s không phải khóa công khai PEM", path)
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, registry.Errorf(registry.EINVALID, "tệp %s: khóa công khai hỏng: %v", path, err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, registry.Errorf(registry.EINVALID, "tệp %s không phải khóa Ed25519", path)
	}
	st, _ := os.Stat(path)
	var created time.Time
	if st != nil {
		created = st.ModTime()
	}
	return &registry.SigningKey{KeyID: KeyID(pub), IssuerCode: block.Headers["Issuer"], PublicKey: pub, CreatedAt: created}, nil
}
