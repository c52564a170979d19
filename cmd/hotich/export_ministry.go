package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/ministry"
	"github.com/hotich/hotich/registry/sqlite"
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
	return func(ctx context.Context, e *env, db *sqlite.DB, out string) error {
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

func exportMinistry(ctx context.Context, e *env, db *sqlite.DB, out, since string, full bool, perFile int, quiet bool) error {
	from := int64(0)
	if !full {
		var err error
		if from, err = resolveWatermark(ctx, db, since); err != nil {
			return err
		}
	}
	if e.getenv("GOGC") == "" {
		// A million records allocate a few gigabytes of short-lived
		// values on a heap of a few megabytes: collect half as often.
		defer debug.SetGCPercent(debug.SetGCPercent(200))
	}
	ref, err := db.RefData(ctx)
	if err != nil {
		return err
	}
	dir, err := ministry.NewOSDir(out)
	if err != nil {
		return err
	}
	if err := dir.RemoveTemp(); err != nil {
		return err
	}

	var w *ministry.Writer
	var bar *progressbar.ProgressBar
	var set registry.ChangeSet
	start := time.Now()
	err = db.Changes(ctx, from, registry.ChangeHandler{
		Begin: func(cs registry.ChangeSet) error {
			set = cs
			mode := ministry.Changes
			if cs.Since == 0 {
				mode = ministry.Full
			}
			w = ministry.NewWriter(dir, ref, ministry.Header{Mode: mode, Since: cs.Since, Until: cs.Until, DataTime: cs.At}, perFile)
			if !quiet && isTerminal(e.stderr) {
				bar = progressbar.NewOptions64(int64(cs.Records+cs.Links),
					progressbar.OptionSetWriter(e.stderr),
					progressbar.OptionSetDescription("xuất dữ liệu đồng bộ"),
					progressbar.OptionShowCount(),
					progressbar.OptionShowIts(),
					progressbar.OptionSetItsString("mục"),
					progressbar.OptionSetWidth(30),
					progressbar.OptionThrottle(200*time.Millisecond),
					progressbar.OptionClearOnFinish())
			}
			return nil
		},
		Record: func(c registry.RecordChange) error {
			if bar != nil {
				bar.Add(1)
			}
			return w.Record(c)
		},
		Link: func(l registry.LinkChange) error {
			if bar != nil {
				bar.Add(1)
			}
			return w.Link(l)
		},
	})
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		if w != nil {
			w.Abort()
		}
		return fmt.Errorf("export ministry: %w", err)
	}
	m, err := w.Close()
	if err != nil {
		return fmt.Errorf("export ministry: %w", err)
	}
	manifest := filepath.Join(out, m.Name)
	sum, err := fileSHA256(manifest)
	if err != nil {
		return err
	}
	if err := db.AddSyncRun(ctx, registry.SyncRun{Kind: registry.SyncExport, Mode: string(m.Mode), Since: m.Since, Until: m.Until,
		Manifest: m.Name, SHA256: sum, Entries: m.Entries()}); err != nil {
		return fmt.Errorf("export ministry: record the run: %w", err)
	}
	elapsed := time.Since(start)
	e.log.Info("exported", "format", "ministry", "mode", string(m.Mode), "since", m.Since, "until", m.Until,
		"records", set.Records, "links", set.Links, "files", len(m.DataFiles()), "elapsed", elapsed.Round(time.Millisecond))
	fmt.Fprintf(e.stdout, "%s\nMốc %d..%d: %d bản ghi, %d liên kết, %d tệp dữ liệu (%s). Lần sau: --since %d\n",
		manifest, m.Since, m.Until, set.Records, set.Links, len(m.DataFiles()), elapsed.Round(time.Millisecond), m.Until)
	return nil
}

// resolveWatermark reads --since: a number, a manifest file, or "last".
func resolveWatermark(ctx context.Context, db *sqlite.DB, s string) (int64, error) {
	if s == "last" {
		run, err := db.LastSyncRun(ctx, "export")
		if err != nil {
			return 0, err
		}
		if run == nil {
			return 0, registry.Errorf(registry.ENOTFOUND, "kho chưa xuất lần nào: dùng --full cho lần xuất đầu tiên")
		}
		return run.Until, nil
	}
	if n, err := ministry.ParseWatermark(s); err == nil {
		return n, nil
	}
	f, err := os.Open(s)
	if err != nil {
		return 0, usageError(fmt.Sprintf("export: --since %q is neither a watermark nor a manifest file", s))
	}
	defer f.Close()
	m, err := ministry.DecodeManifest(f)
	if err != nil {
		return 0, registry.Errorf(registry.EINVALID, "--since %s: %v", s, err)
	}
	return m.Until, nil
}

func fileSHA256(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}
