package main

import (
	"context"
	"fmt"
	"io"

	"github.com/hotich/hotich/accounts"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/review"
)

func init() {
	register("conflicts", "list fields on which scans of an entry disagree, or settle one", runConflicts)
}

const conflictsUsage = `
Usage:
	hotich conflicts [--db PATH] [--register KS|KH|KT|NCMC] [--limit N | --all] [--json]
	hotich conflicts resolve [--db PATH] (--by NAME | --user ACCOUNT) [--note TEXT] (--value VALUE | --pick N) ID FIELD

Lists open conflicts: fields on which two scans of one register entry
disagree, with each value and the batch row it came from. "resolve" settles
one after checking the paper register: the record takes the chosen value
(one of the scanned values: --value as written, or --pick N counting from 1
in the listed order), and the decision is logged. --user acts as a desk
account: a reviewer of the unit holding the entry's register (see hotich
correct); the decision is appended to the audit trail.

Examples:

	hotich conflicts --register KS
	hotich conflicts resolve --by "Lê Thị Mai" --pick 2 --note "đối chiếu sổ gốc" KS-26740-7F3K9Q2MXA me_ho_ten
`

func runConflicts(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "resolve" {
		return runConflictsResolve(ctx, e, args[1:])
	}
	fs := newFlagSet(e, "conflicts", conflictsUsage)
	dbPath := dbFlag(fs)
	reg := fs.String("register", "", "only records of this register")
	list := addListFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := list.check("conflicts"); err != nil {
		return err
	}
	var r registry.Register
	if *reg != "" {
		var err error
		if r, err = registry.ParseRegister(*reg); err != nil {
			return usageError(fmt.Sprintf("conflicts: --register: %v", registry.ErrorMessage(err)))
		}
	}
	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	flags, err := db.OpenFlags(ctx, registry.FlagFilter{Code: registry.FlagConflict, Register: r})
	if err != nil {
		return err
	}
	// One line per open conflict, records in the order their first
	// conflict was flagged; the limit counts conflicts.
	type line struct {
		RecordID   string   `json:"record_id"`
		Register   string   `json:"register"`
		Field      string   `json:"field"`
		Values     []string `json:"values"`
		SourceRefs []string `json:"source_refs"`
	}
	out := []line{}
	seen := map[string]bool{}
	max := list.fetch()
	for _, f := range flags {
		if seen[f.RecordID] {
			continue
		}
		seen[f.RecordID] = true
		rec, err := db.FindRecordByID(ctx, f.RecordID)
		if err != nil {
			return err
		}
		for _, c := range rec.OpenConflicts() {
			out = append(out, line{rec.ID, string(rec.Register), c.Field, c.Values, c.SourceRefs})
		}
		if max > 0 && len(out) >= max {
			break
		}
	}
	shown, cut := list.cut(len(out))
	out = out[:shown]
	return list.print(e, shown, cut, out, "Không có xung đột nào chưa giải quyết.", func(w io.Writer) error {
		for _, c := range out {
			fmt.Fprintf(w, "%s  %s (%s)\n", c.RecordID, c.Field, registry.Register(c.Register).FieldLabel(c.Field))
			for i, v := range c.Values {
				fmt.Fprintf(w, "  %d. %q  (%s)\n", i+1, v, c.SourceRefs[i])
			}
		}
		return nil
	})
}

func runConflictsResolve(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "conflicts resolve", conflictsUsage)
	dbPath := dbFlag(fs)
	by := fs.String("by", "", "who settles the conflict (or --user)")
	user := userFlag(fs)
	note := fs.String("note", "", "what the decision rests on")
	value := fs.String("value", "", "the value to keep, exactly as one scan gave it")
	pick := fs.Int("pick", 0, "the value to keep, by its number in the listing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usageError("conflicts resolve: want ID and FIELD")
	}
	if (*value == "") == (*pick == 0) {
		return usageError("conflicts resolve: give exactly one of --value and --pick")
	}
	if *pick < 0 {
		return usageError("conflicts resolve: --pick counts from 1")
	}
	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	id, field := fs.Arg(0), fs.Arg(1)
	rv, err := reviewAs(ctx, e, db, *by, *user)
	if err != nil {
		return err
	}
	if err := rv.record(ctx, accounts.AuditConflict, id, "trường "+field,
		rv.ResolveConflict(ctx, id, field, rv.Actor, *note, review.Choice{Value: *value, Pick: *pick})); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Đã giải quyết xung đột ở trường %s của bản ghi %s.\n", field, id)
	return nil
}
