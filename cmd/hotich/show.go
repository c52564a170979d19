package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/jsonl"
)

func init() {
	register("show", "print one record with the batch rows it came from", runShow)
}

const showUsage = `
Usage: hotich show [--db PATH] [--json] ID

Prints a record: its register identity, every stored field, flags, conflicts,
duplicate links, the registering authority then and the unit that holds its
register today, and every batch row folded into it with its raw cells.

Examples:

	hotich show KS-26740-7F3K9Q2MXA
	hotich show --json KS-26740-7F3K9Q2MXA | jq .fields
`

func runShow(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "show", showUsage)
	dbPath := dbFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON: the record's JSONL line plus its source rows")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usageError("show: want exactly one record ID")
	}
	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	rec, err := db.FindRecordByID(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	sources, err := db.SourceRows(ctx, rec.ID)
	if err != nil {
		return err
	}
	if *asJSON {
		type source struct {
			Ref      string            `json:"source_ref"`
			Outcome  string            `json:"outcome"`
			FileHash string            `json:"file_sha256"`
			Encoding string            `json:"encoding"`
			Cells    map[string]string `json:"cells"`
		}
		out := struct {
			jsonl.Line
			Sources []source `json:"sources"`
		}{Line: jsonl.FromRecord(rec)}
		for _, s := range sources {
			out.Sources = append(out.Sources, source{s.Ref, s.Outcome, s.FileHash, s.Encoding, cellMap(s)})
		}
		return printJSON(e.stdout, out)
	}
	ref, err := db.RefData(ctx)
	if err != nil {
		return err
	}
	printRecord(termSafe(e.stdout), rec, ref, sources)
	return nil
}

// cellLabels labels a source row's cells with their headers; blank and
// repeated headers get distinct labels, so every cell shows.
func cellLabels(s registry.SourceRow) []string {
	labels := registry.ColumnLabels(s.Header)
	for i := len(labels); i < len(s.Raw); i++ {
		labels = append(labels, fmt.Sprintf("#%d", i+1))
	}
	return labels
}

func cellMap(s registry.SourceRow) map[string]string {
	labels := cellLabels(s)
	m := make(map[string]string, len(s.Raw))
	for i, c := range s.Raw {
		m[labels[i]] = c
	}
	return m
}

func printRecord(w io.Writer, r *registry.Record, ref *registry.RefData, sources []registry.SourceRow) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Mã bản ghi\t%s\n", r.ID)
	fmt.Fprintf(tw, "Sổ\tSổ đăng ký %s (%s)\n", r.Register.Name(), r.Register)
	fmt.Fprintf(tw, "Nơi đăng ký\t%s [%s]\n", r.AuthorityName, r.AuthorityCode)
	if succ := ref.Successors(r.AuthorityCode); len(succ) > 0 {
		names := make([]string, len(succ))
		for i, u := range succ {
			names[i] = fmt.Sprintf("%s [%s]", u.Name, u.Code)
		}
		fmt.Fprintf(tw, "Đơn vị giữ sổ hiện nay\t%s\n", strings.Join(names, "; "))
	}
	fmt.Fprintf(tw, "Quyển số / Số\t%s / %s\n", r.Book, r.Number)
	fmt.Fprintf(tw, "Ngày đăng ký\t%s\n", registry.DisplayDate(r.RegisteredOn))
	for _, c := range r.Register.Columns() {
		if v, ok := r.Fields[c.Name]; ok && !registry.IsEntryColumn(c.Name) {
			fmt.Fprintf(tw, "%s\t%s\n", c.Aliases[0], registry.DisplayValue(c, v))
		}
	}
	var extra []string
	for k := range r.Extra {
		extra = append(extra, k)
	}
	sort.Strings(extra)
	for _, k := range extra {
		fmt.Fprintf(tw, "%s (cột khác)\t%s\n", k, r.Extra[k])
	}
	tw.Flush()
	if len(r.Flags) > 0 {
		fmt.Fprintln(w, "\nCần xem xét:")
		for _, f := range r.Flags {
			fmt.Fprintf(w, "  - %s", f.Code.Label())
			if f.Field != "" {
				fmt.Fprintf(w, " (%s)", r.Register.FieldLabel(f.Field))
			}
			fmt.Fprintf(w, ": %s", f.Detail)
			if f.SourceRef != "" {
				fmt.Fprintf(w, " (%s)", f.SourceRef)
			}
			fmt.Fprintln(w)
		}
	}
	if len(r.Conflicts) > 0 {
		fmt.Fprintln(w, "\nXung đột giữa các bản quét:")
		for _, c := range r.Conflicts {
			state := "chưa giải quyết"
			if c.Resolved {
				state = "đã giải quyết"
			}
			fmt.Fprintf(w, "  - %s (%s):\n", r.Register.FieldLabel(c.Field), state)
			for i, v := range c.Values {
				fmt.Fprintf(w, "      %q  từ %s\n", v, c.SourceRefs[i])
			}
		}
	}
	if len(r.Duplicates) > 0 {
		fmt.Fprintln(w, "\nNghi trùng:")
		for _, d := range r.Duplicates {
			fmt.Fprintf(w, "  - %s  điểm %.3f  %s  (liên kết %d)\n", d.ID, d.Score, d.Status.Label(), d.LinkID)
		}
	}
	fmt.Fprintln(w, "\nDòng nguồn:")
	for _, s := range sources {
		fmt.Fprintf(w, "  %s  [%s, mã hóa %s, sha256 %s…]\n", s.Ref, registry.OutcomeLabel(s.Outcome), s.Encoding, s.FileHash[:12])
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		labels := cellLabels(s)
		for i, c := range s.Raw {
			if c != "" {
				fmt.Fprintf(tw, "      %s\t%s\n", labels[i], c)
			}
		}
		tw.Flush()
	}
}
