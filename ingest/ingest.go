// Package ingest turns ward batch files into register records: it reads
// every container and encoding of the batch format, normalises and checks
// each row, and stores it through a registry.BatchService. Every row ends
// accepted, accepted with flags, or rejected into a report with its source
// reference, reason and raw cells: nothing is dropped.
//
// Rows are decoded and checked on all cores while one writer commits them in
// order, in large transactions that also record where the batch got to. A
// run that is killed resumes where the last commit left it, and a file
// ingested before (the same bytes) is recognised by its hash and skipped.
package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// Options configure an ingest run.
type Options struct {
	Workers  int             // goroutines decoding and checking rows; 0: one per CPU
	Encoding vntext.Encoding // force an encoding; Unknown: detect per file
	// Force reads again a file ingested before (the same bytes): its rows
	// replace the rows stored for it (registry.BatchRereader). Without it
	// such a file is skipped.
	Force bool
	// CommitRows is how many rows a transaction holds at most; 0: 50,000.
	// A transaction commits sooner when another writer of the store (a
	// clerk issuing a copy) waits for it.
	CommitRows int
	RejectsDir string // where reject reports go; "": not written
	Now        func() time.Time
	Log        *slog.Logger
	// Progress, if set, is called from the writer after every chunk of rows.
	Progress func(Progress)
}

// Progress reports how far a run got.
type Progress struct {
	File       string // base name of the file being read
	BytesDone  int64  // bytes of all files read so far
	BytesTotal int64  // bytes of all files of the run
	Rows       int    // rows stored or rejected in this run so far
}

// File outcomes of a run.
const (
	StatusIngested = "ingested"         // read completely
	StatusResumed  = "resumed"          // an interrupted earlier run finished
	StatusSkipped  = "already_ingested" // the same bytes were ingested before
	StatusReread   = "reread"           // ingested before, read again (--force): its rows replaced the stored ones
	StatusFailed   = "failed"           // could not be read; nothing of it was lost
	StatusRefused  = "refused"          // refused as a whole (Reason says why): nothing of it stored
	// A stopped run: the file was being read (the rows committed are kept
	// and counted), or it was not reached. A re-run resumes or reads it.
	StatusInterrupted = "interrupted"
	StatusPending     = "pending"
	StatusNotRead     = "not_read" // passed over (Reason says why): not a batch, hidden, a link
)

// FileResult summarises what a run did with one file.
type FileResult struct {
	Path       string               `json:"path"`
	File       string               `json:"file"`
	Status     string               `json:"status"`
	Error      string               `json:"error,omitempty"`
	Reason     string               `json:"reason,omitempty"` // why a file was refused or not read
	Register   registry.Register    `json:"register,omitempty"`
	Container  string               `json:"container,omitempty"`
	Encoding   string               `json:"encoding,omitempty"`
	Confidence float64              `json:"confidence"`
	Counts     registry.BatchCounts `json:"counts"`
	Reports    []string             `json:"reject_reports,omitempty"`
	// SameAs names the file ingested before with the same bytes, when a
	// skipped file is a copy of it under another name.
	SameAs string `json:"same_as,omitempty"`
}

// Ingester ingests batch files into a store.
type Ingester struct {
	store registry.BatchService
	opt   Options
	ref   *registry.RefData // of the run
}

// New returns an Ingester writing to store.
func New(store registry.BatchService, opt Options) *Ingester {
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if opt.CommitRows <= 0 {
		opt.CommitRows = 50000
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Ingester{store: store, opt: opt}
}

// Files expands the paths of a run into the batch files to read, in
// lexical order: files as given, folders walked recursively. Every other
// path the walk meets is returned in passed, with its status (StatusNotRead
// or StatusRefused) and the reason, so that nothing is left out without a
// word: files that are not batches by their extension, hidden files and
// folders (their name begins with a dot), symbolic links inside a folder
// (not followed: a link can point anywhere, a device or a folder above),
// and files that are not regular files (devices, pipes, sockets), which
// are never opened. A path given on the command line is followed if it is
// a link; it must lead to a folder or a regular file.
func Files(paths []string) (files []string, passed []FileResult, err error) {
	seen := map[string]bool{}
	pass := func(path, status, reason string) {
		if !seen[path] {
			seen[path] = true
			passed = append(passed, FileResult{Path: path, File: filepath.Base(path), Status: status, Reason: reason})
		}
	}
	add := func(p string) {
		if seen[p] {
			return
		}
		if containerOf(p) == "" {
			pass(p, StatusNotRead, reasonNotBatch)
			return
		}
		seen[p] = true
		files = append(files, p)
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case fi.Mode().IsRegular():
			add(p)
			continue
		case !fi.IsDir():
			pass(p, StatusRefused, notRegular(fi.Mode()))
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if path == p {
					return err
				}
				pass(path, StatusFailed, err.Error())
				return nil
			}
			hidden := path != p && strings.HasPrefix(d.Name(), ".")
			switch t := d.Type(); {
			case t&fs.ModeSymlink != 0:
				pass(path, StatusNotRead, reasonSymlink)
			case d.IsDir() && hidden:
				pass(path, StatusNotRead, reasonHiddenFolder)
				return fs.SkipDir
			case d.IsDir():
			case !t.IsRegular():
				pass(path, StatusRefused, notRegular(t))
			case hidden:
				pass(path, StatusNotRead, reasonHidden)
			default:
				add(path)
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	sort.Strings(files)
	sort.Slice(passed, func(i, j int) bool { return passed[i].Path < passed[j].Path })
	return files, passed, nil
}

// Why a path is passed over, for the summary (clerk-facing, Vietnamese).
const (
	reasonNotBatch     = "không phải tệp lô (cần .csv, .txt, .tsv, .tab, .xlsx, .jsonl hoặc .ndjson): không đọc"
	reasonHidden       = "tệp ẩn (tên bắt đầu bằng dấu chấm): không đọc"
	reasonHiddenFolder = "thư mục ẩn (tên bắt đầu bằng dấu chấm): không đọc các tệp trong đó"
	reasonSymlink      = "liên kết tượng trưng (symlink): không đọc theo liên kết; chỉ rõ đường dẫn thật nếu muốn nhập"
)

// notRegular says why a file that is not a regular file is refused.
func notRegular(m fs.FileMode) string {
	kind := "tệp đặc biệt"
	switch {
	case m&fs.ModeDevice != 0 || m&fs.ModeCharDevice != 0:
		kind = "thiết bị"
	case m&fs.ModeNamedPipe != 0:
		kind = "ống dẫn có tên (FIFO)"
	case m&fs.ModeSocket != 0:
		kind = "socket"
	}
	return "không phải tệp thường (" + kind + "): không đọc"
}

// runState is the progress of a run across its files.
type runState struct {
	total int64
	done  int64 // bytes of finished files
	rows  int
	// checkpoint commits what the run wrote so far.
	checkpoint func() error
}

// commitDue reports whether the open transaction should commit: it holds
// CommitRows rows, or another writer waits for the store. Commits by row
// count keep a store's event log the same from run to run; a waiting
// writer waits for one chunk of rows, not for the whole transaction.
func (in *Ingester) commitDue(w registry.BatchWriter) bool {
	n := w.Pending()
	return n > 0 && (n >= in.opt.CommitRows || w.Contended())
}

// openRows opens the row reader of a file and fills in the batch's
// container, encoding and header.
func (in *Ingester) openRows(ctx context.Context, path string, b *registry.Batch) (rowReader, func() int64, error) {
	b.Container = containerOf(path)
	switch b.Container {
	case ContainerXLSX:
		x, err := openXLSX(ctx, path)
		if err != nil {
			return nil, nil, err
		}
		b.Encoding, b.Confidence, b.Header = "utf8", 1, x.Header()
		return x, func() int64 { return 0 }, nil
	case ContainerJSONL:
		j, err := openJSONL(ctx, path, in.opt.Encoding)
		if err != nil {
			return nil, nil, err
		}
		b.Encoding, b.Confidence, b.Header = j.src.encoding.String(), j.src.detected.Confidence, j.Header()
		return j, j.src.counted.n.Load, nil
	default:
		c, err := openCSV(ctx, path, in.opt.Encoding, b.Container == ContainerTSV)
		if err != nil {
			return nil, nil, err
		}
		b.Encoding, b.Confidence, b.Header, b.Delimiter = c.src.encoding.String(), c.src.detected.Confidence, c.Header(), string(c.delim)
		return c, c.src.counted.n.Load, nil
	}
}

// peekLimit bounds how many rows are read ahead to find the file's register.
const peekLimit = 1000

// rawRow is a row as read, before conversion.
type rawRow struct {
	cells     []string
	malformed *malformedError // why the reader could not split it, if it could not
}

// peekRegister reads the first rows of a file and sets the batch's
// register to the one most of them name: a stray row of another register
// at the top of a file must not turn the file's good rows into wrong-register
// rejects. Reading stops at peekLimit rows, or as soon as one register leads
// the others by decisiveLead rows. A tie goes to the register whose columns
// the header (headerTexts) names most, then to the first named. The rows
// read are returned to be processed first.
func peekRegister(rows rowReader, b *registry.Batch, header []string) ([]rawRow, error) {
	var peeked []rawRow
	idx := -1
	for i, h := range header {
		if registry.HeaderKey(h) == registry.HeaderKey(registry.ColRegister) {
			idx = i
			break
		}
	}
	jsonl := b.Container == ContainerJSONL
	votes := map[registry.Register]int{}
	var order []registry.Register // registers in the order first named
	for len(peeked) < peekLimit {
		r, err := nextRaw(rows)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		peeked = append(peeked, r)
		var v string
		switch {
		case r.malformed != nil:
		case jsonl:
			v = jsonRegister(r.cells[0])
		case idx >= 0 && idx < len(r.cells):
			v = r.cells[idx]
		}
		reg, err := registry.ParseRegister(vntext.Clean(v))
		if err != nil {
			continue
		}
		if votes[reg] == 0 {
			order = append(order, reg)
		}
		votes[reg]++
		if lead(votes, reg) >= decisiveLead {
			break
		}
	}
	b.Register = ""
	best := -1
	for _, reg := range order {
		if votes[reg] > best || votes[reg] == best && headerFit(reg, header) > headerFit(b.Register, header) {
			b.Register, best = reg, votes[reg]
		}
	}
	return peeked, nil
}

// nextRaw reads the next row: a row the reader could not split comes back
// as a rawRow saying why, not as an error. It returns io.EOF at the end.
func nextRaw(rows rowReader) (rawRow, error) {
	cells, err := rows.Next()
	var me *malformedError
	if errors.As(err, &me) {
		return rawRow{cells: cells, malformed: me}, nil
	}
	return rawRow{cells: cells}, err
}

// decisiveLead is how many more rows one register must have than all the
// others together for peekRegister to stop reading.
const decisiveLead = 8

// lead returns how many more votes reg has than all other registers.
func lead(votes map[registry.Register]int, reg registry.Register) int {
	n := votes[reg]
	for r, v := range votes {
		if r != reg {
			n -= v
		}
	}
	return n
}

// headerFit counts the header cells (headerTexts) that name a column of reg.
func headerFit(reg registry.Register, header []string) int {
	if !reg.Valid() {
		return -1
	}
	n := 0
	for _, h := range header {
		if _, ok := reg.ColumnByHeader(h); ok {
			n++
		}
	}
	return n
}

// headerTexts returns the header cells of a file as compared with the known
// headers (see headerText).
func headerTexts(header []string, repair bool) []string {
	texts := make([]string, len(header))
	for i, h := range header {
		texts[i] = headerText(h, repair)
	}
	return texts
}

// headerText is a header cell as compared with the known headers: without
// a byte-order mark, with mojibake repaired where the file's text may hold
// it, and cleaned, in the order cells are.
func headerText(h string, repair bool) string {
	h = strings.TrimPrefix(h, "\ufeff")
	if repair {
		h, _ = vntext.RepairMojibake(h)
	}
	h, _ = vntext.DropXMLInvalid(h)
	return vntext.Clean(h)
}

// minKnownColumns is how many header cells must name a column of some
// register for a file to be a batch: a text that is not one (a readme
// saved as .txt) is refused rather than read as rows that all fail.
const minKnownColumns = 2

// knownColumns counts the header cells (headerTexts) that name a column
// of any register.
func knownColumns(header []string) int {
	n := 0
	for _, h := range header {
		for _, reg := range registry.Registers {
			if _, ok := reg.ColumnByHeader(h); ok {
				n++
				break
			}
		}
	}
	return n
}

// anyJSONObject reports whether one of the rows of a .jsonl file is meant
// as a JSON object (begins with "{"; a broken one is a rejected row).
func anyJSONObject(rows []rawRow) bool {
	for _, r := range rows {
		if len(r.cells) == 1 && strings.HasPrefix(strings.TrimSpace(r.cells[0]), "{") {
			return true
		}
	}
	return false
}

// jsonRegister finds the register named by a .jsonl line, or "".
func jsonRegister(line string) string {
	var obj map[string]any
	if json.Unmarshal([]byte(line), &obj) != nil {
		return ""
	}
	for k, v := range obj {
		if registry.HeaderKey(k) == "loaiso" {
			s, _ := v.(string)
			return s
		}
	}
	return ""
}
