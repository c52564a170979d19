package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/hotich/hotich/accounts"
	"github.com/hotich/hotich/linkage"
	"github.com/hotich/hotich/registry"
)

func init() {
	register("review", "review duplicate links: list, show side by side, confirm, reject, reopen", runReview)
}

const reviewUsage = `
Usage:
	hotich review list [--db PATH] [--register KS] [--min-score S] [--status suspected,auto,...] [--limit N | --all] [--json]
	hotich review show [--db PATH] [--json] LINK
	hotich review confirm [--db PATH] (--by NAME | --user ACCOUNT) [--note TEXT] LINK
	hotich review reject [--db PATH] (--by NAME | --user ACCOUNT) [--note TEXT] LINK
	hotich review reopen [--db PATH] (--by NAME | --user ACCOUNT) [--note TEXT] LINK

The review queue of duplicate links (hotich dedup): pairs of entries with
different identities that may record the same event. "list" shows the
queue (suspected links, highest score first) or links of other statuses;
"show" prints both entries side by side, marks the fields that differ (≠)
and what each comparison added to the score. A person then confirms the
link (the same event) or rejects it (two events); both entries stay in the
register either way. Decisions are logged with who made them, hold over
later runs of hotich dedup unless either entry's data changes, and are
undone by "reopen". --user acts as a desk account: a reviewer of a unit
holding the register of either entry; decisions are appended to the
audit trail.

Examples:

	hotich review list --register KS --min-score 0.5
	hotich review show 42
	hotich review confirm --by "Lê Thị Mai" --note "đối chiếu sổ gốc: đăng ký lại" 42
	hotich review reject --by "Lê Thị Mai" --note "sinh đôi" 43
	hotich review reopen --by "Trần Văn Bình" 43
`

func runReview(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fs := newFlagSet(e, "review", reviewUsage)
		fs.Usage()
		return usageError("review: want list, show, confirm, reject or reopen")
	}
	switch args[0] {
	case "list":
		return runReviewList(ctx, e, args[1:])
	case "show":
		return runReviewShow(ctx, e, args[1:])
	case "confirm":
		return runReviewDecide(ctx, e, "confirm", args[1:])
	case "reject":
		return runReviewDecide(ctx, e, "reject", args[1:])
	case "reopen":
		return runReviewDecide(ctx, e, "reopen", args[1:])
	case "-h", "--help", "help":
		fs := newFlagSet(e, "review", reviewUsage)
		return parseFlags(fs, []string{"-h"})
	}
	return usageError(fmt.Sprintf("review: unknown action %q (list, show, confirm, reject, reopen)", args[0]))
}

func runReviewList(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "review list", reviewUsage)
	dbPath := dbFlag(fs)
	reg := fs.String("register", "", "only links of this register")
	minScore := fs.Float64("min-score", 0, "only links scoring at least this (0 to 1)")
	status := fs.String("status", "suspected", "statuses to list, comma-separated: suspected, auto, confirmed, rejected, all")
	list := addListFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := list.check("review list"); err != nil {
		return err
	}
	f := registry.LinkFilter{MinScore: *minScore, Limit: list.fetch()}
	if *reg != "" {
		r, err := registry.ParseRegister(*reg)
		if err != nil {
			return usageError(fmt.Sprintf("review list: --register: %v", registry.ErrorMessage(err)))
		}
		f.Register = r
	}
	for _, s := range strings.Split(*status, ",") {
		switch st := registry.LinkStatus(strings.TrimSpace(s)); st {
		case registry.LinkSuspected, registry.LinkAuto, registry.LinkConfirmed, registry.LinkRejected:
			f.Status = append(f.Status, st)
		case "all":
			f.Status = append(f.Status, registry.LinkSuspected, registry.LinkAuto, registry.LinkConfirmed, registry.LinkRejected)
		default:
			return usageError(fmt.Sprintf("review list: --status: unknown status %q", s))
		}
	}
	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	links, err := db.Links(ctx, f)
	if err != nil {
		return err
	}
	shown, cut := list.cut(len(links))
	links = links[:shown]
	type line struct {
		ID        int64   `json:"link"`
		Register  string  `json:"register"`
		A         string  `json:"a"`
		B         string  `json:"b"`
		Score     float64 `json:"score"`
		Status    string  `json:"status"`
		Proposed  string  `json:"proposed"`
		DecidedBy string  `json:"decided_by,omitempty"`
	}
	out := []line{}
	for _, l := range links {
		out = append(out, line{l.ID, string(l.Register), l.A, l.B, l.Score, string(l.Status), string(l.Proposed), l.DecidedBy})
	}
	return list.print(e, shown, cut, out, "(không có liên kết nào)", func(w io.Writer) error {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "Liên kết\tSổ\tBản ghi A\tBản ghi B\tĐiểm\tTrạng thái\tNgười quyết định")
		for _, l := range links {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%.4f\t%s\t%s\n", l.ID, l.Register, l.A, l.B, l.Score, l.Status.Label(), l.DecidedBy)
		}
		return tw.Flush()
	})
}

func parseLinkID(cmd string, fs interface {
	NArg() int
	Arg(int) string
}) (int64, error) {
	if fs.NArg() != 1 {
		return 0, usageError(cmd + ": want one LINK number")
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(fs.Arg(0), "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, usageError(fmt.Sprintf("%s: %q is not a link number", cmd, fs.Arg(0)))
	}
	return id, nil
}

func runReviewShow(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "review show", reviewUsage)
	dbPath := dbFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON: the link, both records' JSONL lines, the explanation and history")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	id, err := parseLinkID("review show", fs)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	l, err := db.FindLink(ctx, id)
	if err != nil {
		return err
	}
	a, err := db.FindRecordByID(ctx, l.A)
	if err != nil {
		return err
	}
	b, err := db.FindRecordByID(ctx, l.B)
	if err != nil {
		return err
	}
	var ex linkage.Explanation
	if l.Explanation != nil {
		ex = *l.Explanation
	}
	history, err := db.LinkEvents(ctx, id)
	if err != nil {
		return err
	}
	if *asJSON {
		type event struct {
			Seq    int64             `json:"seq"`
			At     string            `json:"at"`
			Kind   string            `json:"kind"`
			Actor  string            `json:"actor,omitempty"`
			Detail map[string]string `json:"detail"`
		}
		out := struct {
			ID          int64               `json:"link"`
			Register    string              `json:"register"`
			Score       float64             `json:"score"`
			Status      string              `json:"status"`
			Proposed    string              `json:"proposed"`
			DecidedBy   string              `json:"decided_by,omitempty"`
			DecidedAt   string              `json:"decided_at,omitempty"`
			Note        string              `json:"note,omitempty"`
			A           map[string]string   `json:"a"`
			B           map[string]string   `json:"b"`
			Explanation linkage.Explanation `json:"explanation"`
			History     []event             `json:"history"`
		}{ID: l.ID, Register: string(l.Register), Score: l.Score, Status: string(l.Status), Proposed: string(l.Proposed),
			DecidedBy: l.DecidedBy, DecidedAt: l.DecidedAt, Note: l.Note, A: entryValues(a), B: entryValues(b), Explanation: ex}
		for _, h := range history {
			d := map[string]string{}
			for _, kv := range h.Detail {
				d[kv.Key] = kv.Value
			}
			out.History = append(out.History, event{h.Seq, h.At, h.Kind, h.Actor, d})
		}
		return printJSON(e.stdout, out)
	}
	w := termSafe(e.stdout)
	fmt.Fprintf(w, "Liên kết %d — sổ %s (%s) — %s, điểm %.4f\n", l.ID, l.Register, l.Register.Name(), linkStatusLabel(l.Status), l.Score)
	if l.DecidedBy != "" {
		fmt.Fprintf(w, "Quyết định: %s bởi %s lúc %s", l.Status, l.DecidedBy, l.DecidedAt)
		if l.Note != "" {
			fmt.Fprintf(w, " — %s", l.Note)
		}
		fmt.Fprintf(w, " (điểm đề xuất: %s)\n", l.Proposed)
	}
	fmt.Fprintln(w)
	printComparison(w, a, b, ex)
	if len(history) > 0 {
		fmt.Fprintln(w, "\nLịch sử:")
		for _, h := range history {
			actor := h.Actor
			if actor == "" {
				actor = "hotich dedup"
			}
			fmt.Fprintf(w, "  %s  %-15s %s  %s\n", h.At, h.Kind, actor, eventText(h.Detail))
		}
	}
	return nil
}

// entryValues returns every value of a record by canonical column,
// identity included.
func entryValues(r *registry.Record) map[string]string {
	m := map[string]string{}
	for _, c := range r.Register.Columns() {
		if v := r.Field(c.Name); v != "" {
			m[c.Name] = v
		}
	}
	return m
}

// printComparison prints two records of one register side by side, with
// ≠ beside each field that differs, then what each comparison added to the
// score.
func printComparison(w io.Writer, a, b *registry.Record, ex linkage.Explanation) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Trường\t%s\t%s\t\n", a.ID, b.ID)
	for _, c := range a.Register.Columns() {
		va, vb := a.Field(c.Name), b.Field(c.Name)
		if va == "" && vb == "" {
			continue
		}
		mark := ""
		if va != vb {
			mark = "≠"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", c.Aliases[0], orDash(va), orDash(vb), mark)
	}
	tw.Flush()

	labels := map[string]string{linkage.NameFrequencyField: "Cả họ tên"}
	for _, s := range linkage.Specs(a.Register) {
		labels[s.Name] = s.Label
	}
	fmt.Fprintln(w, "\nSo khớp (trọng số tính bằng bit; dương: giống một sự kiện, âm: khác):")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "\tMức\tso với không liên quan\t"
	for _, alt := range ex.Alternatives {
		head += "so với " + altLabel(alt.Name) + "\t"
	}
	fmt.Fprintln(tw, head)
	for _, f := range ex.Fields {
		line := fmt.Sprintf("%s\t%s\t%+.2f\t", orDefault(labels[f.Name], f.Name), linkage.LevelLabel(f.Level), f.Weight)
		for _, alt := range ex.Alternatives {
			if v, ok := f.Alt[alt.Name]; ok {
				line += fmt.Sprintf("%+.2f\t", v)
			} else {
				line += "\t"
			}
		}
		fmt.Fprintln(tw, line)
	}
	line := fmt.Sprintf("Tiên nghiệm\t\t%+.2f\t", ex.Prior)
	for _, alt := range ex.Alternatives {
		line += fmt.Sprintf("%+.2f\t", alt.Prior)
	}
	fmt.Fprintln(tw, line)
	line = fmt.Sprintf("Tổng\t\t%+.2f\t", ex.Unrelated)
	for _, alt := range ex.Alternatives {
		line += fmt.Sprintf("%+.2f\t", alt.Bits)
	}
	fmt.Fprintln(tw, line)
	tw.Flush()
	guard := "đạt"
	if !ex.Guard {
		guard = "không đạt (tên hoặc ngày của người được đăng ký không khớp, hoặc một trường khác hẳn: chỉ có thể nghi trùng)"
	}
	fmt.Fprintf(w, "Điểm: %+.2f bit → %.4f; điều kiện tự động: %s; mô hình %s\n", ex.Bits, linkage.Probability(ex.Bits), guard, ex.Model)
}

func altLabel(name string) string {
	switch name {
	case "twin":
		return "sinh đôi"
	case "sibling":
		return "anh chị em"
	}
	return name
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func runReviewDecide(ctx context.Context, e *env, action string, args []string) error {
	fs := newFlagSet(e, "review "+action, reviewUsage)
	dbPath := dbFlag(fs)
	by := fs.String("by", "", "who decides (or --user)")
	user := userFlag(fs)
	note := fs.String("note", "", "why (what was checked)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	id, err := parseLinkID("review "+action, fs)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	rv, err := reviewAs(ctx, e, db, *by, *user)
	if err != nil {
		return err
	}
	var l *registry.Link
	var kind string
	switch action {
	case "confirm":
		kind = accounts.AuditLinkConfirm
		l, err = rv.ConfirmLink(ctx, id, rv.Actor, *note)
	case "reject":
		kind = accounts.AuditLinkReject
		l, err = rv.RejectLink(ctx, id, rv.Actor, *note)
	default:
		kind = accounts.AuditLinkReopen
		l, err = rv.ReopenLink(ctx, id, rv.Actor, *note)
	}
	detail := ""
	if l != nil {
		detail = l.A + " ↔ " + l.B
	}
	if err := rv.record(ctx, kind, fmt.Sprintf("link:%d", id), detail, err); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Liên kết %d (%s ↔ %s): %s.\n", l.ID, l.A, l.B, linkStatusLabel(l.Status))
	return nil
}

// linkStatusLabel names a link status for the command line: its words and
// the code --status takes.
func linkStatusLabel(s registry.LinkStatus) string {
	return s.Label() + " (" + string(s) + ")"
}

// eventText shows an event's details as key=value pairs.
func eventText(kvs []registry.KeyValue) string {
	parts := make([]string, len(kvs))
	for i, kv := range kvs {
		parts[i] = kv.Key + "=" + kv.Value
	}
	return strings.Join(parts, " ")
}
