package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// The clerks' desk is used by named accounts, each of one unit, with the
// duties its roles allow; every search, view, issue and decision is written
// to an append-only, hash-chained audit trail, so that who processed whose
// data is answerable (Decree 13/2023/NĐ-CP on personal data).

// Duty is what an account may do at the desk.
type Duty string

// The duties.
const (
	DutyClerk    Duty = "clerk"    // search, view, issue copies as the account's unit
	DutyReviewer Duty = "reviewer" // links, flags, conflicts, corrections of the unit's registers
	DutyOperator Duty = "operator" // batches and ingest reports
	DutyAdmin    Duty = "admin"    // accounts, keys, signer blocks
)

// Duties lists the duties in order.
var Duties = []Duty{DutyClerk, DutyReviewer, DutyOperator, DutyAdmin}

// Label returns the Vietnamese name of a duty.
func (d Duty) Label() string {
	switch d {
	case DutyClerk:
		return "Cán bộ tư pháp (tra cứu, cấp bản sao)"
	case DutyReviewer:
		return "Người duyệt (trùng lặp, cờ, xung đột, cải chính)"
	case DutyOperator:
		return "Vận hành (lô dữ liệu)"
	case DutyAdmin:
		return "Quản trị"
	}
	return string(d)
}

// ParseDuties reads a comma-separated list of duties.
func ParseDuties(s string) ([]Duty, error) {
	var out []Duty
	for _, part := range strings.Split(s, ",") {
		d := Duty(strings.TrimSpace(strings.ToLower(part)))
		if d == "" {
			continue
		}
		if !slices.Contains(Duties, d) {
			return nil, Errorf(EINVALID, "vai trò %q không hợp lệ (clerk, reviewer, operator, admin)", part)
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return nil, Errorf(EINVALID, "cần ít nhất một vai trò (clerk, reviewer, operator, admin)")
	}
	return out, nil
}

// Account is a person who works at the desk.
type Account struct {
	ID           int64
	Username     string // to log in: lower case letters, digits, . _ -
	Name         string // as shown and as the issue log records it
	Unit         string // code of the unit the person works for (today's units)
	Duties       []Duty
	Disabled     bool
	PasswordHash string    // argon2id, PHC string form; never shown
	FailedLogins int       // consecutive, since the last success
	LockedUntil  time.Time // zero: not locked
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Can reports whether the account has a duty and is not disabled.
func (a *Account) Can(d Duty) bool { return !a.Disabled && slices.Contains(a.Duties, d) }

// Validate checks an account before it is stored.
func (a *Account) Validate() error {
	switch {
	case !validUsername(a.Username):
		return FieldErrorf(EINVALID, "username", "tên đăng nhập %q không hợp lệ (3–32 ký tự: chữ thường, số, . _ -)", a.Username)
	case strings.TrimSpace(a.Name) == "" || len(a.Name) > 120 || strings.ContainsAny(a.Name, "\n\r\t"):
		return FieldErrorf(EINVALID, "name", "thiếu họ tên người dùng hoặc họ tên không hợp lệ")
	case !isAuthorityCode(a.Unit):
		return FieldErrorf(EINVALID, "unit", "mã đơn vị %q phải gồm 5 chữ số (xã, phường) hoặc 3 chữ số", a.Unit)
	case len(a.Duties) == 0:
		return FieldErrorf(EINVALID, "duties", "cần ít nhất một vai trò")
	case a.PasswordHash == "":
		return FieldErrorf(EINVALID, "password", "chưa đặt mật khẩu")
	}
	return nil
}

func validUsername(s string) bool {
	if len(s) < 3 || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// Session is a signed-in account's session at the desk. The store keeps
// only the SHA-256 of the token the browser holds.
type Session struct {
	TokenHash string
	AccountID int64
	CSRF      string // the token every state-changing request must carry
	Addr      string // where it was opened from
	CreatedAt time.Time
	SeenAt    time.Time
}

// AccountService keeps the desk's accounts and sessions.
type AccountService interface {
	// CreateAccount stores a new account (ECONFLICT if the username is
	// taken) and sets its ID.
	CreateAccount(ctx context.Context, a *Account) error
	// FindAccount returns an account by username, or ENOTFOUND.
	FindAccount(ctx context.Context, username string) (*Account, error)
	// FindAccountByID returns an account by ID, or ENOTFOUND.
	FindAccountByID(ctx context.Context, id int64) (*Account, error)
	// Accounts lists every account by username.
	Accounts(ctx context.Context) ([]*Account, error)
	// UpdateAccount changes an account: update gets it as stored and
	// changes it in place (name, unit, duties, disabled, password hash,
	// failed logins, lock).
	UpdateAccount(ctx context.Context, id int64, update func(*Account) error) (*Account, error)
	// CreateSession stores a session.
	CreateSession(ctx context.Context, s *Session) error
	// FindSession returns a session by its token's hash, or ENOTFOUND.
	FindSession(ctx context.Context, tokenHash string) (*Session, error)
	// TouchSession records that a session was used now.
	TouchSession(ctx context.Context, tokenHash string, at time.Time) error
	// DeleteSession ends a session; DeleteSessions ends every session of
	// an account (after a password change or when it is disabled), and
	// those not seen since a time.
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteSessions(ctx context.Context, accountID int64, notSeenSince time.Time) error
}

// AuditEntry is one line of the audit trail: who did what to whose data,
// when and from where. Query terms that identify a person are masked before
// they are written (a personal ID keeps its last four digits).
type AuditEntry struct {
	Seq    int64
	At     time.Time
	Actor  string // username, or "-" for a request without an account
	Unit   string // the actor's unit
	Action string // "login", "login_failed", "search", "view", "issue", "download", "correct", …
	Target string // what it concerned: a record ID, a serial, a link
	Detail string // a short description, without personal data beyond the task
	Addr   string // the client's address
	Prev   string // hex SHA-256 of the previous entry ("" for the first)
	Hash   string // hex SHA-256 of this entry with Prev
}

// AuditHash returns the hash that chains an entry to the previous one: the
// SHA-256 of the previous hash and the entry's fields, in a fixed encoding.
func AuditHash(e *AuditEntry) string {
	b, _ := json.Marshal([]any{e.Prev, e.Seq, e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.Unit, e.Action, e.Target, e.Detail, e.Addr})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	Actor  string
	Target string
	Since  time.Time
	Limit  int // 0: no limit
}

// AuditService keeps the audit trail.
type AuditService interface {
	// AppendAudit adds entries at the end of the trail, in order and in
	// one transaction (all or none): the store sets their Seq, Prev and
	// Hash. Many entries in one call cost one write transaction: the desk
	// groups the entries of concurrent requests so.
	AppendAudit(ctx context.Context, es ...*AuditEntry) error
	// AuditEntries lists entries matching f, oldest first.
	AuditEntries(ctx context.Context, f AuditFilter) ([]*AuditEntry, error)
	// EachAudit calls fn for every entry in order, for verification.
	EachAudit(ctx context.Context, fn func(*AuditEntry) error) error
}

// VerifyAuditChain checks a trail read in order: the seqs run without a
// hole from 1, every entry points to the hash of the one before and has
// the hash its fields give. It returns the entries checked and the first
// break, or nil.
func VerifyAuditChain(each func(fn func(*AuditEntry) error) error) (int64, error) {
	var n int64
	prev := ""
	err := each(func(e *AuditEntry) error {
		n++
		switch {
		case e.Seq != n:
			return Errorf(EINVALID, "nhật ký truy cập bị xóa hoặc đảo thứ tự: dòng thứ %d có số %d", n, e.Seq)
		case e.Prev != prev:
			return Errorf(EINVALID, "nhật ký truy cập bị sửa: dòng số %d không nối với dòng trước", e.Seq)
		case AuditHash(e) != e.Hash:
			return Errorf(EINVALID, "nhật ký truy cập bị sửa: nội dung dòng số %d không khớp mã băm", e.Seq)
		}
		prev = e.Hash
		return nil
	})
	return n, err
}

// MaskID shows the last four digits of a personal ID only, for logs and
// the audit trail.
func MaskID(s string) string {
	if len(s) <= 4 {
		return strings.Repeat("*", len(s))
	}
	return strings.Repeat("*", len(s)-4) + s[len(s)-4:]
}
