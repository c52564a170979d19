package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/hotich/hotich/ingest"
	"github.com/hotich/hotich/linkage"
	"github.com/hotich/hotich/registry"
)

func init() {
	register("dedup", "link entries of different identities that record the same event", runDedup)
}

const dedupUsage = `
Usage:
	hotich dedup [--db PATH] [--register KS,KH,KT,NCMC] [--since SEQ] [--estimate] [--em] [--json]
	hotich dedup model [--db PATH] [--register R]
	hotich dedup explain [--db PATH] ID ID
	hotich dedup eval [--db PATH] [--json] TRUTH

Finds entries with different identities that record the same event (a
re-registration, the same birth registered at two wards, an entry keyed
under a wrong book or number) and links them with a score. Nothing is
merged: above the automatic threshold a link is "auto", below it down to
the review threshold "suspected" (listed by hotich review and flagged
suspected_duplicate), below that nothing.

Each run matches the entries changed since the register's previous run
against the whole store; running it again changes nothing. A person's
decision (hotich review confirm|reject) is kept by later runs unless the
data of either entry changes. --since SEQ matches the entries changed after
event SEQ instead (--since 0: every entry).

The model (Fellegi–Sunter: m and u per comparison level, term frequencies
of names) is estimated from the store on the first run, and again when a
register has doubled; --estimate forces it, --em also estimates m by
expectation-maximisation. "dedup model" prints it.

"dedup explain" scores any two entries of one register as a run would and
prints each comparison's part in the score (why a pair is, or is not,
linked); it reads the register to count name frequencies.

"dedup eval" measures the links against a ground truth (the sample
generator's truth/pairs.jsonl, or its folder): pairwise precision, recall
and F1 for auto and auto+suspected links, the hard negatives linked, and
the recall the blocking allows.

Examples:

	hotich dedup
	hotich dedup --register KS --since 0
	hotich dedup eval /tmp/c100k/truth
`

func runDedup(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "eval":
			return runDedupEval(ctx, e, args[1:])
		case "model":
			return runDedupModel(ctx, e, args[1:])
		case "explain":
			return runDedupExplain(ctx, e, args[1:])
		}
	}
	fs := newFlagSet(e, "dedup", dedupUsage)
	dbPath := dbFlag(fs)
	regs := fs.String("register", "", "registers to match, comma-separated (default all)")
	since := fs.Int64("since", -1, "match entries changed after this event seq (default: since the previous run)")
	estimate := fs.Bool("estimate", false, "re-estimate the model from the store first")
	em := fs.Bool("em", false, "with the estimate, estimate m by EM too")
	workers := fs.Int("workers", 0, "goroutines (default: one per CPU)")
	asJSON := fs.Bool("json", false, "print the run's report as JSON")
	noWait := noWaitFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError("dedup: unexpected arguments: " + strings.Join(fs.Args(), " "))
	}
	list, err := parseRegisters(*regs)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	release, err := lockBulk(ctx, e, db, "dedup", *noWait)
	if err != nil {
		return err
	}
	defer release()
	opt := linkage.RunOptions{Since: *since, Workers: *workers, EM: *em}
	if *estimate || *em {
		opt.Estimate = linkage.EstimateAlways
	}
	reports, err := linkStore(ctx, e, db, list, opt)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, reports)
	}
	printLinkReports(e.stdout, reports)
	return nil
}

func parseRegisters(s string) ([]registry.Register, error) {
	if strings.TrimSpace(s) == "" {
		return registry.Registers, nil
	}
	var out []registry.Register
	for _, part := range strings.Split(s, ",") {
		r, err := registry.ParseRegister(strings.TrimSpace(part))
		if err != nil {
			return nil, usageError(fmt.Sprintf("--register: %v", registry.ErrorMessage(err)))
		}
		out = append(out, r)
	}
	return out, nil
}

// linkStore runs linkage on the given registers of the store, as the
// command line does it.
func linkStore(ctx context.Context, e *env, db registry.Store, regs []registry.Register, opt linkage.RunOptions) ([]linkage.Report, error) {
	opt.Log, opt.Now = e.log, e.now
	if e.getenv("GOGC") == "" {
		opt.GCPercent = 50
	}
	return linkage.RunStore(ctx, db, regs, opt)
}

func printLinkReports(w io.Writer, reports []linkage.Report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "Sổ\tBản ghi\tCần so\tCặp so sánh\tTự động\tNghi trùng\tMới\tĐổi\tBỏ\tMở lại\tGiữ QĐ\tGiây\t")
	for _, r := range reports {
		if r.Skipped {
			fmt.Fprintf(tw, "%s\t—\t0\t\t\t\t\t\t\t\t\t\t\n", r.Register)
			continue
		}
		secs := r.Seconds["load"] + r.Seconds["estimate"] + r.Seconds["match"] + r.Seconds["store"]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.1f\t\n", r.Register, r.Entries, r.Pending, r.CandidatePairs,
			r.Auto, r.Suspected, r.Changes.Created, r.Changes.Updated, r.Changes.Dropped, r.Changes.Reset, r.Changes.Kept, secs)
	}
	tw.Flush()
	fmt.Fprintln(w, "\n(Cần so: bản ghi mới hoặc đã đổi từ lần chạy trước; Tự động/Nghi trùng: các cặp đạt ngưỡng; Giữ QĐ: quyết định của người duyệt được giữ.)")
}

func runDedupModel(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "dedup model", dedupUsage)
	dbPath := dbFlag(fs)
	regs := fs.String("register", "", "registers, comma-separated (default all)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	list, err := parseRegisters(*regs)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	m, err := linkage.StoredModel(ctx, db, list...)
	if err != nil {
		return err
	}
	for _, reg := range list {
		rm := m.Register(reg)
		fmt.Fprintf(e.stdout, "%s  [model %s]\n", linkage.Describe(rm, reg), rm.ID())
	}
	return nil
}

func runDedupEval(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "dedup eval", dedupUsage)
	dbPath := dbFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("dedup eval: want the truth file or folder")
	}
	path := fs.Arg(0)
	for _, cand := range []string{filepath.Join(path, "pairs.jsonl"), filepath.Join(path, "truth", "pairs.jsonl")} {
		if fi, err := os.Stat(cand); err == nil && !fi.IsDir() {
			path = cand
			break
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	truth, err := linkage.ReadTruth(f)
	f.Close()
	if err != nil {
		return err
	}
	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	links, err := db.Links(ctx, registry.LinkFilter{Status: []registry.LinkStatus{registry.LinkAuto, registry.LinkSuspected, registry.LinkConfirmed, registry.LinkRejected}})
	if err != nil {
		return err
	}
	pairs := make([]linkage.LinkedPair, len(links))
	for i, l := range links {
		pairs[i] = linkage.LinkedPair{A: l.A, B: l.B, Status: l.Proposed}
		if l.Status == registry.LinkAuto || l.Status == registry.LinkSuspected {
			pairs[i].Status = l.Status
		}
	}
	q := linkage.Evaluate(truth, pairs)
	br, err := linkage.New(nil, linkage.Options{Log: e.log}).BlockingRecall(ctx, db, truth)
	if err != nil {
		return err
	}
	q.BlockingRecall = br["all"]
	if *asJSON {
		return printJSON(e.stdout, struct {
			*linkage.Quality
			BlockingByRegister map[string]float64 `json:"blocking_recall_by_register"`
		}{q, br})
	}
	printQuality(e.stdout, q, br)
	return nil
}

func printQuality(w io.Writer, q *linkage.Quality, br map[string]float64) {
	fmt.Fprintf(w, "Cặp trùng thật: %d; blocking giữ được %.4f\n\n", q.Duplicates, q.BlockingRecall)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tLiên kết\tĐúng\tPrecision\tRecall\tF1\t")
	row := func(name string, s linkage.Scores) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.4f\t%.4f\t%.4f\t\n", name, s.Predicted, s.Correct, s.Precision, s.Recall, s.F1)
	}
	row("auto", q.Auto)
	row("auto+suspected", q.AutoSuspected)
	var regs []string
	for r := range q.ByRegister {
		regs = append(regs, r)
	}
	sort.Strings(regs)
	for _, r := range regs {
		s := q.ByRegister[r]
		row(r+" auto", s[0])
		row(r+" auto+suspected", s[1])
	}
	tw.Flush()
	fmt.Fprintln(w, "\nCặp giống nhau nhưng khác người (hard negatives):")
	var kinds []string
	for k := range q.HardNegatives {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		n := q.HardNegatives[k]
		fmt.Fprintf(w, "  %-12s %5d cặp: auto %d, suspected %d\n", k, n.Pairs, n.Auto, n.Suspected)
	}
	var rs []string
	for r := range br {
		rs = append(rs, r)
	}
	sort.Strings(rs)
	fmt.Fprint(w, "\nBlocking recall:")
	for _, r := range rs {
		fmt.Fprintf(w, " %s %.4f", r, br[r])
	}
	fmt.Fprintln(w)
	if len(q.FalseAuto) > 0 {
		fmt.Fprintln(w, "\nLiên kết auto sai (tối đa 20):")
		for _, p := range q.FalseAuto {
			fmt.Fprintf(w, "  %s %s\n", p.A, p.B)
		}
	}
	if len(q.Missed) > 0 {
		fmt.Fprintln(w, "\nCặp trùng bị bỏ sót (tối đa 20):")
		for _, p := range q.Missed {
			fmt.Fprintf(w, "  %s %s %s %v\n", p.A, p.B, p.Via, p.Corruptions)
		}
	}
}

// storedModel returns the model stored for the registers (defaults for a
// register without one).

func runDedupExplain(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "dedup explain", dedupUsage)
	dbPath := dbFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usageError("dedup explain: want two record IDs")
	}
	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := db.FindRecordByID(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	b, err := db.FindRecordByID(ctx, fs.Arg(1))
	if err != nil {
		return err
	}
	model, err := linkage.StoredModel(ctx, db, a.Register)
	if err != nil {
		return err
	}
	p, err := linkage.New(model, linkage.Options{Log: e.log}).Score(ctx, db, a, b)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, p)
	}
	if p.A != a.ID {
		a, b = b, a
	}
	status := string(p.Status)
	if status == "" {
		status = "không liên kết (dưới ngưỡng)"
	}
	w := termSafe(e.stdout)
	fmt.Fprintf(w, "%s ↔ %s: điểm %.4f (%.2f bit), %s\n\n", p.A, p.B, p.Score, p.Bits, status)
	printComparison(w, a, b, p.Explanation)
	return nil
}

// dedupAfterIngest links the registers a run of hotich ingest --dedup wrote
// to, and prints the report unless the ingest printed JSON.
func dedupAfterIngest(ctx context.Context, e *env, db registry.Store, results []ingest.FileResult, print bool) error {
	seen := map[registry.Register]bool{}
	var regs []registry.Register
	for _, r := range registry.Registers {
		for _, res := range results {
			if res.Register == r && res.Status != ingest.StatusSkipped && res.Status != ingest.StatusFailed && !seen[r] {
				seen[r] = true
				regs = append(regs, r)
			}
		}
	}
	if len(regs) == 0 {
		return nil
	}
	reports, err := linkStore(ctx, e, db, regs, linkage.RunOptions{Since: -1})
	if err != nil {
		return err
	}
	if print {
		fmt.Fprintln(e.stdout)
		printLinkReports(e.stdout, reports)
	}
	return nil
}
