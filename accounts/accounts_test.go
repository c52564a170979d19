package accounts_test

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hotich/hotich/accounts"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sqlite"
	"github.com/hotich/hotich/registry/vntext"
)

// cheap are hash parameters fast enough for tests; the format and the
// checks are the same as the defaults'.
var cheap = accounts.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

var t0 = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time            { return c.t }
func (c *clock) advance(d time.Duration)   { c.t = c.t.Add(d) }
func (c *clock) set(t time.Time) time.Time { c.t = t; return t }

func newService(t *testing.T) (*accounts.Service, *sqlite.DB, *clock) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hotich.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c := &clock{t: t0}
	db.Now = c.now
	ref, err := db.RefData(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := &accounts.Service{Store: db, RefData: ref, Auditor: &accounts.Auditor{Store: db}, Now: c.now, Hash: cheap}
	return s, db, c
}

var admin = accounts.Actor{Username: "-", Addr: "cli:test"}

func addAccount(t *testing.T, s *accounts.Service, username, unit string, duties ...registry.Duty) *registry.Account {
	t.Helper()
	a, err := s.AddAccount(context.Background(), admin, accounts.NewAccount{Username: username, Name: "Người " + username, Unit: unit, Duties: duties, Password: "một câu dài dễ nhớ"})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func trail(t *testing.T, db *sqlite.DB) []string {
	t.Helper()
	es, err := db.AuditEntries(context.Background(), registry.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Actor+" "+e.Action+" "+e.Detail)
	}
	return out
}

func TestPasswordHash(t *testing.T) {
	h, err := accounts.HashPassword("một câu dài dễ nhớ", accounts.DefaultHashParams)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\$argon2id\$v=19\$m=65536,t=3,p=4\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`).MatchString(h) {
		t.Errorf("not a PHC argon2id string: %s", h)
	}
	if !accounts.VerifyPassword("một câu dài dễ nhớ", h) {
		t.Error("the right password does not verify")
	}
	if accounts.VerifyPassword("một câu dài dễ nhớ ", h) || accounts.VerifyPassword("", h) {
		t.Error("a wrong password verifies")
	}
	h2, _ := accounts.HashPassword("một câu dài dễ nhớ", cheap)
	if h2 == h || strings.Split(h2, "$")[4] == strings.Split(h, "$")[4] {
		t.Error("two hashes share a salt")
	}
	if !accounts.VerifyPassword("một câu dài dễ nhớ", h2) {
		t.Error("a hash with other parameters does not verify")
	}
	// A hash edited in the store to ask for absurd work, or malformed,
	// matches nothing (and costs nothing).
	parts := strings.Split(h2, "$")
	for _, bad := range []string{
		strings.Replace(h2, "m=64,", "m=4194304,", 1),
		strings.Replace(h2, "t=1,", "t=1000,", 1),
		strings.Replace(h2, "$argon2id$", "$argon2i$", 1),
		strings.Join(append(parts[:5:5], "AAAA"), "$"),
		"", "$argon2id$x", "plain",
	} {
		if accounts.VerifyPassword("một câu dài dễ nhớ", bad) {
			t.Errorf("malformed hash verifies: %s", bad)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	for pw, ok := range map[string]bool{
		"một câu dài dễ nhớ":     true,
		"ngắn":                   false,
		"aaaaaaaaaaaaaa":         false,
		"ôôôôôôôôôôôô":           false,
		"lan.nguyen2026!":        false, // the username
		"phuong 26740 moi":       false, // the unit
		"Mật Khẩu 123":           false, // common, whatever the case and marks
		"1234567890":             false,
		strings.Repeat("ab", 65): false,
	} {
		err := accounts.CheckPassword(pw, "lan.nguyen", "26740")
		if (err == nil) != ok {
			t.Errorf("%q: %v, want ok=%v", pw, err, ok)
		}
		if err != nil && registry.ErrorField(err) != "password" {
			t.Errorf("%q: error names %q", pw, registry.ErrorField(err))
		}
	}
}

func TestAddAccount(t *testing.T) {
	s, db, _ := newService(t)
	ctx := context.Background()
	a := addAccount(t, s, "Lan", "26740", registry.DutyClerk)
	if a.Username != "lan" || !strings.HasPrefix(a.PasswordHash, "$argon2id$") || strings.Contains(a.PasswordHash, "một") {
		t.Errorf("account: %+v", a)
	}
	for name, n := range map[string]accounts.NewAccount{
		"OldUnit":  {Username: "binh", Name: "Bình", Unit: "26734", Duties: a.Duties, Password: "một câu dài dễ nhớ"}, // the old Tân Định, gone since 1 July 2025
		"District": {Username: "binh", Name: "Bình", Unit: "760", Duties: a.Duties, Password: "một câu dài dễ nhớ"},
		"Weak":     {Username: "binh", Name: "Bình", Unit: "26743", Duties: a.Duties, Password: "binh12345678"},
		"Taken":    {Username: "lan", Name: "Lan", Unit: "26743", Duties: a.Duties, Password: "một câu dài dễ nhớ"},
		"NoDuty":   {Username: "binh", Name: "Bình", Unit: "26743", Password: "một câu dài dễ nhớ"},
	} {
		if _, err := s.AddAccount(ctx, admin, n); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if got := trail(t, db); len(got) != 1 || !strings.Contains(got[0], "user_add") {
		t.Errorf("trail: %q", got)
	}
}

func TestLoginLockout(t *testing.T) {
	s, db, c := newService(t)
	ctx := context.Background()
	addAccount(t, s, "lan", "26740", registry.DutyClerk)
	for i := 1; i <= 4; i++ {
		_, err := s.Login(ctx, "lan", "sai mật khẩu rồi", "10.0.0.5")
		if registry.ErrorMessage(err) != "tên đăng nhập hoặc mật khẩu không đúng" {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	_, err := s.Login(ctx, "lan", "sai mật khẩu rồi", "10.0.0.5")
	var l *accounts.Locked
	if !errors.As(err, &l) || !l.Until.Equal(t0.Add(accounts.LockoutDuration)) || !strings.Contains(registry.ErrorMessage(err), "15 phút") {
		t.Fatalf("5th wrong password: %v", err)
	}
	// Locked: even the right password is refused, without a check.
	c.advance(14 * time.Minute)
	if _, err := s.Login(ctx, "lan", "một câu dài dễ nhớ", "10.0.0.5"); !errors.As(err, &l) || !strings.Contains(registry.ErrorMessage(err), "1 phút") {
		t.Fatalf("right password while locked: %v", err)
	}
	c.advance(time.Minute)
	got, err := s.Login(ctx, "lan", "một câu dài dễ nhớ", "10.0.0.5")
	if err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	if got.Account.FailedLogins != 0 || !got.Account.LockedUntil.IsZero() || len(got.Token) != 43 || got.Session.TokenHash != accounts.TokenHash(got.Token) {
		t.Errorf("session: %+v %+v", got.Account, got.Session)
	}
	// The store never holds the token itself.
	if _, err := db.FindSession(ctx, got.Token); registry.ErrorCode(err) != registry.ENOTFOUND {
		t.Error("the token is stored in clear")
	}
	// An unknown user is told the same as a wrong password.
	if _, err := s.Login(ctx, "nguyen van an", "x", "10.0.0.6"); registry.ErrorMessage(err) != "tên đăng nhập hoặc mật khẩu không đúng" {
		t.Errorf("unknown user: %v", err)
	}
	tr := trail(t, db)
	want := []string{"- user_add", "lan login_failed sai mật khẩu (lần 1/5)", "lan login_failed sai mật khẩu (lần 2/5)",
		"lan login_failed sai mật khẩu (lần 3/5)", "lan login_failed sai mật khẩu (lần 4/5)", "lan login_failed sai mật khẩu (lần 5/5), khóa 15m0s",
		"lan login_failed tài khoản đang tạm khóa", "lan login ", "- login_failed tên đăng nhập không tồn tại #"}
	if len(tr) != len(want) {
		t.Fatalf("trail:\n%s", strings.Join(tr, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(tr[i], want[i]) {
			t.Errorf("trail[%d] = %q, want %q…", i, tr[i], want[i])
		}
	}
	// The name typed as a username is not in the trail in clear.
	if strings.Contains(strings.Join(tr, "\n"), "nguyen") {
		t.Error("an unknown username is in the trail in clear")
	}
}

func TestSessionExpiry(t *testing.T) {
	s, _, c := newService(t)
	ctx := context.Background()
	addAccount(t, s, "lan", "26740", registry.DutyClerk)
	login := func() string {
		got, err := s.Login(ctx, "lan", "một câu dài dễ nhớ", "10.0.0.5")
		if err != nil {
			t.Fatal(err)
		}
		return got.Token
	}
	t.Run("Idle", func(t *testing.T) {
		c.set(t0)
		tok := login()
		c.advance(29 * time.Minute)
		if _, err := s.Authenticate(ctx, tok); err != nil {
			t.Fatalf("29 minutes idle: %v", err)
		}
		c.advance(29 * time.Minute) // seen 29 minutes ago: still open
		if _, err := s.Authenticate(ctx, tok); err != nil {
			t.Fatalf("used again within the idle time: %v", err)
		}
		c.advance(31 * time.Minute)
		if _, err := s.Authenticate(ctx, tok); registry.ErrorCode(err) != registry.ENOTFOUND {
			t.Fatalf("31 minutes idle: %v", err)
		}
		c.advance(-31 * time.Minute) // ended for good, not only too old
		if _, err := s.Authenticate(ctx, tok); registry.ErrorCode(err) != registry.ENOTFOUND {
			t.Fatalf("an expired session came back: %v", err)
		}
	})
	t.Run("Absolute", func(t *testing.T) {
		c.set(t0)
		tok := login()
		for c.t.Before(t0.Add(accounts.AbsoluteTimeout)) {
			if _, err := s.Authenticate(ctx, tok); err != nil {
				t.Fatalf("at %v: %v", c.t.Sub(t0), err)
			}
			c.advance(20 * time.Minute)
		}
		c.set(t0.Add(accounts.AbsoluteTimeout + time.Minute))
		if _, err := s.Authenticate(ctx, tok); registry.ErrorCode(err) != registry.ENOTFOUND {
			t.Fatalf("after 12 h in use: %v", err)
		}
	})
	t.Run("Logout", func(t *testing.T) {
		c.set(t0)
		tok := login()
		sess, err := s.Authenticate(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Logout(ctx, sess, "10.0.0.5"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, tok); registry.ErrorCode(err) != registry.ENOTFOUND {
			t.Fatalf("after logout: %v", err)
		}
	})
	t.Run("Disabled", func(t *testing.T) {
		c.set(t0)
		tok := login()
		if err := s.SetDisabled(ctx, admin, "lan", true); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, tok); registry.ErrorCode(err) != registry.ENOTFOUND {
			t.Fatalf("session of a disabled account: %v", err)
		}
		if _, err := s.Login(ctx, "lan", "một câu dài dễ nhớ", "10.0.0.5"); registry.ErrorCode(err) != registry.EREFUSED {
			t.Fatalf("login of a disabled account: %v", err)
		}
		if err := s.SetDisabled(ctx, admin, "lan", false); err != nil {
			t.Fatal(err)
		}
		login()
	})
	t.Run("Password", func(t *testing.T) {
		c.set(t0)
		tok := login()
		sess, _ := s.Authenticate(ctx, tok)
		if err := s.ChangePassword(ctx, sess, "10.0.0.5", "không đúng mật khẩu", "một câu mới khác hẳn"); registry.ErrorField(err) != "current" {
			t.Fatalf("wrong current password: %v", err)
		}
		if err := s.ChangePassword(ctx, sess, "10.0.0.5", "một câu dài dễ nhớ", "một câu mới khác hẳn"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, tok); registry.ErrorCode(err) != registry.ENOTFOUND {
			t.Fatalf("a session outlived a password change: %v", err)
		}
		if _, err := s.Login(ctx, "lan", "một câu mới khác hẳn", "10.0.0.5"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestAllowed(t *testing.T) {
	// Each duty against each action: the README's table.
	want := map[registry.Duty][]accounts.Action{
		registry.DutyClerk:    {accounts.ActSearch, accounts.ActView, accounts.ActIssue, accounts.ActDownload},
		registry.DutyReviewer: {accounts.ActSearch, accounts.ActView, accounts.ActReview, accounts.ActDecide},
		registry.DutyOperator: {accounts.ActBatches},
		registry.DutyAdmin:    {accounts.ActAdmin},
	}
	for _, d := range registry.Duties {
		a := &registry.Account{Username: "x", Duties: []registry.Duty{d}}
		for _, act := range accounts.Actions {
			ok := false
			for _, w := range want[d] {
				ok = ok || w == act
			}
			if accounts.Allowed(a, act) != ok {
				t.Errorf("%s %s: allowed=%v", d, act, !ok)
			}
			if err := accounts.Require(a, act); (err == nil) != ok || err != nil && !accounts.IsForbidden(err) {
				t.Errorf("%s %s: Require = %v", d, act, err)
			}
		}
	}
	both := &registry.Account{Duties: []registry.Duty{registry.DutyClerk, registry.DutyReviewer}}
	if !accounts.Allowed(both, accounts.ActOverride) {
		t.Error("a clerk who reviews cannot override")
	}
	both.Disabled = true
	for _, act := range accounts.Actions {
		if accounts.Allowed(both, act) {
			t.Errorf("a disabled account may %s", act)
		}
	}
}

func TestHoldsRegister(t *testing.T) {
	s, _, _ := newService(t)
	// Phường Bến Nghé (26740) and part of Phường Đa Kao (26737) became
	// Phường Sài Gòn (26740); the old Phường Tân Định (26734) became the
	// new one (26737); Phường Bến Thành (26743) stayed.
	for old, now := range map[string]string{"26740": "26740", "26737": "26737", "26734": "26737", "26743": "26743", "99999": ""} {
		if got := accounts.Holder(s.RefData, old); got != now {
			t.Errorf("holder of %s: %q, want %q", old, got, now)
		}
	}
	rec := &registry.Record{ID: "KS-26740-X", AuthorityCode: "26740"}
	a := &registry.Account{Username: "lan", Unit: "26740"}
	b := &registry.Account{Username: "binh", Unit: "26743"}
	if err := accounts.HoldsRegister(s.RefData, a, rec); err != nil {
		t.Errorf("holder refused: %v", err)
	}
	err := accounts.HoldsRegister(s.RefData, b, rec)
	if !accounts.IsForbidden(err) || registry.ErrorCode(err) != registry.EREFUSED {
		t.Errorf("another unit allowed: %v", err)
	}
	if err := accounts.HoldsRegister(s.RefData, a, &registry.Record{ID: "KS-99999-Z", AuthorityCode: "99999"}); !accounts.IsForbidden(err) {
		t.Errorf("an entry of an unknown authority: %v", err)
	}
	other := &registry.Record{ID: "KS-26743-Y", AuthorityCode: "26743"}
	if err := accounts.HoldsEither(s.RefData, b, rec, other); err != nil {
		t.Errorf("a link to the unit's entry: %v", err)
	}
	if err := accounts.HoldsEither(s.RefData, a, other, other); !accounts.IsForbidden(err) {
		t.Errorf("a link between another unit's entries: %v", err)
	}
}

func TestSearchDetail(t *testing.T) {
	birth, _ := vntext.ParseDate("20/05/2016")
	d := accounts.SearchDetail(registry.RecordFilter{PersonalID: "079316012345", Name: "Nguyễn Thị Thuý", Birth: birth, Parent: "Trần Thị Lan"}, "", 3)
	for _, leak := range []string{"079316012345", "Nguyễn", "nguyen", "Thuý", "Lan", "20/05", "05-20"} {
		if strings.Contains(d, leak) {
			t.Errorf("detail %q shows %q", d, leak)
		}
	}
	if !strings.Contains(d, "********2345") || !strings.Contains(d, "nam_sinh=2016") || !strings.Contains(d, "ket_qua=3") {
		t.Errorf("detail %q", d)
	}
	// The same name however it is written hashes alike: an auditor finds it.
	if accounts.NameTerm("nguyen thi thuy") != accounts.NameTerm("NGUYỄN THỊ THÚY") || !strings.Contains(d, accounts.NameTerm("nguyễn thị thúy")) {
		t.Error("name terms differ by spelling")
	}
}
