package accounts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// The audit trail answers who processed whose data (Decree 13/2023/NĐ-CP):
// every search, view, issue, download, decision, login and failed login is
// an entry. Entries name records by their ID and serials as printed; terms
// that identify a person are masked (a personal ID keeps its last four
// digits) or hashed (a name), so the trail itself is not a second copy of
// the registers.

// The actions the trail records.
const (
	AuditLogin        = "login"
	AuditLoginFailed  = "login_failed"
	AuditLogout       = "logout"
	AuditSearch       = "search"
	AuditView         = "view"
	AuditIssue        = "issue"
	AuditIssueRefused = "issue_refused"
	AuditDownload     = "download"
	AuditRevoke       = "revoke"
	AuditCorrect      = "correct"
	AuditConflict     = "resolve_conflict"
	AuditFlag         = "resolve_flag"
	AuditLinkConfirm  = "link_confirm"
	AuditLinkReject   = "link_reject"
	AuditLinkReopen   = "link_reopen"
	AuditUserAdd      = "user_add"
	AuditUserDisable  = "user_disable"
	AuditUserEnable   = "user_enable"
	AuditUserPassword = "user_password"
	AuditSigner       = "signer_set"
	AuditForbidden    = "forbidden"
)

// Actor is who acts, as the trail records them: an account's username and
// unit, or "-" for none, and where from (a client address, or "cli:" and
// the operating-system user).
type Actor struct {
	Username string
	Unit     string
	Addr     string
}

// ActorOf returns the actor of an account acting from an address.
func ActorOf(a *registry.Account, addr string) Actor {
	if a == nil {
		return Actor{Username: "-", Addr: addr}
	}
	return Actor{Username: a.Username, Unit: a.Unit, Addr: addr}
}

// Auditor appends entries to the audit trail.
type Auditor struct {
	Store registry.AuditService
	Log   *slog.Logger // nil: none
}

// Record appends an entry. An error means the entry was not written: the
// desk then does not show what the entry was to record.
func (a *Auditor) Record(ctx context.Context, who Actor, action, target, detail string) error {
	user := who.Username
	if user == "" {
		user = "-"
	}
	e := &registry.AuditEntry{Actor: user, Unit: who.Unit, Action: action, Target: target, Detail: oneLine(detail), Addr: who.Addr}
	if err := a.Store.AppendAudit(ctx, e); err != nil {
		if a.Log != nil {
			a.Log.Error("audit entry not written", "action", action, "actor", user, "err", err)
		}
		return err
	}
	return nil
}

// maxDetail bounds an entry's detail, in bytes.
const maxDetail = 500

// oneLine keeps a detail on one line and within maxDetail bytes.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxDetail {
		cut := maxDetail
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// NameTerm returns what the trail keeps of a name searched for: a hash of
// the name folded as search folds it (case, diacritics and tone placement
// ignored), "#" and 16 hex digits. It is a pseudonym, not anonymity: an
// auditor answering "who looked up this person?" hashes the person's name
// the same way (hotich audit list --name) and finds the searches.
func NameTerm(name string) string {
	sum := sha256.Sum256([]byte("hotich audit name\x00" + vntext.FoldKey(name)))
	return "#" + hex.EncodeToString(sum[:8])
}

// SearchDetail describes a search for the trail: which kinds of terms, a
// personal ID masked, names hashed, a birth date reduced to its year, and
// how many entries were found.
func SearchDetail(f registry.RecordFilter, recordID string, found int) string {
	var parts []string
	add := func(k, v string) { parts = append(parts, k+"="+v) }
	if f.Register != "" {
		add("so", string(f.Register))
	}
	if f.PersonalID != "" {
		add("dinh_danh", registry.MaskID(f.PersonalID))
	}
	if f.Name != "" {
		add("ho_ten", NameTerm(f.Name))
	}
	if !f.Birth.IsZero() {
		add("nam_sinh", fmt.Sprint(f.Birth.Year))
	}
	if f.Parent != "" {
		add("cha_me", NameTerm(f.Parent))
	}
	if f.Role != "" {
		add("vai_tro", string(f.Role))
	}
	if id := f.Identity; id != nil {
		add("so_dk", fmt.Sprintf("%s/%s/%q/%q", id.Register, id.AuthorityCode, id.Book, id.Number))
	}
	if recordID != "" {
		add("ma", recordID)
	}
	add("ket_qua", fmt.Sprint(found))
	return strings.Join(parts, " ")
}
