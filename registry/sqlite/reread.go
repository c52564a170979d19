package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/hotich/hotich/registry"
)

var _ registry.BatchRereader = (*DB)(nil)

// A re-read (ingest --force) replaces the rows of a finished batch. A
// record is a function of its source rows folded in order (BatchWriter.Write
// does it one row at a time); here every record the batch's old or new rows
// are in is folded again from its rows, the batch's new rows taking the
// places of its old ones, and what differs from the store is written.

// RereadSources returns the stored rows of the other batches in the records
// that hold rows of b, or whose ID is one of ids.
func (db *DB) RereadSources(ctx context.Context, b *registry.Batch, ids []string) ([]registry.StoredRow, error) {
	rids, err := db.rereadRecords(ctx, db.db, b, ids)
	if err != nil {
		return nil, err
	}
	batches := map[int64]*registry.Batch{}
	var out []registry.StoredRow
	lo, hi := rowKey(b.ID, 0), rowKey(b.ID+1, 0)
	for _, rid := range rids {
		rows, err := db.db.QueryContext(ctx, `SELECT key, raw FROM source_rows WHERE record_rid = ? AND (key < ? OR key >= ?) ORDER BY key`, rid, lo, hi)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var key int64
			var raw string
			if err := rows.Scan(&key, &raw); err != nil {
				rows.Close()
				return nil, err
			}
			cells, err := decodeStrings(raw)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("source row %d: %w", key, err)
			}
			bid := key >> 32
			if batches[bid] == nil {
				batches[bid] = &registry.Batch{ID: bid}
			}
			out = append(out, registry.StoredRow{Batch: batches[bid], Row: registry.Row{N: int(key & 0xffffffff), Raw: cells}})
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	for id, b := range batches {
		found, err := db.Batch(ctx, id)
		if err != nil {
			return nil, err
		}
		*b = *found
	}
	return out, nil
}

// rereadRecords returns the rids of the records holding rows of b or with
// one of the IDs ids, in rid order.
func (db *DB) rereadRecords(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, b *registry.Batch, ids []string) ([]int64, error) {
	seen := map[int64]bool{}
	add := func(query string, args ...any) error {
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var rid int64
			if err := rows.Scan(&rid); err != nil {
				return err
			}
			seen[rid] = true
		}
		return rows.Err()
	}
	if err := add(`SELECT DISTINCT record_rid FROM source_rows WHERE key >= ? AND key < ?`, rowKey(b.ID, 0), rowKey(b.ID+1, 0)); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if err := add(`SELECT rid FROM records WHERE id = ?`, id); err != nil {
			return nil, err
		}
	}
	rids := make([]int64, 0, len(seen))
	for rid := range seen {
		rids = append(rids, rid)
	}
	sort.Slice(rids, func(i, j int) bool { return rids[i] < rids[j] })
	return rids, nil
}

// rereadRec is a record a re-read folds again, as stored.
type rereadRec struct {
	rid                         int64
	id, identityKey             string
	authorityName, registeredOn string
	fields, extra, filled, refs string  // as stored (JSON)
	keys                        []int64 // its source rows, in fold order
	conflicts                   map[string]rereadConflict
	flags                       []rereadFlag
	events                      []replayEvent
	new                         bool // created by the re-read
}

type rereadConflict struct {
	id       int64
	vals     string
	resolved int64 // 0: open
}

type rereadFlag struct {
	id                  int64
	code, field, detail string
	key                 int64
	resolved            bool
}

// replayEvent is a correction or a settled conflict of a record's event
// log, applied again after its rows are folded.
type replayEvent struct {
	seq    int64
	kind   string
	detail map[string]string
}

// foldState is a record folded from its rows as BatchWriter.Write folds
// them, one after another.
type foldState struct {
	rec        registry.Record
	filled     map[string]int64
	refs       []string
	keys       []int64
	conflicts  map[string][]conflictValue
	flags      []keyedFlag
	outcome    map[int64]string // per row
	conflicts1 map[int64]int    // fields in conflict when the row was folded
}

type keyedFlag struct {
	registry.Flag
	key int64
}

func newFoldState() *foldState {
	return &foldState{filled: map[string]int64{}, conflicts: map[string][]conflictValue{}, outcome: map[int64]string{}, conflicts1: map[int64]int{}}
}

func (s *foldState) flag(f registry.Flag, key int64) {
	for _, g := range s.flags {
		if g.Code == f.Code && g.Field == f.Field && g.Detail == f.Detail {
			return
		}
	}
	s.flags = append(s.flags, keyedFlag{f, key})
}

// add folds one row into the state.
func (s *foldState) add(key int64, ref string, row *registry.Row) error {
	in := row.Record
	conflicts := 0
	if len(s.keys) == 0 {
		s.rec = *in
		s.rec.Fields = make(map[string]string, len(in.Fields))
		for k, v := range in.Fields {
			s.rec.Fields[k] = v
		}
		if in.Extra != nil {
			s.rec.Extra = make(map[string]string, len(in.Extra))
			for k, v := range in.Extra {
				s.rec.Extra[k] = v
			}
		}
		s.refs = []string{ref}
	} else {
		res := registry.Fold(&s.rec, in)
		for k := range res.Filled {
			s.filled[k] = key
		}
		if err := res.Apply(&s.rec); err != nil {
			return err
		}
		for _, field := range res.ConflictFields() {
			vals := res.Conflicts[field]
			cv, ok := s.conflicts[field]
			if !ok {
				first, ok := s.filled[field]
				if !ok {
					first = s.keys[0]
					for _, k := range s.keys {
						first = min(first, k)
					}
				}
				cv = []conflictValue{{vals[0], first}}
			}
			s.conflicts[field] = append(cv, conflictValue{vals[1], key})
			s.flag(registry.Flag{Code: registry.FlagConflict, Field: field, Detail: "các bản quét khác nhau ở trường " + field}, key)
		}
		conflicts = len(res.Conflicts)
		known := false
		for _, r := range s.refs {
			known = known || r == ref
		}
		if !known {
			s.refs = append(s.refs, ref)
		}
	}
	s.keys = append(s.keys, key)
	for _, f := range row.Flags {
		s.flag(f, key)
	}
	s.conflicts1[key] = conflicts
	s.outcome[key] = registry.OutcomeAccepted
	if len(row.Flags) > 0 || conflicts > 0 {
		s.outcome[key] = registry.OutcomeFlagged
	}
	return nil
}

// Reread replaces the rows of the finished batch b.ID with rows, every row
// of the file in order; sources are the rows RereadSources returned,
// converted again. See registry.BatchRereader.
func (db *DB) Reread(ctx context.Context, b *registry.Batch, rows []registry.Row, sources []registry.StoredRow) (*registry.Batch, int, error) {
	if db.group != nil {
		return nil, 0, fmt.Errorf("reread %s: a batch transaction is open", b.FileName)
	}
	if _, err := db.idFilter(ctx); err != nil {
		return nil, 0, err
	}
	wctx := context.WithoutCancel(ctx)
	tx, err := db.db.BeginTx(wctx, nil)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	old, err := scanBatch(tx.QueryRowContext(wctx, batchSelect+` WHERE id = ?`, b.ID))
	if err != nil {
		return nil, 0, fmt.Errorf("reread %s: %w", b.FileName, err)
	}
	rr := &reread{db: db, tx: tx, ctx: wctx, b: b, old: old, at: db.now(), lo: rowKey(b.ID, 0), hi: rowKey(b.ID+1, 0)}
	nb, changed, err := rr.run(rows, sources)
	if err != nil {
		return nil, 0, err
	}
	if err := tx.Commit(); err != nil {
		return nil, 0, fmt.Errorf("reread %s: commit: %w", b.FileName, err)
	}
	for _, r := range rr.created {
		db.filter.add(r)
	}
	return nb, changed, nil
}

// reread is the work of one Reread, in its transaction.
type reread struct {
	db      *DB
	tx      *sql.Tx
	ctx     context.Context
	b, old  *registry.Batch
	at      string
	lo, hi  int64 // the batch's row keys
	names   batchNames
	created []string // record IDs inserted
}

func (rr *reread) exec(q string, args ...any) error {
	_, err := rr.tx.ExecContext(rr.ctx, q, args...)
	return err
}

func (rr *reread) run(rows []registry.Row, sources []registry.StoredRow) (*registry.Batch, int, error) {
	var err error
	if rr.names, err = loadBatchNames(rr.ctx, rr.tx); err != nil {
		return nil, 0, err
	}
	// The rows by key: the file's new rows, the other files' rows.
	byKey := map[int64]*registry.Row{}
	ids := map[int64]string{} // key -> record ID of the row's entry
	idKeys := map[string]string{}
	var ordered []string // record IDs of the new rows, in row order
	for i := range rows {
		r := &rows[i]
		key := rowKey(rr.b.ID, r.N)
		byKey[key] = r
		if r.Err != nil || r.Record == nil {
			continue
		}
		p := preparedOf(r)
		ids[key], idKeys[p.id] = p.id, p.identityKey
		ordered = append(ordered, p.id)
	}
	for i := range sources {
		sr := &sources[i]
		key := rowKey(sr.Batch.ID, sr.Row.N)
		if sr.Row.Err != nil || sr.Row.Record == nil {
			msg := "no record"
			if sr.Row.Err != nil {
				msg = sr.Row.Err.Message
			}
			return nil, 0, registry.Errorf(registry.EREFUSED, "không đọc lại được tệp %s: dòng %s của tệp khác, đã lưu trước đây, nay không còn đọc được (%s)",
				rr.b.FileName, registry.SourceRef(sr.Batch.FileName, sr.Row.N), msg)
		}
		byKey[key] = &sr.Row
		ids[key] = preparedOf(&sr.Row).id
	}
	// The records touched: those of the old rows, and those the new rows
	// fold into.
	rids, err := rr.db.rereadRecords(rr.ctx, rr.tx, rr.b, ordered)
	if err != nil {
		return nil, 0, err
	}
	recs := map[string]*rereadRec{}
	var order []*rereadRec
	for _, rid := range rids {
		r, err := rr.load(rid)
		if err != nil {
			return nil, 0, err
		}
		recs[r.id] = r
		order = append(order, r)
	}
	// The rows of each record, in fold order: its stored rows with the
	// file's new rows in the places of its old ones (if they still are
	// rows of this entry), then the file's rows new to it.
	seqs := map[string][]int64{}
	placed := map[int64]bool{}
	for _, r := range order {
		for _, k := range r.keys {
			if k >= rr.lo && k < rr.hi && ids[k] != r.id {
				continue // no longer a row of this entry
			}
			seqs[r.id] = append(seqs[r.id], k)
			placed[k] = true
		}
	}
	for i := range rows {
		key := rowKey(rr.b.ID, rows[i].N)
		id, ok := ids[key]
		if !ok || placed[key] {
			continue
		}
		if recs[id] == nil {
			r := &rereadRec{id: id, identityKey: idKeys[id], new: true, conflicts: map[string]rereadConflict{}}
			recs[id] = r
			order = append(order, r)
		}
		seqs[id] = append(seqs[id], key)
	}
	var orphans []string
	for _, r := range order {
		if len(seqs[r.id]) == 0 {
			orphans = append(orphans, r.id)
		}
	}
	if len(orphans) > 0 {
		return nil, 0, registry.Errorf(registry.EREFUSED, "không đọc lại tệp %s: %d bản ghi sẽ không còn dòng nguồn nào (%s); cách đọc mới cho các dòng này số định danh trích lục khác",
			rr.b.FileName, len(orphans), strings.Join(orphans[:min(5, len(orphans))], ", "))
	}

	// Fold, compare, write.
	counts := registry.BatchCounts{Rows: len(rows)}
	changed := 0
	for _, r := range order {
		s := newFoldState()
		for _, k := range seqs[r.id] {
			if err := s.add(k, rr.names.refOr(k, rr.b), byKey[k]); err != nil {
				return nil, 0, fmt.Errorf("reread %s: record %s: %w", rr.b.FileName, r.id, err)
			}
		}
		for _, k := range seqs[r.id] {
			if k < rr.lo || k >= rr.hi {
				continue
			}
			if k == seqs[r.id][0] {
				counts.Created++
			} else {
				counts.Folded++
			}
			counts.Conflicts += s.conflicts1[k]
			if s.outcome[k] == registry.OutcomeFlagged {
				counts.Flagged++
			} else {
				counts.Accepted++
			}
		}
		did, err := rr.write(r, s, byKey[seqs[r.id][0]])
		if err != nil {
			return nil, 0, fmt.Errorf("reread %s: record %s: %w", rr.b.FileName, r.id, err)
		}
		if did {
			changed++
		}
		for _, k := range seqs[r.id] {
			if k >= rr.lo && k < rr.hi {
				if err := rr.source(k, r.rid, s.outcome[k], rowFlags(byKey[k].Flags, s.conflicts1[k] > 0), byKey[k]); err != nil {
					return nil, 0, err
				}
			}
		}
	}
	// Rejected rows, and rows the file no longer has.
	for i := range rows {
		if rows[i].Err != nil {
			counts.Rejected++
			if err := rr.reject(rowKey(rr.b.ID, rows[i].N), &rows[i]); err != nil {
				return nil, 0, err
			}
		}
	}
	if err := rr.exec(`DELETE FROM source_rows WHERE key > ? AND key < ?`, rowKey(rr.b.ID, len(rows)), rr.hi); err != nil {
		return nil, 0, err
	}
	if err := rr.exec(`DELETE FROM rejects WHERE key > ? AND key < ?`, rowKey(rr.b.ID, len(rows)), rr.hi); err != nil {
		return nil, 0, err
	}

	// The batch: its reading and counts, then the event.
	nb := *rr.old
	nb.Register, nb.Container, nb.Delimiter, nb.Encoding, nb.Confidence, nb.Header = rr.b.Register, rr.b.Container, rr.b.Delimiter, rr.b.Encoding, rr.b.Confidence, rr.b.Header
	nb.Counts, nb.RowsDone = counts, len(rows)
	header, _ := json.Marshal(nb.Header)
	oldHeader, _ := json.Marshal(rr.old.Header)
	if nb.Register != rr.old.Register || nb.Container != rr.old.Container || nb.Delimiter != rr.old.Delimiter || nb.Encoding != rr.old.Encoding ||
		nb.Confidence != rr.old.Confidence || string(header) != string(oldHeader) || nb.Counts != rr.old.Counts || nb.RowsDone != rr.old.RowsDone {
		c, _ := json.Marshal(counts)
		if err := rr.exec(`UPDATE batches SET register = ?, container = ?, delimiter = ?, encoding = ?, confidence = ?, header = ?, rows_done = ?, counts = ? WHERE id = ?`,
			string(nb.Register), nb.Container, nb.Delimiter, nb.Encoding, nb.Confidence, string(header), nb.RowsDone, string(c), nb.ID); err != nil {
			return nil, 0, err
		}
	}
	detail := map[string]any{"file": nb.FileName, "hash": nb.Hash, "encoding": nb.Encoding, "encoding_before": rr.old.Encoding,
		"rows": counts.Rows, "rows_before": rr.old.Counts.Rows, "records_changed": changed}
	if _, err := appendEvent(rr.ctx, rr.tx, rr.at, "batch_reread", 0, nb.ID, "", detail); err != nil {
		return nil, 0, err
	}
	return &nb, changed, nil
}

// refOr returns the source reference of a row key, the re-read batch's
// rows named after it.
func (n batchNames) refOr(key int64, b *registry.Batch) string {
	if key>>32 == b.ID {
		return registry.SourceRef(b.FileName, int(key&0xffffffff))
	}
	return n.ref(key)
}

func preparedOf(r *registry.Row) *prepared {
	if p, ok := r.Prepared.(*prepared); ok {
		return p
	}
	p := prepare(r)
	r.Prepared = p
	return p
}

// load reads a record as stored, with its rows in fold order, conflicts,
// flags and the events to apply again.
func (rr *reread) load(rid int64) (*rereadRec, error) {
	r := &rereadRec{rid: rid, conflicts: map[string]rereadConflict{}}
	err := rr.tx.QueryRowContext(rr.ctx, `SELECT id, identity_key, authority_name, registered_on, fields, COALESCE(extra, ''), COALESCE(filled, ''), refs FROM records WHERE rid = ?`, rid).
		Scan(&r.id, &r.identityKey, &r.authorityName, &r.registeredOn, &r.fields, &r.extra, &r.filled, &r.refs)
	if err != nil {
		return nil, err
	}
	var refs []string
	if err := json.Unmarshal([]byte(r.refs), &refs); err != nil {
		return nil, err
	}
	pos := map[string]int{}
	for i, ref := range refs {
		if _, ok := pos[ref]; !ok {
			pos[ref] = i
		}
	}
	q, err := rr.tx.QueryContext(rr.ctx, `SELECT key FROM source_rows WHERE record_rid = ? ORDER BY key`, rid)
	if err != nil {
		return nil, err
	}
	for q.Next() {
		var k int64
		if err := q.Scan(&k); err != nil {
			q.Close()
			return nil, err
		}
		r.keys = append(r.keys, k)
	}
	if err := q.Close(); err != nil {
		return nil, err
	}
	at := func(k int64) int {
		if p, ok := pos[rr.names.refOr(k, rr.b)]; ok {
			return p
		}
		return len(refs)
	}
	sort.SliceStable(r.keys, func(i, j int) bool { return at(r.keys[i]) < at(r.keys[j]) })

	q, err = rr.tx.QueryContext(rr.ctx, `SELECT id, field, vals, COALESCE(resolved_seq, 0) FROM conflicts WHERE record_rid = ?`, rid)
	if err != nil {
		return nil, err
	}
	for q.Next() {
		var c rereadConflict
		var field string
		if err := q.Scan(&c.id, &field, &c.vals, &c.resolved); err != nil {
			q.Close()
			return nil, err
		}
		r.conflicts[field] = c
	}
	if err := q.Close(); err != nil {
		return nil, err
	}
	q, err = rr.tx.QueryContext(rr.ctx, `SELECT id, code, field, detail, COALESCE(source_key, 0), resolved_seq IS NOT NULL FROM flags WHERE record_rid = ? ORDER BY id`, rid)
	if err != nil {
		return nil, err
	}
	for q.Next() {
		var f rereadFlag
		if err := q.Scan(&f.id, &f.code, &f.field, &f.detail, &f.key, &f.resolved); err != nil {
			q.Close()
			return nil, err
		}
		r.flags = append(r.flags, f)
	}
	if err := q.Close(); err != nil {
		return nil, err
	}
	q, err = rr.tx.QueryContext(rr.ctx, `SELECT seq, kind, detail FROM events WHERE record_rid = ? AND kind IN ('record_corrected', 'conflict_resolved') ORDER BY seq`, rid)
	if err != nil {
		return nil, err
	}
	for q.Next() {
		var e replayEvent
		var detail string
		if err := q.Scan(&e.seq, &e.kind, &detail); err != nil {
			q.Close()
			return nil, err
		}
		json.Unmarshal([]byte(detail), &e.detail)
		r.events = append(r.events, e)
	}
	return r, q.Close()
}

// replay applies a record's corrections and settled conflicts again to
// its folded state, and returns the conflicts that stay settled (field ->
// the seq of their settlement).
func (r *rereadRec) replay(s *foldState) map[string]int64 {
	settled := map[string]int64{}
	for _, e := range r.events {
		field := e.detail["field"]
		switch e.kind {
		case "record_corrected":
			s.rec.SetField(field, e.detail["new"])
		case "conflict_resolved":
			c, ok := r.conflicts[field]
			if !ok || c.resolved != e.seq {
				continue // reopened since, or settled again later
			}
			chosen, found := e.detail["chosen"], false
			for _, v := range s.conflicts[field] {
				found = found || v.Value == chosen
			}
			if !found {
				continue // the value chosen is no longer one the scans give
			}
			settled[field] = e.seq
			s.rec.SetField(field, chosen)
		}
	}
	return settled
}

// write writes what differs between a record as stored and as folded
// again, with a record_reread event if anything does. first is its first
// row (a new record's values).
func (rr *reread) write(r *rereadRec, s *foldState, first *registry.Row) (bool, error) {
	settled := r.replay(s)
	fields, extra, _ := marshalFields(&s.rec)
	extraS, _ := extra.(string)
	var filled string
	if len(s.filled) > 0 {
		b, _ := json.Marshal(s.filled)
		filled = string(b)
	}
	refsB, _ := json.Marshal(s.refs)
	refs := string(refsB)
	seq := int64(0)
	event := func() (int64, error) {
		if seq == 0 {
			var err error
			seq, err = appendEvent(rr.ctx, rr.tx, rr.at, "record_reread", r.rid, rr.b.ID, "", map[string]any{"file": rr.b.FileName})
			if err != nil {
				return 0, err
			}
		}
		return seq, nil
	}
	if r.new {
		p := preparedOf(first)
		rec := first.Record
		if _, err := rr.tx.ExecContext(rr.ctx, insertRecordSQL, r.id, p.identityKey, string(rec.Register), rec.AuthorityCode, s.rec.AuthorityName,
			rec.Book, rec.Number, s.rec.RegisteredOn.ISO(), fields, extra, refs, 0, 0); err != nil {
			return false, err
		}
		if err := rr.tx.QueryRowContext(rr.ctx, `SELECT rid FROM records WHERE id = ?`, r.id).Scan(&r.rid); err != nil {
			return false, err
		}
		if _, err := event(); err != nil {
			return false, err
		}
		if err := rr.exec(`UPDATE records SET filled = ?, created_seq = ?, version = ? WHERE rid = ?`, nullString(filled), seq, seq, r.rid); err != nil {
			return false, err
		}
		rr.created = append(rr.created, r.id)
		if err := rr.persons(r.rid, &s.rec); err != nil {
			return false, err
		}
	} else if fields != r.fields || extraS != r.extra || filled != r.filled || refs != r.refs ||
		s.rec.AuthorityName != r.authorityName || s.rec.RegisteredOn.ISO() != r.registeredOn {
		if _, err := event(); err != nil {
			return false, err
		}
		if err := rr.exec(`UPDATE records SET authority_name = ?, registered_on = ?, fields = ?, extra = ?, filled = ?, refs = ?, version = ? WHERE rid = ?`,
			s.rec.AuthorityName, s.rec.RegisteredOn.ISO(), fields, extra, nullString(filled), refs, seq, r.rid); err != nil {
			return false, err
		}
		if err := rr.persons(r.rid, &s.rec); err != nil {
			return false, err
		}
	}

	// Conflicts: new, changed, settled or gone.
	fieldsInConflict := map[string]bool{}
	for field, cv := range s.conflicts {
		fieldsInConflict[field] = true
		b, _ := json.Marshal(cv)
		vals := string(b)
		resolved := settled[field]
		c, ok := r.conflicts[field]
		switch {
		case !ok:
			sq, err := event()
			if err != nil {
				return false, err
			}
			if err := rr.exec(insertConflictSQL, r.rid, field, vals, sq); err != nil {
				return false, err
			}
		case c.vals != vals || c.resolved != resolved:
			if _, err := event(); err != nil {
				return false, err
			}
			if err := rr.exec(`UPDATE conflicts SET vals = ?, resolved_seq = ? WHERE id = ?`, vals, nullInt(resolved), c.id); err != nil {
				return false, err
			}
		}
	}
	for field, c := range r.conflicts {
		if fieldsInConflict[field] {
			continue
		}
		// The rows no longer disagree: the conflict is gone (its values
		// were the old reading's), and the record changed.
		sq, err := event()
		if err != nil {
			return false, err
		}
		if err := rr.exec(`DELETE FROM conflicts WHERE id = ?`, c.id); err != nil {
			return false, err
		}
		if err := rr.exec(`UPDATE records SET version = ? WHERE rid = ?`, sq, r.rid); err != nil {
			return false, err
		}
	}

	// Flags the file's rows raise, and conflict flags.
	want := map[string]keyedFlag{}
	fkey := func(code, field, detail string, key int64) string {
		return code + "\x00" + field + "\x00" + detail + "\x00" + fmt.Sprint(key)
	}
	for _, f := range s.flags {
		if f.Code != registry.FlagConflict && f.key >= rr.lo && f.key < rr.hi {
			want[fkey(string(f.Code), f.Field, f.Detail, f.key)] = f
		}
	}
	openConflictFlag := map[string]bool{}
	for _, f := range r.flags {
		switch {
		case f.code == string(registry.FlagConflict):
			if f.resolved {
				continue
			}
			if fieldsInConflict[f.field] && settled[f.field] == 0 {
				openConflictFlag[f.field] = true
				continue
			}
			sq := settled[f.field]
			if sq == 0 {
				var err error
				if sq, err = event(); err != nil {
					return false, err
				}
			}
			if err := rr.exec(`UPDATE flags SET resolved_seq = ? WHERE id = ?`, sq, f.id); err != nil {
				return false, err
			}
		case f.key >= rr.lo && f.key < rr.hi:
			k := fkey(f.code, f.field, f.detail, f.key)
			if _, ok := want[k]; ok {
				delete(want, k) // raised again: kept as it is, open or closed
				continue
			}
			if f.resolved {
				continue
			}
			sq, err := event()
			if err != nil {
				return false, err
			}
			if err := rr.exec(`UPDATE flags SET resolved_seq = ? WHERE id = ?`, sq, f.id); err != nil {
				return false, err
			}
		}
	}
	insertFlag := func(f keyedFlag) error {
		sq, err := event()
		if err != nil {
			return err
		}
		return rr.exec(insertFlagSQL,
			r.rid, string(f.Code), f.Field, f.Detail, f.key, sq)
	}
	for _, f := range s.flags {
		if f.Code == registry.FlagConflict {
			if fieldsInConflict[f.Field] && settled[f.Field] == 0 && !openConflictFlag[f.Field] {
				if err := insertFlag(f); err != nil {
					return false, err
				}
				openConflictFlag[f.Field] = true
			}
			continue
		}
		if _, ok := want[fkey(string(f.Code), f.Field, f.Detail, f.key)]; !ok {
			continue
		}
		if err := insertFlag(f); err != nil {
			return false, err
		}
	}
	return seq != 0, nil
}

// persons writes a record's search keys again.
func (rr *reread) persons(rid int64, rec *registry.Record) error {
	if err := rr.exec(`DELETE FROM persons WHERE record_rid = ?`, rid); err != nil {
		return err
	}
	for _, p := range searchKeys(rec) {
		if err := rr.exec(insertPersonSQL, p.args(rid)...); err != nil {
			return err
		}
	}
	return nil
}

// source writes the file's row key as a stored row of record rid, with
// the flags it raised (see rowFlags), unless it is stored so already.
func (rr *reread) source(key, rid int64, outcome string, flags any, row *registry.Row) error {
	raw := preparedOf(row).raw
	var oldRID int64
	var oldOutcome, oldRaw string
	var oldFlags sql.NullString
	err := rr.tx.QueryRowContext(rr.ctx, `SELECT record_rid, outcome, raw, flags FROM source_rows WHERE key = ?`, key).Scan(&oldRID, &oldOutcome, &oldRaw, &oldFlags)
	newFlags, _ := flags.(string)
	switch {
	case err == nil && oldRID == rid && oldOutcome == outcome && oldRaw == raw && oldFlags.String == newFlags:
		return nil
	case err != nil && err != sql.ErrNoRows:
		return err
	}
	if err := rr.clear(key); err != nil {
		return err
	}
	return rr.exec(insertSourceSQL, key, rid, outcome, raw, flags)
}

// reject writes the file's row key as a rejected row, unless it is stored
// so already.
func (rr *reread) reject(key int64, row *registry.Row) error {
	raw := preparedOf(row).raw
	var code, field, msg, oldRaw string
	err := rr.tx.QueryRowContext(rr.ctx, `SELECT code, field, message, raw FROM rejects WHERE key = ?`, key).Scan(&code, &field, &msg, &oldRaw)
	switch {
	case err == nil && code == string(row.Err.Code) && field == row.Err.Field && msg == row.Err.Message && oldRaw == raw:
		return nil
	case err != nil && err != sql.ErrNoRows:
		return err
	}
	if err := rr.clear(key); err != nil {
		return err
	}
	return rr.exec(insertRejectSQL, key, string(row.Err.Code), row.Err.Field, row.Err.Message, raw)
}

// clear removes what is stored for the row key, stored row or reject.
func (rr *reread) clear(key int64) error {
	if err := rr.exec(`DELETE FROM source_rows WHERE key = ?`, key); err != nil {
		return err
	}
	return rr.exec(`DELETE FROM rejects WHERE key = ?`, key)
}
