package issuing

import (
	"context"
	"sync"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sign"
)

// KeyRing loads the issuing units' signing keys from a folder, once each,
// and checks that each key's certificate is registered in the store: a
// copy signed with a certificate the store does not know could not be
// verified against it.
type KeyRing struct {
	Dir   string                // KEYS/CODE.key, KEYS/CODE.crt
	Store registry.IssueService // where certificates are registered
	TSA   string                // a time-stamping authority's URL, "" for none
	mu    sync.Mutex
	keys  map[string]*sign.UnitKey
}

// Add puts a unit's key on the ring, as if loaded from the folder.
func (k *KeyRing) Add(code string, key *sign.UnitKey) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keys == nil {
		k.keys = map[string]*sign.UnitKey{}
	}
	k.keys[code] = key
}

// Key returns the key of an issuing unit.
func (k *KeyRing) Key(ctx context.Context, code string) (*sign.UnitKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if key, ok := k.keys[code]; ok {
		return key, nil
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
	if k.TSA != "" {
		key.TSA = &sign.TSA{URL: k.TSA}
	}
	if k.keys == nil {
		k.keys = map[string]*sign.UnitKey{}
	}
	k.keys[code] = key
	return key, nil
}
