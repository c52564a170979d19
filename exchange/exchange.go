// Package exchange is the nightly sync with the Ministry of Justice's
// civil-status database, and the way a second site rebuilds a store: it
// exports a store's changes after a watermark in the ministry's exchange
// format (registry/ministry), and imports such exports in watermark order,
// refusing a gap in the chain. Front ends (the command line, a scheduler)
// call it with a store and a folder.
package exchange

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/ministry"
)

// Store is what the exchange needs of a store.
type Store interface {
	registry.SyncService
	RefData(ctx context.Context) (*registry.RefData, error)
	Stats(ctx context.Context) (*registry.Stats, error)
}

// Since says where an export starts.
type Since struct {
	Full      bool   // everything
	Last      bool   // after the last export written from this store
	Watermark int64  // after this event seq
	Manifest  string // after the range of this earlier manifest file
}

// ExportOptions configure Export.
type ExportOptions struct {
	Since   Since
	PerFile int // entries per data file; 0: the format's default
	// Progress, if set, is told the entries to come (once) and each entry
	// written.
	Progress func(total, done int)
	Log      *slog.Logger
}

// Exported says what an export wrote.
type Exported struct {
	Manifest *ministry.Manifest
	Path     string // of the manifest
	Set      registry.ChangeSet
	Took     time.Duration
}

// Export writes the store's changes into the folder dir: data files, the
// schema, and last the manifest with the watermark range, the counts and
// every file's SHA-256. A run that dies leaves no half-written file and no
// manifest; running it again writes the same bytes. The run is recorded so
// that the next export can start after it.
func Export(ctx context.Context, store Store, dir string, opt ExportOptions) (*Exported, error) {
	from, err := resolveSince(ctx, store, opt.Since)
	if err != nil {
		return nil, err
	}
	perFile := opt.PerFile
	if perFile <= 0 {
		perFile = ministry.DefaultPerFile
	}
	ref, err := store.RefData(ctx)
	if err != nil {
		return nil, err
	}
	out, err := ministry.NewOSDir(dir)
	if err != nil {
		return nil, err
	}
	if err := out.RemoveTemp(); err != nil {
		return nil, err
	}
	var w *ministry.Writer
	res := &Exported{}
	start, done := time.Now(), 0
	tick := func() {
		done++
		if opt.Progress != nil {
			opt.Progress(res.Set.Records+res.Set.Links, done)
		}
	}
	err = store.Changes(ctx, from, registry.ChangeHandler{
		Begin: func(cs registry.ChangeSet) error {
			res.Set = cs
			mode := ministry.Changes
			if cs.Since == 0 {
				mode = ministry.Full
			}
			w = ministry.NewWriter(out, ref, ministry.Header{Mode: mode, Since: cs.Since, Until: cs.Until, DataTime: cs.At}, perFile)
			if opt.Progress != nil {
				opt.Progress(cs.Records+cs.Links, 0)
			}
			return nil
		},
		Record: func(c registry.RecordChange) error {
			tick()
			return w.Record(c)
		},
		Link: func(l registry.LinkChange) error {
			tick()
			return w.Link(l)
		},
	})
	if err != nil {
		if w != nil {
			w.Abort()
		}
		return nil, fmt.Errorf("export ministry: %w", err)
	}
	m, err := w.Close()
	if err != nil {
		return nil, fmt.Errorf("export ministry: %w", err)
	}
	res.Manifest, res.Path = m, filepath.Join(dir, m.Name)
	sum, err := fileSHA256(res.Path)
	if err != nil {
		return nil, err
	}
	if err := store.AddSyncRun(ctx, registry.SyncRun{Kind: registry.SyncExport, Mode: string(m.Mode), Since: m.Since, Until: m.Until,
		Manifest: m.Name, SHA256: sum, Entries: m.Entries()}); err != nil {
		return nil, fmt.Errorf("export ministry: record the run: %w", err)
	}
	res.Took = time.Since(start)
	if opt.Log != nil {
		opt.Log.Info("exported", "format", "ministry", "mode", string(m.Mode), "since", m.Since, "until", m.Until,
			"records", res.Set.Records, "links", res.Set.Links, "files", len(m.DataFiles()), "elapsed", res.Took.Round(time.Millisecond))
	}
	return res, nil
}

// resolveSince turns where an export starts into a watermark.
func resolveSince(ctx context.Context, store Store, s Since) (int64, error) {
	switch {
	case s.Full:
		return 0, nil
	case s.Last:
		run, err := store.LastSyncRun(ctx, registry.SyncExport)
		if err != nil {
			return 0, err
		}
		if run == nil {
			return 0, registry.Errorf(registry.ENOTFOUND, "kho chưa xuất lần nào: lần xuất đầu tiên phải là bản đầy đủ")
		}
		return run.Until, nil
	case s.Manifest != "":
		f, err := os.Open(s.Manifest)
		if err != nil {
			return 0, registry.Errorf(registry.ENOTFOUND, "không mở được bảng kê %s: %v", s.Manifest, err)
		}
		defer f.Close()
		m, err := ministry.DecodeManifest(f)
		if err != nil {
			return 0, registry.Errorf(registry.EINVALID, "bảng kê %s: %v", s.Manifest, err)
		}
		return m.Until, nil
	}
	return s.Watermark, nil
}

// ImportOptions configure Import.
type ImportOptions struct {
	// CommitEntries is how many entries a transaction holds; 0: 20,000.
	CommitEntries int
	// Force applies an export older than what was imported already.
	Force bool
	// Progress, if set, is told each manifest's entries (once, done 0) and
	// each entry applied.
	Progress func(manifest string, total, done int)
	Log      *slog.Logger
}

// Imported says what importing one manifest did.
type Imported struct {
	Manifest *ministry.Manifest
	Skipped  bool   // imported before (the same manifest bytes)
	Before   string // when, if Skipped
	Counts   registry.ImportCounts
	Took     time.Duration
}

// Import applies the exports in a folder in watermark order, after every
// file is checked against its manifest. Importing is idempotent (the same
// export twice, or a site's own export, changes nothing); a gap in the
// chain of exports, or an export older than what was imported, is refused.
func Import(ctx context.Context, store Store, dir string, opt ImportOptions) ([]Imported, error) {
	fsys := os.DirFS(dir)
	manifests, err := ministry.ReadManifests(fsys)
	if err != nil {
		return nil, registry.Errorf(registry.EINVALID, "thư mục %s: %v", dir, err)
	}
	if len(manifests) == 0 {
		return nil, registry.Errorf(registry.ENOTFOUND, "thư mục %s không có bảng kê (hotich-*-manifest.xml)", dir)
	}
	if opt.CommitEntries <= 0 {
		opt.CommitEntries = 20000
	}
	var out []Imported
	for _, m := range manifests {
		res, err := importManifest(ctx, store, dir, fsys, m, opt)
		if err != nil {
			return out, err
		}
		out = append(out, res)
	}
	return out, nil
}

func importManifest(ctx context.Context, store Store, dir string, fsys fs.FS, m *ministry.Manifest, opt ImportOptions) (Imported, error) {
	res := Imported{Manifest: m}
	sum, err := fileSHA256(filepath.Join(dir, m.Name))
	if err != nil {
		return res, err
	}
	if done, err := store.SyncRunBySHA256(ctx, registry.SyncImport, sum); err != nil {
		return res, err
	} else if done != nil {
		res.Skipped, res.Before = true, done.At
		return res, nil
	}
	if err := checkChain(ctx, store, m, opt.Force); err != nil {
		return res, err
	}
	if err := m.Verify(fsys); err != nil {
		return res, registry.Errorf(registry.EINVALID, "%s: tệp không khớp bảng kê: %v", m.Name, err)
	}
	start := time.Now()
	im := store.NewImporter(m.Name)
	done := 0
	if opt.Progress != nil {
		opt.Progress(m.Name, m.Entries(), 0)
	}
	for _, f := range m.DataFiles() {
		err := importFile(ctx, im, dir, m, f, func() error {
			done++
			if opt.Progress != nil {
				opt.Progress(m.Name, m.Entries(), done)
			}
			if im.Pending() >= opt.CommitEntries {
				return im.Checkpoint(ctx)
			}
			return nil
		})
		if err != nil {
			im.Abort()
			return res, fmt.Errorf("import %s: %w", f.Name, err)
		}
	}
	if err := im.Checkpoint(ctx); err != nil {
		return res, err
	}
	if err := store.AddSyncRun(ctx, registry.SyncRun{Kind: registry.SyncImport, Mode: string(m.Mode), Since: m.Since, Until: m.Until,
		Manifest: m.Name, SHA256: sum, Entries: m.Entries()}); err != nil {
		return res, err
	}
	res.Counts, res.Took = im.Counts(), time.Since(start)
	if opt.Log != nil {
		c := res.Counts
		opt.Log.Info("imported", "format", "ministry", "manifest", m.Name, "created", c.Created, "updated", c.Updated, "unchanged", c.Unchanged,
			"links_created", c.LinksCreated, "links_updated", c.LinksUpdated, "links_removed", c.LinksRemoved, "events", c.Events, "elapsed", res.Took.Round(time.Millisecond))
	}
	return res, nil
}

// checkChain refuses an export that does not continue what was imported:
// one starting after the last imported watermark (a gap), one older than
// it (unless forced), or changes into an empty store.
func checkChain(ctx context.Context, store Store, m *ministry.Manifest, force bool) error {
	last, err := store.LastSyncRun(ctx, registry.SyncImport)
	if err != nil {
		return err
	}
	switch {
	case last != nil && m.Since > last.Until:
		return registry.Errorf(registry.EREFUSED, "%s bắt đầu từ mốc %d nhưng kho mới nhập đến mốc %d: thiếu các bản xuất ở giữa", m.Name, m.Since, last.Until)
	case last != nil && m.Until < last.Until && !force:
		return registry.FieldErrorf(registry.EREFUSED, FieldForce, "%s (đến mốc %d) cũ hơn dữ liệu đã nhập (đến mốc %d): chỉ áp dụng khi xác nhận là thật sự muốn", m.Name, m.Until, last.Until)
	case last == nil && m.Since > 0:
		st, err := store.Stats(ctx)
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
	return nil
}

// FieldForce names the confirmation that an older export is to be applied.
const FieldForce = "force"

// importFile applies the entries of one data file in order; after each,
// next may checkpoint.
func importFile(ctx context.Context, im registry.Importer, dir string, m *ministry.Manifest, f ministry.ManifestFile, next func() error) error {
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
			if err := next(); err != nil {
				return err
			}
		}
		if b.err != nil {
			return b.err
		}
	}
	return nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
