// Command gen generates realistic ward batch files with their ground truth,
// for tests, demonstrations and benchmarks. It is the generator's one entry
// point; the clerk's binary does not carry it.
//
//	go run ./samples/gen --out /tmp/corpus --entries 100000 --seed 7
//
// See samples/README.md for the committed sample set's command.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/hotich/hotich/samples"
)

const usage = `
Usage: go run ./samples/gen --out DIR [--entries N] [--seed S] [flags]

Generates ward batch files as Ho Chi Minh City's ward offices export them:
real wards and districts, register books of 1976-2025, all four registers,
every container (CSV with , ; or TAB, TSV, XLSX, JSONL) and text encoding
(UTF-8 with and without BOM, NFD, UTF-16, Windows-1258, TCVN3, VNI, VISCII,
mojibake cells), rescans that agree or conflict, bad and flagged rows,
duplicate registrations and look-alike people who must stay apart.

DIR/batches/ gets the batch files, DIR/truth/ the ground truth: rows.jsonl
(the expected outcome and stored values of every row, in ingest order),
pairs.jsonl (duplicate registrations and hard negatives) and summary.json.
The same seed and flags give byte-identical files on any machine and any
number of cores. Memory does not grow with --entries.

Examples:

	go run ./samples/gen --out /tmp/corpus --entries 100000 --seed 7
	go run ./samples/gen --out /tmp/bench --entries 1000000 --plain
	go run ./samples/gen --out /tmp/tcvn3 --entries 5000 --formats csv --encodings tcvn3,vni
	go run ./samples/gen --out /tmp/dedup --entries 200000 --dup-births 0.05 --hard-negatives 0.01
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := samples.DefaultConfig()
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\nFlags:\n", strings.TrimSpace(usage))
		fs.PrintDefaults()
	}
	out := fs.String("out", "", "output folder: batches/ and truth/ are written in it (required)")
	asJSON := fs.Bool("json", false, "print the summary as JSON on stdout")
	quiet := fs.Bool("quiet", false, "no progress bar")
	finish := cfg.BindFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if err := finish(); err != nil {
		fmt.Fprintf(stderr, "gen: %v\n", err)
		return errUsage
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	var bar *progressbar.ProgressBar
	if !*quiet && cfg.Entries >= 50000 {
		cfg.Progress = func(done, total int64) {
			if bar == nil {
				bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(stderr),
					progressbar.OptionSetDescription("dòng"), progressbar.OptionShowCount(), progressbar.OptionShowIts(),
					progressbar.OptionSetItsString("dòng"), progressbar.OptionSetWidth(30),
					progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
			}
			bar.Set64(done)
		}
	}
	sum, err := samples.Generate(ctx, cfg, *out)
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(sum)
	}
	fmt.Fprintf(stderr, "%d files, %d rows: %d accepted, %d flagged, %d rejected; %d records; %d duplicate pairs, %v hard negatives\n",
		sum.Files, sum.Rows, sum.Accepted, sum.Flagged, sum.Rejected, sum.Records, sum.Duplicates, sum.HardNegatives)
	return nil
}
