// Package accounts is who may work at the clerks' desk and what they did
// there: accounts of one unit with duties, passwords hashed with argon2id,
// logins throttled and locked after repeated failures, sessions that
// expire, the table of which duty allows which action and which unit may
// decide about which entry, and the audit trail every action is written
// to. The desk (package desk) and the command line share it.
package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/hotich/hotich/registry"
)

// Store is what accounts need of a store.
type Store interface {
	registry.AccountService
	registry.AuditService
}

// Login throttling and session lifetimes.
const (
	// MaxFailedLogins wrong passwords in a row lock an account for
	// LockoutDuration.
	MaxFailedLogins = 5
	LockoutDuration = 15 * time.Minute
	// IdleTimeout ends a session not used for that long; AbsoluteTimeout
	// ends any session that long after the login.
	IdleTimeout     = 30 * time.Minute
	AbsoluteTimeout = 12 * time.Hour
	// touchEvery is how stale a session's last-seen time may get before a
	// request writes it again: one write a minute per session, not one per
	// request, so reading clerks do not queue behind an ingest for the
	// store's write lock. Idle expiry is exact to within this.
	touchEvery = time.Minute
)

// Service manages accounts, logins and sessions.
type Service struct {
	Store   Store
	RefData *registry.RefData // units accounts may belong to
	Auditor *Auditor
	Now     func() time.Time // nil: time.Now
	// Hash are the parameters of new password hashes; zero: the defaults.
	Hash HashParams
	// MaxHashing bounds the password hashes computed at once (each takes
	// Hash.Memory); 0: 4.
	MaxHashing int
	Log        *slog.Logger // nil: none

	once    sync.Once
	hashing chan struct{}
	dummy   string // a hash to check unknown usernames against
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) params() HashParams {
	if s.Hash == (HashParams{}) {
		return DefaultHashParams
	}
	return s.Hash
}

func (s *Service) init() {
	s.once.Do(func() {
		n := s.MaxHashing
		if n <= 0 {
			n = 4
		}
		s.hashing = make(chan struct{}, n)
		s.dummy, _ = HashPassword("hotich: no such account", s.params())
	})
}

// slot waits for a hashing slot; release it with the returned func.
func (s *Service) slot(ctx context.Context) (func(), error) {
	s.init()
	select {
	case s.hashing <- struct{}{}:
		return func() { <-s.hashing }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *Service) hash(ctx context.Context, password string) (string, error) {
	release, err := s.slot(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return HashPassword(password, s.params())
}

func (s *Service) verify(ctx context.Context, password, hash string) (bool, error) {
	release, err := s.slot(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return VerifyPassword(password, hash), nil
}

func (s *Service) audit(ctx context.Context, who Actor, action, target, detail string) error {
	if s.Auditor == nil {
		return nil
	}
	return s.Auditor.Record(ctx, who, action, target, detail)
}

// Errors of a login. A wrong username and a wrong password get the same
// message, so that the desk does not tell which usernames exist.
var errBadLogin = registry.Errorf(registry.EINVALID, "tên đăng nhập hoặc mật khẩu không đúng")

// Locked is the error of a login to an account locked after repeated
// wrong passwords.
type Locked struct {
	Until time.Time
	err   *registry.Error
}

func (l *Locked) Error() string { return l.err.Error() }
func (l *Locked) Unwrap() error { return l.err }

func locked(until, now time.Time) error {
	mins := int(until.Sub(now).Round(time.Minute) / time.Minute)
	if mins < 1 {
		mins = 1
	}
	return &Locked{Until: until, err: registry.Errorf(registry.EREFUSED,
		"tài khoản tạm khóa vì nhập sai mật khẩu %d lần liên tiếp; thử lại sau %d phút (lúc %s), hoặc nhờ quản trị viên đặt lại mật khẩu",
		MaxFailedLogins, mins, until.In(registry.Vietnam).Format("15:04"))}
}

// Session is a signed-in account with its session and the token its
// browser holds (only its hash is stored).
type Session struct {
	Account *registry.Account
	Session *registry.Session
	Token   string
}

// Login checks a username and password from a client address and opens a
// session. Wrong passwords are counted; the MaxFailedLogins-th in a row
// locks the account for LockoutDuration, and says so. Every login and
// failed login is audited.
func (s *Service) Login(ctx context.Context, username, password, addr string) (*Session, error) {
	s.init()
	username = strings.ToLower(strings.TrimSpace(username))
	now := s.now()
	a, err := s.Store.FindAccount(ctx, username)
	if registry.ErrorCode(err) == registry.ENOTFOUND || username == "" {
		// Spend the time a real check takes, so that timing does not tell
		// which usernames exist.
		if _, err := s.verify(ctx, password, s.dummy); err != nil {
			return nil, err
		}
		if err := s.audit(ctx, Actor{Username: "-", Addr: addr}, AuditLoginFailed, "", "tên đăng nhập không tồn tại "+NameTerm(username)); err != nil {
			return nil, err
		}
		return nil, errBadLogin
	}
	if err != nil {
		return nil, err
	}
	who := ActorOf(a, addr)
	if a.LockedUntil.After(now) {
		if err := s.audit(ctx, who, AuditLoginFailed, "", "tài khoản đang tạm khóa"); err != nil {
			return nil, err
		}
		return nil, locked(a.LockedUntil, now)
	}
	ok, err := s.verify(ctx, password, a.PasswordHash)
	if err != nil {
		return nil, err
	}
	if !ok {
		var lockedNow bool
		var fails int
		_, err := s.Store.UpdateAccount(ctx, a.ID, func(x *registry.Account) error {
			x.FailedLogins++
			fails = x.FailedLogins
			if x.FailedLogins >= MaxFailedLogins {
				x.FailedLogins, x.LockedUntil, lockedNow = 0, now.Add(LockoutDuration), true
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		detail := fmt.Sprintf("sai mật khẩu (lần %d/%d)", fails, MaxFailedLogins)
		if lockedNow {
			detail += ", khóa " + LockoutDuration.String()
		}
		if err := s.audit(ctx, who, AuditLoginFailed, "", detail); err != nil {
			return nil, err
		}
		if lockedNow {
			if s.Log != nil {
				s.Log.Warn("account locked after failed logins", "user", a.Username, "addr", addr)
			}
			return nil, locked(now.Add(LockoutDuration), now)
		}
		return nil, errBadLogin
	}
	if a.Disabled {
		// Said only to whoever knows the password.
		if err := s.audit(ctx, who, AuditLoginFailed, "", "tài khoản đã bị vô hiệu hóa"); err != nil {
			return nil, err
		}
		return nil, registry.Errorf(registry.EREFUSED, "tài khoản %s đã bị vô hiệu hóa: liên hệ quản trị viên", a.Username)
	}
	if a.FailedLogins != 0 || !a.LockedUntil.IsZero() {
		if a, err = s.Store.UpdateAccount(ctx, a.ID, func(x *registry.Account) error {
			x.FailedLogins, x.LockedUntil = 0, time.Time{}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	token, err := randomToken()
	if err != nil {
		return nil, err
	}
	csrf, err := randomToken()
	if err != nil {
		return nil, err
	}
	sess := &registry.Session{TokenHash: TokenHash(token), AccountID: a.ID, CSRF: csrf, Addr: addr, CreatedAt: now, SeenAt: now}
	// Sessions left idle go with each login: the table stays small.
	if err := s.Store.DeleteSessions(ctx, 0, now.Add(-IdleTimeout)); err != nil {
		return nil, err
	}
	if err := s.Store.CreateSession(ctx, sess); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, who, AuditLogin, "", ""); err != nil {
		return nil, err
	}
	return &Session{Account: a, Session: sess, Token: token}, nil
}

// randomToken returns 32 random bytes, base64url.
func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// TokenHash returns the hex SHA-256 of a session token, as the store keeps
// it.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// errExpired is the error of a missing or expired session.
var errExpired = registry.Errorf(registry.ENOTFOUND, "phiên làm việc đã hết hạn, vui lòng đăng nhập lại")

// Authenticate returns the account and session of a token. A session
// unused for IdleTimeout, older than AbsoluteTimeout, or of an account
// disabled since, is ended (ENOTFOUND).
func (s *Service) Authenticate(ctx context.Context, token string) (*Session, error) {
	if token == "" || len(token) > 128 {
		return nil, errExpired
	}
	h := TokenHash(token)
	sess, err := s.Store.FindSession(ctx, h)
	if registry.ErrorCode(err) == registry.ENOTFOUND {
		return nil, errExpired
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if now.Sub(sess.SeenAt) > IdleTimeout || now.Sub(sess.CreatedAt) > AbsoluteTimeout {
		if err := s.Store.DeleteSession(ctx, h); err != nil {
			return nil, err
		}
		return nil, errExpired
	}
	a, err := s.Store.FindAccountByID(ctx, sess.AccountID)
	if registry.ErrorCode(err) == registry.ENOTFOUND || err == nil && a.Disabled {
		if err := s.Store.DeleteSession(ctx, h); err != nil {
			return nil, err
		}
		return nil, errExpired
	}
	if err != nil {
		return nil, err
	}
	if now.Sub(sess.SeenAt) >= touchEvery {
		if err := s.Store.TouchSession(ctx, h, now); err != nil {
			return nil, err
		}
		sess.SeenAt = now
	}
	return &Session{Account: a, Session: sess, Token: token}, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, sess *Session, addr string) error {
	if err := s.Store.DeleteSession(ctx, sess.Session.TokenHash); err != nil {
		return err
	}
	return s.audit(ctx, ActorOf(sess.Account, addr), AuditLogout, "", "")
}

// NewAccount is what an administrator gives to create an account.
type NewAccount struct {
	Username string
	Name     string
	Unit     string
	Duties   []registry.Duty
	Password string
}

// checkUnit checks that a unit code names a commune-level unit in force
// today: accounts belong to today's units.
func (s *Service) checkUnit(code string) error {
	if s.RefData == nil {
		return nil
	}
	if u, ok := s.RefData.UnitNow(code); !ok || u.Level != 3 {
		return registry.FieldErrorf(registry.EINVALID, "unit", "mã đơn vị %q không phải một xã, phường, đặc khu hiện nay", code)
	}
	return nil
}

// AddAccount creates an account.
func (s *Service) AddAccount(ctx context.Context, by Actor, n NewAccount) (*registry.Account, error) {
	a := &registry.Account{Username: strings.ToLower(strings.TrimSpace(n.Username)), Name: strings.TrimSpace(n.Name),
		Unit: strings.TrimSpace(n.Unit), Duties: n.Duties, PasswordHash: "-"}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkUnit(a.Unit); err != nil {
		return nil, err
	}
	if err := CheckPassword(n.Password, a.Username, a.Unit); err != nil {
		return nil, err
	}
	h, err := s.hash(ctx, n.Password)
	if err != nil {
		return nil, err
	}
	a.PasswordHash = h
	if err := s.Store.CreateAccount(ctx, a); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, by, AuditUserAdd, "user:"+a.Username, fmt.Sprintf("đơn vị %s, vai trò %s", a.Unit, dutyList(a.Duties))); err != nil {
		return nil, err
	}
	return a, nil
}

func dutyList(ds []registry.Duty) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = string(d)
	}
	return strings.Join(s, ",")
}

// SetPassword sets an account's password, lifts any lock and ends its
// sessions.
func (s *Service) SetPassword(ctx context.Context, by Actor, username, password string) error {
	a, err := s.Store.FindAccount(ctx, username)
	if err != nil {
		return err
	}
	if err := CheckPassword(password, a.Username, a.Unit); err != nil {
		return err
	}
	h, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	if _, err := s.Store.UpdateAccount(ctx, a.ID, func(x *registry.Account) error {
		x.PasswordHash, x.FailedLogins, x.LockedUntil = h, 0, time.Time{}
		return nil
	}); err != nil {
		return err
	}
	if err := s.Store.DeleteSessions(ctx, a.ID, time.Time{}); err != nil {
		return err
	}
	return s.audit(ctx, by, AuditUserPassword, "user:"+a.Username, "")
}

// ChangePassword is a person changing their own password: the current one
// must be right.
func (s *Service) ChangePassword(ctx context.Context, sess *Session, addr, current, next string) error {
	ok, err := s.verify(ctx, current, sess.Account.PasswordHash)
	if err != nil {
		return err
	}
	if !ok {
		return registry.FieldErrorf(registry.EINVALID, "current", "mật khẩu hiện tại không đúng")
	}
	return s.SetPassword(ctx, ActorOf(sess.Account, addr), sess.Account.Username, next)
}

// SetDisabled disables an account (ending its sessions) or enables it
// again (lifting any lock).
func (s *Service) SetDisabled(ctx context.Context, by Actor, username string, disabled bool) error {
	a, err := s.Store.FindAccount(ctx, username)
	if err != nil {
		return err
	}
	if _, err := s.Store.UpdateAccount(ctx, a.ID, func(x *registry.Account) error {
		x.Disabled = disabled
		if !disabled {
			x.FailedLogins, x.LockedUntil = 0, time.Time{}
		}
		return nil
	}); err != nil {
		return err
	}
	action := AuditUserEnable
	if disabled {
		action = AuditUserDisable
		if err := s.Store.DeleteSessions(ctx, a.ID, time.Time{}); err != nil {
			return err
		}
	}
	return s.audit(ctx, by, action, "user:"+a.Username, "")
}

// ActAs returns the account a person names on the command line (--user),
// which must exist, be enabled and be allowed the action.
func (s *Service) ActAs(ctx context.Context, username string, act Action) (*registry.Account, error) {
	a, err := s.Store.FindAccount(ctx, strings.ToLower(strings.TrimSpace(username)))
	if err != nil {
		return nil, err
	}
	if a.Disabled {
		return nil, Forbid("tài khoản %s đã bị vô hiệu hóa", a.Username)
	}
	if err := Require(a, act); err != nil {
		return nil, err
	}
	return a, nil
}
