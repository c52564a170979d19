package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/hotich/hotich/exchange"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/ministry"
)

func init() {
	exportFormats["ministry"] = exportFormat{
		summary: "the ministry sync export: XML per docs/ministry-format.md into --out DIR (--full, or --since WATERMARK|MANIFEST|last)",
		usage:   ministryExportUsage,
		flags:   ministryExportFlags,
	}
}

const ministryExportUsage = `
Usage: hotich export --format ministry --out DIR (--full | --since WATERMARK) [--per-file N] [--quiet]

Writes the registers in the ministry exchange format 1.0 (docs/ministry-format.md)
into DIR: data files hotich-<from>-<to>-NNNN.xml of at most N entries each, the
schema (hotich-ministry-1.0.xsd, dancu-1.0-hotich.xsd), and last the manifest
hotich-<from>-<to>-manifest.xml with every file's size and SHA-256.

--full exports every record and duplicate link. --since exports what changed
after a watermark of the store's event log: records created or changed
(rescans, corrections, settled conflicts, flags raised or closed) and links
created, decided or removed. WATERMARK is a number, a previous manifest (its
DenMoc), or "last" (the end of the last export this store wrote). The run
exports up to the store's newest event, named in the manifest: pass it as
the next run's --since.

A run that dies leaves no half-written file under a final name and no
manifest; running it again (same store, same watermark) writes the same bytes.

Examples:

	hotich export --format ministry --out /sync/2025-06-09 --full
	hotich export --format ministry --out /sync/2025-06-10 --since /sync/2025-06-09/hotich-0-81234-manifest.xml
	hotich export --format ministry --out /sync/today --since last
`

// ministryExportFlags adds the ministry format's flags to the export's
// FlagSet.
func ministryExportFlags(fs *flag.FlagSet) exportRun {
	since := fs.String("since", "", "export the changes after this watermark: a number, a manifest file, or last")
	full := fs.Bool("full", false, "export every record and link")
	perFile := fs.Int("per-file", ministry.DefaultPerFile, "entries per data file")
	quiet := fs.Bool("quiet", false, "no progress bar")
	return func(ctx context.Context, e *env, db registry.Store, out string) error {
		switch {
		case out == "" || out == "-":
			fs.Usage()
			return usageError("export --format ministry: --out DIR is required")
		case *full == (*since != ""):
			fs.Usage()
			return usageError("export --format ministry: give either --full or --since WATERMARK")
		case *perFile <= 0:
			return usageError("export --format ministry: --per-file must be positive")
		}
		return exportMinistry(ctx, e, db, out, *since, *full, *perFile, *quiet)
	}
}

func exportMinistry(ctx context.Context, e *env, db registry.Store, out, since string, full bool, perFile int, quiet bool) error {
	opt := exchange.ExportOptions{PerFile: perFile, Log: e.log}
	switch {
	case full:
		opt.Since.Full = true
	case since == "last":
		opt.Since.Last = true
	default:
		if n, err := ministry.ParseWatermark(since); err == nil {
			opt.Since.Watermark = n
		} else if _, err := os.Stat(since); err == nil {
			opt.Since.Manifest = since
		} else {
			return usageError(fmt.Sprintf("export: --since %q is neither a watermark nor a manifest file", since))
		}
	}
	if e.getenv("GOGC") == "" {
		// A million records allocate a few gigabytes of short-lived
		// values on a heap of a few megabytes: collect half as often.
		defer debug.SetGCPercent(debug.SetGCPercent(200))
	}
	var bar *progressbar.ProgressBar
	if !quiet && isTerminal(e.stderr) {
		opt.Progress = func(total, done int) {
			if bar == nil {
				bar = newBar(e, int64(total), "xuất dữ liệu đồng bộ", "mục")
			}
			bar.Set(done)
		}
	}
	res, err := exchange.Export(ctx, db, out, opt)
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return err
	}
	m := res.Manifest
	fmt.Fprintf(e.stdout, "%s\nMốc %d..%d: %d bản ghi, %d liên kết, %d tệp dữ liệu (%s). Lần sau: --since %d\n",
		res.Path, m.Since, m.Until, res.Set.Records, res.Set.Links, len(m.DataFiles()), res.Took.Round(time.Millisecond), m.Until)
	return nil
}
