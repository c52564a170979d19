package registry_test

import (
	"testing"

	"github.com/hotich/hotich/registry"
)

func TestParseRegistrationKind(t *testing.T) {
	for _, k := range []registry.RegistrationKind{registry.KindNew, registry.KindReRegistration, registry.KindForeignElement, registry.KindRecordedAbroad} {
		for _, written := range []string{string(k), k.Label()} {
			if got, err := registry.ParseRegistrationKind(written); err != nil || got != k {
				t.Errorf("ParseRegistrationKind(%q) = %q, %v; want %q", written, got, err, k)
			}
		}
	}
	if got, _ := registry.ParseRegistrationKind(""); got != registry.KindNew {
		t.Errorf("empty kind = %q", got)
	}
	if _, err := registry.ParseRegistrationKind("đăng ký bổ sung"); err == nil {
		t.Error("an unknown kind was accepted")
	}
}

func TestIdentityKey(t *testing.T) {
	a := registry.Identity{Register: registry.Birth, AuthorityCode: "26740", Book: "01/2010", Number: "0125"}
	b := registry.Identity{Register: registry.Birth, AuthorityCode: "26740", Book: " 1/2010", Number: "125"}
	c := registry.Identity{Register: registry.Birth, AuthorityCode: "26740", Book: "01/2010", Number: "1250"}
	if a.Key() != b.Key() || a.RecordID() != b.RecordID() {
		t.Errorf("%q and %q should be one entry", a.Key(), b.Key())
	}
	if a.Key() == c.Key() {
		t.Errorf("%q and %q should differ", a.Key(), c.Key())
	}
	if id := a.RecordID(); len(id) != len("KS-26740-")+10 {
		t.Errorf("RecordID = %q", id)
	}
}
