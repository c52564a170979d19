package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

var _ registry.BatchService = (*DB)(nil)

// The inserts that a batch, a re-read (reread.go) and an import (import.go)
// share; insertPersonSQL is with the search keys (persons.go).
const (
	insertRecordSQL = `INSERT INTO records (id, identity_key, register, authority_code, authority_name, book, number, registered_on, fields, extra, refs, created_seq, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	insertFlagSQL     = `INSERT INTO flags (record_rid, code, field, detail, source_key, created_seq) VALUES (?, ?, ?, ?, ?, ?)`
	insertConflictSQL = `INSERT INTO conflicts (record_rid, field, vals, created_seq) VALUES (?, ?, ?, ?)`
	insertSourceSQL   = `INSERT INTO source_rows (key, record_rid, outcome, raw, flags) VALUES (?, ?, ?, ?, ?)`
	insertRejectSQL   = `INSERT INTO rejects (key, code, field, message, raw) VALUES (?, ?, ?, ?, ?)`
)

// rowKey is the key of a batch row in source_rows and rejects.
func rowKey(batchID int64, n int) int64 { return batchID<<32 | int64(n) }

// BeginBatch registers a batch file, or finds it again by the hash of its
// bytes. For a file ingested completely before, it returns a nil writer and
// b filled in from the store. For a file whose ingest was interrupted, the
// writer resumes: b.RowsDone rows are already stored and must be skipped.
func (db *DB) BeginBatch(ctx context.Context, b *registry.Batch) (registry.BatchWriter, error) {
	found, err := db.findBatch(ctx, `file_hash = ?`, b.Hash)
	switch {
	case err == nil && found.Status == registry.BatchDone:
		*b = *found
		return nil, nil
	case err == nil:
		// Interrupted: resume, keeping what the earlier run committed.
		b.ID, b.RowsDone, b.Counts, b.StartedAt = found.ID, found.RowsDone, found.Counts, found.StartedAt
		b.Status = registry.BatchRunning
	case registry.ErrorCode(err) == registry.ENOTFOUND:
		// A new file: its row is inserted with its first chunk, so a file
		// is recorded only together with rows of it (or as finished).
		b.ID, b.Status, b.RowsDone, b.StartedAt = 0, registry.BatchRunning, 0, db.Now().UTC()
	default:
		return nil, err
	}
	return db.newBatchWriter(ctx, b)
}

// insertBatch records a new batch file in tx.
func (db *DB) insertBatch(ctx context.Context, tx *sql.Tx, b *registry.Batch) error {
	header, err := json.Marshal(b.Header)
	if err != nil {
		return err
	}
	at := b.StartedAt.Format(time.RFC3339)
	res, err := tx.ExecContext(ctx, `INSERT INTO batches (file_name, path, file_hash, file_size, register, container, delimiter, encoding, confidence, header, status, started_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?)`,
		b.FileName, b.Path, b.Hash, b.Size, string(b.Register), b.Container, b.Delimiter, b.Encoding, b.Confidence, string(header), at)
	if err != nil {
		return fmt.Errorf("insert batch %s: %w", b.FileName, err)
	}
	if b.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	detail := map[string]any{"file": b.FileName, "hash": b.Hash, "encoding": b.Encoding, "container": b.Container, "register": b.Register}
	_, err = appendEvent(ctx, tx, at, "batch_started", 0, b.ID, "", detail)
	return err
}

// Batch returns the batch with the given ID.
func (db *DB) Batch(ctx context.Context, id int64) (*registry.Batch, error) {
	return db.findBatch(ctx, `id = ?`, id)
}

// Batches returns every batch, oldest first.
func (db *DB) Batches(ctx context.Context) ([]*registry.Batch, error) {
	return queryAll(ctx, db.db, scanBatch, batchSelect+` ORDER BY id`)
}

const batchSelect = `SELECT id, file_name, path, file_hash, file_size, register, container, delimiter, encoding, confidence, header, status, rows_done, counts, started_at, COALESCE(finished_at, '') FROM batches`

func (db *DB) findBatch(ctx context.Context, where string, arg any) (*registry.Batch, error) {
	b, err := scanBatch(db.queryer().QueryRowContext(ctx, batchSelect+` WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, registry.Errorf(registry.ENOTFOUND, "không tìm thấy lô dữ liệu")
	}
	return b, err
}

func scanBatch(s scanner) (*registry.Batch, error) {
	var b registry.Batch
	var reg, header, status, counts, started, finished string
	if err := s.Scan(&b.ID, &b.FileName, &b.Path, &b.Hash, &b.Size, &reg, &b.Container, &b.Delimiter, &b.Encoding, &b.Confidence, &header, &status, &b.RowsDone, &counts, &started, &finished); err != nil {
		return nil, err
	}
	b.Register, b.Status = registry.Register(reg), registry.BatchStatus(status)
	if err := json.Unmarshal([]byte(header), &b.Header); err != nil {
		return nil, fmt.Errorf("batch %d header: %w", b.ID, err)
	}
	if err := json.Unmarshal([]byte(counts), &b.Counts); err != nil {
		return nil, fmt.Errorf("batch %d counts: %w", b.ID, err)
	}
	b.StartedAt, _ = time.Parse(time.RFC3339, started)
	b.FinishedAt, _ = time.Parse(time.RFC3339, finished)
	return &b, nil
}

// BatchWriter stores the rows of one batch, in row order, in large
// transactions. Each Checkpoint commits the rows written since the last one
// together with the batch's resume point, so a run killed at any moment
// leaves either all of a chunk or none of it, and a re-run resumes after the
// last committed row. It is not safe for concurrent use: one writer commits
// while decoding runs elsewhere.
type BatchWriter struct {
	db    *DB
	batch *registry.Batch
	tx    *sql.Tx
	st    stmts
	seq   int64  // event seq of the open chunk
	at    string // time of the open chunk
	chunk registry.BatchCounts
	last  int // number of the last row written
	// registering is set while the open transaction also inserts the
	// batch's own row: rolling it back makes the batch new again.
	registering bool
	finished    bool // marked done in the open group
}

type stmts struct {
	findRecord, insertRecord, updateRecord    *sql.Stmt
	persons                                   personWriter
	insertSource, insertReject                *sql.Stmt
	insertFlag, findFlag                      *sql.Stmt
	findConflict, insertConflict, updConflict *sql.Stmt
}

func (db *DB) newBatchWriter(ctx context.Context, b *registry.Batch) (registry.BatchWriter, error) {
	// Records are created under the bulk lock only: the ID filter below
	// is what the store holds while no other process can add to it. A
	// caller that did not take the lock (the CLI does, to say why it
	// waits) takes it here for the life of the handle.
	if err := db.holdBulk(ctx, "ingest"); err != nil {
		return nil, err
	}
	if _, err := db.idFilter(ctx); err != nil {
		return nil, err
	}
	return &BatchWriter{db: db, batch: b, last: b.RowsDone}, nil
}

// Batch returns the batch being written, with its counts so far,
// including rows not yet committed.
func (w *BatchWriter) Batch() *registry.Batch {
	b := *w.batch
	b.Counts.Add(w.chunk)
	return &b
}

// group is the open transaction of the bulk writer. Consecutive batches of
// a run are written into it until a Checkpoint commits it: a run of many
// small files commits every CommitRows rows, not once per file, and every
// batch in it records its resume point in the same commit.
type group struct {
	tx      *sql.Tx
	st      stmts
	at      string
	rows    int            // rows written since the last commit
	members []*BatchWriter // writers with rows or state not yet committed
}

// queryer is what reads see: the open group's transaction, so that a batch
// written but not yet committed is found, or else the pool.
func (db *DB) queryer() interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
} {
	if db.group != nil {
		return db.group.tx
	}
	return db.db
}

func (db *DB) openGroup(ctx context.Context) (*group, error) {
	if db.group != nil {
		return db.group, nil
	}
	// Clerks' short writes queued since the last commit go first.
	if err := db.yieldToShortWriters(ctx); err != nil {
		return nil, err
	}
	// The transaction must not end on its own when ctx is cancelled (the
	// caller stops between rows and calls Abort), and statements run
	// without a cancellable context are executed by the driver directly
	// instead of on a goroutine each.
	tx, err := db.db.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return nil, err
	}
	g := &group{tx: tx, at: db.now()}
	var insertPerson, deletePersons *sql.Stmt
	prep := []struct {
		dst **sql.Stmt
		sql string
	}{
		{&g.st.findRecord, `SELECT rid, identity_key, register, authority_code, book, number, authority_name, registered_on, fields, COALESCE(extra, ''), COALESCE(filled, ''), refs FROM records WHERE id = ?`},
		{&g.st.insertRecord, insertRecordSQL},
		{&g.st.updateRecord, `UPDATE records SET fields = ?, extra = ?, filled = ?, refs = ?, version = ? WHERE rid = ?`},
		{&insertPerson, insertPersonSQL},
		{&deletePersons, `DELETE FROM persons WHERE record_rid = ?`},
		{&g.st.insertSource, insertSourceSQL},
		{&g.st.insertReject, insertRejectSQL},
		{&g.st.insertFlag, insertFlagSQL},
		// +code: the partial index on open flags' code must not be used
		// here, or every check scans all open flags of that code.
		{&g.st.findFlag, `SELECT COUNT(*) FROM flags WHERE record_rid = ? AND +code = ? AND field = ? AND detail = ? AND resolved_seq IS NULL`},
		{&g.st.findConflict, `SELECT id, vals FROM conflicts WHERE record_rid = ? AND field = ?`},
		{&g.st.insertConflict, insertConflictSQL},
		{&g.st.updConflict, `UPDATE conflicts SET vals = ?, resolved_seq = NULL WHERE id = ?`},
	}
	for _, p := range prep {
		if *p.dst, err = tx.PrepareContext(ctx, p.sql); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("prepare: %w", err)
		}
	}
	g.st.persons = personWriter{insert: insertPerson.ExecContext, delete: deletePersons.ExecContext}
	db.group = g
	return g, nil
}

// begin joins the writer to the open group, opening one if needed, and
// records a new batch in it.
func (w *BatchWriter) begin(ctx context.Context) error {
	g, err := w.db.openGroup(ctx)
	if err != nil {
		return err
	}
	if w.batch.ID == 0 {
		if err := w.db.insertBatch(ctx, g.tx, w.batch); err != nil {
			w.batch.ID = 0
			return err
		}
		w.registering = true
	}
	w.tx, w.st, w.at = g.tx, g.st, g.at
	w.seq = 0 // the chunk's event is appended with its first row
	g.members = append(g.members, w)
	return nil
}

// chunkSeq returns the seq of the open chunk's event, appending it first:
// records created in the chunk carry it as their version.
func (w *BatchWriter) chunkSeq(ctx context.Context) (int64, error) {
	if w.seq == 0 {
		seq, err := appendEvent(ctx, w.tx, w.at, "ingest_chunk", 0, w.batch.ID, "", map[string]any{"file": w.batch.FileName, "from_row": w.last + 1})
		if err != nil {
			return 0, err
		}
		w.seq = seq
	}
	return w.seq, nil
}

// prepared is the part of storing a row done before Write, in parallel.
type prepared struct {
	raw         string
	id          string
	identityKey string
	fields      string
	extra       any
	persons     []personRow
}

// Prepare encodes a row for Write. It is safe for concurrent use.
func (db *DB) Prepare(row *registry.Row) {
	row.Prepared = prepare(row)
}

// FinishedBatches returns the hash, path and size of the batches ingested
// completely.
func (db *DB) FinishedBatches(ctx context.Context) ([]registry.Batch, error) {
	rows, err := db.queryer().QueryContext(ctx, `SELECT file_hash, path, file_size FROM batches WHERE status = 'done'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var done []registry.Batch
	for rows.Next() {
		var b registry.Batch
		if err := rows.Scan(&b.Hash, &b.Path, &b.Size); err != nil {
			return nil, err
		}
		done = append(done, b)
	}
	return done, rows.Err()
}

func prepare(row *registry.Row) *prepared {
	p := &prepared{}
	p.raw = encodeStrings(row.Raw)
	if rec := row.Record; rec != nil {
		ident := rec.Identity()
		p.id, p.identityKey = ident.RecordID(), ident.Key()
		if rec.Fields == nil {
			rec.Fields = map[string]string{}
		}
		p.fields, p.extra, _ = marshalFields(rec)
		p.persons = searchKeys(rec)
	}
	return p
}

// Write stores one row: a reject, a new record, or a scan folded into the
// record of the same identity. It returns the row's outcome. Rows must come
// in order, each once, starting after Batch().RowsDone.
func (w *BatchWriter) Write(ctx context.Context, row registry.Row) (string, error) {
	if row.N != w.last+1 {
		return "", fmt.Errorf("batch %s: row %d written after row %d", w.batch.FileName, row.N, w.last)
	}
	if w.tx == nil {
		if err := w.begin(ctx); err != nil {
			return "", err
		}
	}
	ctx = context.WithoutCancel(ctx)
	if _, err := w.chunkSeq(ctx); err != nil {
		return "", err
	}
	prep, ok := row.Prepared.(*prepared)
	if !ok {
		prep = prepare(&row)
	}
	raw := prep.raw
	key := rowKey(w.batch.ID, row.N)
	w.chunk.Rows++
	w.db.group.rows++
	if row.Err != nil {
		if _, err := w.st.insertReject.ExecContext(ctx, key, string(row.Err.Code), row.Err.Field, row.Err.Message, raw); err != nil {
			return "", fmt.Errorf("reject row %d: %w", row.N, err)
		}
		w.chunk.Rejected++
		w.last = row.N
		return registry.OutcomeRejected, nil
	}
	if row.Record == nil {
		return "", fmt.Errorf("batch %s row %d: neither a record nor a reject", w.batch.FileName, row.N)
	}
	rec := row.Record
	rec.ID = prep.id
	ref := registry.SourceRef(w.batch.FileName, row.N)

	var rid int64
	var conflicts int
	stored, err := w.findRecord(ctx, rec.ID)
	switch {
	case err != nil:
		return "", err
	case stored == nil:
		rid, err = w.insertRecord(ctx, rec, prep, ref)
		w.chunk.Created++
	default:
		if stored.identityKey != prep.identityKey {
			return "", fmt.Errorf("record ID %s: hash collision between identities %q and %q", rec.ID, stored.identityKey, prep.identityKey)
		}
		rid = stored.rid
		conflicts, err = w.fold(ctx, stored, rec, ref, key)
		w.chunk.Folded++
		w.chunk.Conflicts += conflicts
	}
	if err != nil {
		return "", fmt.Errorf("row %d: %w", row.N, err)
	}
	for _, f := range row.Flags {
		if err := w.addFlag(ctx, rid, f, key); err != nil {
			return "", err
		}
	}
	outcome := registry.OutcomeAccepted
	if len(row.Flags) > 0 || conflicts > 0 {
		outcome = registry.OutcomeFlagged
		w.chunk.Flagged++
	} else {
		w.chunk.Accepted++
	}
	if _, err := w.st.insertSource.ExecContext(ctx, key, rid, outcome, raw, rowFlags(row.Flags, conflicts > 0)); err != nil {
		return "", fmt.Errorf("source row %d: %w", row.N, err)
	}
	w.last = row.N
	return outcome, nil
}

// rowFlags returns the codes of the flags a row raised, for its stored
// row: sorted, once each, space-separated; nil for none.
func rowFlags(flags []registry.Flag, conflict bool) any {
	var codes []string
	for _, f := range flags {
		codes = append(codes, string(f.Code))
	}
	if conflict {
		codes = append(codes, string(registry.FlagConflict))
	}
	if len(codes) == 0 {
		return nil
	}
	slices.Sort(codes)
	return strings.Join(slices.Compact(codes), " ")
}

type storedRecord struct {
	rid         int64
	identityKey string
	rec         registry.Record
	refs        []string
	filled      map[string]int64 // field -> key of the row that filled it in
}

func (w *BatchWriter) findRecord(ctx context.Context, id string) (*storedRecord, error) {
	if !w.db.filter.mayContain(id) {
		return nil, nil
	}
	var s storedRecord
	var reg, regOn, fields, extra, filled, refs string
	err := w.st.findRecord.QueryRowContext(ctx, id).Scan(&s.rid, &s.identityKey, &reg, &s.rec.AuthorityCode, &s.rec.Book, &s.rec.Number,
		&s.rec.AuthorityName, &regOn, &fields, &extra, &filled, &refs)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find record %s: %w", id, err)
	}
	s.rec.ID, s.rec.Register = id, registry.Register(reg)
	if s.rec.RegisteredOn, err = vntext.ParseISODate(regOn); err != nil {
		return nil, fmt.Errorf("record %s: registered_on: %w", id, err)
	}
	if err := json.Unmarshal([]byte(fields), &s.rec.Fields); err != nil {
		return nil, fmt.Errorf("record %s: fields: %w", id, err)
	}
	if extra != "" {
		if err := json.Unmarshal([]byte(extra), &s.rec.Extra); err != nil {
			return nil, fmt.Errorf("record %s: extra: %w", id, err)
		}
	}
	if filled != "" {
		if err := json.Unmarshal([]byte(filled), &s.filled); err != nil {
			return nil, fmt.Errorf("record %s: filled: %w", id, err)
		}
	}
	if err := json.Unmarshal([]byte(refs), &s.refs); err != nil {
		return nil, fmt.Errorf("record %s: refs: %w", id, err)
	}
	return &s, nil
}

func marshalFields(rec *registry.Record) (fields string, extra any, err error) {
	fields = encodeMap(rec.Fields)
	if len(rec.Extra) > 0 {
		extra = encodeMap(rec.Extra)
	}
	return fields, extra, nil
}

func (w *BatchWriter) insertRecord(ctx context.Context, rec *registry.Record, prep *prepared, ref string) (int64, error) {
	refs, _ := json.Marshal([]string{ref})
	res, err := w.st.insertRecord.ExecContext(ctx, rec.ID, prep.identityKey, string(rec.Register), rec.AuthorityCode, rec.AuthorityName,
		rec.Book, rec.Number, rec.RegisteredOn.ISO(), prep.fields, prep.extra, string(refs), w.seq, w.seq)
	if err != nil {
		return 0, fmt.Errorf("insert record %s: %w", rec.ID, err)
	}
	rid, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	w.db.filter.add(rec.ID)
	return rid, w.st.persons.insertRows(ctx, rid, prep.persons)
}

// fold applies a second scan of an entry to its stored record: fills fields
// the record lacked and keeps disagreements as conflicts. It returns the
// number of fields in conflict.
func (w *BatchWriter) fold(ctx context.Context, s *storedRecord, in *registry.Record, ref string, key int64) (int, error) {
	res := registry.Fold(&s.rec, in)
	version := w.seq
	if res.Changed() {
		detail := map[string]any{"source_ref": ref, "filled": res.Filled, "conflicts": res.ConflictFields()}
		seq, err := appendEvent(ctx, w.tx, w.at, "record_folded", s.rid, w.batch.ID, "", detail)
		if err != nil {
			return 0, err
		}
		version = seq
	}
	for k := range res.Filled {
		if s.filled == nil {
			s.filled = map[string]int64{}
		}
		s.filled[k] = key
	}
	if err := res.Apply(&s.rec); err != nil {
		return 0, err
	}
	for _, field := range res.ConflictFields() {
		if err := w.addConflict(ctx, s, field, res.Conflicts[field], key, version); err != nil {
			return 0, err
		}
	}
	known := false
	for _, r := range s.refs {
		known = known || r == ref
	}
	if known && !res.Changed() {
		return 0, nil // the same row seen again (a corrected file re-ingested): nothing changes
	}
	if !known {
		s.refs = append(s.refs, ref)
	}
	refs, _ := json.Marshal(s.refs)
	fields, extra, err := marshalFields(&s.rec)
	if err != nil {
		return 0, err
	}
	var filled any
	if len(s.filled) > 0 {
		b, _ := json.Marshal(s.filled)
		filled = string(b)
	}
	if _, err := w.st.updateRecord.ExecContext(ctx, fields, extra, filled, string(refs), version, s.rid); err != nil {
		return 0, fmt.Errorf("update record: %w", err)
	}
	if len(res.Filled) > 0 {
		if err := w.st.persons.replace(ctx, s.rid, &s.rec); err != nil {
			return 0, err
		}
	}
	return len(res.Conflicts), nil
}

// conflictValue is one value of a conflict: what a scan said, and which.
type conflictValue struct {
	Value     string
	SourceKey int64
}

func (v conflictValue) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{v.Value, v.SourceKey})
}

func (v *conflictValue) UnmarshalJSON(b []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(b, &pair); err != nil || len(pair) != 2 {
		return fmt.Errorf("conflict value %s: want [value, source_key]", b)
	}
	if err := json.Unmarshal(pair[0], &v.Value); err != nil {
		return err
	}
	return json.Unmarshal(pair[1], &v.SourceKey)
}

// addConflict records that the row with the given key disagrees on field.
// A new conflict's first value is the stored one, attributed to the row that
// gave it: the row that filled the field in, or else the record's first row.
func (w *BatchWriter) addConflict(ctx context.Context, s *storedRecord, field string, vals [2]string, key, seq int64) error {
	var id int64
	var raw string
	err := w.st.findConflict.QueryRowContext(ctx, s.rid, field).Scan(&id, &raw)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		first, ok := s.filled[field]
		if !ok {
			if err := w.tx.QueryRowContext(ctx, `SELECT MIN(key) FROM source_rows WHERE record_rid = ?`, s.rid).Scan(&first); err != nil {
				return err
			}
		}
		b, _ := json.Marshal([]conflictValue{{vals[0], first}, {vals[1], key}})
		if _, err := w.st.insertConflict.ExecContext(ctx, s.rid, field, string(b), seq); err != nil {
			return fmt.Errorf("insert conflict: %w", err)
		}
	case err != nil:
		return err
	default:
		var cv []conflictValue
		if err := json.Unmarshal([]byte(raw), &cv); err != nil {
			return fmt.Errorf("conflict %d: %w", id, err)
		}
		cv = append(cv, conflictValue{vals[1], key})
		b, _ := json.Marshal(cv)
		if _, err := w.st.updConflict.ExecContext(ctx, string(b), id); err != nil {
			return fmt.Errorf("update conflict: %w", err)
		}
	}
	return w.addFlag(ctx, s.rid, registry.Flag{Code: registry.FlagConflict, Field: field, Detail: "các bản quét khác nhau ở trường " + field}, key)
}

// addFlag raises a flag on a record unless the same flag is already open.
func (w *BatchWriter) addFlag(ctx context.Context, rid int64, f registry.Flag, key int64) error {
	var n int
	if err := w.st.findFlag.QueryRowContext(ctx, rid, string(f.Code), f.Field, f.Detail).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := w.st.insertFlag.ExecContext(ctx, rid, string(f.Code), f.Field, f.Detail, key, w.seq); err != nil {
		return fmt.Errorf("insert flag: %w", err)
	}
	return nil
}

// Checkpoint commits the open group: the rows written by this writer and
// by the writers of earlier batches in the same group, each batch with its
// resume point and counts.
func (w *BatchWriter) Checkpoint(ctx context.Context) error {
	g := w.db.group
	if g == nil {
		return nil
	}
	for _, m := range g.members {
		counts := m.batch.Counts
		counts.Add(m.chunk)
		b, _ := json.Marshal(counts)
		if _, err := g.tx.ExecContext(ctx, `UPDATE batches SET rows_done = ?, counts = ? WHERE id = ?`, m.last, string(b), m.batch.ID); err != nil {
			return fmt.Errorf("checkpoint %s: %w", m.batch.FileName, err)
		}
	}
	if err := g.tx.Commit(); err != nil {
		return fmt.Errorf("checkpoint: commit: %w", err)
	}
	w.db.group = nil
	for _, m := range g.members {
		m.batch.Counts.Add(m.chunk)
		m.batch.RowsDone = m.last
		m.chunk = registry.BatchCounts{}
		m.tx, m.registering = nil, false
		if m.finished {
			m.batch.Status = registry.BatchDone
		}
	}
	return nil
}

// Pending returns the number of rows written into the open group, by any
// writer, since it was last committed.
func (w *BatchWriter) Pending() int {
	if w.db.group == nil {
		return 0
	}
	return w.db.group.rows
}

// Contended reports whether a short writer (a clerk's write) waits on the
// store's intent lock for this writer's transaction to end.
func (w *BatchWriter) Contended() bool { return w.db.shortWriterWaiting() }

// Finish marks the batch done and commits.
func (w *BatchWriter) Finish(ctx context.Context) error {
	if err := w.Done(ctx); err != nil {
		return err
	}
	return w.Checkpoint(ctx)
}

// Done marks the batch done in the open group without committing it: the
// batch is done once the group commits. A caller writing many small files
// checkpoints when enough rows are pending, and at the end of its run.
func (w *BatchWriter) Done(ctx context.Context) error {
	if w.tx == nil {
		if err := w.begin(ctx); err != nil {
			return err
		}
	}
	now := w.db.Now().UTC()
	if _, err := w.tx.ExecContext(ctx, `UPDATE batches SET status = 'done', finished_at = ? WHERE id = ?`, now.Format(time.RFC3339), w.batch.ID); err != nil {
		return err
	}
	counts := w.batch.Counts
	counts.Add(w.chunk)
	if _, err := appendEvent(ctx, w.tx, now.Format(time.RFC3339), "batch_finished", 0, w.batch.ID, "", counts); err != nil {
		return err
	}
	w.finished, w.batch.FinishedAt = true, now
	return nil
}

// Abort rolls back the open group: the rows written since the last
// checkpoint, by this writer and by the writers of earlier batches in the
// group. Their batches stay as last committed (or, if new, unrecorded): a
// later run resumes them.
func (w *BatchWriter) Abort() {
	g := w.db.group
	if g == nil {
		return
	}
	g.tx.Rollback()
	w.db.group = nil
	for _, m := range g.members {
		m.tx = nil
		m.chunk = registry.BatchCounts{}
		m.last = m.batch.RowsDone
		m.finished = false
		if m.registering {
			m.batch.ID, m.registering = 0, false
		}
	}
}

// Committed reports whether everything written for the batch is committed.
func (w *BatchWriter) Committed() bool { return w.tx == nil }
