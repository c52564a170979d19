package registry_test

import (
	"testing"
	"time"

	"github.com/hotich/hotich/registry"
)

func TestAuditChain(t *testing.T) {
	var trail []*registry.AuditEntry
	prev := ""
	for i, action := range []string{"login", "search", "view", "issue"} {
		e := &registry.AuditEntry{Seq: int64(i + 1), At: time.Date(2026, 12, 6, 8, i, 0, 0, time.UTC), Actor: "lan", Unit: "26740",
			Action: action, Target: "KS-26740-7F3K9Q2MXA", Addr: "10.0.0.5", Prev: prev}
		e.Hash = registry.AuditHash(e)
		prev = e.Hash
		trail = append(trail, e)
	}
	each := func(entries []*registry.AuditEntry) func(func(*registry.AuditEntry) error) error {
		return func(fn func(*registry.AuditEntry) error) error {
			for _, e := range entries {
				if err := fn(e); err != nil {
					return err
				}
			}
			return nil
		}
	}
	if n, err := registry.VerifyAuditChain(each(trail)); err != nil || n != 4 {
		t.Fatalf("a sound trail: %d, %v", n, err)
	}
	edited := *trail[1]
	edited.Target = "KS-26740-0000000000"
	for name, entries := range map[string][]*registry.AuditEntry{
		"Edited":    {trail[0], &edited, trail[2], trail[3]},
		"Deleted":   {trail[0], trail[2], trail[3]},
		"Reordered": {trail[0], trail[2], trail[1], trail[3]},
	} {
		if _, err := registry.VerifyAuditChain(each(entries)); registry.ErrorCode(err) != registry.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}

func TestAccountRules(t *testing.T) {
	if d, err := registry.ParseDuties("clerk, reviewer,clerk"); err != nil || len(d) != 2 {
		t.Errorf("ParseDuties = %v, %v", d, err)
	}
	if _, err := registry.ParseDuties("clerk,boss"); err == nil {
		t.Error("an unknown duty is accepted")
	}
	a := &registry.Account{Username: "lan.nguyen", Name: "Nguyễn Thị Lan", Unit: "26740", Duties: []registry.Duty{registry.DutyClerk}, PasswordHash: "$argon2id$..."}
	if err := a.Validate(); err != nil || !a.Can(registry.DutyClerk) || a.Can(registry.DutyAdmin) {
		t.Errorf("a valid clerk: %v", err)
	}
	a.Disabled = true
	if a.Can(registry.DutyClerk) {
		t.Error("a disabled account can act")
	}
	for _, bad := range []registry.Account{
		{Username: "Lan", Name: "x", Unit: "26740", Duties: a.Duties, PasswordHash: "h"},
		{Username: "lan", Name: "", Unit: "26740", Duties: a.Duties, PasswordHash: "h"},
		{Username: "lan", Name: "x", Unit: "2674", Duties: a.Duties, PasswordHash: "h"},
		{Username: "lan", Name: "x", Unit: "26740", PasswordHash: "h"},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	if registry.MaskID("079310012345") != "********2345" {
		t.Errorf("MaskID = %q", registry.MaskID("079310012345"))
	}
}
