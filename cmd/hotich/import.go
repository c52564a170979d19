package main

import (
	"context"
	"fmt"

	"github.com/hotich/hotich/exchange"
	"github.com/schollz/progressbar/v3"
)

func init() {
	register("import", "import a ministry export (a folder) into the store: rebuild a site, or apply a site's changes", runImport)
}

const importUsage = `
Usage: hotich import --format ministry [--db PATH] [--commit-entries N] [--force] [--quiet] DIR

Reads the ministry exports in DIR (written by "hotich export --format
ministry") into the store: records with their IDs, fields, source references,
flags and conflicts, and duplicate links. DIR may hold a chain of exports (a
full one and the incremental ones after it): they are applied in watermark
order. Every file is checked against its manifest's SHA-256 first.

Importing is idempotent: an entry equal to the stored record changes nothing,
and a manifest imported before is skipped. An incremental export that does
not follow the last one imported (a gap in the watermarks) is refused, as is
one older than what was imported already (unless --force).

Examples:

	hotich import --format ministry --db /data/site2.db /sync/2025-06-09
	hotich import --format ministry /sync/all-nights
`

func runImport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "import", importUsage)
	dbPath := dbFlag(fs)
	format := fs.String("format", "ministry", "format of the export (ministry)")
	commit := fs.Int("commit-entries", 20000, "entries per transaction")
	force := fs.Bool("force", false, "apply an export older than what was imported already")
	quiet := fs.Bool("quiet", false, "no progress bar")
	noWait := noWaitFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "ministry" {
		return usageError(fmt.Sprintf("import: unknown format %q (ministry)", *format))
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usageError("import: want one folder")
	}
	path := fs.Arg(0)
	db, err := createStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	release, err := lockBulk(ctx, e, db, "import", *noWait)
	if err != nil {
		return err
	}
	defer release()
	opt := exchange.ImportOptions{CommitEntries: *commit, Force: *force, Log: e.log}
	var bar *progressbar.ProgressBar
	if !*quiet && isTerminal(e.stderr) {
		opt.Progress = func(manifest string, total, done int) {
			if done == 0 {
				if bar != nil {
					bar.Finish()
				}
				bar = newBar(e, int64(total), "nhập "+manifest, "mục")
			}
			bar.Set(done)
		}
	}
	results, err := exchange.Import(ctx, db, path, opt)
	if bar != nil {
		bar.Finish()
	}
	for _, r := range results {
		m, c := r.Manifest, r.Counts
		if r.Skipped {
			fmt.Fprintf(e.stdout, "%s: đã nhập trước đó (%s), bỏ qua.\n", m.Name, r.Before)
			continue
		}
		fmt.Fprintf(e.stdout, "%s (mốc %d..%d): bản ghi %d mới, %d cập nhật, %d không đổi; liên kết %d mới, %d cập nhật, %d xóa, %d không đổi; %d sự kiện lịch sử.\n",
			m.Name, m.Since, m.Until, c.Created, c.Updated, c.Unchanged, c.LinksCreated, c.LinksUpdated, c.LinksRemoved, c.LinksSame, c.Events)
	}
	return err
}
