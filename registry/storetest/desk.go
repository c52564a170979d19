package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/hotich/hotich/registry"
)

// testAccounts: accounts are stored, found and changed; a username is
// unique; sessions come and go.
func testAccounts(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	a := &registry.Account{Username: "lan", Name: "Nguyễn Thị Lan", Unit: "26740", Duties: []registry.Duty{registry.DutyClerk}, PasswordHash: "$argon2id$x"}
	if err := db.CreateAccount(ctx, a); err != nil || a.ID == 0 {
		t.Fatalf("create: %v %d", err, a.ID)
	}
	if err := db.CreateAccount(ctx, &registry.Account{Username: "lan", Name: "x", Unit: "26743", Duties: a.Duties, PasswordHash: "h"}); registry.ErrorCode(err) != registry.ECONFLICT {
		t.Errorf("a taken username: %v", err)
	}
	got, err := db.FindAccount(ctx, "lan")
	if err != nil || got.Name != a.Name || !got.Can(registry.DutyClerk) || got.Unit != "26740" {
		t.Fatalf("find: %+v %v", got, err)
	}
	if _, err := db.FindAccount(ctx, "nobody"); registry.ErrorCode(err) != registry.ENOTFOUND {
		t.Errorf("unknown: %v", err)
	}
	lock := Clock.Add(15 * time.Minute)
	up, err := db.UpdateAccount(ctx, a.ID, func(x *registry.Account) error {
		x.Duties = append(x.Duties, registry.DutyReviewer)
		x.FailedLogins, x.LockedUntil = 5, lock
		x.Username = "renamed" // not changeable
		return nil
	})
	if err != nil || up.Username != "lan" {
		t.Fatalf("update: %+v %v", up, err)
	}
	got, _ = db.FindAccountByID(ctx, a.ID)
	if !got.Can(registry.DutyReviewer) || got.FailedLogins != 5 || !got.LockedUntil.Equal(lock) {
		t.Errorf("after update: %+v", got)
	}
	if _, err := db.UpdateAccount(ctx, a.ID, func(x *registry.Account) error { x.Unit = "1"; return nil }); registry.ErrorCode(err) != registry.EINVALID {
		t.Errorf("an invalid update: %v", err)
	}
	list, err := db.Accounts(ctx)
	if err != nil || len(list) != 1 {
		t.Errorf("accounts: %v %v", list, err)
	}

	s := &registry.Session{TokenHash: "h1", AccountID: a.ID, CSRF: "c", Addr: "10.0.0.5", CreatedAt: Clock, SeenAt: Clock}
	if err := db.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := db.TouchSession(ctx, "h1", Clock.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got2, err := db.FindSession(ctx, "h1")
	if err != nil || got2.AccountID != a.ID || !got2.SeenAt.Equal(Clock.Add(time.Minute)) || got2.CSRF != "c" {
		t.Fatalf("session: %+v %v", got2, err)
	}
	db.CreateSession(ctx, &registry.Session{TokenHash: "h2", AccountID: a.ID, CSRF: "d", CreatedAt: Clock, SeenAt: Clock})
	if err := db.DeleteSessions(ctx, 0, Clock.Add(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FindSession(ctx, "h2"); registry.ErrorCode(err) != registry.ENOTFOUND {
		t.Errorf("an idle session survived: %v", err)
	}
	if err := db.DeleteSessions(ctx, a.ID, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FindSession(ctx, "h1"); registry.ErrorCode(err) != registry.ENOTFOUND {
		t.Errorf("a session of the account survived: %v", err)
	}
}

// testAudit: the trail is appended in order, chained, listed by actor and
// target, and verifies.
func testAudit(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	for i, action := range []string{"login", "search", "view", "issue"} {
		e := &registry.AuditEntry{At: Clock.Add(time.Duration(i) * time.Second), Actor: "lan", Unit: "26740", Action: action, Target: ID(1), Addr: "10.0.0.5"}
		if i == 0 {
			e.Target = ""
		}
		if err := db.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
		if e.Seq != int64(i+1) || e.Hash == "" {
			t.Fatalf("appended %+v", e)
		}
	}
	// Several entries in one call: chained in order, after the others.
	group := []*registry.AuditEntry{{Actor: "-", Action: "login_failed", Detail: "binh", Addr: "10.0.0.9"}, {Actor: "-", Action: "login_failed", Detail: "lan", Addr: "10.0.0.9"}}
	if err := db.AppendAudit(ctx, group...); err != nil {
		t.Fatal(err)
	}
	if group[0].Seq != 5 || group[1].Seq != 6 || group[1].Prev != group[0].Hash || group[0].Hash == "" {
		t.Fatalf("appended together: %+v %+v", group[0], group[1])
	}
	if n, err := registry.VerifyAuditChain(func(fn func(*registry.AuditEntry) error) error { return db.EachAudit(ctx, fn) }); err != nil || n != 6 {
		t.Fatalf("verify: %d %v", n, err)
	}
	byTarget, err := db.AuditEntries(ctx, registry.AuditFilter{Target: ID(1)})
	if err != nil || len(byTarget) != 3 {
		t.Errorf("by target: %d %v", len(byTarget), err)
	}
	byActor, _ := db.AuditEntries(ctx, registry.AuditFilter{Actor: "lan", Since: Clock.Add(2 * time.Second)})
	if len(byActor) != 2 || byActor[0].Action != "view" {
		t.Errorf("by actor since: %+v", byActor)
	}
}
