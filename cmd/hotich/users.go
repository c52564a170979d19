package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/hotich/hotich/accounts"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/review"
)

func init() {
	register("users", "accounts of the clerks' desk: add, disable, enable, list, passwd", runUsers)
}

const usersUsage = `
Usage: hotich users add     [--db PATH] --username U [--name "HỌ TÊN"] --unit CODE --duties D,D [--user ADMIN]
       hotich users passwd  [--db PATH] [--user ADMIN] USERNAME
       hotich users disable [--db PATH] [--user ADMIN] USERNAME
       hotich users enable  [--db PATH] [--user ADMIN] USERNAME
       hotich users list    [--db PATH] [--json]

The accounts of the clerks' desk (hotich serve). Each belongs to one unit
in force today (a ward, commune or special zone, by its code) and has
duties, comma-separated:

  clerk     search, view entries, issue certified copies as its unit
  reviewer  the review queue, flags, conflicts and corrections of the
            registers its unit holds (and, with clerk, issue a copy of an
            entry under review, giving the reason)
  operator  batches and ingest reports
  admin     accounts and signer blocks

The password is read from standard input (its first line), or asked twice
on a terminal; never from a flag, so it stays out of the shell history and
the process list. It must be 10 to 128 characters; a sentence is easiest
to remember. "passwd" sets a new one, lifts a lockout and ends the
account's sessions; "disable" ends its sessions and refuses its logins.

The first account of a store (the accounts table is empty) is added
without --user and must be an admin. After that, add, passwd, disable and
enable name the admin who acts with --user: the audit trail records them.
(Whoever can run hotich on the store can write the store file: --user is
who is answerable, not a password check. Protect the file.)

Examples:

	hotich users add --username admin --unit 26740 --duties admin,clerk
	printf '%s\n' "$PASSWORD" | hotich users add --username lan --name "Nguyễn Thị Lan" --unit 26740 --duties clerk --user admin
	hotich users passwd --user admin lan
	hotich users disable --user admin lan
	hotich users list
`

func runUsers(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(e.stderr, strings.TrimSpace(usersUsage))
		if len(args) == 0 {
			return usageError("users: want add, passwd, disable, enable or list")
		}
		return nil
	}
	sub, args := args[0], args[1:]
	fs := newFlagSet(e, "users "+sub, usersUsage)
	dbPath := dbFlag(fs)
	var username, name, unit, duties, user *string
	var asJSON *bool
	switch sub {
	case "add":
		username = fs.String("username", "", "login name: 3 to 32 of a-z 0-9 . _ - (required)")
		name = fs.String("name", "", "the person's full name as the issue log records it (default: the username)")
		unit = fs.String("unit", "", "code of the unit the person works for (required)")
		duties = fs.String("duties", "", "clerk, reviewer, operator, admin; comma-separated (required)")
		user = fs.String("user", "", "the admin account adding it (not for the first account)")
	case "passwd", "disable", "enable":
		user = fs.String("user", "", "the admin account acting (required)")
	case "list":
		asJSON = fs.Bool("json", false, "print a JSON array")
	default:
		fmt.Fprintln(e.stderr, strings.TrimSpace(usersUsage))
		return usageError(fmt.Sprintf("users: unknown subcommand %q", sub))
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	switch {
	case sub == "add" && len(pos) != 0:
		return usageError(fmt.Sprintf("users add: unexpected argument %q", pos[0]))
	case sub == "add" && (*username == "" || *unit == "" || *duties == ""):
		return usageError("users add: --username, --unit and --duties are required")
	case sub == "list" && len(pos) != 0:
		return usageError(fmt.Sprintf("users list: unexpected argument %q", pos[0]))
	case sub != "add" && sub != "list" && len(pos) != 1:
		return usageError(fmt.Sprintf("users %s: want one USERNAME", sub))
	}
	var ds []registry.Duty
	if sub == "add" {
		if ds, err = registry.ParseDuties(*duties); err != nil {
			return usageError("users add: --duties: " + registry.ErrorMessage(err))
		}
	}
	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, err := accountService(ctx, e, db)
	if err != nil {
		return err
	}
	list, err := db.Accounts(ctx)
	if err != nil {
		return err
	}
	if sub == "list" {
		return printAccounts(e, list, *asJSON)
	}
	by := accounts.Actor{Username: "-", Addr: cliAddr(e)}
	switch {
	case len(list) == 0 && sub == "add":
		// The first-admin bootstrap.
		if !slices.Contains(ds, registry.DutyAdmin) {
			return registry.Errorf(registry.EINVALID, "tài khoản đầu tiên phải có vai trò admin (--duties admin,…), để có người quản lý các tài khoản khác")
		}
	case *user == "":
		return usageError(fmt.Sprintf("users %s: which admin acts? (--user ADMIN)", sub))
	default:
		a, err := svc.ActAs(ctx, *user, accounts.ActAdmin)
		if err != nil {
			return err
		}
		by = accounts.ActorOf(a, cliAddr(e))
	}
	switch sub {
	case "add":
		pw, err := readPassword(e, "Mật khẩu cho "+*username)
		if err != nil {
			return err
		}
		n := strings.TrimSpace(*name)
		if n == "" {
			n = *username
		}
		a, err := svc.AddAccount(ctx, by, accounts.NewAccount{Username: *username, Name: n, Unit: *unit, Duties: ds, Password: pw})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Đã tạo tài khoản %s (%s), đơn vị %s, vai trò %s.\n", a.Username, a.Name, a.Unit, dutyNames(a.Duties))
	case "passwd":
		pw, err := readPassword(e, "Mật khẩu mới cho "+pos[0])
		if err != nil {
			return err
		}
		if err := svc.SetPassword(ctx, by, pos[0], pw); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Đã đặt mật khẩu mới cho %s; các phiên đăng nhập cũ đã kết thúc.\n", pos[0])
	case "disable", "enable":
		if err := svc.SetDisabled(ctx, by, pos[0], sub == "disable"); err != nil {
			return err
		}
		if sub == "disable" {
			fmt.Fprintf(e.stdout, "Đã vô hiệu hóa tài khoản %s; các phiên đăng nhập đã kết thúc.\n", pos[0])
		} else {
			fmt.Fprintf(e.stdout, "Đã mở lại tài khoản %s.\n", pos[0])
		}
	}
	return nil
}

func dutyNames(ds []registry.Duty) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = string(d)
	}
	return strings.Join(s, ",")
}

// accountService is the accounts use case on a store, with the command's
// clock and log, auditing to the store's trail.
func accountService(ctx context.Context, e *env, db registry.Store) (*accounts.Service, error) {
	ref, err := db.RefData(ctx)
	if err != nil {
		return nil, err
	}
	return &accounts.Service{Store: db, RefData: ref, Auditor: &accounts.Auditor{Store: db, Log: e.log}, Now: e.now, Log: e.log}, nil
}

// cliAddr is where a command-line action comes from, for the audit trail:
// "cli:" and the operating-system user.
func cliAddr(e *env) string {
	u := e.getenv("USER")
	if u == "" {
		u = e.getenv("LOGNAME")
	}
	if u == "" {
		u = "?"
	}
	return "cli:" + u
}

// maxPasswordLine bounds what is read as a password.
const maxPasswordLine = 1024

// readPassword reads a password: asked twice without echo on a terminal,
// else the first line of standard input.
func readPassword(e *env, prompt string) (string, error) {
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(e.stderr, "%s: ", prompt)
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(e.stderr, "Nhập lại: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", registry.Errorf(registry.EINVALID, "hai lần nhập mật khẩu không khớp")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(io.LimitReader(e.stdin, maxPasswordLine)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", registry.Errorf(registry.EINVALID, "chưa có mật khẩu: đưa vào đầu vào chuẩn (một dòng) hoặc chạy trên terminal để được hỏi")
	}
	return line, nil
}

func printAccounts(e *env, list []*registry.Account, asJSON bool) error {
	if asJSON {
		type line struct {
			Username    string     `json:"username"`
			Name        string     `json:"name"`
			Unit        string     `json:"unit"`
			Duties      []string   `json:"duties"`
			Disabled    bool       `json:"disabled"`
			LockedUntil *time.Time `json:"locked_until,omitempty"`
			CreatedAt   time.Time  `json:"created_at"`
		}
		out := []line{}
		for _, a := range list {
			l := line{Username: a.Username, Name: a.Name, Unit: a.Unit, Duties: strings.Split(dutyNames(a.Duties), ","), Disabled: a.Disabled, CreatedAt: a.CreatedAt}
			if a.LockedUntil.After(e.now()) {
				l.LockedUntil = &a.LockedUntil
			}
			out = append(out, l)
		}
		return printJSON(e.stdout, out)
	}
	w := termSafe(e.stdout)
	if len(list) == 0 {
		fmt.Fprintln(w, "Chưa có tài khoản nào (tạo quản trị viên đầu tiên: hotich users add --username admin --unit MÃ --duties admin,clerk).")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Tên đăng nhập\tHọ tên\tĐơn vị\tVai trò\tTình trạng")
	for _, a := range list {
		state := "đang dùng"
		switch {
		case a.Disabled:
			state = "đã vô hiệu hóa"
		case a.LockedUntil.After(e.now()):
			state = "tạm khóa đến " + a.LockedUntil.In(registry.Vietnam).Format("15:04 02/01/2006")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.Username, a.Name, a.Unit, dutyNames(a.Duties), state)
	}
	return tw.Flush()
}

// userFlag adds --user to a command where a person decides: the desk
// account the command line acts as.
func userFlag(fs *flag.FlagSet) *string {
	return fs.String("user", "", "act as this desk account (instead of --by): its duties and its unit's registers apply, and the audit trail records it")
}

// cliReviewer is the review use case as the command line runs it: as a
// desk account (--user), whose duty and jurisdiction are checked inside
// the store's transaction as at the desk, or, for scripts as before, as a
// name (--by). Either way the decision is appended to the audit trail
// (actor "-" with the name given, for --by).
type cliReviewer struct {
	*review.Service
	Actor string // the name the event log records
	who   accounts.Actor
	by    string
	audit *accounts.Auditor
}

// reviewAs returns the reviewer of --by or --user.
func reviewAs(ctx context.Context, e *env, db registry.Store, by, user string) (*cliReviewer, error) {
	by, user = strings.TrimSpace(by), strings.TrimSpace(user)
	if by != "" && user != "" {
		return nil, usageError("give --by NAME or --user ACCOUNT, not both")
	}
	svc, err := accountService(ctx, e, db)
	if err != nil {
		return nil, err
	}
	if user == "" {
		return &cliReviewer{Service: &review.Service{Store: db, Now: e.now}, Actor: by, by: by,
			who: accounts.Actor{Username: "-", Addr: cliAddr(e)}, audit: svc.Auditor}, nil
	}
	a, err := svc.ActAs(ctx, user, accounts.ActDecide)
	if err != nil {
		if accounts.IsForbidden(err) {
			svc.Auditor.Record(ctx, accounts.Actor{Username: user, Addr: cliAddr(e)}, accounts.AuditForbidden, "", "cli: "+registry.ErrorMessage(err))
		}
		return nil, err
	}
	return &cliReviewer{Service: &review.Service{Store: accounts.NewJurisdiction(db, svc.RefData, a), Now: e.now}, Actor: a.Name,
		who: accounts.ActorOf(a, cliAddr(e)), audit: svc.Auditor}, nil
}

// record audits a decision's outcome: the decision when err is nil, a
// refusal by jurisdiction as such; it returns err (or the trail's own
// error).
func (c *cliReviewer) record(ctx context.Context, action, target, detail string, err error) error {
	if c.by != "" {
		detail = "--by " + c.by + "; " + detail
	}
	switch {
	case accounts.IsForbidden(err):
		c.audit.Record(ctx, c.who, accounts.AuditForbidden, target, "cli: "+action)
		return err
	case err != nil:
		return err
	}
	return c.audit.Record(ctx, c.who, action, target, detail)
}
