package accounts

import (
	"errors"
	"slices"

	"github.com/hotich/hotich/registry"
)

// Action is something a person does at the desk or, as a named account,
// on the command line. Which duties allow which action is Allowed's
// table; where the record concerned must be held by the person's unit,
// HoldsRegister says.
type Action string

// The actions.
const (
	ActSearch   Action = "search"   // look entries up
	ActView     Action = "view"     // open an entry with its source rows and history
	ActIssue    Action = "issue"    // issue a certified copy as the account's unit
	ActOverride Action = "override" // issue a copy of an entry under review, giving a reason
	ActDownload Action = "download" // download (or revoke) a copy the account's unit issued
	ActReview   Action = "review"   // see the city's review queue, the model, flags and conflicts
	ActDecide   Action = "decide"   // confirm, reject, reopen links; close flags; settle conflicts; correct
	ActBatches  Action = "batches"  // see batches and ingest reports
	ActAdmin    Action = "admin"    // manage accounts and signer blocks
)

// Actions lists every action, in the order the README's table gives them.
var Actions = []Action{ActSearch, ActView, ActIssue, ActOverride, ActDownload, ActReview, ActDecide, ActBatches, ActAdmin}

// allowed maps each action to the duties that allow it (any one of them;
// ActOverride needs all of its own).
var allowed = map[Action][]registry.Duty{
	ActSearch:   {registry.DutyClerk, registry.DutyReviewer},
	ActView:     {registry.DutyClerk, registry.DutyReviewer},
	ActIssue:    {registry.DutyClerk},
	ActOverride: {registry.DutyClerk, registry.DutyReviewer},
	ActDownload: {registry.DutyClerk},
	ActReview:   {registry.DutyReviewer},
	ActDecide:   {registry.DutyReviewer},
	ActBatches:  {registry.DutyOperator},
	ActAdmin:    {registry.DutyAdmin},
}

// Allowed reports whether an account's duties allow an action. A disabled
// account may do nothing. Issuing a copy of an entry under review needs
// both the clerk's and the reviewer's duty: the person who overrides a
// review must be one who could have settled it.
func Allowed(a *registry.Account, act Action) bool {
	if a == nil || a.Disabled {
		return false
	}
	duties := allowed[act]
	if act == ActOverride {
		for _, d := range duties {
			if !a.Can(d) {
				return false
			}
		}
		return true
	}
	return slices.ContainsFunc(duties, a.Can)
}

// Forbidden is the error of an action an account may not take. It wraps a
// registry error with code EREFUSED (the command line exits 3); the desk
// answers 403.
type Forbidden struct{ err *registry.Error }

func (f *Forbidden) Error() string { return f.err.Error() }
func (f *Forbidden) Unwrap() error { return f.err }

// Forbid returns a Forbidden error with a message for the person.
func Forbid(format string, args ...any) error {
	return &Forbidden{registry.Errorf(registry.EREFUSED, format, args...)}
}

// IsForbidden reports whether err is a Forbidden error.
func IsForbidden(err error) bool {
	var f *Forbidden
	return errors.As(err, &f)
}

// Require returns a Forbidden error unless the account may take the
// action.
func Require(a *registry.Account, act Action) error {
	if Allowed(a, act) {
		return nil
	}
	if a == nil {
		return Forbid("cần đăng nhập")
	}
	return Forbid("tài khoản %s không có quyền %s", a.Username, act.Label())
}

// Label names an action in Vietnamese.
func (act Action) Label() string {
	switch act {
	case ActSearch:
		return "tra cứu"
	case ActView:
		return "xem trích lục"
	case ActIssue:
		return "cấp bản sao"
	case ActOverride:
		return "cấp bản sao khi trích lục đang chờ xem xét"
	case ActDownload:
		return "tải, thu hồi bản sao"
	case ActReview:
		return "xem danh sách cần duyệt"
	case ActDecide:
		return "quyết định duyệt, cải chính"
	case ActBatches:
		return "xem lô dữ liệu"
	case ActAdmin:
		return "quản trị"
	}
	return string(act)
}

// Holder returns the code of the unit that holds the register of an
// authority today (its primary successor), or "" if none is known.
func Holder(ref *registry.RefData, authorityCode string) string {
	if succ := ref.Successors(authorityCode); len(succ) > 0 {
		return succ[0].Code
	}
	return ""
}

// HoldsRegister returns a Forbidden error unless the account's unit holds
// the register of the entry today: corrections, conflict decisions and
// flags are decided by the unit that keeps the paper register. The entry's
// authority is part of its identity and never changes, so checking before
// the store's transaction is as good as inside it.
func HoldsRegister(ref *registry.RefData, a *registry.Account, rec *registry.Record) error {
	if h := Holder(ref, rec.AuthorityCode); h == "" || h != a.Unit {
		return Forbid("sổ của trích lục %s do đơn vị %s giữ, không phải đơn vị %s của tài khoản %s", rec.ID, orUnknown(h), a.Unit, a.Username)
	}
	return nil
}

// HoldsEither returns a Forbidden error unless the account's unit holds the
// register of one of two linked entries: a duplicate link between the
// registers of two units is decided by either of them.
func HoldsEither(ref *registry.RefData, a *registry.Account, x, y *registry.Record) error {
	if HoldsRegister(ref, a, x) == nil || HoldsRegister(ref, a, y) == nil {
		return nil
	}
	return Forbid("liên kết giữa %s và %s thuộc sổ của đơn vị %s và %s, không phải đơn vị %s của tài khoản %s",
		x.ID, y.ID, orUnknown(Holder(ref, x.AuthorityCode)), orUnknown(Holder(ref, y.AuthorityCode)), a.Unit, a.Username)
}

func orUnknown(s string) string {
	if s == "" {
		return "(không rõ)"
	}
	return s
}
