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
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// Options configure an ingest run.
type Options struct {
	Workers    int             // goroutines decoding and checking rows; 0: one per CPU
	Encoding   vntext.Encoding // force an encoding; Unknown: detect per file
	CommitRows int             // rows per transaction; 0: 50,000
	RejectsDir string          // where reject reports go; "": not written
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
	StatusFailed   = "failed"           // could not be read; nothing of it was lost
)

// FileResult summarises what a run did with one file.
type FileResult struct {
	Path       string               `json:"path"`
	File       string               `json:"file"`
	Status     string               `json:"status"`
	Error      string               `json:"error,omitempty"`
	Register   registry.Register    `json:"register,omitempty"`
	Container  string               `json:"container,omitempty"`
	Encoding   string               `json:"encoding,omitempty"`
	Confidence float64              `json:"confidence"`
	Counts     registry.BatchCounts `json:"counts"`
	Reports    []string             `json:"reject_reports,omitempty"`
}

// Ingester ingests batch files into a store.
type Ingester struct {
	store registry.BatchService
	opt   Options
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

// Files expands the paths of a run into the batch files to ingest, in
// lexical order: files as given, folders walked recursively. Files that are
// not batches (by extension) are returned in skipped.
func Files(paths []string) (files, skipped []string, err error) {
	seen := map[string]bool{}
	add := func(p string) {
		if seen[p] {
			return
		}
		seen[p] = true
		if containerOf(p) == "" {
			skipped = append(skipped, p)
			return
		}
		files = append(files, p)
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, nil, err
		}
		if !fi.IsDir() {
			add(p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() && !strings.HasPrefix(d.Name(), ".") {
				add(path)
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	sort.Strings(files)
	sort.Strings(skipped)
	return files, skipped, nil
}

// Run ingests the batch files at paths (files or folders). It goes on after
// a file fails and returns the results of every file with the failures
// joined; a cancelled context stops it after the current chunk is rolled
// back, leaving the batch to be resumed.
func (in *Ingester) Run(ctx context.Context, paths []string) ([]FileResult, error) {
	files, skipped, err := Files(paths)
	if err != nil {
		return nil, err
	}
	for _, s := range skipped {
		in.opt.Log.Warn("not a batch file (want .csv, .tsv, .xlsx or .jsonl): skipped", "path", s)
	}
	var total int64
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			total += fi.Size()
		}
	}
	// About 350 bytes a row in a typical ward export.
	bulkDone, err := in.store.BulkLoad(ctx, int(total/350))
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := bulkDone(context.WithoutCancel(ctx)); err != nil {
			in.opt.Log.Error("could not build the search indexes: the next command that opens the store builds them", "err", err)
		}
	}()
	run := &runState{total: total}
	var results []FileResult
	var errs []error
	// Small files share a transaction: uncommitted lists the results of
	// files finished since the last commit, which a rollback undoes.
	var last registry.BatchWriter
	var uncommitted []int
	settle := func(w registry.BatchWriter, err error) {
		if w == nil {
			return
		}
		last = w
		if w.Committed() {
			uncommitted = uncommitted[:0]
			return
		}
		if err != nil {
			// The shared transaction was rolled back: the files finished
			// in it are not stored either.
			for _, i := range uncommitted {
				results[i].Status = StatusFailed
				results[i].Error = fmt.Sprintf("rolled back with %s: run the command again", filepath.Base(w.Batch().Path))
				errs = append(errs, fmt.Errorf("%s: %s", results[i].Path, results[i].Error))
			}
			uncommitted = uncommitted[:0]
			return
		}
		uncommitted = append(uncommitted, len(results)-1)
	}
	for _, f := range files {
		res, w, err := in.ingestFile(ctx, f, run)
		results = append(results, res)
		settle(w, err)
		if err != nil {
			if ctx.Err() != nil {
				return results, errors.Join(append(errs, ctx.Err())...)
			}
			errs = append(errs, fmt.Errorf("%s: %w", f, err))
		}
	}
	if last != nil && !last.Committed() {
		if err := last.Checkpoint(ctx); err != nil {
			last.Abort()
			settle(last, err)
			return results, errors.Join(append(errs, err)...)
		}
	}
	return results, errors.Join(errs...)
}

// runState is the progress of a run across its files.
type runState struct {
	total int64
	done  int64 // bytes of finished files
	rows  int
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// openRows opens the row reader of a file and fills in the batch's
// container, encoding and header.
func (in *Ingester) openRows(path string, b *registry.Batch) (rowReader, func() int64, error) {
	b.Container = containerOf(path)
	switch b.Container {
	case ContainerXLSX:
		x, err := openXLSX(path)
		if err != nil {
			return nil, nil, err
		}
		b.Encoding, b.Confidence, b.Header = "utf8", 1, x.Header()
		return x, func() int64 { return 0 }, nil
	case ContainerJSONL:
		j, err := openJSONL(path, in.opt.Encoding)
		if err != nil {
			return nil, nil, err
		}
		b.Encoding, b.Confidence, b.Header = j.src.encoding.String(), j.src.detected.Confidence, j.Header()
		return j, func() int64 { return j.src.counted.n }, nil
	default:
		c, err := openCSV(path, in.opt.Encoding, b.Container == ContainerTSV)
		if err != nil {
			return nil, nil, err
		}
		b.Encoding, b.Confidence, b.Header, b.Delimiter = c.src.encoding.String(), c.src.detected.Confidence, c.Header(), string(c.delim)
		return c, func() int64 { return c.src.counted.n }, nil
	}
}

// ingestFile ingests one file.
func (in *Ingester) ingestFile(ctx context.Context, path string, run *runState) (FileResult, registry.BatchWriter, error) {
	res := FileResult{Path: path, File: filepath.Base(path), Status: StatusFailed}
	hash, size, err := hashFile(path)
	if err != nil {
		res.Error = err.Error()
		return res, nil, err
	}
	defer func() { run.done += size }()

	b := &registry.Batch{FileName: res.File, Path: path, Hash: hash, Size: size}
	rows, bytesRead, err := in.openRows(path, b)
	if err != nil {
		res.Error = err.Error()
		return res, nil, err
	}
	defer rows.Close()
	res.Container, res.Encoding, res.Confidence = b.Container, b.Encoding, b.Confidence

	// The file's register is the first row's (the first that names one).
	peeked, err := peekRegister(rows, b)
	if err != nil {
		res.Error = err.Error()
		return res, nil, err
	}
	res.Register = b.Register

	ref, err := in.store.RefData(ctx)
	if err != nil {
		return res, nil, err
	}
	w, err := in.store.BeginBatch(ctx, b)
	if err != nil {
		res.Error = err.Error()
		return res, nil, err
	}
	if w == nil {
		res.Status, res.Counts = StatusSkipped, b.Counts
		in.opt.Log.Info("already ingested (same file hash): skipped", "file", res.File, "batch", b.ID)
		// A run killed after the batch finished but before its report was
		// written leaves no report: write it from the store now.
		if in.opt.RejectsDir != "" && b.Counts.Rejected > 0 {
			if _, err := os.Stat(rejectReportPath(in.opt.RejectsDir, b, ".jsonl")); err != nil {
				if res.Reports, err = writeRejectReports(ctx, in.store, in.opt.RejectsDir, b); err != nil {
					res.Error = err.Error()
					return res, nil, err
				}
			}
		}
		return res, nil, nil
	}
	res.Status = StatusIngested
	if b.RowsDone > 0 {
		res.Status = StatusResumed
		in.opt.Log.Info("resuming an interrupted ingest", "file", res.File, "rows_done", b.RowsDone)
	}
	in.opt.Log.Debug("ingesting", "file", res.File, "register", b.Register, "container", b.Container, "encoding", b.Encoding, "confidence", b.Confidence)

	repair := b.Container == ContainerXLSX || strings.HasPrefix(b.Encoding, "utf")
	conv := newConverter(b.Register, b.Header, ref, in.opt.Now(), repair, b.Container == ContainerJSONL)
	if err := in.pump(ctx, rows, peeked, conv, w, func(rowsDone int) {
		run.rows++
		if in.opt.Progress != nil && rowsDone%1000 == 0 {
			in.opt.Progress(Progress{File: res.File, BytesDone: run.done + bytesRead(), BytesTotal: run.total, Rows: run.rows})
		}
	}); err != nil {
		w.Abort()
		res.Counts = w.Batch().Counts
		res.Error = err.Error()
		return res, w, err
	}
	if err := w.Done(ctx); err != nil {
		w.Abort()
		res.Error = err.Error()
		return res, w, err
	}
	if w.Pending() >= in.opt.CommitRows {
		if err := w.Checkpoint(ctx); err != nil {
			w.Abort()
			res.Error = err.Error()
			return res, w, err
		}
	}
	res.Counts = w.Batch().Counts
	if in.opt.RejectsDir != "" && res.Counts.Rejected > 0 {
		if res.Reports, err = writeRejectReports(ctx, in.store, in.opt.RejectsDir, w.Batch()); err != nil {
			res.Error = err.Error()
			return res, w, err
		}
	}
	if in.opt.Progress != nil {
		in.opt.Progress(Progress{File: res.File, BytesDone: run.done + size, BytesTotal: run.total, Rows: run.rows})
	}
	return res, w, nil
}

// peekLimit bounds how many rows are read ahead to find the file's register.
const peekLimit = 1000

// rawRow is a row as read, before conversion.
type rawRow struct {
	cells     []string
	malformed string // why the reader could not split it, if it could not
}

// peekRegister reads rows until one names a valid register and sets the
// batch's register to it. The rows read are returned to be processed first.
func peekRegister(rows rowReader, b *registry.Batch) ([]rawRow, error) {
	var peeked []rawRow
	idx := -1
	for i, h := range rows.Header() {
		if registry.HeaderKey(h) == registry.HeaderKey(registry.ColRegister) || registry.HeaderKey(h) == "loaiso" {
			idx = i
			break
		}
	}
	jsonl := b.Container == ContainerJSONL
	for len(peeked) < peekLimit {
		cells, err := rows.Next()
		if err == io.EOF {
			break
		}
		var me *malformedError
		if errors.As(err, &me) {
			peeked = append(peeked, rawRow{cells: cells, malformed: me.msg})
			continue
		}
		if err != nil {
			return nil, err
		}
		peeked = append(peeked, rawRow{cells: cells})
		var v string
		switch {
		case jsonl:
			v = jsonRegister(cells[0])
		case idx >= 0 && idx < len(cells):
			v = cells[idx]
		}
		if reg, err := registry.ParseRegister(vntext.Clean(v)); err == nil {
			b.Register = reg
			break
		}
	}
	return peeked, nil
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

// pump converts the rows of a file on all workers and writes them in order,
// checkpointing every CommitRows rows. Rows up to the batch's RowsDone were
// stored by an earlier run and are skipped.
func (in *Ingester) pump(ctx context.Context, rows rowReader, peeked []rawRow, conv *converter, w registry.BatchWriter, progress func(int)) error {
	// pctx stops the reader and workers; the writer's transactions use ctx,
	// which must outlive them (a transaction ends with its context).
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	skip := w.Batch().RowsDone

	type chunk struct {
		start int // row number of the first row
		raw   []rawRow
		out   chan []registry.Row
	}
	// Chunks are small so that the writer starts on a file's first rows
	// while the workers convert the rest: a typical ward file has a few
	// hundred rows, and with one large chunk a file would be converted and
	// written one after the other.
	const chunkRows = 64
	work := make(chan *chunk, in.opt.Workers*4)
	ordered := make(chan *chunk, in.opt.Workers*16)
	var readErr error

	go func() { // reader
		defer close(work)
		defer close(ordered)
		n := 0
		cur := &chunk{start: 1}
		flush := func() bool {
			if len(cur.raw) == 0 {
				return true
			}
			cur.out = make(chan []registry.Row, 1)
			select {
			case work <- cur:
			case <-pctx.Done():
				return false
			}
			select {
			case ordered <- cur:
			case <-pctx.Done():
				return false
			}
			cur = &chunk{start: n + 1}
			return true
		}
		add := func(r rawRow) bool {
			n++
			if n <= skip {
				cur.start = n + 1
				return true
			}
			cur.raw = append(cur.raw, r)
			if len(cur.raw) == chunkRows {
				return flush()
			}
			return true
		}
		for _, r := range peeked {
			if !add(r) {
				return
			}
		}
		for {
			cells, err := rows.Next()
			if err == io.EOF {
				break
			}
			var me *malformedError
			if errors.As(err, &me) {
				if !add(rawRow{cells: cells, malformed: me.msg}) {
					return
				}
				continue
			}
			if err != nil {
				readErr = fmt.Errorf("đọc dòng %d: %w", n+1, err)
				break
			}
			if !add(rawRow{cells: cells}) {
				return
			}
		}
		flush()
	}()

	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	for i := 0; i < in.opt.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ch := range work {
				out := make([]registry.Row, len(ch.raw))
				for j, r := range ch.raw {
					if r.malformed != "" {
						out[j] = registry.Row{N: ch.start + j, Raw: r.cells,
							Err: registry.RowErrorf(registry.RejectMalformed, "", "không đọc được dòng: %s", r.malformed)}
						continue
					}
					out[j] = conv.convert(ch.start+j, r.cells)
				}
				for j := range out {
					w.Prepare(&out[j])
				}
				ch.out <- out
			}
		}()
	}
	for ch := range ordered {
		var out []registry.Row
		select {
		case out = <-ch.out:
		case <-pctx.Done():
			return ctx.Err()
		}
		for _, row := range out {
			if _, err := w.Write(ctx, row); err != nil {
				return err
			}
			progress(row.N)
		}
		if w.Pending() >= in.opt.CommitRows {
			if err := w.Checkpoint(ctx); err != nil {
				return err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return readErr
}
