// Command gen writes a sample corpus of ward batch files with its ground
// truth; it is "hotich samples" without the rest of the CLI:
//
//	go run ./samples/gen -out /tmp/corpus -entries 100000 -seed 7
//
// See samples/README.md for the committed sample set's command.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/schollz/progressbar/v3"

	"github.com/hotich/hotich/samples"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := samples.DefaultConfig()
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	out := fs.String("out", "", "output folder: batches/ and truth/ are written in it (required)")
	quiet := fs.Bool("q", false, "no progress bar")
	finish := cfg.BindFlags(fs)
	fs.Parse(os.Args[1:])
	if err := finish(); err != nil || *out == "" {
		if err == nil {
			err = fmt.Errorf("-out is required")
		}
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(2)
	}
	if !*quiet && cfg.Entries >= 50000 {
		var bar *progressbar.ProgressBar
		cfg.Progress = func(done, total int64) {
			if bar == nil {
				bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(os.Stderr),
					progressbar.OptionSetDescription("rows"), progressbar.OptionShowCount(), progressbar.OptionShowIts(),
					progressbar.OptionSetItsString("rows"), progressbar.OptionThrottle(200e6))
			}
			bar.Set64(done)
		}
		defer fmt.Fprintln(os.Stderr)
	}
	sum, err := samples.Generate(ctx, cfg, *out)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "%d files, %d rows: %d accepted, %d flagged, %d rejected; %d records; %d duplicate pairs, %v hard negatives\n",
		sum.Files, sum.Rows, sum.Accepted, sum.Flagged, sum.Rejected, sum.Records, sum.Duplicates, sum.HardNegatives)
}
