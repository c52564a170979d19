package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/hotich/hotich/accounts"
	"github.com/hotich/hotich/registry"
)

func init() {
	register("flags", "list open review flags, or close one after checking the record", runFlags)
}

const flagsUsage = `
Usage:
	hotich flags [--db PATH] [--code CODE] [--register KS|KH|KT|NCMC] [--limit N | --all] [--json]
	hotich flags resolve [--db PATH] (--by NAME | --user ACCOUNT) --note TEXT FLAG_ID

Lists the records waiting for review and why (inconsistent personal ID,
unknown authority code, conflicting scans, unrecognised values), or closes a
flag once a person has checked the record against the paper register.
Conflict flags close when the conflict is resolved (hotich conflicts resolve).
--user acts as a desk account: a reviewer of the unit holding the entry's
register (see hotich correct); the decision is appended to the audit trail.

Codes: id_mismatch, id_malformed, id_unknown_province, unknown_authority,
conflict, suspected_duplicate, unknown_value.

Examples:

	hotich flags --code id_mismatch --register KS
	hotich flags resolve --by "Trần Văn Bình" --note "đã đối chiếu sổ gốc, số định danh đúng" 42
`

func runFlags(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "resolve" {
		return runFlagsResolve(ctx, e, args[1:])
	}
	fs := newFlagSet(e, "flags", flagsUsage)
	dbPath := dbFlag(fs)
	code := fs.String("code", "", "only flags with this code")
	reg := fs.String("register", "", "only records of this register")
	list := addListFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := list.check("flags"); err != nil {
		return err
	}
	var r registry.Register
	if *reg != "" {
		var err error
		if r, err = registry.ParseRegister(*reg); err != nil {
			return usageError(fmt.Sprintf("flags: --register: %v", registry.ErrorMessage(err)))
		}
	}
	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	open, err := db.OpenFlags(ctx, registry.FlagFilter{Code: registry.FlagCode(*code), Register: r, Limit: list.fetch()})
	if err != nil {
		return err
	}
	shown, cut := list.cut(len(open))
	open = open[:shown]
	type line struct {
		ID        int64             `json:"flag"`
		RecordID  string            `json:"record_id"`
		Register  registry.Register `json:"register"`
		Code      registry.FlagCode `json:"code"`
		Field     string            `json:"field,omitempty"`
		Detail    string            `json:"detail"`
		SourceRef string            `json:"source_ref,omitempty"`
	}
	out := []line{}
	for _, f := range open {
		out = append(out, line{f.ID, f.RecordID, f.Register, f.Flag.Code, f.Flag.Field, f.Flag.Detail, f.Flag.SourceRef})
	}
	return list.print(e, shown, cut, out, "Không có cờ nào đang mở.", func(w io.Writer) error {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "Cờ\tBản ghi\tLý do\tTrường\tChi tiết\tNguồn")
		for _, f := range open {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", f.ID, f.RecordID, f.Flag.Code.Label(), f.Register.FieldLabel(f.Flag.Field), f.Flag.Detail, f.Flag.SourceRef)
		}
		return tw.Flush()
	})
}

func runFlagsResolve(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "flags resolve", flagsUsage)
	dbPath := dbFlag(fs)
	by := fs.String("by", "", "who checked the record (or --user)")
	user := userFlag(fs)
	note := fs.String("note", "", "what was checked (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("flags resolve: want one FLAG_ID")
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil {
		return usageError(fmt.Sprintf("flags resolve: %q is not a flag number", fs.Arg(0)))
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
	if err := rv.record(ctx, accounts.AuditFlag, fmt.Sprintf("flag:%d", id), "ghi chú: "+*note, rv.ResolveFlag(ctx, id, rv.Actor, *note)); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Đã đóng cờ số %d.\n", id)
	return nil
}
