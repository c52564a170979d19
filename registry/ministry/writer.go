package ministry

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/hotich/hotich/internal/atomicfile"
	"github.com/hotich/hotich/registry"
)

// Dir receives the files of an export. A file appears under its name only
// when Commit succeeds; Abort drops it. OSDir is the implementation on disk.
type Dir interface {
	Create(name string) (PendingFile, error)
}

// PendingFile is a file being written into a Dir.
type PendingFile interface {
	io.Writer
	Commit() error
	Abort()
}

// Writer writes an export into a Dir: data files of at most perFile entries
// each (records sorted by ID, then links), then the schema, then the
// manifest. Entries must come in order: every record before every link.
// Nothing is written under a final name before it is complete, and the
// manifest comes last, so an export that dies half-way has no manifest and
// no half-written file.
type Writer struct {
	dir     Dir
	ref     *registry.RefData
	head    Header
	perFile int

	cur     *asyncPart
	parts   int // data files completed
	enc     *Encoder
	entries int

	man    Manifest
	counts map[registry.Register]*Count
	done   bool
}

// NewWriter returns a Writer for the export h describes (its Part is
// ignored). perFile <= 0 means DefaultPerFile.
func NewWriter(dir Dir, ref *registry.RefData, h Header, perFile int) *Writer {
	if perFile <= 0 {
		perFile = DefaultPerFile
	}
	w := &Writer{dir: dir, ref: ref, head: h, perFile: perFile, counts: map[registry.Register]*Count{}}
	w.man = Manifest{Mode: h.Mode, Since: h.Since, Until: h.Until, DataTime: h.DataTime, PerFile: perFile}
	for _, r := range registry.Registers {
		w.counts[r] = &Count{Register: r}
	}
	return w
}

// partSink is what the encoder writes to: the current data file.
type partSink struct{ w *Writer }

func (s partSink) Write(p []byte) (int, error) { return s.w.cur.Write(p) }

// asyncPart hashes and writes a data file on a goroutine of its own, so
// that encoding the next entries overlaps hashing and writing (a million
// entries are two gigabytes of XML). At most a few buffers are in flight.
type asyncPart struct {
	f      PendingFile
	sum    hash.Hash
	size   int64
	full   chan []byte
	free   chan []byte
	done   chan struct{}
	err    error // set by the goroutine; read after done
	failed atomic.Bool
	closed bool
}

func newAsyncPart(f PendingFile) *asyncPart {
	a := &asyncPart{f: f, sum: sha256.New(), full: make(chan []byte, 4), free: make(chan []byte, 6), done: make(chan struct{})}
	go func() {
		defer close(a.done)
		for b := range a.full {
			if a.err == nil {
				a.sum.Write(b)
				var n int
				n, a.err = a.f.Write(b)
				a.size += int64(n)
				if a.err != nil {
					a.failed.Store(true)
				}
			}
			select {
			case a.free <- b[:0]:
			default:
			}
		}
	}()
	return a
}

var errPartFailed = errors.New("writing the data file failed")

// Write queues a copy of p.
func (a *asyncPart) Write(p []byte) (int, error) {
	if a.failed.Load() {
		return 0, errPartFailed
	}
	var b []byte
	select {
	case b = <-a.free:
	default:
		b = make([]byte, 0, max(len(p), 256<<10))
	}
	a.full <- append(b, p...)
	return len(p), nil
}

// wait stops the goroutine once everything queued is written.
func (a *asyncPart) wait() error {
	if !a.closed {
		a.closed = true
		close(a.full)
	}
	<-a.done
	return a.err
}

// Commit completes the file.
func (a *asyncPart) Commit() error {
	if err := a.wait(); err != nil {
		a.f.Abort()
		return err
	}
	return a.f.Commit()
}

// Abort drops the file.
func (a *asyncPart) Abort() {
	a.wait()
	a.f.Abort()
}

// next starts a data file if none is open.
func (w *Writer) next() error {
	if w.done {
		return errors.New("export already closed")
	}
	if w.cur != nil {
		return nil
	}
	h := w.head
	h.Part = w.parts + 1
	f, err := w.dir.Create(DataFileName(h.Since, h.Until, h.Part))
	if err != nil {
		return err
	}
	w.cur, w.entries = newAsyncPart(f), 0
	if w.enc == nil {
		w.enc = NewEncoder(partSink{w}, w.ref)
	} else {
		w.enc.links = false
	}
	return w.enc.Begin(h)
}

// finish completes the open data file.
func (w *Writer) finish() error {
	if w.cur == nil {
		return nil
	}
	part := w.parts + 1
	if err := w.enc.End(); err != nil {
		return err
	}
	if err := w.cur.Commit(); err != nil {
		w.cur = nil // dropped by Commit
		return err
	}
	w.man.Files = append(w.man.Files, ManifestFile{
		Name: DataFileName(w.head.Since, w.head.Until, part), Kind: FileData, Part: part,
		Entries: w.entries, Size: w.cur.size, SHA256: hex.EncodeToString(w.cur.sum.Sum(nil)),
	})
	w.cur = nil
	w.parts++
	return nil
}

func (w *Writer) added() error {
	w.entries++
	if w.entries >= w.perFile {
		return w.finish()
	}
	return nil
}

// Record adds a register entry.
func (w *Writer) Record(e registry.RecordChange) error {
	if err := w.next(); err != nil {
		return err
	}
	if err := w.enc.Record(e); err != nil {
		return err
	}
	c := w.counts[e.Record.Register]
	if e.New {
		c.New++
	} else {
		c.Updated++
	}
	return w.added()
}

// Link adds a duplicate link.
func (w *Writer) Link(e registry.LinkChange) error {
	if err := w.next(); err != nil {
		return err
	}
	if err := w.enc.Link(e); err != nil {
		return err
	}
	switch {
	case e.Removed:
		w.man.Links.Removed++
	case e.New:
		w.man.Links.New++
	default:
		w.man.Links.Updated++
	}
	return w.added()
}

// Close completes the last data file, writes the schema and then the
// manifest, and returns the manifest.
func (w *Writer) Close() (*Manifest, error) {
	if err := w.finish(); err != nil {
		w.Abort()
		return nil, err
	}
	w.done = true
	for _, name := range SchemaFiles {
		b, err := fs.ReadFile(Schema(), name)
		if err != nil {
			return nil, err
		}
		f, err := w.writeFile(name, func(out io.Writer) error { _, err := out.Write(b); return err })
		if err != nil {
			return nil, err
		}
		f.Kind = FileSchema
		w.man.Files = append(w.man.Files, f)
	}
	for _, r := range registry.Registers {
		w.man.Counts = append(w.man.Counts, *w.counts[r])
	}
	name := ManifestFileName(w.head.Since, w.head.Until)
	if _, err := w.writeFile(name, w.man.Encode); err != nil {
		return nil, err
	}
	w.man.Name = name
	return &w.man, nil
}

// Abort drops the data file being written. Files already complete stay;
// without a manifest the export is incomplete and a re-run rewrites them
// with the same bytes.
func (w *Writer) Abort() {
	if w.cur != nil {
		w.cur.Abort()
		w.cur = nil
	}
	w.done = true
}

func (w *Writer) writeFile(name string, write func(io.Writer) error) (ManifestFile, error) {
	f, err := w.dir.Create(name)
	if err != nil {
		return ManifestFile{}, err
	}
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(f, h)}
	if err := write(cw); err != nil {
		f.Abort()
		return ManifestFile{}, fmt.Errorf("%s: %w", name, err)
	}
	if err := f.Commit(); err != nil {
		return ManifestFile{}, fmt.Errorf("%s: %w", name, err)
	}
	return ManifestFile{Name: name, Size: cw.n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// OSDir is a folder on disk. Files are written with atomicfile: a reader
// never finds a partial file under a final name, even after a crash.
type OSDir struct {
	path string
}

// NewOSDir returns the folder at path, creating it if needed.
func NewOSDir(path string) (*OSDir, error) {
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, err
	}
	return &OSDir{path: path}, nil
}

// Create starts a file.
func (d *OSDir) Create(name string) (PendingFile, error) {
	if name == "" || filepath.Base(name) != name {
		return nil, fmt.Errorf("file name %q not allowed", name)
	}
	f, err := atomicfile.Create(filepath.Join(d.path, name), atomicfile.Public)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// RemoveTemp removes the temporary files a killed run left behind.
func (d *OSDir) RemoveTemp() error {
	_, err := atomicfile.RemoveStale(d.path)
	return err
}
