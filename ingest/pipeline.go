package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/hotich/hotich/registry"
)

// The pipeline of a run: one reader goroutine opens the files in order
// (hash, container, encoding, header, register) and cuts their rows into
// chunks; the workers convert and prepare the chunks on all cores; the
// caller's goroutine, the only writer, takes the files and their chunks in
// order from one stream and stores them. The reader runs ahead of the
// writer across file boundaries, so the next file is being converted while
// the current one is written: a ward file has a few hundred rows, and
// without that the two cores would take turns.

// chunkRows is the number of rows converted as one piece of work. Chunks are
// small so that the writer starts on a file's first rows while the workers
// convert the rest.
const chunkRows = 64

// opened is a batch file as the reader opened it.
type opened struct {
	res       FileResult
	b         *registry.Batch
	size      int64
	err       error // it could not be opened or read: res.Error says why
	refused   bool  // refused as a whole: res.Reason says why
	finished  bool  // its hash is of a batch finished before the run: not read
	rows      rowReader
	peeked    []rawRow
	conv      *converter
	bytesRead func() int64
}

// chunk is a run of consecutive rows of one file.
type chunk struct {
	start int // row number of the first row
	raw   []rawRow
	conv  *converter
	out   chan []registry.Row
}

// item is one step of the ordered stream: the start of a file, one of its
// chunks, or its end (with the error that stopped reading it, if any).
type item struct {
	file    *opened
	chunk   *chunk
	end     bool
	readErr error
}

// Run ingests the batch files at paths (files or folders). It goes on after
// a file fails and returns the results of every file with the failures
// joined. A cancelled context stops it after the open transaction is rolled
// back; the results then say what the store kept: files finished, the rows
// committed of the file that was being read (StatusInterrupted), and the
// files not reached (StatusPending). A re-run resumes from there.
func (in *Ingester) Run(ctx context.Context, paths []string) ([]FileResult, error) {
	files, passed, err := Files(paths)
	if err != nil {
		return nil, err
	}
	ref, err := in.store.RefData(ctx)
	if err != nil {
		return nil, err
	}
	done, err := in.store.FinishedBatches(ctx)
	if err != nil {
		return nil, err
	}
	finished, total, fresh := plan(files, done)
	bulkDone, err := in.store.BulkLoad(ctx, int(fresh/350))
	if err != nil {
		return nil, err
	}
	defer func() {
		// After Ctrl+C the indexes are left to the next command that
		// opens the store: building them can take longer than a user
		// waits for a stop.
		if err := bulkDone(ctx); err != nil {
			in.opt.Log.Warn("search indexes not built: the next command that opens the store builds them", "err", err)
		}
	}()

	// rctx stops the reader and the workers; the writer's transactions use
	// ctx, which must outlive them (a transaction ends with its context).
	rctx, cancel := context.WithCancel(ctx)
	stream, wait := in.readAhead(rctx, files, finished, ref)
	defer func() { cancel(); wait() }()

	in.ref = ref
	run := &runState{total: total}
	var results []FileResult
	var errs []error
	// Small files share a transaction: a file's rows, its status and its
	// reject report count only once the transaction that holds them is
	// committed. writers[i] wrote results[i] (nil if nothing was written).
	var writers []registry.BatchWriter
	var last registry.BatchWriter
	reported := 0 // results before this one have their reports written
	writeReports := func() {
		for ; reported < len(results); reported++ {
			w := writers[reported]
			if w == nil {
				continue // nothing written (skipped, refused, failed to open)
			}
			if !w.Committed() || ctx.Err() != nil {
				return
			}
			b := w.Batch()
			if b.Status != registry.BatchDone || b.Counts.Rejected == 0 || in.opt.RejectsDir == "" {
				continue
			}
			paths, err := writeRejectReports(ctx, in.store, in.opt.RejectsDir, b)
			if err != nil {
				if ctx.Err() != nil {
					return // the next run writes it (see ingestFile)
				}
				errs = append(errs, fmt.Errorf("%s: %w", results[reported].Path, err))
				continue
			}
			results[reported].Reports = paths
		}
	}
	// end settles the results by what was committed, adds the files not
	// reached and the paths passed over, and joins the failures: a refused
	// file is one, its rows are not in the store.
	end := func(err error) ([]FileResult, error) {
		if last != nil && !last.Committed() {
			last.Abort()
		}
		stopped := ctx.Err() != nil
		for i := range results {
			settleResult(&results[i], writers[i], stopped)
		}
		for _, p := range files[len(results):] {
			results = append(results, FileResult{Path: p, File: filepath.Base(p), Status: StatusPending, Reason: reasonPending})
		}
		results = append(results, passed...)
		for _, r := range results {
			if r.Status == StatusRefused || r.Status == StatusFailed && r.Error == "" {
				errs = append(errs, fmt.Errorf("%s: %s", r.Path, r.Reason))
			}
		}
		return results, errors.Join(append(errs, err)...)
	}
	// A re-read (--force) commits on its own: what is written before it
	// is committed first.
	run.checkpoint = func() error {
		if last != nil && !last.Committed() {
			if err := last.Checkpoint(ctx); err != nil {
				return err
			}
			writeReports()
		}
		return nil
	}
	for it := range stream {
		res, w, err := in.ingestFile(ctx, it.file, stream, run)
		results, writers = append(results, res), append(writers, w)
		if w != nil {
			last = w
		}
		if err != nil {
			if ctx.Err() != nil {
				if w == nil {
					// Stopped while opening it: not read at all.
					results, writers = results[:len(results)-1], writers[:len(writers)-1]
				}
				return end(ctx.Err())
			}
			errs = append(errs, fmt.Errorf("%s: %w", res.Path, err))
		}
		writeReports()
	}
	if err := ctx.Err(); err != nil {
		return end(err) // the reader stopped: the stream ended early
	}
	if last != nil && !last.Committed() {
		if err := last.Checkpoint(ctx); err != nil {
			return end(err)
		}
	}
	writeReports()
	return end(nil)
}

// reasonPending is why a file of a stopped run was not read.
const reasonPending = "chưa đọc vì lệnh đã dừng: chạy lại lệnh để nhập"

// settleResult makes a file's result say what the store kept of it, once
// its writer w (nil if nothing was written) committed or rolled back:
// a batch not finished in a commit is interrupted (when the run was
// stopped) or failed, with the rows that were committed.
func settleResult(r *FileResult, w registry.BatchWriter, stopped bool) {
	if w == nil {
		return
	}
	b := w.Batch()
	r.Counts = b.Counts
	if b.Status == registry.BatchDone || r.Status == StatusSkipped {
		return
	}
	kept := fmt.Sprintf("đã lưu %d dòng đầu", b.RowsDone)
	if b.RowsDone == 0 {
		kept = "chưa lưu dòng nào"
	}
	r.Reports = nil
	switch {
	case stopped:
		r.Status, r.Reason = StatusInterrupted, "dừng giữa chừng: "+kept+"; chạy lại lệnh để nhập tiếp"
	case r.Error != "":
		r.Status = StatusFailed
		r.Reason = kept
	default:
		// Rolled back with a later file of its transaction.
		r.Status, r.Reason = StatusFailed, "không lưu được cùng tệp khác trong một giao dịch ("+kept+"): chạy lại lệnh"
	}
}

// plan returns the hashes of the finished batches, so that their files are
// not read again, the bytes of the run's files (for the progress bar) and
// the bytes of the files likely new to the store. The estimate of new rows
// the store is told to expect (about 350 bytes a row in a typical ward
// export) leaves out the files of the same name and size as a finished
// batch; their hash decides later.
func plan(files []string, done []registry.Batch) (finished map[string]bool, total, fresh int64) {
	type nameSize struct {
		name string
		size int64
	}
	finished = make(map[string]bool, len(done))
	doneFiles := make(map[nameSize]bool, len(done))
	for _, b := range done {
		finished[b.Hash] = true
		doneFiles[nameSize{filepath.Base(b.Path), b.Size}] = true
	}
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			total += fi.Size()
			if !doneFiles[nameSize{filepath.Base(f), fi.Size()}] {
				fresh += fi.Size()
			}
		}
	}
	return finished, total, fresh
}

// readAhead starts the reader and the workers. The stream gives, for every
// file in order, its start item, its chunks and its end item. wait returns
// once the goroutines have stopped, after ctx is cancelled or the stream
// is drained.
func (in *Ingester) readAhead(ctx context.Context, files []string, finished map[string]bool, ref *registry.RefData) (<-chan item, func()) {
	work := make(chan *chunk, in.opt.Workers*4)
	stream := make(chan item, in.opt.Workers*16)
	var wg sync.WaitGroup
	send := func(it item) bool {
		select {
		case stream <- it:
			return true
		case <-ctx.Done():
			return false
		}
	}
	wg.Add(1)
	go func() { // reader
		defer wg.Done()
		defer close(work)
		defer close(stream)
		for _, path := range files {
			f := in.open(ctx, path, finished, ref)
			if !send(item{file: f}) {
				if f.rows != nil {
					f.rows.Close()
				}
				return
			}
			var readErr error
			if f.rows != nil {
				var ok bool
				ok, readErr = in.cut(ctx, f, work, send)
				f.rows.Close()
				if !ok {
					return
				}
			}
			if !send(item{end: true, readErr: readErr}) {
				return
			}
		}
	}()
	for i := 0; i < in.opt.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ch := range work {
				out := make([]registry.Row, len(ch.raw))
				for j, r := range ch.raw {
					if m := r.malformed; m != nil {
						out[j] = registry.Row{N: ch.start + j, Raw: r.cells, Err: m.rowError()}
						continue
					}
					out[j] = ch.conv.convert(ch.start+j, r.cells)
				}
				for j := range out {
					in.store.Prepare(&out[j])
				}
				ch.out <- out
			}
		}()
	}
	return stream, wg.Wait
}

// open opens a file for reading: its hash, container, encoding, header and
// register. A file whose hash is of a batch finished before the run is not
// opened further.
func (in *Ingester) open(ctx context.Context, path string, finished map[string]bool, ref *registry.RefData) *opened {
	f := &opened{res: FileResult{Path: path, File: filepath.Base(path), Status: StatusFailed}}
	fail := func(err error) *opened {
		if f.rows != nil {
			f.rows.Close()
			f.rows = nil
		}
		var re *refusedError
		if errors.As(err, &re) {
			// Refused as a whole: nothing of it is read or stored.
			f.refused, f.res.Status, f.res.Reason = true, StatusRefused, re.reason
			return f
		}
		f.err, f.res.Error = err, err.Error()
		return f
	}
	hash, size, err := hashFile(ctx, path)
	if err != nil {
		return fail(err)
	}
	f.size = size
	f.b = &registry.Batch{FileName: f.res.File, Path: path, Hash: hash, Size: size}
	if finished[hash] && !in.opt.Force {
		f.finished = true
		return f
	}
	rows, bytesRead, err := in.openRows(ctx, path, f.b)
	if err != nil {
		return fail(err)
	}
	f.rows, f.bytesRead = rows, bytesRead
	b := f.b
	f.res.Container, f.res.Encoding, f.res.Confidence = b.Container, b.Encoding, b.Confidence
	// Text that was UTF-8 or UTF-16 may hold mojibake, cell by cell.
	repair := b.Container == ContainerXLSX || strings.HasPrefix(b.Encoding, "utf")
	// The file's register is the one most of its first rows name.
	header := headerTexts(b.Header, repair)
	if b.Container != ContainerJSONL && knownColumns(header) < minKnownColumns {
		return fail(&refusedError{fmt.Sprintf("không có dòng tiêu đề của lô hộ tịch: dòng đầu có %d cột nhận ra được, cần ít nhất %d "+
			"(tên cột như loai_so, so, ho_ten hoặc tiêu đề tiếng Việt như Loại sổ, Số, Họ tên)", knownColumns(header), minKnownColumns)})
	}
	if f.peeked, err = peekRegister(rows, b, header); err != nil {
		return fail(err)
	}
	if b.Container == ContainerJSONL && !anyJSONObject(f.peeked) {
		if len(f.peeked) == 0 {
			return fail(&refusedError{"tệp rỗng, không có dòng nào"})
		}
		return fail(&refusedError{fmt.Sprintf("không phải tệp JSON Lines: không dòng nào trong %d dòng đầu là một đối tượng JSON", len(f.peeked))})
	}
	f.res.Register = b.Register
	f.conv = newConverter(b.Register, header, ref, in.opt.Now(), repair, b.Container == ContainerJSONL)
	return f
}

// cut reads the rows of a file into chunks, hands each to the workers and
// to the stream, and returns the error that stopped reading, if any. ok is
// false when ctx was cancelled.
func (in *Ingester) cut(ctx context.Context, f *opened, work chan<- *chunk, send func(item) bool) (ok bool, readErr error) {
	n := 0
	cur := &chunk{start: 1, conv: f.conv}
	flush := func() bool {
		if len(cur.raw) == 0 {
			return true
		}
		cur.out = make(chan []registry.Row, 1)
		select {
		case work <- cur:
		case <-ctx.Done():
			return false
		}
		if !send(item{chunk: cur}) {
			return false
		}
		cur = &chunk{start: n + 1, conv: f.conv}
		return true
	}
	add := func(r rawRow) bool {
		n++
		cur.raw = append(cur.raw, r)
		if len(cur.raw) == chunkRows {
			return flush()
		}
		return true
	}
	for _, r := range f.peeked {
		if !add(r) {
			return false, nil
		}
	}
	f.peeked = nil
	for {
		r, err := nextRaw(f.rows)
		if err == io.EOF {
			break
		}
		if err != nil {
			readErr = fmt.Errorf("đọc dòng %d: %w", n+1, err)
			break
		}
		if !add(r) {
			return false, nil
		}
	}
	return flush(), readErr
}

// reread replaces the stored rows of a batch ingested before with rows, the
// file read again (see registry.BatchRereader).
func (in *Ingester) reread(ctx context.Context, res FileResult, rr registry.BatchRereader, b *registry.Batch, rows []registry.Row) (FileResult, error) {
	var ids []string
	for i := range rows {
		if rows[i].Record != nil {
			ids = append(ids, rows[i].Record.Identity().RecordID())
		}
	}
	sources, err := rr.RereadSources(ctx, b, ids)
	if err != nil {
		res.Error = err.Error()
		return res, err
	}
	// The other files' rows in the same records are converted again, each
	// with its own file's header and register.
	convs := map[int64]*converter{}
	for i := range sources {
		sb := sources[i].Batch
		c := convs[sb.ID]
		if c == nil {
			repair := sb.Container == ContainerXLSX || strings.HasPrefix(sb.Encoding, "utf")
			c = newConverter(sb.Register, headerTexts(sb.Header, repair), in.ref, in.opt.Now(), repair, sb.Container == ContainerJSONL)
			convs[sb.ID] = c
		}
		sources[i].Row = c.convert(sources[i].Row.N, sources[i].Row.Raw)
		in.store.Prepare(&sources[i].Row)
	}
	nb, changed, err := rr.Reread(ctx, b, rows, sources)
	if err != nil {
		if registry.ErrorCode(err) == registry.EREFUSED {
			res.Status, res.Reason = StatusRefused, registry.ErrorMessage(err)
			return res, nil
		}
		res.Error = err.Error()
		return res, err
	}
	res.Status, res.Counts = StatusReread, nb.Counts
	res.Reason = fmt.Sprintf("đọc lại theo --force, thay các dòng đã lưu của tệp: %d bản ghi thay đổi", changed)
	in.opt.Log.Info("re-read a file ingested before", "file", res.File, "encoding", nb.Encoding, "records_changed", changed)
	if in.opt.RejectsDir != "" {
		stem, exists := reportStem(in.opt.RejectsDir, nb)
		switch {
		case nb.Counts.Rejected > 0:
			if res.Reports, err = writeRejectReports(ctx, in.store, in.opt.RejectsDir, nb); err != nil {
				res.Error = err.Error()
				return res, err
			}
		case exists:
			// No row rejected now: the old report would be stale.
			os.Remove(stem + ".csv")
			os.Remove(stem + ".jsonl")
		}
	}
	return res, nil
}

// ingestFile stores one file from the stream: it takes the file's chunks up
// to its end item, whatever happens, so that the stream stays in step.
func (in *Ingester) ingestFile(ctx context.Context, f *opened, stream <-chan item, run *runState) (res FileResult, w registry.BatchWriter, err error) {
	ended := false
	defer func() {
		for !ended {
			it, ok := <-stream
			ended = !ok || it.end
		}
		run.done += f.size
	}()
	res = f.res
	if f.err != nil {
		return res, nil, f.err
	}
	if f.refused {
		in.opt.Log.Warn("file refused", "file", res.File, "reason", res.Reason)
		return res, nil, nil
	}
	b := f.b
	reading := *b // the new reading: BeginBatch fills b from the store
	w, err = in.store.BeginBatch(ctx, b)
	if err != nil {
		res.Error = err.Error()
		return res, nil, err
	}
	if rr, ok := in.store.(registry.BatchRereader); w == nil && in.opt.Force && ok && f.rows != nil {
		// Ingested before: read again (--force). The whole file is read
		// first, then replaces the stored rows in one transaction.
		var rows []registry.Row
		for it := range stream {
			if it.end {
				ended = true
				if it.readErr != nil {
					res.Error = it.readErr.Error()
					return res, nil, it.readErr
				}
				break
			}
			select {
			case out := <-it.chunk.out:
				rows = append(rows, out...)
			case <-ctx.Done():
				return res, nil, ctx.Err()
			}
		}
		if err := ctx.Err(); err != nil {
			return res, nil, err
		}
		if err := run.checkpoint(); err != nil {
			res.Error = err.Error()
			return res, nil, err
		}
		reading.ID, reading.FileName = b.ID, b.FileName
		res, err = in.reread(ctx, res, rr, &reading, rows)
		return res, nil, err
	}
	if w == nil {
		res.Status, res.Counts = StatusSkipped, b.Counts
		res.Register, res.Container, res.Encoding, res.Confidence = b.Register, b.Container, b.Encoding, b.Confidence
		if b.FileName != res.File {
			res.SameAs = b.FileName
		}
		in.opt.Log.Info("already ingested (same file hash): skipped", "file", res.File, "same_as", b.FileName, "batch", b.ID)
		// A run killed after the batch finished but before its report was
		// written leaves no report: write it from the store now.
		if in.opt.RejectsDir != "" && b.Counts.Rejected > 0 {
			if _, exists := reportStem(in.opt.RejectsDir, b); !exists {
				if res.Reports, err = writeRejectReports(ctx, in.store, in.opt.RejectsDir, b); err != nil {
					res.Error = err.Error()
					return res, nil, err
				}
			}
		}
		return res, nil, nil
	}
	fail := func(err error) (FileResult, registry.BatchWriter, error) {
		w.Abort()
		res.Counts = w.Batch().Counts
		res.Error = err.Error()
		return res, w, err
	}
	if f.finished {
		// Done when the run started, not done now: the store changed
		// under the run, and the file was not read. Stop rather than guess.
		return fail(fmt.Errorf("lô %s đã nhập xong khi bắt đầu chạy nhưng nay kho không còn ghi nhận: chạy lại lệnh", res.File))
	}
	res.Status = StatusIngested
	if b.RowsDone > 0 {
		res.Status = StatusResumed
		in.opt.Log.Info("resuming an interrupted ingest", "file", res.File, "rows_done", b.RowsDone)
	}
	in.opt.Log.Debug("ingesting", "file", res.File, "register", b.Register, "container", b.Container, "encoding", b.Encoding, "confidence", b.Confidence)

	// Rows up to the batch's RowsDone were stored by an earlier run.
	skip := b.RowsDone
	for it := range stream {
		if it.end {
			ended = true
			if it.readErr != nil {
				return fail(it.readErr)
			}
			break
		}
		var out []registry.Row
		select {
		case out = <-it.chunk.out:
		case <-ctx.Done():
			return fail(ctx.Err())
		}
		for _, row := range out {
			if row.N <= skip {
				continue
			}
			if _, err := w.Write(ctx, row); err != nil {
				return fail(err)
			}
			run.rows++
			if in.opt.Progress != nil && row.N%1000 == 0 {
				in.opt.Progress(Progress{File: res.File, BytesDone: run.done + f.bytesRead(), BytesTotal: run.total, Rows: run.rows})
			}
		}
		if in.commitDue(w) {
			if err := w.Checkpoint(ctx); err != nil {
				return fail(err)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	if err := w.Done(ctx); err != nil {
		return fail(err)
	}
	if in.commitDue(w) {
		if err := w.Checkpoint(ctx); err != nil {
			return fail(err)
		}
	}
	res.Counts = w.Batch().Counts
	if in.opt.Progress != nil {
		in.opt.Progress(Progress{File: res.File, BytesDone: run.done + f.size, BytesTotal: run.total, Rows: run.rows})
	}
	return res, w, nil
}
