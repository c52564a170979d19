package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/hotich/hotich/ingest"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

func init() {
	register("ingest", "ingest ward batch files (CSV, TSV, XLSX, JSONL; any encoding) into the store", runIngest)
}

const ingestUsage = `
Usage: hotich ingest [--db PATH] [--workers N] [--rejects DIR] [--encoding ENC] [--force] [--json] PATH...

Ingests ward batch files into the store. PATH is a file or a folder (read
recursively); files are taken in lexical order. Containers: .csv and .txt
(delimiter ',' ';' or TAB, sniffed), .tsv, .xlsx (first sheet), .jsonl. The
encoding of each text file is detected (UTF-8 with or without BOM, NFD,
UTF-16 with BOM, Windows-1258, TCVN3, VNI, VISCII) unless --encoding forces
one.

Every row ends accepted, accepted with flags (listed for review), or rejected
into DIR/<file>.rejects.csv and .rejects.jsonl with its source reference,
reason and raw cells. Rescans of an entry (same register, authority, book and
number) fold into one record; disagreeing values are kept as conflicts.

A file is refused as a whole (nothing stored, the reason in the summary) when
it is not a regular file, is binary, has no batch header, is empty, is over a
limit (README, "Limits") or no encoding reads it with confidence 0.50 or more.
Hidden files, symbolic links in folders and other extensions are listed as
not read. The run exits 1 if a file failed or was refused.

Ingesting the same file again changes nothing; --force reads it again, its
rows replacing the stored ones (with --encoding, after a wrong detection).
Ctrl+C stops within a second; the summary says what was kept, and the same
command resumes. A killed run resumes the same way.

Examples:

	hotich ingest samples/batches
	hotich ingest --db /data/hotich.db --rejects /data/rejects q1-ben-nghe-ks-2010.xlsx
	hotich ingest --encoding tcvn3 --json old-exports/ > summary.json
	hotich ingest --force --encoding utf8 old-exports/q4-p8-ks-1998.csv
`

func runIngest(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "ingest", ingestUsage)
	dbPath := dbFlag(fs)
	workers := fs.Int("workers", 0, "goroutines decoding rows (default: one per CPU)")
	rejects := fs.String("rejects", "rejects", "folder for the reject reports")
	encoding := fs.String("encoding", "auto", "force an encoding: auto, utf8, utf16, cp1258, tcvn3, vni, viscii")
	commit := fs.Int("commit-rows", 50000, "rows per transaction")
	asJSON := fs.Bool("json", false, "print the per-file summary as JSON on stdout")
	quiet := fs.Bool("quiet", false, "no progress bar")
	link := fs.Bool("dedup", false, "then link duplicates of the registers ingested (as hotich dedup)")
	noWait := noWaitFlag(fs)
	force := fs.Bool("force", false, "read again the files ingested before (the same bytes): their rows replace the stored ones")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return usageError("ingest: no file or folder given")
	}
	enc := vntext.Unknown
	if *encoding != "auto" {
		var err error
		if enc, err = vntext.ParseEncoding(*encoding); err != nil {
			return usageError(fmt.Sprintf("ingest: --encoding: %v", err))
		}
	}
	db, err := createStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	release, err := lockBulk(ctx, e, db, "ingest", *noWait)
	if err != nil {
		return err
	}
	defer release()
	if e.getenv("GOGC") == "" {
		// Every row allocates its cells, record and encodings, all dead a
		// chunk later, on a live heap of a few tens of megabytes: collect
		// half as often (peak RSS stays near 200 MiB on a million rows).
		defer debug.SetGCPercent(debug.SetGCPercent(200))
	}

	opt := ingest.Options{
		Workers:    *workers,
		Encoding:   enc,
		Force:      *force,
		CommitRows: *commit,
		RejectsDir: *rejects,
		Now:        e.now,
		Log:        e.log,
	}
	var bar *progressbar.ProgressBar
	if !*quiet && isTerminal(e.stderr) {
		start := time.Now()
		opt.Progress = func(p ingest.Progress) {
			if bar == nil {
				bar = progressbar.NewOptions64(p.BytesTotal,
					progressbar.OptionSetWriter(e.stderr),
					progressbar.OptionShowBytes(true),
					progressbar.OptionSetWidth(30),
					progressbar.OptionThrottle(200*time.Millisecond),
					progressbar.OptionClearOnFinish())
			}
			rate := float64(p.Rows) / time.Since(start).Seconds()
			bar.Describe(fmt.Sprintf("%-32s %d dòng, %.0f dòng/s", trimName(p.File, 32), p.Rows, rate))
			bar.Set64(p.BytesDone)
		}
	}
	start := time.Now()
	results, runErr := ingest.New(db, opt).Run(ctx, fs.Args())
	if bar != nil {
		bar.Finish()
	}
	elapsed := time.Since(start)
	if *asJSON {
		if err := printJSON(e.stdout, results); err != nil {
			return err
		}
	} else {
		printIngestSummary(e.stdout, results, elapsed)
	}
	if *link && runErr == nil {
		return dedupAfterIngest(ctx, e, db, results, !*asJSON)
	}
	return runErr
}

// printJSON writes v to w as indented JSON, with <, > and & as they are
// (the output is data for operators and tools, not for a web page).
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func trimName(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return "…" + string(r[len(r)-n+1:])
	}
	return s
}

var statusLabel = map[string]string{
	ingest.StatusIngested: "đã nhập",
	ingest.StatusResumed:  "đã nhập tiếp",
	ingest.StatusSkipped:  "đã nhập trước đó, bỏ qua",
	ingest.StatusFailed:   "lỗi",
	ingest.StatusRefused:  "từ chối",
	ingest.StatusReread:   "đọc lại (--force)",
	// Only what was committed is counted for a stopped run's files.
	ingest.StatusInterrupted: "dừng giữa chừng",
}

func printIngestSummary(w io.Writer, results []ingest.FileResult, elapsed time.Duration) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "Tệp\tSổ\tMã hóa\tTin cậy\tSố dòng\tNhận\tGắn cờ\tLoại\tXung đột\tTrạng thái\t")
	var total registry.BatchCounts
	var reports []string
	var failures, refused, notRead []string
	files, finished, interrupted, pending := 0, 0, 0, 0
	for _, r := range results {
		switch r.Status {
		case ingest.StatusNotRead:
			notRead = append(notRead, r.Path+": "+r.Reason)
			continue
		case ingest.StatusPending:
			pending++
			continue
		case ingest.StatusInterrupted:
			interrupted++
		case ingest.StatusIngested, ingest.StatusResumed:
			finished++
		case ingest.StatusRefused:
			refused = append(refused, r.Path+": "+r.Reason)
		}
		files++
		c := r.Counts
		total.Add(c)
		status := statusLabel[r.Status]
		if r.SameAs != "" {
			status = "cùng nội dung với " + r.SameAs + ", bỏ qua"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%d\t%d\t%d\t%d\t%d\t%s\t\n", r.File, r.Register, r.Encoding, r.Confidence,
			c.Rows, c.Accepted, c.Flagged, c.Rejected, c.Conflicts, status)
		if r.Status != ingest.StatusSkipped {
			reports = append(reports, r.Reports...)
		}
		if r.Error != "" || r.Status == ingest.StatusFailed && r.Reason != "" {
			failures = append(failures, r.Path+": "+r.Error+r.Reason)
		}
	}
	fmt.Fprintf(tw, "Tổng (%d tệp)\t\t\t\t%d\t%d\t%d\t%d\t%d\t\t\n", files, total.Rows, total.Accepted, total.Flagged, total.Rejected, total.Conflicts)
	tw.Flush()
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(total.Rows) / s
	}
	fmt.Fprintf(w, "\nThời gian: %s (%.0f dòng/s). Bản ghi mới: %d, gộp vào bản ghi đã có: %d.\n",
		elapsed.Round(time.Millisecond), rate, total.Created, total.Folded)
	if interrupted+pending > 0 {
		fmt.Fprintf(w, "Đã dừng theo yêu cầu. Kho giữ những gì đã ghi: %d tệp nhập xong, %d dòng đã lưu (%d bản ghi mới).\n"+
			"Chạy lại cùng lệnh để nhập tiếp %d tệp dở dang và %d tệp chưa đọc; tệp đã nhập xong sẽ được bỏ qua.\n",
			finished, total.Rows, total.Created, interrupted, pending)
	}
	if len(reports) > 0 {
		fmt.Fprintf(w, "Báo cáo dòng bị loại:\n  %s\n", strings.Join(reports, "\n  "))
	}
	if len(failures) > 0 {
		fmt.Fprintf(w, "Tệp lỗi (chưa nhập xong; sửa rồi chạy lại lệnh):\n  %s\n", strings.Join(failures, "\n  "))
	}
	if len(refused) > 0 {
		fmt.Fprintf(w, "Tệp bị từ chối (không lưu dòng nào của tệp):\n  %s\n", strings.Join(refused, "\n  "))
	}
	if len(notRead) > 0 {
		fmt.Fprintf(w, "Không đọc:\n  %s\n", strings.Join(notRead, "\n  "))
	}
}
