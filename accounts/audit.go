package accounts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync"
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
//
// Every request of the desk appends an entry before it shows anything, and
// each append is a write transaction: it waits for the store's write lock,
// behind the other requests' appends and, during an ingest, behind the
// ingest's current transaction. So the entries of requests that arrive
// while an append is under way wait together and go into the next
// transaction as one group (group commit): under load a request waits for
// about one transaction, not for a queue of them. Each Record still
// returns only once its own entry is written, or with the error that kept
// its group from being written.
type Auditor struct {
	Store registry.AuditService
	Log   *slog.Logger // nil: none

	mu       sync.Mutex
	queue    []*queuedEntry
	flushing bool // a Record appends a group or is told to
}

// queuedEntry is an entry waiting for its group's transaction.
type queuedEntry struct {
	e    *registry.AuditEntry
	done chan error    // the group's result
	lead chan struct{} // this request is to append the queue's next group
}

// maxGroup bounds the entries of one transaction.
const maxGroup = 256

// Record appends an entry. An error means the entry was not written: the
// desk then does not show what the entry was to record.
func (a *Auditor) Record(ctx context.Context, who Actor, action, target, detail string) error {
	user := who.Username
	if user == "" {
		user = "-"
	}
	q := &queuedEntry{e: &registry.AuditEntry{Actor: user, Unit: who.Unit, Action: action, Target: target, Detail: oneLine(detail), Addr: who.Addr},
		done: make(chan error, 1), lead: make(chan struct{}, 1)}
	a.mu.Lock()
	a.queue = append(a.queue, q)
	if !a.flushing {
		a.flushing = true
		q.lead <- struct{}{}
	}
	a.mu.Unlock()
	// The entry's group is written or failed whatever this request's
	// context does: the answer must say which.
	var err error
	select {
	case err = <-q.done:
	case <-q.lead:
		// The queue's first entry appends the next group, which holds
		// its own entry, then hands the queue on: no request appends
		// more than its own group.
		a.appendGroup(context.WithoutCancel(ctx))
		err = <-q.done
	}
	if err != nil && a.Log != nil {
		a.Log.Error("audit entry not written", "action", action, "actor", user, "err", err)
	}
	return err
}

// appendGroup appends the first entries of the queue in one transaction,
// then makes the first entry left, if any, the next to append.
func (a *Auditor) appendGroup(ctx context.Context) {
	a.mu.Lock()
	n := min(len(a.queue), maxGroup)
	group := a.queue[:n:n]
	a.queue = a.queue[n:]
	a.mu.Unlock()
	es := make([]*registry.AuditEntry, len(group))
	for i, q := range group {
		es[i] = q.e
	}
	err := a.Store.AppendAudit(ctx, es...)
	for _, q := range group {
		q.done <- err
	}
	a.mu.Lock()
	if len(a.queue) > 0 {
		a.queue[0].lead <- struct{}{}
	} else {
		a.flushing = false
	}
	a.mu.Unlock()
}

// queued returns how many entries wait for a transaction (for tests).
func (a *Auditor) queued() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.queue)
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
