package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// Changes streams what changed after the watermark since: records created
// or changed (a rescan folded in, a correction, a settled conflict, a flag
// raised or closed) and duplicate links created or decided. since 0 streams
// everything. Until is the newest event when the read starts; everything is
// read from one snapshot, so writers can go on meanwhile and the stream is
// consistent with Until. Memory stays constant: records and their
// annotations are merged from sorted cursors, one record at a time.
func (db *DB) Changes(ctx context.Context, since int64, h registry.ChangeHandler) error {
	if since < 0 {
		return registry.Errorf(registry.EINVALID, "mốc %d không hợp lệ", since)
	}
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// Statements on a cancellable context run on a goroutine each in the
	// driver; the stream checks ctx between records instead.
	qctx := context.WithoutCancel(ctx)
	// A deferred transaction: the snapshot starts at the first read and
	// takes no write lock (the DSN's _txlock applies to BeginTx only).
	if _, err := conn.ExecContext(qctx, `BEGIN DEFERRED`); err != nil {
		return fmt.Errorf("changes: begin: %w", err)
	}
	defer conn.ExecContext(qctx, `ROLLBACK`)

	s := &changeStream{ctx: ctx, qctx: qctx, conn: conn, since: since}
	cs := registry.ChangeSet{Since: since}
	err = conn.QueryRowContext(qctx, `SELECT seq, at FROM events ORDER BY seq DESC LIMIT 1`).Scan(&cs.Until, &cs.At)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if since > cs.Until {
		return registry.Errorf(registry.EINVALID, "mốc %d lớn hơn mốc mới nhất của kho (%d): mốc này không phải của kho này", since, cs.Until)
	}
	if s.names, err = s.batchNames(); err != nil {
		return err
	}
	if err := s.count(&cs); err != nil {
		return err
	}
	if h.Begin != nil {
		if err := h.Begin(cs); err != nil {
			return err
		}
	}
	return s.deliver(h)
}

// changeItem is one entry passed from the reader to the handler.
type changeItem struct {
	rec  *registry.RecordChange
	link *registry.LinkChange
}

// deliver reads the entries on a goroutine of its own (the SQLite steps
// and the decoding of stored JSON) while the handler runs on the caller's,
// so that reading and writing an export overlap on two cores. Entries cross
// in batches (a hand-off per entry costs more than decoding one); the
// channel holds a bounded number of batches, so memory stays constant.
func (s *changeStream) deliver(h registry.ChangeHandler) error {
	const batchSize = 128
	batches := make(chan []changeItem, 4)
	stop := make(chan struct{})
	var readErr error
	go func() {
		defer close(batches)
		batch := make([]changeItem, 0, batchSize)
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			select {
			case batches <- batch:
				batch = make([]changeItem, 0, batchSize)
				return nil
			case <-stop:
				return errStopped
			}
		}
		add := func(it changeItem) error {
			batch = append(batch, it)
			if len(batch) == batchSize {
				return flush()
			}
			return nil
		}
		readErr = s.records(func(c registry.RecordChange) error { return add(changeItem{rec: &c}) })
		if readErr == nil {
			readErr = s.links(func(l registry.LinkChange) error { return add(changeItem{link: &l}) })
		}
		if readErr == nil {
			readErr = flush()
		}
	}()
	var err error
loop:
	for batch := range batches {
		for _, it := range batch {
			if err = s.ctx.Err(); err != nil {
				break loop
			}
			switch {
			case it.rec != nil && h.Record != nil:
				err = h.Record(*it.rec)
			case it.link != nil && h.Link != nil:
				err = h.Link(*it.link)
			}
			if err != nil {
				break loop
			}
		}
	}
	close(stop)
	for range batches {
		// wait for the reader to stop
	}
	if err != nil {
		return err
	}
	if errors.Is(readErr, errStopped) {
		return nil
	}
	return readErr
}

var errStopped = errors.New("changes: stopped")

type changeStream struct {
	ctx, qctx context.Context
	conn      *sql.Conn
	since     int64
	names     batchNames
}

// changedRIDs selects the records changed after ?1: their own version, or
// a flag or conflict raised or closed (a flag from a rescan that changed
// nothing else does not move the record's version).
const changedRIDs = `SELECT rid FROM records WHERE version > ?1
	UNION SELECT record_rid FROM flags WHERE created_seq > ?1 OR resolved_seq > ?1
	UNION SELECT record_rid FROM conflicts WHERE created_seq > ?1 OR resolved_seq > ?1`

// where returns the condition selecting changed records by their rid
// column, and its arguments (the watermark as ?1); for a full stream, every
// record.
func (s *changeStream) where(col string) (string, []any) {
	if s.since == 0 {
		return "1", nil
	}
	return col + ` IN (` + changedRIDs + `)`, []any{s.since}
}

func (s *changeStream) batchNames() (batchNames, error) {
	return loadBatchNames(s.qctx, s.conn)
}

func (s *changeStream) count(cs *registry.ChangeSet) error {
	cond, args := s.where("rid")
	if err := s.conn.QueryRowContext(s.qctx, `SELECT COUNT(*) FROM records WHERE `+cond, args...).Scan(&cs.Records); err != nil {
		return fmt.Errorf("changes: count records: %w", err)
	}
	if err := s.conn.QueryRowContext(s.qctx, `SELECT COUNT(*) FROM (`+s.linkQuery()+`)`, s.since).Scan(&cs.Links); err != nil {
		return fmt.Errorf("changes: count links: %w", err)
	}
	return nil
}

// linkQuery selects the links changed after ?1, and for an incremental
// range the pairs removed in it: a link is deleted with its row, so the
// removal is found in the event log (every link event names its two
// records in its detail) as a pair with no link at the end of the range.
func (s *changeStream) linkQuery() string {
	q := `SELECT MIN(ra.id, rb.id) AS a, MAX(ra.id, rb.id) AS b, l.score, l.status, l.version, l.created_seq, 0 AS removed
		FROM links l JOIN records ra ON ra.rid = l.a_rid JOIN records rb ON rb.rid = l.b_rid
		WHERE l.version > ?1`
	if s.since == 0 {
		return q
	}
	return q + `
		UNION ALL
		SELECT p.a, p.b, 0, '', p.seq, 0, 1 FROM (
			SELECT MIN(x, y) AS a, MAX(x, y) AS b, MAX(seq) AS seq FROM (
				SELECT json_extract(detail, '$.a') AS x, json_extract(detail, '$.b') AS y, seq FROM events
				WHERE seq > ?1 AND kind LIKE 'link%' AND json_valid(detail))
			WHERE x IS NOT NULL AND y IS NOT NULL GROUP BY 1, 2) p
		WHERE NOT EXISTS (SELECT 1 FROM links l JOIN records ra ON ra.rid = l.a_rid JOIN records rb ON rb.rid = l.b_rid
			WHERE ra.id IN (p.a, p.b) AND rb.id IN (p.a, p.b))`
}

// cursor walks rows sorted by a record ID, handing out the rows of one
// record at a time.
type cursor[T any] struct {
	rows *sql.Rows
	scan func(*sql.Rows) (string, T, error)
	key  string
	val  T
	ok   bool
	err  error
}

func openCursor[T any](s *changeStream, query string, args []any, scan func(*sql.Rows) (string, T, error)) (*cursor[T], error) {
	rows, err := s.conn.QueryContext(s.qctx, query, args...)
	if err != nil {
		return nil, err
	}
	c := &cursor[T]{rows: rows, scan: scan}
	c.advance()
	return c, c.err
}

func (c *cursor[T]) advance() {
	if c.rows.Next() {
		c.key, c.val, c.err = c.scan(c.rows)
		c.ok = c.err == nil
		return
	}
	c.ok, c.err = false, c.rows.Err()
}

// take appends the values of the rows of record id.
func (c *cursor[T]) take(id string, dst []T) ([]T, error) {
	for c.ok && c.key < id {
		c.advance()
	}
	for c.ok && c.key == id {
		dst = append(dst, c.val)
		c.advance()
	}
	return dst, c.err
}

func (c *cursor[T]) close() { c.rows.Close() }

// The annotation queries join their small table to records with CROSS
// JOIN, SQLite's way of fixing the join order: the small table is scanned
// and its rows sorted by record ID, instead of a probe per record.
func (s *changeStream) records(fn func(registry.RecordChange) error) error {
	cond, args := s.where("r.rid")
	from := `records r`
	if s.since > 0 {
		// Only the changed records, looked up and sorted, not every record
		// of the store walked in ID order.
		from = `(` + changedRIDs + `) ch CROSS JOIN records r ON r.rid = ch.rid`
		cond = "1"
	}
	rows, err := s.conn.QueryContext(s.qctx, `SELECT r.id, r.register, r.authority_code, r.authority_name, r.book, r.number,
		r.registered_on, r.fields, COALESCE(r.extra, ''), r.refs, r.version, r.created_seq
		FROM `+from+` WHERE `+cond+` ORDER BY r.id`, args...)
	if err != nil {
		return fmt.Errorf("changes: records: %w", err)
	}
	defer rows.Close()

	flags, err := openCursor(s, `SELECT r.id, f.code, f.field, f.detail, COALESCE(f.source_key, 0)
		FROM flags f CROSS JOIN records r ON r.rid = f.record_rid
		WHERE f.resolved_seq IS NULL AND `+cond+` ORDER BY r.id, f.id`, args, s.scanFlag)
	if err != nil {
		return fmt.Errorf("changes: flags: %w", err)
	}
	defer flags.close()
	conflicts, err := openCursor(s, `SELECT r.id, c.field, c.vals, c.resolved_seq IS NOT NULL
		FROM conflicts c CROSS JOIN records r ON r.rid = c.record_rid
		WHERE `+cond+` ORDER BY r.id, c.id`, args, s.scanConflict)
	if err != nil {
		return fmt.Errorf("changes: conflicts: %w", err)
	}
	defer conflicts.close()
	links, err := openCursor(s, `SELECT r.id, o.id, l.score, l.status FROM links l
		CROSS JOIN records r ON r.rid = l.a_rid CROSS JOIN records o ON o.rid = l.b_rid WHERE `+cond+`
		UNION ALL
		SELECT r.id, o.id, l.score, l.status FROM links l
		CROSS JOIN records r ON r.rid = l.b_rid CROSS JOIN records o ON o.rid = l.a_rid WHERE `+cond+`
		ORDER BY 1, 2`, args, scanDuplicate)
	if err != nil {
		return fmt.Errorf("changes: links: %w", err)
	}
	defer links.close()
	events, err := openCursor(s, `SELECT r.id, e.seq, e.at, e.kind, e.actor, e.detail
		FROM events e CROSS JOIN records r ON r.rid = e.record_rid
		WHERE e.seq > ?1 AND `+cond+` ORDER BY r.id, e.seq`, []any{s.since}, scanRecordEvent)
	if err != nil {
		return fmt.Errorf("changes: events: %w", err)
	}
	defer events.close()

	for rows.Next() {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		var c registry.RecordChange
		var created int64
		if c.Record, created, err = scanChangedRecord(rows); err != nil {
			return err
		}
		c.New = created > s.since
		r := c.Record
		if r.Flags, err = flags.take(r.ID, nil); err != nil {
			return err
		}
		if r.Conflicts, err = conflicts.take(r.ID, nil); err != nil {
			return err
		}
		if r.Duplicates, err = links.take(r.ID, nil); err != nil {
			return err
		}
		if c.Events, err = events.take(r.ID, nil); err != nil {
			return err
		}
		if fn != nil {
			if err := fn(c); err != nil {
				return err
			}
		}
	}
	return rows.Err()
}

func scanChangedRecord(rows *sql.Rows) (*registry.Record, int64, error) {
	var r registry.Record
	var reg, regOn, fields, extra, refs string
	var created int64
	if err := rows.Scan(&r.ID, &reg, &r.AuthorityCode, &r.AuthorityName, &r.Book, &r.Number, &regOn, &fields, &extra, &refs, &r.Version, &created); err != nil {
		return nil, 0, err
	}
	r.Register = registry.Register(reg)
	var err error
	if r.RegisteredOn, err = vntext.ParseISODate(regOn); err != nil {
		return nil, 0, fmt.Errorf("record %s: registered_on %q: %w", r.ID, regOn, err)
	}
	if r.Fields, err = decodeStringMap(fields); err != nil {
		return nil, 0, fmt.Errorf("record %s: fields: %w", r.ID, err)
	}
	if extra != "" {
		if r.Extra, err = decodeStringMap(extra); err != nil {
			return nil, 0, fmt.Errorf("record %s: extra: %w", r.ID, err)
		}
	}
	if r.SourceRefs, err = decodeStrings(refs); err != nil {
		return nil, 0, fmt.Errorf("record %s: refs: %w", r.ID, err)
	}
	return &r, created, nil
}

func (s *changeStream) scanFlag(rows *sql.Rows) (string, registry.Flag, error) {
	var id, code string
	var key int64
	var f registry.Flag
	err := rows.Scan(&id, &code, &f.Field, &f.Detail, &key)
	f.Code, f.SourceRef = registry.FlagCode(code), s.names.ref(key)
	return id, f, err
}

func (s *changeStream) scanConflict(rows *sql.Rows) (string, registry.Conflict, error) {
	var id, vals string
	var c registry.Conflict
	if err := rows.Scan(&id, &c.Field, &vals, &c.Resolved); err != nil {
		return "", c, err
	}
	var cv []conflictValue
	if err := json.Unmarshal([]byte(vals), &cv); err != nil {
		return "", c, fmt.Errorf("record %s: conflict %s: %w", id, c.Field, err)
	}
	for _, v := range cv {
		c.Values = append(c.Values, v.Value)
		c.SourceRefs = append(c.SourceRefs, s.names.ref(v.SourceKey))
	}
	return id, c, nil
}

func scanDuplicate(rows *sql.Rows) (string, registry.DuplicateLink, error) {
	var id, status string
	var d registry.DuplicateLink
	err := rows.Scan(&id, &d.ID, &d.Score, &status)
	d.Status = registry.LinkStatus(status)
	return id, d, err
}

func scanRecordEvent(rows *sql.Rows) (string, registry.Event, error) {
	var e registry.Event
	var detail string
	err := rows.Scan(&e.RecordID, &e.Seq, &e.At, &e.Kind, &e.Actor, &detail)
	e.Detail = eventDetail(detail)
	return e.RecordID, e, err
}

func (s *changeStream) links(fn func(registry.LinkChange) error) error {
	rows, err := s.conn.QueryContext(s.qctx, s.linkQuery()+` ORDER BY 1, 2`, s.since)
	if err != nil {
		return fmt.Errorf("changes: links: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		var l registry.LinkChange
		var status string
		var created int64
		if err := rows.Scan(&l.A, &l.B, &l.Score, &status, &l.Version, &created, &l.Removed); err != nil {
			return err
		}
		l.Status, l.New = registry.LinkStatus(status), created > s.since && !l.Removed
		if fn != nil {
			if err := fn(l); err != nil {
				return err
			}
		}
	}
	return rows.Err()
}

// AddSyncRun records a run. It is bookkeeping, not an event: the
// store's watermark does not move.
func (db *DB) AddSyncRun(ctx context.Context, r registry.SyncRun) error {
	if r.At == "" {
		r.At = db.now()
	}
	_, err := db.db.ExecContext(ctx, `INSERT INTO ministry_runs (kind, mode, since, until, manifest, sha256, entries, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Kind, r.Mode, r.Since, r.Until, r.Manifest, r.SHA256, r.Entries, r.At)
	return err
}

// LastSyncRun returns the run of a kind that reached furthest (the
// highest until), or nil.
func (db *DB) LastSyncRun(ctx context.Context, kind string) (*registry.SyncRun, error) {
	return db.findSyncRun(ctx, `kind = ? ORDER BY until DESC, id DESC`, kind)
}

// SyncRunBySHA256 returns the run of a kind with a manifest of these
// bytes, or nil.
func (db *DB) SyncRunBySHA256(ctx context.Context, kind, sum string) (*registry.SyncRun, error) {
	return db.findSyncRun(ctx, `kind = ? AND sha256 = ? ORDER BY id`, kind, sum)
}

func (db *DB) findSyncRun(ctx context.Context, where string, args ...any) (*registry.SyncRun, error) {
	var r registry.SyncRun
	err := db.db.QueryRowContext(ctx, `SELECT kind, mode, since, until, manifest, sha256, entries, at FROM ministry_runs WHERE `+where+` LIMIT 1`, args...).
		Scan(&r.Kind, &r.Mode, &r.Since, &r.Until, &r.Manifest, &r.SHA256, &r.Entries, &r.At)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// decodeStringMap decodes a JSON object of strings, as the store writes
// fields and extra columns, without reflection: it runs once per record on
// the export path. Anything but a flat object of strings falls back to
// encoding/json, so the result is what json.Unmarshal gives, except that
// invalid UTF-8 (which the store never writes: encodeMap replaces it) is
// returned as it is rather than replaced, for the XML encoder to refuse.
func decodeStringMap(s string) (map[string]string, error) {
	m := make(map[string]string, 24)
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '{' {
		return slowStringMap(s)
	}
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == '}' {
		if skipSpace(s, i+1) != len(s) {
			return slowStringMap(s)
		}
		return m, nil
	}
	for {
		k, j, ok := readJSONString(s, i)
		if !ok {
			return slowStringMap(s)
		}
		j = skipSpace(s, j)
		if j >= len(s) || s[j] != ':' {
			return slowStringMap(s)
		}
		v, j, ok := readJSONString(s, skipSpace(s, j+1))
		if !ok {
			return slowStringMap(s)
		}
		m[k] = v
		j = skipSpace(s, j)
		switch {
		case j < len(s) && s[j] == ',':
			i = skipSpace(s, j+1)
		case j < len(s) && s[j] == '}' && skipSpace(s, j+1) == len(s):
			return m, nil
		default:
			return slowStringMap(s)
		}
	}
}

func slowStringMap(s string) (map[string]string, error) {
	var m map[string]string
	err := json.Unmarshal([]byte(s), &m)
	return m, err
}

// decodeStrings decodes a JSON array of strings (a record's source
// references), falling back to encoding/json like decodeStringMap.
func decodeStrings(s string) ([]string, error) {
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '[' {
		return slowStrings(s)
	}
	out := []string{}
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == ']' {
		if skipSpace(s, i+1) != len(s) {
			return slowStrings(s)
		}
		return out, nil
	}
	for {
		v, j, ok := readJSONString(s, i)
		if !ok {
			return slowStrings(s)
		}
		out = append(out, v)
		j = skipSpace(s, j)
		switch {
		case j < len(s) && s[j] == ',':
			i = skipSpace(s, j+1)
		case j < len(s) && s[j] == ']' && skipSpace(s, j+1) == len(s):
			return out, nil
		default:
			return slowStrings(s)
		}
	}
}

func slowStrings(s string) ([]string, error) {
	var out []string
	err := json.Unmarshal([]byte(s), &out)
	return out, err
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// readJSONString reads the JSON string starting at s[i] and returns it with
// the index after it. A string without escapes is a substring of s; one
// with escapes is decoded by encoding/json.
func readJSONString(s string, i int) (string, int, bool) {
	if i >= len(s) || s[i] != '"' {
		return "", i, false
	}
	start := i + 1
	escaped := false
	for j := start; j < len(s); j++ {
		switch c := s[j]; {
		case c == '\\':
			escaped = true
			j++
		case c == '"':
			if !escaped {
				return s[start:j], j + 1, true
			}
			var v string
			if err := json.Unmarshal([]byte(s[i:j+1]), &v); err != nil {
				return "", j, false
			}
			return v, j + 1, true
		case c < 0x20:
			return "", j, false
		}
	}
	return "", len(s), false
}
