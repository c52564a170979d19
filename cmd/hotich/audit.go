package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hotich/hotich/accounts"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

func init() {
	register("audit", "the audit trail of who processed whose data: verify, list", runAudit)
}

const auditUsage = `
Usage: hotich audit verify [--db PATH]
       hotich audit list   [--db PATH] [--user U] [--record ID] [--since DATE] [--name "HỌ TÊN"]
                           [--limit N | --all] [--json]

Every search, view of an entry, issue and download of a copy, correction,
review decision, login and failed login at the desk (and, with --user, on
the command line) is an entry of the audit trail: when, who (username and
unit), what (the action, the record ID, link or serial it concerned, a
short detail), and from where (the client's address, or cli:OS-USER).
Personal IDs searched for keep their last four digits; names searched for
are hashed. The trail is append-only (the store refuses to change or delete
an entry) and hash-chained: each entry carries the SHA-256 of the one
before.

"verify" reads the whole trail and checks the chain: an entry edited,
deleted or moved behind the store's back (with sqlite3, say) breaks it.
Exit status 0: intact; 1: broken, and where.

"list" lists entries oldest first: --user by username, --record by record
ID (or "link:N", "user:U", a serial), --since a date (dd/mm/yyyy or
yyyy-mm-dd, from midnight in Vietnam), --name the searches for a name
(matched as the trail hashes it: case, diacritics and tone placement
ignored).

Examples:

	hotich audit verify
	hotich audit list --user lan --since 01/07/2025
	hotich audit list --record KS-26740-7F3K9Q2MXA --json
	hotich audit list --name "Nguyễn Thị Thuý"
`

func runAudit(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(e.stderr, strings.TrimSpace(auditUsage))
		if len(args) == 0 {
			return usageError("audit: want verify or list")
		}
		return nil
	}
	sub, args := args[0], args[1:]
	fs := newFlagSet(e, "audit "+sub, auditUsage)
	dbPath := dbFlag(fs)
	var user, record, since, name *string
	var list *listing
	switch sub {
	case "verify":
	case "list":
		user = fs.String("user", "", "only what this username did")
		record = fs.String("record", "", "only what concerned this record ID (or link:N, user:U, a serial)")
		since = fs.String("since", "", "only from this date on (dd/mm/yyyy or yyyy-mm-dd)")
		name = fs.String("name", "", "only searches for this name")
		list = addListFlags(fs)
	default:
		fmt.Fprintln(e.stderr, strings.TrimSpace(auditUsage))
		return usageError(fmt.Sprintf("audit: unknown subcommand %q", sub))
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError(fmt.Sprintf("audit %s: unexpected argument %q", sub, fs.Arg(0)))
	}
	var f registry.AuditFilter
	if sub == "list" {
		if err := list.check("audit list"); err != nil {
			return err
		}
		f = registry.AuditFilter{Actor: strings.TrimSpace(*user), Target: strings.TrimSpace(*record), Limit: list.fetch()}
		if *since != "" {
			d, err := vntext.ParseDate(*since)
			if err != nil || d.Day == 0 {
				return usageError(fmt.Sprintf("audit list: --since %q: want a full date, dd/mm/yyyy or yyyy-mm-dd", *since))
			}
			f.Since = time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, registry.Vietnam)
		}
		if *name != "" {
			f.Limit = 0 // the name is matched here, after the store's filters
		}
	}
	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if sub == "verify" {
		n, err := registry.VerifyAuditChain(func(fn func(*registry.AuditEntry) error) error { return db.EachAudit(ctx, fn) })
		if err != nil {
			if registry.ErrorCode(err) == registry.EINVALID {
				return registry.Errorf(registry.EINVALID, "%s (đã kiểm %d dòng). Nhật ký không còn nguyên vẹn: báo cho quản trị viên và lưu giữ tệp kho hiện tại làm bằng chứng", registry.ErrorMessage(err), n)
			}
			return err
		}
		fmt.Fprintf(e.stdout, "Nhật ký truy cập nguyên vẹn: %d dòng, chuỗi mã băm khớp từ đầu đến cuối.\n", n)
		return nil
	}
	entries, err := db.AuditEntries(ctx, f)
	if err != nil {
		return err
	}
	if *name != "" {
		term := accounts.NameTerm(*name)
		var keep []*registry.AuditEntry
		for _, en := range entries {
			if strings.Contains(en.Detail, term) {
				keep = append(keep, en)
			}
		}
		entries = keep
	}
	shown, cut := list.cut(len(entries))
	entries = entries[:shown]
	type line struct {
		Seq    int64     `json:"seq"`
		At     time.Time `json:"at"`
		Actor  string    `json:"actor"`
		Unit   string    `json:"unit"`
		Action string    `json:"action"`
		Target string    `json:"target"`
		Detail string    `json:"detail"`
		Addr   string    `json:"addr"`
		Hash   string    `json:"hash"`
	}
	out := []line{}
	for _, en := range entries {
		out = append(out, line{en.Seq, en.At, en.Actor, en.Unit, en.Action, en.Target, en.Detail, en.Addr, en.Hash})
	}
	return list.print(e, shown, cut, out, "Không có dòng nào.", func(w io.Writer) error {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "Số\tThời điểm\tNgười\tĐơn vị\tViệc\tĐối tượng\tChi tiết\tTừ")
		for _, en := range entries {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", en.Seq, en.At.In(registry.Vietnam).Format("02/01/2006 15:04:05"),
				en.Actor, dash(en.Unit), en.Action, dash(en.Target), dash(en.Detail), en.Addr)
		}
		return tw.Flush()
	})
}
