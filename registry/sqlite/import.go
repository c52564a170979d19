package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/hotich/hotich/registry"
)

// importer rebuilds records and duplicate links from an exchange export
// (another site's store, or this one's): each record with its ID, fields,
// extra columns, source references, open flags and conflicts; each link
// between two records by their IDs. An entry replaces the state of the
// record it names; an entry equal to the stored state changes nothing, so
// importing the same export twice, or a site's own export, is a no-op.
//
// Entries are written in transactions of the caller's size (Checkpoint).
// A chunk with changes gets one "ministry_import" event, the version of the
// records it creates; a record or link it changes gets an event of its own.
// Source references name batch files by their base name: files this store
// has not ingested are registered as batches of container "ministry" so
// the references resolve, and each reference gets a source row without
// raw cells (the format carries values as stored, not cells as read).
type importer struct {
	db      *DB
	source  string // the manifest, for the events
	tx      *sql.Tx
	st      importStmts
	at      string
	seq     int64 // the chunk's event, 0 until the chunk changes something
	batches map[string]int64
	added   []string // record IDs created in the open chunk
	pending int
	counts  registry.ImportCounts
}

// NewImporter returns an Importer; source names the export (its manifest)
// in the events.
func (db *DB) NewImporter(source string) registry.Importer {
	return &importer{db: db, source: source, batches: map[string]int64{}}
}

// Counts returns the outcomes so far.
func (im *importer) Counts() registry.ImportCounts { return im.counts }

// Pending returns the number of entries since the last checkpoint.
func (im *importer) Pending() int { return im.pending }

// importStmts are the statements an import runs per entry, prepared once
// per transaction (they close with it).
type importStmts struct {
	findRecord, findRID, insertRecord, insertPerson, insertSource *sql.Stmt
	openFlags, insertFlag, findConflict                           *sql.Stmt
}

func (im *importer) begin(ctx context.Context) error {
	if im.tx != nil {
		return nil
	}
	if err := im.db.holdBulk(ctx, "import"); err != nil {
		return err
	}
	tx, err := im.db.beginBulkTx(ctx)
	if err != nil {
		return err
	}
	im.tx, im.at, im.seq = tx.Tx, im.db.now(), 0
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&im.st.findRecord, `SELECT rid, identity_key, authority_name, registered_on, fields, COALESCE(extra, ''), refs FROM records WHERE id = ?`},
		{&im.st.findRID, `SELECT rid FROM records WHERE id = ?`},
		{&im.st.insertRecord, insertRecordSQL},
		{&im.st.insertPerson, insertPersonSQL},
		{&im.st.insertSource, `INSERT OR IGNORE INTO source_rows (key, record_rid, outcome, raw) VALUES (?, ?, ?, '[]')`},
		{&im.st.openFlags, `SELECT id, code, field, detail, COALESCE(source_key, 0) FROM flags WHERE record_rid = ? AND resolved_seq IS NULL ORDER BY id`},
		{&im.st.insertFlag, insertFlagSQL},
		{&im.st.findConflict, `SELECT id, vals, resolved_seq IS NOT NULL FROM conflicts WHERE record_rid = ? AND field = ?`},
	} {
		if *p.dst, err = tx.PrepareContext(ctx, p.sql); err != nil {
			tx.Rollback()
			im.tx = nil
			return fmt.Errorf("import: prepare: %w", err)
		}
	}
	return nil
}

// chunkSeq returns the chunk's event, logging it at the first change.
func (im *importer) chunkSeq(ctx context.Context) (int64, error) {
	if im.seq == 0 {
		seq, err := appendEvent(ctx, im.tx, im.at, "ministry_import", 0, 0, "", map[string]string{"source": im.source})
		if err != nil {
			return 0, err
		}
		im.seq = seq
	}
	return im.seq, nil
}

// Checkpoint commits the entries since the last checkpoint.
func (im *importer) Checkpoint(ctx context.Context) error {
	if im.tx == nil {
		return nil
	}
	if err := im.tx.Commit(); err != nil {
		im.tx = nil
		return fmt.Errorf("import: commit: %w", err)
	}
	im.tx, im.pending = nil, 0
	if im.db.filter != nil {
		for _, id := range im.added {
			im.db.filter.add(id)
		}
	}
	im.added = im.added[:0]
	return nil
}

// Abort drops the entries since the last checkpoint.
func (im *importer) Abort() {
	if im.tx != nil {
		im.tx.Rollback()
		im.tx = nil
		im.added = im.added[:0]
		im.pending = 0
	}
}

// importedRecord is a record's stored state, as an import compares it.
type importedRecord struct {
	rid          int64
	identityKey  string
	authority    string
	registeredOn string
	fields       map[string]string
	extra        map[string]string
	refs         []string
}

// Record applies a record entry and returns its outcome.
func (im *importer) Record(ctx context.Context, r *registry.Record) (string, error) {
	ctx = context.WithoutCancel(ctx) // see BatchWriter.begin
	if !r.Register.Valid() {
		return "", registry.Errorf(registry.EINVALID, "bản ghi %s: loại sổ %q không hợp lệ", r.ID, r.Register)
	}
	ident := r.Identity()
	if want := ident.RecordID(); r.ID != want {
		return "", registry.Errorf(registry.EINVALID, "bản ghi %s: mã không khớp sổ, quyển, số (phải là %s)", r.ID, want)
	}
	if r.RegisteredOn.IsZero() {
		return "", registry.Errorf(registry.EINVALID, "bản ghi %s: thiếu ngày đăng ký", r.ID)
	}
	if err := im.begin(ctx); err != nil {
		return "", err
	}
	im.pending++
	if r.Fields == nil {
		r.Fields = map[string]string{}
	}
	cur, err := im.load(ctx, r.ID)
	if err != nil {
		return "", err
	}
	if cur == nil {
		if err := im.create(ctx, r, ident.Key()); err != nil {
			return "", fmt.Errorf("import %s: %w", r.ID, err)
		}
		im.counts.Created++
		return registry.ImportCreated, nil
	}
	if cur.identityKey != ident.Key() {
		return "", fmt.Errorf("record ID %s: hash collision between identities %q and %q", r.ID, cur.identityKey, ident.Key())
	}
	changed, err := im.update(ctx, cur, r)
	if err != nil {
		return "", fmt.Errorf("import %s: %w", r.ID, err)
	}
	if !changed {
		im.counts.Unchanged++
		return registry.ImportUnchanged, nil
	}
	im.counts.Updated++
	return registry.ImportUpdated, nil
}

func (im *importer) load(ctx context.Context, id string) (*importedRecord, error) {
	var c importedRecord
	var fields, extra, refs string
	err := im.st.findRecord.QueryRowContext(ctx, id).
		Scan(&c.rid, &c.identityKey, &c.authority, &c.registeredOn, &fields, &extra, &refs)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if c.fields, err = decodeStringMap(fields); err != nil {
		return nil, fmt.Errorf("record %s: fields: %w", id, err)
	}
	if extra != "" {
		if c.extra, err = decodeStringMap(extra); err != nil {
			return nil, fmt.Errorf("record %s: extra: %w", id, err)
		}
	}
	if c.refs, err = decodeStrings(refs); err != nil {
		return nil, fmt.Errorf("record %s: refs: %w", id, err)
	}
	return &c, nil
}

func extraJSON(m map[string]string) any {
	if len(m) == 0 {
		return nil
	}
	return encodeMap(m)
}

func (im *importer) create(ctx context.Context, r *registry.Record, identityKey string) error {
	seq, err := im.chunkSeq(ctx)
	if err != nil {
		return err
	}
	res, err := im.st.insertRecord.ExecContext(ctx,
		r.ID, identityKey, string(r.Register), r.AuthorityCode, r.AuthorityName, r.Book, r.Number, r.RegisteredOn.ISO(),
		encodeMap(r.Fields), extraJSON(r.Extra), encodeStrings(r.SourceRefs), seq, seq)
	if err != nil {
		return err
	}
	rid, err := res.LastInsertId()
	if err != nil {
		return err
	}
	im.added = append(im.added, r.ID)
	if err := im.persons().insertRows(ctx, rid, searchKeys(r)); err != nil {
		return err
	}
	if err := im.sourceRows(ctx, rid, r); err != nil {
		return err
	}
	// A new record has no flags or conflicts to compare with.
	for _, f := range r.Flags {
		if err := im.insertFlag(ctx, rid, f, r.Register, seq); err != nil {
			return err
		}
	}
	_, err = im.syncConflicts(ctx, rid, r, seq, true)
	return err
}

func (im *importer) insertFlag(ctx context.Context, rid int64, f registry.Flag, reg registry.Register, seq int64) error {
	key, err := im.refKey(ctx, f.SourceRef, reg)
	if err != nil {
		return err
	}
	_, err = im.st.insertFlag.ExecContext(ctx, rid, string(f.Code), f.Field, f.Detail, nullInt(key), seq)
	return err
}

// update replaces a stored record's state with the entry's. It changes
// nothing and returns false when they are the same.
func (im *importer) update(ctx context.Context, cur *importedRecord, r *registry.Record) (bool, error) {
	same := cur.authority == r.AuthorityName && cur.registeredOn == r.RegisteredOn.ISO() &&
		maps.Equal(cur.fields, r.Fields) && maps.Equal(cur.extra, r.Extra) && slices.Equal(cur.refs, r.SourceRefs)
	// Dry runs of the annotations tell whether they differ.
	flagsDiffer, err := im.syncFlags(ctx, cur.rid, r, 0, false)
	if err != nil {
		return false, err
	}
	conflictsDiffer, err := im.syncConflicts(ctx, cur.rid, r, 0, false)
	if err != nil {
		return false, err
	}
	if same && !flagsDiffer && !conflictsDiffer {
		return false, nil
	}
	if _, err := im.chunkSeq(ctx); err != nil {
		return false, err
	}
	seq, err := appendEvent(ctx, im.tx, im.at, "record_imported", cur.rid, 0, "", map[string]string{"source": im.source})
	if err != nil {
		return false, err
	}
	if !same {
		if _, err := im.tx.ExecContext(ctx, `UPDATE records SET authority_name = ?, registered_on = ?, fields = ?, extra = ?, refs = ? WHERE rid = ?`,
			r.AuthorityName, r.RegisteredOn.ISO(), encodeMap(r.Fields), extraJSON(r.Extra), encodeStrings(r.SourceRefs), cur.rid); err != nil {
			return false, err
		}
		if err := im.persons().replace(ctx, cur.rid, r); err != nil {
			return false, err
		}
		if err := im.sourceRows(ctx, cur.rid, r); err != nil {
			return false, err
		}
	}
	if _, err := im.tx.ExecContext(ctx, `UPDATE records SET version = ? WHERE rid = ?`, seq, cur.rid); err != nil {
		return false, err
	}
	if _, err := im.syncFlags(ctx, cur.rid, r, seq, true); err != nil {
		return false, err
	}
	if _, err := im.syncConflicts(ctx, cur.rid, r, seq, true); err != nil {
		return false, err
	}
	return true, nil
}

// persons writes search keys with the import's prepared insert.
func (im *importer) persons() personWriter {
	return personWriter{insert: im.st.insertPerson.ExecContext, delete: txExec(im.tx, `DELETE FROM persons WHERE record_rid = ?`)}
}

// sourceRows gives every source reference of the record a source row.
func (im *importer) sourceRows(ctx context.Context, rid int64, r *registry.Record) error {
	flagged := map[string]bool{}
	for _, f := range r.Flags {
		flagged[f.SourceRef] = true
	}
	for _, c := range r.Conflicts {
		for _, ref := range c.SourceRefs {
			flagged[ref] = true
		}
	}
	for _, ref := range r.SourceRefs {
		key, err := im.refKey(ctx, ref, r.Register)
		if err != nil {
			return err
		}
		outcome := registry.OutcomeAccepted
		if flagged[ref] {
			outcome = registry.OutcomeFlagged
		}
		if _, err := im.st.insertSource.ExecContext(ctx, key, rid, outcome); err != nil {
			return err
		}
	}
	return nil
}

// refKey turns a source reference "file#n" into a source-row key of this
// store, registering the file as a batch if the store has none of that name.
func (im *importer) refKey(ctx context.Context, ref string, reg registry.Register) (int64, error) {
	if ref == "" {
		return 0, nil
	}
	i := strings.LastIndexByte(ref, '#')
	if i <= 0 {
		return 0, registry.Errorf(registry.EINVALID, "tham chiếu nguồn %q không đúng dạng tệp#số", ref)
	}
	n, err := strconv.ParseUint(ref[i+1:], 10, 32)
	if err != nil || strconv.FormatUint(n, 10) != ref[i+1:] {
		return 0, registry.Errorf(registry.EINVALID, "tham chiếu nguồn %q không đúng dạng tệp#số", ref)
	}
	id, err := im.batchID(ctx, ref[:i], reg)
	if err != nil {
		return 0, err
	}
	return rowKey(id, int(n)), nil
}

func (im *importer) batchID(ctx context.Context, name string, reg registry.Register) (int64, error) {
	if id, ok := im.batches[name]; ok {
		return id, nil
	}
	var id int64
	err := im.tx.QueryRowContext(ctx, `SELECT id FROM batches WHERE file_name = ? ORDER BY id LIMIT 1`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		sum := sha256.Sum256([]byte(name))
		res, ierr := im.tx.ExecContext(ctx, `INSERT INTO batches (file_name, path, file_hash, file_size, register, container, delimiter, encoding, confidence, header, status, started_at, finished_at)
			VALUES (?, ?, ?, 0, ?, 'ministry', '', '', 0, '[]', 'done', ?, ?)`,
			name, im.source, "ministry:"+hex.EncodeToString(sum[:]), string(reg), im.at, im.at)
		if ierr != nil {
			return 0, fmt.Errorf("register batch %s: %w", name, ierr)
		}
		id, err = res.LastInsertId()
	}
	if err != nil {
		return 0, err
	}
	im.batches[name] = id
	return id, nil
}

// storedFlag is an open flag as stored.
type storedFlag struct {
	id                  int64
	code, field, detail string
	key                 int64
}

// syncFlags makes the record's open flags those of the entry: flags the
// entry lacks are closed, flags it adds are raised. With apply false it only
// reports whether anything would change.
func (im *importer) syncFlags(ctx context.Context, rid int64, r *registry.Record, seq int64, apply bool) (bool, error) {
	rows, err := im.st.openFlags.QueryContext(ctx, rid)
	if err != nil {
		return false, err
	}
	var open []storedFlag
	for rows.Next() {
		var f storedFlag
		if err := rows.Scan(&f.id, &f.code, &f.field, &f.detail, &f.key); err != nil {
			rows.Close()
			return false, err
		}
		open = append(open, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	matched := make([]bool, len(open))
	var add []registry.Flag
	var addKeys []int64
next:
	for _, f := range r.Flags {
		key, err := im.refKey(ctx, f.SourceRef, r.Register)
		if err != nil {
			return false, err
		}
		for i, o := range open {
			if !matched[i] && o.code == string(f.Code) && o.field == f.Field && o.detail == f.Detail && o.key == key {
				matched[i] = true
				continue next
			}
		}
		add = append(add, f)
		addKeys = append(addKeys, key)
	}
	changed := len(add) > 0 || slices.Contains(matched, false)
	if !apply || !changed {
		return changed, nil
	}
	for i, o := range open {
		if !matched[i] {
			if _, err := im.tx.ExecContext(ctx, `UPDATE flags SET resolved_seq = ? WHERE id = ?`, seq, o.id); err != nil {
				return false, err
			}
		}
	}
	for i, f := range add {
		if _, err := im.st.insertFlag.ExecContext(ctx, rid, string(f.Code), f.Field, f.Detail, nullInt(addKeys[i]), seq); err != nil {
			return false, err
		}
	}
	return true, nil
}

// syncConflicts makes the record's conflicts those of the entry, field by
// field (conflicts are never deleted: one the entry lacks stays). With apply
// false it only reports whether anything would change.
func (im *importer) syncConflicts(ctx context.Context, rid int64, r *registry.Record, seq int64, apply bool) (bool, error) {
	changed := false
	for _, c := range r.Conflicts {
		vals := make([]conflictValue, len(c.Values))
		for i, v := range c.Values {
			ref := ""
			if i < len(c.SourceRefs) {
				ref = c.SourceRefs[i]
			}
			key, err := im.refKey(ctx, ref, r.Register)
			if err != nil {
				return false, err
			}
			vals[i] = conflictValue{Value: v, SourceKey: key}
		}
		b, err := json.Marshal(vals)
		if err != nil {
			return false, err
		}
		var id int64
		var stored string
		var resolved bool
		err = im.st.findConflict.QueryRowContext(ctx, rid, c.Field).Scan(&id, &stored, &resolved)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			changed = true
			if apply {
				if _, err := im.tx.ExecContext(ctx, `INSERT INTO conflicts (record_rid, field, vals, created_seq, resolved_seq) VALUES (?, ?, ?, ?, ?)`,
					rid, c.Field, string(b), seq, resolvedSeq(c.Resolved, seq)); err != nil {
					return false, err
				}
			}
		case err != nil:
			return false, err
		default:
			var cur []conflictValue
			if err := json.Unmarshal([]byte(stored), &cur); err != nil {
				return false, fmt.Errorf("conflict %d: %w", id, err)
			}
			if slices.Equal(cur, vals) && resolved == c.Resolved {
				continue
			}
			changed = true
			if apply {
				if _, err := im.tx.ExecContext(ctx, `UPDATE conflicts SET vals = ?, resolved_seq = CASE WHEN ? THEN COALESCE(resolved_seq, ?) ELSE NULL END WHERE id = ?`,
					string(b), c.Resolved, seq, id); err != nil {
					return false, err
				}
			}
		}
	}
	return changed, nil
}

func resolvedSeq(resolved bool, seq int64) any {
	if resolved {
		return seq
	}
	return nil
}

// Link applies a duplicate link between two records already in the store
// and returns its outcome.
func (im *importer) Link(ctx context.Context, a, b string, score float64, status registry.LinkStatus) (string, error) {
	ctx = context.WithoutCancel(ctx)
	if err := im.begin(ctx); err != nil {
		return "", err
	}
	im.pending++
	var ridA, ridB int64
	for _, x := range []struct {
		id  string
		rid *int64
	}{{a, &ridA}, {b, &ridB}} {
		err := im.st.findRID.QueryRowContext(ctx, x.id).Scan(x.rid)
		if errors.Is(err, sql.ErrNoRows) {
			return "", registry.Errorf(registry.ENOTFOUND, "liên kết %s–%s: bản ghi %s chưa có trong kho (cần nhập các bản xuất trước đó)", a, b, x.id)
		}
		if err != nil {
			return "", err
		}
	}
	if ridA > ridB {
		ridA, ridB = ridB, ridA
	}
	var id int64
	var curScore float64
	var curStatus string
	err := im.tx.QueryRowContext(ctx, `SELECT id, score, status FROM links WHERE a_rid = ? AND b_rid = ?`, ridA, ridB).Scan(&id, &curScore, &curStatus)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		seq, err := im.chunkSeq(ctx)
		if err != nil {
			return "", err
		}
		if _, err := im.tx.ExecContext(ctx, `INSERT INTO links (a_rid, b_rid, score, status, created_seq, version) VALUES (?, ?, ?, ?, ?, ?)`,
			ridA, ridB, score, string(status), seq, seq); err != nil {
			return "", fmt.Errorf("link %s–%s: %w", a, b, err)
		}
		im.counts.LinksCreated++
		return registry.ImportCreated, nil
	case err != nil:
		return "", err
	case curScore == score && curStatus == string(status):
		im.counts.LinksSame++
		return registry.ImportUnchanged, nil
	}
	if _, err := im.chunkSeq(ctx); err != nil {
		return "", err
	}
	seq, err := appendEvent(ctx, im.tx, im.at, "link_imported", 0, 0, "",
		map[string]any{"source": im.source, "link": id, "status": string(status)})
	if err != nil {
		return "", err
	}
	if _, err := im.tx.ExecContext(ctx, `UPDATE links SET score = ?, status = ?, version = ? WHERE id = ?`, score, string(status), seq, id); err != nil {
		return "", err
	}
	im.counts.LinksUpdated++
	return registry.ImportUpdated, nil
}

// RemoveLink applies the removal of a duplicate link between two records:
// the link goes if the store has it. Flags the link raised are part of the
// records' entries, not of the link.
func (im *importer) RemoveLink(ctx context.Context, a, b string) (string, error) {
	ctx = context.WithoutCancel(ctx)
	if err := im.begin(ctx); err != nil {
		return "", err
	}
	im.pending++
	res, err := im.tx.ExecContext(ctx, `DELETE FROM links WHERE id IN (SELECT l.id FROM links l
		JOIN records ra ON ra.rid = l.a_rid JOIN records rb ON rb.rid = l.b_rid
		WHERE ra.id IN (?1, ?2) AND rb.id IN (?1, ?2))`, a, b)
	if err != nil {
		return "", err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		im.counts.LinksSame++
		return registry.ImportUnchanged, nil
	}
	if _, err := im.chunkSeq(ctx); err != nil {
		return "", err
	}
	if _, err := appendEvent(ctx, im.tx, im.at, "link_imported", 0, 0, "", map[string]any{"source": im.source, "a": a, "b": b, "status": ""}); err != nil {
		return "", err
	}
	im.counts.LinksRemoved++
	return registry.ImportUpdated, nil
}

// historyKinds are the events of a record's history that an import
// carries over: what a copy prints (corrections, with their legal basis)
// and who settled a conflict. Their details are site-independent strings;
// events naming a site's own row numbers (a flag's number, a batch) stay
// with their site.
var historyKinds = map[string]bool{"record_corrected": true, "conflict_resolved": true}

// History adds the events of a record's history from another site's
// export to this store's log, keeping their time, actor and details, so
// that a rebuilt site prints the same corrections. An event already in
// the log (the same kind, time, actor and details: imported before, or
// this site's own) is not added again.
func (im *importer) History(ctx context.Context, recordID string, events []registry.Event) error {
	var rid int64
	for _, e := range events {
		if !historyKinds[e.Kind] {
			continue
		}
		detail, err := historyDetail(e.Detail)
		if err != nil {
			return err
		}
		if err := im.begin(ctx); err != nil {
			return err
		}
		if rid == 0 {
			if err := im.st.findRID.QueryRowContext(ctx, recordID).Scan(&rid); err != nil {
				return fmt.Errorf("history of %s: %w", recordID, err)
			}
		}
		var n int
		if err := im.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE record_rid = ? AND kind = ? AND at = ? AND actor = ? AND detail = ?`,
			rid, e.Kind, e.At, e.Actor, detail).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		res, err := im.tx.ExecContext(ctx, `INSERT INTO events (at, kind, record_rid, actor, detail) VALUES (?, ?, ?, ?, ?)`,
			e.At, e.Kind, rid, e.Actor, detail)
		if err != nil {
			return fmt.Errorf("history of %s: %w", recordID, err)
		}
		// The record's history changed: a later export from this site
		// carries it on.
		seq, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if _, err := im.tx.ExecContext(ctx, `UPDATE records SET version = ? WHERE rid = ?`, seq, rid); err != nil {
			return err
		}
		im.pending++
		im.counts.Events++
	}
	return nil
}

// historyDetail encodes an event's details as the store writes them: a
// JSON object of strings, keys sorted, as the corrections and conflict
// decisions it carries over were written.
func historyDetail(kvs []registry.KeyValue) (string, error) {
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		m[kv.Key] = kv.Value
	}
	b, err := json.Marshal(m)
	return string(b), err
}
