package issuing

import (
	"context"
	"os"
	"sync"
	"time"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sign"
)

// KeyRing loads the issuing units' signing keys from a folder and checks
// that each key's certificate is registered in the store: a copy signed
// with a certificate the store does not know could not be verified against
// it. A key is loaded again when its key or certificate file changes, so
// that a rotation (keys init, keys import) takes effect in a running
// server without a restart.
type KeyRing struct {
	Dir   string                // KEYS/CODE.key, KEYS/CODE.crt
	Store registry.IssueService // where certificates are registered
	TSA   string                // a time-stamping authority's URL, "" for none
	// TSAFromStore reads the authority from the store's setting at each
	// use instead (TSA unused), so that keys tsa takes effect in a
	// running server.
	TSAFromStore bool
	mu           sync.Mutex
	keys         map[string]*ringKey
}

// ringKey is a key on the ring and the state of the files it came from
// (zero for a key added by Add, which is never reloaded).
type ringKey struct {
	key   *sign.UnitKey
	files [2]fileState
	added bool
}

type fileState struct {
	size int64
	mod  time.Time
}

// filesOf returns the state of a unit's key and certificate files; a
// missing file has the zero state.
func (k *KeyRing) filesOf(code string) [2]fileState {
	var st [2]fileState
	for i, p := range []string{sign.KeyPath(k.Dir, code), sign.CertPath(k.Dir, code)} {
		if fi, err := os.Stat(p); err == nil {
			st[i] = fileState{fi.Size(), fi.ModTime()}
		}
	}
	return st
}

// Add puts a unit's key on the ring, as if loaded from the folder.
func (k *KeyRing) Add(code string, key *sign.UnitKey) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keys == nil {
		k.keys = map[string]*ringKey{}
	}
	k.keys[code] = &ringKey{key: key, added: true}
}

// Key returns the key of an issuing unit, with the time-stamping
// authority it signs with.
func (k *KeyRing) Key(ctx context.Context, code string) (*sign.UnitKey, error) {
	tsa := k.TSA
	if k.TSAFromStore {
		var err error
		if tsa, err = k.Store.Setting(ctx, SettingTSA); err != nil {
			return nil, err
		}
	}
	key, err := k.key(ctx, code)
	if err != nil || tsa == "" || key.TSA != nil {
		return key, err
	}
	withTSA := *key // the ring's key stays as loaded: users may hold it
	withTSA.TSA = &sign.TSA{URL: tsa}
	return &withTSA, nil
}

// key returns the key of an issuing unit as loaded (or added).
func (k *KeyRing) key(ctx context.Context, code string) (*sign.UnitKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	rk, ok := k.keys[code]
	if ok && rk.added {
		return rk.key, nil
	}
	files := k.filesOf(code)
	if ok && rk.files == files {
		return rk.key, nil
	}
	key, err := sign.LoadUnitKey(k.Dir, code)
	if err != nil {
		return nil, err
	}
	certs, err := k.Store.FindCertificates(ctx, key.KeyID())
	if err != nil {
		return nil, err
	}
	registered := false
	for _, c := range certs {
		registered = registered || c.Fingerprint == key.CertSHA256() && c.IssuerCode == code
	}
	if !registered {
		return nil, registry.FieldErrorf(registry.EREFUSED, registry.FieldIssuer, "chứng thư ký của cơ quan %s (%s) chưa được đăng ký trong kho này: cần cài chứng thư cho đơn vị trước khi cấp", code, key.SignerName())
	}
	if k.keys == nil {
		k.keys = map[string]*ringKey{}
	}
	k.keys[code] = &ringKey{key: key, files: files}
	return key, nil
}
