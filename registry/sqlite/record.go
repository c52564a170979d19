package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

var _ registry.RecordService = (*DB)(nil)

const recordColumns = `r.rid, r.id, r.register, r.authority_code, r.authority_name, r.book, r.number, r.registered_on, r.fields, COALESCE(r.extra, ''), r.refs, r.version`

// scanRecord reads the columns of recordColumns.
func scanRecord(s scanner) (int64, *registry.Record, error) {
	var rid int64
	var r registry.Record
	var reg, regOn, fields, extra, refs string
	if err := s.Scan(&rid, &r.ID, &reg, &r.AuthorityCode, &r.AuthorityName, &r.Book, &r.Number, &regOn, &fields, &extra, &refs, &r.Version); err != nil {
		return 0, nil, err
	}
	r.Register = registry.Register(reg)
	var err error
	if r.RegisteredOn, err = vntext.ParseISODate(regOn); err != nil {
		return 0, nil, fmt.Errorf("record %s: registered_on %q: %w", r.ID, regOn, err)
	}
	if err := json.Unmarshal([]byte(fields), &r.Fields); err != nil {
		return 0, nil, fmt.Errorf("record %s: fields: %w", r.ID, err)
	}
	if extra != "" {
		if err := json.Unmarshal([]byte(extra), &r.Extra); err != nil {
			return 0, nil, fmt.Errorf("record %s: extra: %w", r.ID, err)
		}
	}
	if err := json.Unmarshal([]byte(refs), &r.SourceRefs); err != nil {
		return 0, nil, fmt.Errorf("record %s: refs: %w", r.ID, err)
	}
	return rid, &r, nil
}

// FindRecordByID returns the record with the given ID, with its flags,
// conflicts and duplicate links.
func (db *DB) FindRecordByID(ctx context.Context, id string) (*registry.Record, error) {
	rid, rec, err := scanRecord(db.db.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM records r WHERE r.id = ?`, strings.TrimSpace(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, registry.Errorf(registry.ENOTFOUND, "không tìm thấy trích lục có mã %q", id)
	}
	if err != nil {
		return nil, err
	}
	ann, err := db.loadAnnotations(ctx, []int64{rid})
	if err != nil {
		return nil, err
	}
	ann.apply(rid, rec)
	return rec, nil
}

// FindRecords returns the records that match a filter, sorted by ID. Name
// matching is insensitive to case, diacritics and tone-mark placement.
// When more match than the limit, the earliest stored are returned: the
// rows are taken in rid order, which the person indexes hold, so a common
// name reads only the records it returns (ordering the SQL by ID would
// read every match: 37 ms instead of 2 ms for 484 matches at 12 million
// entries); they are sorted by ID here.
func (db *DB) FindRecords(ctx context.Context, f registry.RecordFilter) ([]*registry.Record, error) {
	var where []string // conditions on the record itself
	var args []any
	if f.Register != "" {
		where = append(where, `r.register = ?`)
		args = append(args, string(f.Register))
	}
	if f.Identity != nil {
		where = append(where, `r.id = ?`)
		args = append(args, f.Identity.RecordID())
	}
	var persons []string // conditions on its persons: rids from the persons table
	var pargs []any
	var personConds []string
	if f.PersonalID != "" {
		personConds = append(personConds, `p.personal_id = ?`)
		pargs = append(pargs, strings.TrimSpace(f.PersonalID))
	}
	if f.Name != "" {
		personConds = append(personConds, `p.name_fold = ?`)
		pargs = append(pargs, vntext.FoldKey(f.Name))
		switch f.Birth.Precision() {
		case vntext.PrecNone:
		case vntext.PrecYear:
			personConds = append(personConds, `p.birth_year = ?`)
			pargs = append(pargs, f.Birth.Year)
		default:
			// A record keeping a coarser date than asked still matches.
			personConds = append(personConds, `p.birth_year = ? AND (p.birth = ? OR p.birth = ? OR p.birth = ? OR p.birth = '')`)
			pargs = append(pargs, f.Birth.Year, f.Birth.ISO(), vntext.Date{Year: f.Birth.Year, Month: f.Birth.Month}.ISO(), vntext.Date{Year: f.Birth.Year}.ISO())
		}
	}
	if f.Role != "" {
		personConds = append(personConds, `p.role = ?`)
		pargs = append(pargs, string(f.Role))
	}
	if len(personConds) > 0 {
		persons = append(persons, `SELECT DISTINCT p.record_rid FROM persons p WHERE `+strings.Join(personConds, " AND "))
	}
	if f.Parent != "" {
		persons = append(persons, `SELECT DISTINCT p.record_rid FROM persons p WHERE p.name_fold = ? AND p.role IN (?, ?, ?)`)
		pargs = append(pargs, vntext.FoldKey(f.Parent), string(registry.RoleMother), string(registry.RoleFather), string(registry.RoleRecognizer))
	}
	if len(where) == 0 && len(persons) == 0 {
		return nil, registry.Errorf(registry.EINVALID, "cần ít nhất một điều kiện tìm kiếm")
	}
	limit := ""
	switch {
	case f.Limit == 0:
		limit = " LIMIT 1000"
	case f.Limit > 0:
		limit = fmt.Sprintf(" LIMIT %d", f.Limit)
	}

	var recs []*registry.Record
	var rids []int64
	var err error
	if len(where) == 0 {
		// Only persons are asked about: the persons indexes give the
		// rids without reading a record, and the records, which lie
		// anywhere in the file, are then read in parallel.
		q := strings.Join(persons, " INTERSECT ") + " ORDER BY 1" + limit
		if rids, err = queryAll(ctx, db.db, func(s scanner) (rid int64, err error) { return rid, s.Scan(&rid) }, q, pargs...); err != nil {
			return nil, err
		}
		if recs, err = db.recordsByRID(ctx, rids); err != nil {
			return nil, err
		}
	} else {
		for _, sub := range persons {
			where = append(where, `r.rid IN (`+sub+`)`)
		}
		q := `SELECT ` + recordColumns + ` FROM records r WHERE ` + strings.Join(where, " AND ") + ` ORDER BY r.rid` + limit
		rows, err := db.db.QueryContext(ctx, q, append(args, pargs...)...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			rid, rec, err := scanRecord(rows)
			if err != nil {
				return nil, err
			}
			recs = append(recs, rec)
			rids = append(rids, rid)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	ann, err := db.loadAnnotations(ctx, rids)
	if err != nil {
		return nil, err
	}
	for i, rid := range rids {
		ann.apply(rid, recs[i])
	}
	slices.SortFunc(recs, func(a, b *registry.Record) int { return strings.Compare(a.ID, b.ID) })
	return recs, nil
}

// fetchParts is how many connections read a search's records at once.
const fetchParts = 4

// recordsByRID reads the records with the given rids, in their order. On
// a cold page cache each record costs a disk read, and one connection
// makes them one after another: parts of the list are read on separate
// connections, so that the disk serves several at a time.
func (db *DB) recordsByRID(ctx context.Context, rids []int64) ([]*registry.Record, error) {
	recs := make([]*registry.Record, len(rids))
	read := func(ctx context.Context, part []int64, out []*registry.Record) error {
		got, err := queryAll(ctx, db.db, func(s scanner) (ridRecord, error) {
			rid, rec, err := scanRecord(s)
			return ridRecord{rid, rec}, err
		}, `SELECT `+recordColumns+` FROM records r WHERE r.rid IN (SELECT value FROM json_each(?))`, ridJSON(part))
		if err != nil {
			return err
		}
		at := make(map[int64]*registry.Record, len(got))
		for _, g := range got {
			at[g.rid] = g.rec
		}
		for i, rid := range part {
			if out[i] = at[rid]; out[i] == nil {
				return fmt.Errorf("find records: record rid %d of a person is missing", rid)
			}
		}
		return nil
	}
	if len(rids) < 2*fetchParts {
		return recs, read(ctx, rids, recs)
	}
	per := (len(rids) + fetchParts - 1) / fetchParts
	errs := make([]error, fetchParts)
	var wg sync.WaitGroup
	for i := range fetchParts {
		start, end := min(i*per, len(rids)), min((i+1)*per, len(rids))
		if start < end {
			wg.Go(func() { errs[i] = read(ctx, rids[start:end], recs[start:end]) })
		}
	}
	wg.Wait()
	return recs, errors.Join(errs...)
}

type ridRecord struct {
	rid int64
	rec *registry.Record
}

// ridJSON gives rids as one JSON array, a query parameter whose statement
// text stays the same whatever the rids (see loadAnnotations).
func ridJSON(rids []int64) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, rid := range rids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(rid, 10))
	}
	b.WriteByte(']')
	return b.String()
}

// annotations are the sparse facts about records kept outside the records
// table: open flags, conflicts and duplicate links, keyed by record rid.
type annotations struct {
	flags     map[int64][]registry.Flag
	conflicts map[int64][]registry.Conflict
	links     map[int64][]registry.DuplicateLink
}

func (a *annotations) apply(rid int64, r *registry.Record) {
	r.Flags = a.flags[rid]
	r.Conflicts = a.conflicts[rid]
	r.Duplicates = a.links[rid]
}

// loadAnnotations loads the annotations of the records with the given
// rids: none for none. (A nil list used to mean every record, so a search
// that found nothing read the annotations of the whole store: 0.6-1 s at
// 12 million entries.)
func (db *DB) loadAnnotations(ctx context.Context, rids []int64) (*annotations, error) {
	if len(rids) == 0 {
		return &annotations{}, nil
	}
	return db.queryAnnotations(ctx, rids, false)
}

// loadAllAnnotations loads the annotations of every record.
func (db *DB) loadAllAnnotations(ctx context.Context) (*annotations, error) {
	return db.queryAnnotations(ctx, nil, true)
}

func (db *DB) queryAnnotations(ctx context.Context, rids []int64, all bool) (*annotations, error) {
	a := &annotations{flags: map[int64][]registry.Flag{}, conflicts: map[int64][]registry.Conflict{}, links: map[int64][]registry.DuplicateLink{}}
	// Source references name batch files; most records have no flags or
	// conflicts, so the names are looked up only when a row needs them.
	type ref struct {
		key int64
		set func(string)
	}
	var refs []ref
	// in selects the records by rid, given as one JSON array: the query
	// text stays the same whatever the records, so the driver's statement
	// cache keeps it prepared, and SQLite still searches the record_rid
	// indexes for each rid.
	in := func(col string) string {
		if all {
			return "1"
		}
		return col + " IN (SELECT value FROM json_each(:rids))"
	}
	var args []any
	if !all {
		args = []any{sql.Named("rids", ridJSON(rids))}
	}
	rows, err := db.db.QueryContext(ctx, `SELECT record_rid, code, field, detail, COALESCE(source_key, 0) FROM flags WHERE resolved_seq IS NULL AND `+in("record_rid")+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var rid, key int64
		var f registry.Flag
		var code string
		if err := rows.Scan(&rid, &code, &f.Field, &f.Detail, &key); err != nil {
			rows.Close()
			return nil, err
		}
		f.Code = registry.FlagCode(code)
		a.flags[rid] = append(a.flags[rid], f)
		if key != 0 {
			i := len(a.flags[rid]) - 1
			refs = append(refs, ref{key, func(s string) { a.flags[rid][i].SourceRef = s }})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = db.db.QueryContext(ctx, `SELECT id, record_rid, field, vals, resolved_seq IS NOT NULL FROM conflicts WHERE `+in("record_rid")+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var rid int64
		var c registry.Conflict
		var vals string
		if err := rows.Scan(&c.ID, &rid, &c.Field, &vals, &c.Resolved); err != nil {
			rows.Close()
			return nil, err
		}
		var cv []conflictValue
		if err := json.Unmarshal([]byte(vals), &cv); err != nil {
			rows.Close()
			return nil, fmt.Errorf("conflict %d: %w", c.ID, err)
		}
		c.Values = make([]string, len(cv))
		c.SourceRefs = make([]string, len(cv))
		for i, v := range cv {
			c.Values[i] = v.Value
			if v.SourceKey != 0 {
				to := &c.SourceRefs[i] // the backing array is c's for good
				refs = append(refs, ref{v.SourceKey, func(s string) { *to = s }})
			}
		}
		a.conflicts[rid] = append(a.conflicts[rid], c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = db.db.QueryContext(ctx, `SELECT l.id, l.a_rid, ra.id, l.b_rid, rb.id, l.score, l.status FROM links l
		JOIN records ra ON ra.rid = l.a_rid JOIN records rb ON rb.rid = l.b_rid WHERE `+in("l.a_rid")+` OR `+in("l.b_rid"), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, arid, brid int64
		var aid, bid, status string
		var score float64
		if err := rows.Scan(&id, &arid, &aid, &brid, &bid, &score, &status); err != nil {
			return nil, err
		}
		a.links[arid] = append(a.links[arid], registry.DuplicateLink{LinkID: id, ID: bid, Score: score, Status: registry.LinkStatus(status)})
		a.links[brid] = append(a.links[brid], registry.DuplicateLink{LinkID: id, ID: aid, Score: score, Status: registry.LinkStatus(status)})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, ls := range a.links {
		sort.Slice(ls, func(i, j int) bool { return ls[i].ID < ls[j].ID })
	}
	if len(refs) > 0 {
		names, err := db.batchNames(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range refs {
			r.set(names.ref(r.key))
		}
	}
	return a, nil
}

// batchNames maps batch IDs to file names, to turn row keys into source
// references.
type batchNames map[int64]string

func (n batchNames) ref(key int64) string {
	if key == 0 {
		return ""
	}
	return registry.SourceRef(n[key>>32], int(key&0xffffffff))
}

// batchNames returns the file names of the store's batches. Batches are
// only ever added, so the names are kept and only new batches read.
func (db *DB) batchNames(ctx context.Context) (batchNames, error) {
	db.namesMu.Lock()
	defer db.namesMu.Unlock()
	var max int64
	if err := db.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM batches`).Scan(&max); err != nil {
		return nil, err
	}
	if db.names == nil || max < db.namesMax {
		db.names, db.namesMax = batchNames{}, 0
	}
	if max > db.namesMax {
		rows, err := db.db.QueryContext(ctx, `SELECT id, file_name FROM batches WHERE id > ?`, db.namesMax)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		next := maps.Clone(db.names)
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				return nil, err
			}
			next[id] = name
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		db.names, db.namesMax = next, max
	}
	return db.names, nil
}

// loadBatchNames reads the file name of every batch through q (the pool,
// or the connection of a snapshot).
func loadBatchNames(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) (batchNames, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, file_name FROM batches`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	names := batchNames{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		names[id] = name
	}
	return names, rows.Err()
}

// EachRecord calls fn for every record in ID order, with its annotations.
// It streams: memory holds the sparse annotations, not the records.
func (db *DB) EachRecord(ctx context.Context, fn func(*registry.Record) error) error {
	ann, err := db.loadAllAnnotations(ctx)
	if err != nil {
		return err
	}
	rows, err := db.db.QueryContext(ctx, `SELECT `+recordColumns+` FROM records r ORDER BY r.id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		rid, rec, err := scanRecord(rows)
		if err != nil {
			return err
		}
		ann.apply(rid, rec)
		if err := fn(rec); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SourceRows returns the batch rows folded into a record, oldest first.
func (db *DB) SourceRows(ctx context.Context, id string) ([]registry.SourceRow, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT s.key, s.outcome, s.raw, b.file_name, b.file_hash, b.encoding, b.header
		FROM source_rows s JOIN records r ON r.rid = s.record_rid JOIN batches b ON b.id = s.key >> 32
		WHERE r.id = ? ORDER BY s.key`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []registry.SourceRow
	for rows.Next() {
		var key int64
		var raw, header string
		var s registry.SourceRow
		if err := rows.Scan(&key, &s.Outcome, &raw, &s.File, &s.FileHash, &s.Encoding, &header); err != nil {
			return nil, err
		}
		s.Ref = registry.SourceRef(s.File, int(key&0xffffffff))
		if err := json.Unmarshal([]byte(raw), &s.Raw); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(header), &s.Header); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Rejects calls fn for every rejected row of a batch, in row order.
func (db *DB) Rejects(ctx context.Context, batch *registry.Batch, fn func(registry.Reject) error) error {
	rows, err := db.queryer().QueryContext(ctx, `SELECT key, code, field, message, raw FROM rejects WHERE key >= ? AND key < ? ORDER BY key`,
		rowKey(batch.ID, 0), rowKey(batch.ID+1, 0))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var key int64
		var code, raw string
		var r registry.Reject
		if err := rows.Scan(&key, &code, &r.Field, &r.Message, &raw); err != nil {
			return err
		}
		r.Row = int(key & 0xffffffff)
		r.Ref = registry.SourceRef(batch.FileName, r.Row)
		r.Code = registry.RejectCode(code)
		if err := json.Unmarshal([]byte(raw), &r.Raw); err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// registry.Stats counts what the store holds.
func (db *DB) Stats(ctx context.Context) (*registry.Stats, error) {
	s := &registry.Stats{Records: map[string]int{}, OpenFlags: map[string]int{}, Links: map[string]int{}}
	grouped := []struct {
		q string
		m map[string]int
	}{
		{`SELECT register, COUNT(*) FROM records GROUP BY register`, s.Records},
		{`SELECT code, COUNT(*) FROM flags WHERE resolved_seq IS NULL GROUP BY code`, s.OpenFlags},
		{`SELECT status, COUNT(*) FROM links GROUP BY status`, s.Links},
	}
	for _, g := range grouped {
		rows, err := db.db.QueryContext(ctx, g.q)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k string
			var n int
			if err := rows.Scan(&k, &n); err != nil {
				rows.Close()
				return nil, err
			}
			g.m[k] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	single := []struct {
		q   string
		dst any
	}{
		{`SELECT COUNT(*) FROM source_rows`, &s.SourceRows},
		{`SELECT COUNT(*) FROM rejects`, &s.Rejected},
		{`SELECT COUNT(*) FROM batches`, &s.Batches},
		{`SELECT COUNT(*) FROM batches WHERE status = 'running'`, &s.Running},
		{`SELECT COUNT(*) FROM conflicts WHERE resolved_seq IS NULL`, &s.OpenConflicts},
		{`SELECT COALESCE(MAX(seq), 0) FROM events`, &s.LastSeq},
		{`SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`, &s.DatabaseBytes},
	}
	for _, q := range single {
		if err := db.db.QueryRowContext(ctx, q.q).Scan(q.dst); err != nil {
			return nil, fmt.Errorf("stats: %w", err)
		}
	}
	return s, nil
}

// RowOutcomes calls fn for every row of every batch, batches in the order
// they were first ingested and rows in file order: the audit trail from
// batch rows to records.
func (db *DB) RowOutcomes(ctx context.Context, fn func(registry.RowOutcome) error) error {
	names, err := db.batchNames(ctx)
	if err != nil {
		return err
	}
	// A row's flags are those it recorded raising and those stored under
	// its key: a row stored before rows recorded theirs, or imported, has
	// only the latter.
	rows, err := db.db.QueryContext(ctx, `
		SELECT s.key, s.outcome, r.id, '', '', COALESCE(s.flags, '') || ' ' || COALESCE((SELECT group_concat(f.code, ' ') FROM flags f WHERE f.source_key = s.key), '')
		FROM source_rows s JOIN records r ON r.rid = s.record_rid
		UNION ALL
		SELECT j.key, 'rejected', '', j.code, j.field, NULL FROM rejects j
		ORDER BY 1`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var key int64
		var o registry.RowOutcome
		var reject string
		var flags sql.NullString
		if err := rows.Scan(&key, &o.Outcome, &o.RecordID, &reject, &o.Field, &flags); err != nil {
			return err
		}
		o.Ref, o.Reject = names.ref(key), registry.RejectCode(reject)
		codes := strings.Fields(flags.String)
		slices.Sort(codes)
		for _, f := range slices.Compact(codes) {
			o.Flags = append(o.Flags, registry.FlagCode(f))
		}
		if err := fn(o); err != nil {
			return err
		}
	}
	return rows.Err()
}
