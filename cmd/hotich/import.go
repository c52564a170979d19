package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/ministry"
	"github.com/hotich/hotich/registry/sqlite"
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
	fsys := os.DirFS(path)
	manifests, err := ministry.ReadManifests(fsys)
	if err != nil {
		return registry.Errorf(registry.EINVALID, "thư mục %s: %v", path, err)
	}
	if len(manifests) == 0 {
		return registry.Errorf(registry.ENOTFOUND, "thư mục %s không có bảng kê (hotich-*-manifest.xml)", path)
	}
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
	for _, m := range manifests {
		if err := importManifest(ctx, e, db, path, m, *commit, *force, *quiet); err != nil {
			return err
		}
	}
	return nil
}

func importManifest(ctx context.Context, e *env, db *sqlite.DB, dir string, m *ministry.Manifest, commit int, force, quiet bool) error {
	sum, err := fileSHA256(filepath.Join(dir, m.Name))
	if err != nil {
		return err
	}
	if done, err := db.SyncRunBySHA256(ctx, "import", sum); err != nil {
		return err
	} else if done != nil {
		fmt.Fprintf(e.stdout, "%s: đã nhập trước đó (%s), bỏ qua.\n", m.Name, done.At)
		return nil
	}
	last, err := db.LastSyncRun(ctx, "import")
	if err != nil {
		return err
	}
	switch {
	case last != nil && m.Since > last.Until:
		return registry.Errorf(registry.EREFUSED, "%s bắt đầu từ mốc %d nhưng kho mới nhập đến mốc %d: thiếu các bản xuất ở giữa", m.Name, m.Since, last.Until)
	case last != nil && m.Until < last.Until && !force:
		return registry.Errorf(registry.EREFUSED, "%s (đến mốc %d) cũ hơn dữ liệu đã nhập (đến mốc %d): dùng --force nếu thật sự muốn áp dụng", m.Name, m.Until, last.Until)
	case last == nil && m.Since > 0:
		st, err := db.Stats(ctx)
		if err != nil {
			return err
		}
		n := 0
		for _, c := range st.Records {
			n += c
		}
		if n == 0 {
			return registry.Errorf(registry.EREFUSED, "%s chỉ chứa thay đổi từ mốc %d: kho trống cần nhập bản xuất đầy đủ trước", m.Name, m.Since)
		}
	}
	fsys := os.DirFS(dir)
	if err := m.Verify(fsys); err != nil {
		return registry.Errorf(registry.EINVALID, "%s: tệp không khớp bảng kê: %v", m.Name, err)
	}

	var bar *progressbar.ProgressBar
	if !quiet && isTerminal(e.stderr) {
		bar = progressbar.NewOptions64(int64(m.Entries()),
			progressbar.OptionSetWriter(e.stderr),
			progressbar.OptionSetDescription("nhập "+m.Name),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish())
		defer bar.Finish()
	}
	start := time.Now()
	im := db.NewImporter(m.Name)
	for _, f := range m.DataFiles() {
		if err := importFile(ctx, im, dir, m, f, commit, bar); err != nil {
			im.Abort()
			return fmt.Errorf("import %s: %w", f.Name, err)
		}
	}
	if err := im.Checkpoint(ctx); err != nil {
		return err
	}
	if err := db.AddSyncRun(ctx, registry.SyncRun{Kind: registry.SyncImport, Mode: string(m.Mode), Since: m.Since, Until: m.Until,
		Manifest: m.Name, SHA256: sum, Entries: m.Entries()}); err != nil {
		return err
	}
	c := im.Counts()
	e.log.Info("imported", "format", "ministry", "manifest", m.Name, "created", c.Created, "updated", c.Updated, "unchanged", c.Unchanged,
		"links_created", c.LinksCreated, "links_updated", c.LinksUpdated, "links_removed", c.LinksRemoved, "events", c.Events, "elapsed", time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(e.stdout, "%s (mốc %d..%d): bản ghi %d mới, %d cập nhật, %d không đổi; liên kết %d mới, %d cập nhật, %d xóa, %d không đổi; %d sự kiện lịch sử.\n",
		m.Name, m.Since, m.Until, c.Created, c.Updated, c.Unchanged, c.LinksCreated, c.LinksUpdated, c.LinksRemoved, c.LinksSame, c.Events)
	return nil
}

func importFile(ctx context.Context, im registry.Importer, dir string, m *ministry.Manifest, f ministry.ManifestFile, commit int, bar *progressbar.ProgressBar) error {
	file, err := os.Open(filepath.Join(dir, f.Name))
	if err != nil {
		return err
	}
	defer file.Close()
	dec := ministry.NewDecoder(bufio.NewReaderSize(file, 256<<10))
	h, err := dec.Header()
	if err != nil {
		return err
	}
	if h.Since != m.Since || h.Until != m.Until || h.Part != f.Part {
		return fmt.Errorf("file says range %d..%d part %d, the manifest %d..%d part %d", h.Since, h.Until, h.Part, m.Since, m.Until, f.Part)
	}
	// Decoding (encoding/xml) runs ahead on a goroutine of its own, in
	// bounded batches, while the entries are applied in order here.
	type batch struct {
		entries []ministry.Entry
		err     error
	}
	batches := make(chan batch, 4)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(batches)
		for {
			b := batch{entries: make([]ministry.Entry, 0, 256)}
			for len(b.entries) < cap(b.entries) {
				en, err := dec.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					b.err = err
					break
				}
				b.entries = append(b.entries, en)
			}
			select {
			case batches <- b:
			case <-stop:
				return
			}
			if b.err != nil || len(b.entries) < cap(b.entries) {
				return
			}
		}
	}()
	n := 0
	for b := range batches {
		for _, en := range b.entries {
			if err := ctx.Err(); err != nil {
				return err
			}
			var err error
			switch l := en.Link; {
			case en.Record != nil:
				if _, err = im.Record(ctx, en.Record.Record); err == nil {
					err = im.History(ctx, en.Record.Record.ID, en.Record.Events)
				}
			case l.Removed:
				_, err = im.RemoveLink(ctx, l.A, l.B)
			default:
				_, err = im.Link(ctx, l.A, l.B, l.Score, l.Status)
			}
			if err != nil {
				return err
			}
			n++
			if bar != nil {
				bar.Add(1)
			}
			if im.Pending() >= commit {
				if err := im.Checkpoint(ctx); err != nil {
					return err
				}
			}
		}
		if b.err != nil {
			return b.err
		}
	}
	if n != f.Entries {
		return fmt.Errorf("%d entries, the manifest says %d", n, f.Entries)
	}
	return nil
}
