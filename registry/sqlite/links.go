package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// This file stores duplicate links: it streams the records a linkage run
// compares, applies the links a run proposes, and keeps people's decisions
// about them. Every change of a link appends an event, sets the link's
// version to that event's seq and bumps both records' versions (their
// duplicates and flags changed); a link entering the review queue raises
// a suspected_duplicate flag on both records, leaving it resolves them.

// EachMatchRecord calls fn for every record of a register ("" for all) with
// its ID, register, authority name, registration date, fields and version
// (no flags, conflicts, links or source references), in storage order.
func (db *DB) EachMatchRecord(ctx context.Context, reg registry.Register, fn func(*registry.Record) error) error {
	q := `SELECT id, register, authority_name, registered_on, fields, version FROM records`
	var args []any
	if reg != "" {
		q += ` WHERE register = ?`
		args = append(args, string(reg))
	}
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var regOn, register string
	var fields []byte
	for rows.Next() {
		r := &registry.Record{}
		if err := rows.Scan(&r.ID, &register, &r.AuthorityName, &regOn, &fields, &r.Version); err != nil {
			return err
		}
		r.Register = registry.Register(register)
		r.RegisteredOn, _ = vntext.ParseISODate(regOn)
		if r.Fields, err = decodeFlatObject(fields); err != nil {
			return fmt.Errorf("record %s: fields: %w", r.ID, err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// decodeFlatObject decodes a JSON object of strings, as encodeMap writes
// it, without reflection; anything else falls back to encoding/json.
func decodeFlatObject(b []byte) (map[string]string, error) {
	m := make(map[string]string, 32)
	i := 0
	skip := func() {
		for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
			i++
		}
	}
	str := func() (string, bool) {
		if i >= len(b) || b[i] != '"' {
			return "", false
		}
		i++
		start := i
		for i < len(b) && b[i] != '"' {
			if b[i] == '\\' {
				return "", false
			}
			i++
		}
		if i >= len(b) {
			return "", false
		}
		s := string(b[start:i])
		i++
		return s, true
	}
	fallback := func() (map[string]string, error) {
		m := map[string]string{}
		err := json.Unmarshal(b, &m)
		return m, err
	}
	skip()
	if i >= len(b) || b[i] != '{' {
		return fallback()
	}
	i++
	skip()
	if i < len(b) && b[i] == '}' {
		return m, nil
	}
	for {
		skip()
		k, ok := str()
		if !ok {
			return fallback()
		}
		skip()
		if i >= len(b) || b[i] != ':' {
			return fallback()
		}
		i++
		skip()
		v, ok := str()
		if !ok {
			return fallback()
		}
		m[k] = v
		skip()
		if i < len(b) && b[i] == ',' {
			i++
			continue
		}
		if i < len(b) && b[i] == '}' {
			return m, nil
		}
		return fallback()
	}
}

// EachLinkedPair calls fn with the record IDs of every link between records
// of a register ("" for all).
func (db *DB) EachLinkedPair(ctx context.Context, reg registry.Register, fn func(a, b string) error) error {
	q := `SELECT ra.id, rb.id FROM links l JOIN records ra ON ra.rid = l.a_rid JOIN records rb ON rb.rid = l.b_rid`
	var args []any
	if reg != "" {
		q += ` WHERE ra.register = ?`
		args = append(args, string(reg))
	}
	rows, err := db.db.QueryContext(ctx, q+` ORDER BY l.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var pairs [][2]string
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			return err
		}
		pairs = append(pairs, [2]string{a, b})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	for _, p := range pairs {
		if err := fn(p[0], p[1]); err != nil {
			return err
		}
	}
	return nil
}

// LinkSince returns the watermark of the last linkage run of a register:
// records with a greater version have not been matched since. It is 0
// before the first run.
func (db *DB) LinkSince(ctx context.Context, reg registry.Register) (int64, error) {
	var w int64
	err := db.db.QueryRowContext(ctx, `SELECT COALESCE((SELECT watermark FROM link_runs WHERE register = ? ORDER BY id DESC LIMIT 1), 0)`, string(reg)).Scan(&w)
	return w, err
}

// ChangedSince counts the records of a register whose version is above
// since: what a linkage run from that watermark would match.
func (db *DB) ChangedSince(ctx context.Context, reg registry.Register, since int64) (int, error) {
	var n int
	err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM records WHERE version > ? AND register = ?`, since, string(reg)).Scan(&n)
	return n, err
}

// LinkModel returns the stored linkage model of a register, or nil.
func (db *DB) LinkModel(ctx context.Context, reg registry.Register) (*registry.LinkModel, error) {
	var js string
	err := db.db.QueryRowContext(ctx, `SELECT model FROM link_models WHERE register = ?`, string(reg)).Scan(&js)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var m registry.LinkModel
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		return nil, fmt.Errorf("stored linkage model of %s: %w", reg, err)
	}
	return &m, nil
}

// SaveLinkModel stores the linkage model of a register.
func (db *DB) SaveLinkModel(ctx context.Context, reg registry.Register, m *registry.LinkModel) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = db.db.ExecContext(ctx, `INSERT INTO link_models (register, model, records, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (register) DO UPDATE SET model = excluded.model, records = excluded.records, created_at = excluded.created_at`,
		string(reg), string(b), m.Records, db.now())
	return err
}

// linkTx is a write transaction that prepares each statement once: a
// run applies hundreds of thousands of links.
type linkTx struct {
	*writeTx
	stmts map[string]*sql.Stmt
}

// beginLinks starts a transaction on links: one chunk of a linkage run
// (bulk) or a reviewer's decision.
func (db *DB) beginLinks(ctx context.Context, bulk bool) (*linkTx, error) {
	begin := db.beginWrite
	if bulk {
		begin = db.beginBulkTx
	}
	tx, err := begin(ctx)
	if err != nil {
		return nil, err
	}
	return &linkTx{writeTx: tx, stmts: map[string]*sql.Stmt{}}, nil
}

func (t *linkTx) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := t.stmts[q]; ok {
		return st, nil
	}
	st, err := t.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	t.stmts[q] = st
	return st, nil
}

func (t *linkTx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (t *linkTx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := t.stmt(ctx, q)
	if err != nil {
		return t.QueryRowContext(ctx, q, args...) // reports the same error on Scan
	}
	return st.QueryRowContext(ctx, args...)
}

// close closes the prepared statements and rolls back unless committed.
func (t *linkTx) close() {
	for _, st := range t.stmts {
		st.Close()
	}
	t.Rollback()
}

// linkRow is a stored link.
type linkRow struct {
	id, aRID, bRID int64
	score          float64
	status         string
	proposed       string
	aFP, bFP       int64
	contributions  string
	version        int64
	aFlag, bFlag   sql.NullInt64
	decidedBy      sql.NullString
}

const linkRowColumns = `id, a_rid, b_rid, score, status, proposed, a_fp, b_fp, contributions, version, a_flag, b_flag, decided_by`

func scanLinkRow(s scanner) (*linkRow, error) {
	var l linkRow
	err := s.Scan(&l.id, &l.aRID, &l.bRID, &l.score, &l.status, &l.proposed, &l.aFP, &l.bFP, &l.contributions, &l.version, &l.aFlag, &l.bFlag, &l.decidedBy)
	return &l, err
}

// roundScore keeps the four decimals the dump shows: a score that differs
// beyond them is the same score.
func roundScore(f float64) float64 { return math.Round(f*10000) / 10000 }

// applyChunk is the number of proposals applied per transaction.
const applyChunk = 2000

// ApplyLinks stores the proposals of a linkage run and records the run.
// A new pair becomes a link; a stored link takes its new score and status,
// or is dropped when its pair fell below the review threshold. A link a
// person decided keeps its decision while the fingerprints are those it was
// decided on; when either record's data changed, the decision is reset and
// the link takes the status its new score gives. Applying the same
// proposals again changes nothing. The run is recorded with its watermark,
// the next run's since: past the run's own events when no one else wrote
// meanwhile, else run.Watermark.
func (db *DB) ApplyLinks(ctx context.Context, run registry.LinkRun, proposals []registry.LinkProposal, policy registry.LinkPolicy) (registry.LinkChanges, error) {
	var ch registry.LinkChanges
	for start := 0; start < len(proposals); start += applyChunk {
		end := min(start+applyChunk, len(proposals))
		if err := db.applyLinkChunk(ctx, proposals[start:end], policy, &ch); err != nil {
			return ch, err
		}
	}
	// The run's own link events moved the versions of the records they
	// touched; when nothing else was written since the run read the store,
	// the next run starts after them, else at the run's watermark (a
	// record another writer changed meanwhile is matched again).
	watermark := run.Watermark
	var foreign int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE seq > ?
		AND NOT (actor = '' AND kind IN ('link_created', 'link_rescored', 'link_dropped', 'link_reset'))`, run.Watermark).Scan(&foreign); err != nil {
		return ch, err
	}
	if foreign == 0 {
		last, err := db.LastSeq(ctx)
		if err != nil {
			return ch, err
		}
		watermark = last
	}
	stats, err := json.Marshal(struct {
		Stats   registry.LinkRunStats `json:"stats"`
		Changes registry.LinkChanges  `json:"changes"`
	}{run.Stats, ch})
	if err != nil {
		return ch, err
	}
	_, err = db.db.ExecContext(ctx, `INSERT INTO link_runs (register, since, watermark, model, started_at, finished_at, stats) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		string(run.Register), run.Since, watermark, run.Model, run.StartedAt.UTC().Format(time.RFC3339), db.now(), string(stats))
	return ch, err
}

func (db *DB) applyLinkChunk(ctx context.Context, proposals []registry.LinkProposal, policy registry.LinkPolicy, ch *registry.LinkChanges) error {
	tx, err := db.beginLinks(ctx, true)
	if err != nil {
		return err
	}
	defer tx.close()
	at := db.now()
	for _, p := range proposals {
		var aRID, bRID int64
		if err := tx.queryRow(ctx, `SELECT rid FROM records WHERE id = ?`, p.A).Scan(&aRID); err != nil {
			return fmt.Errorf("link %s: %w", p.A, err)
		}
		if err := tx.queryRow(ctx, `SELECT rid FROM records WHERE id = ?`, p.B).Scan(&bRID); err != nil {
			return fmt.Errorf("link %s: %w", p.B, err)
		}
		if aRID > bRID {
			p.A, p.B, p.AFP, p.BFP = p.B, p.A, p.BFP, p.AFP
			aRID, bRID = bRID, aRID
		}
		aID, bID := p.A, p.B
		p.Score = roundScore(p.Score) // the store keeps four decimals
		contributions := []byte("{}") // a link without an explanation
		if p.Explanation != nil {
			if contributions, err = json.Marshal(p.Explanation); err != nil {
				return err
			}
		}
		x, err := scanLinkRow(tx.queryRow(ctx, `SELECT `+linkRowColumns+` FROM links WHERE a_rid = ? AND b_rid = ?`, aRID, bRID))
		var stored *registry.StoredLink
		switch {
		case errors.Is(err, sql.ErrNoRows):
			x = nil
		case err != nil:
			return err
		default:
			if stored, err = x.stored(); err != nil {
				return err
			}
		}
		status := string(p.Status)
		action := policy(stored, p)
		switch action {
		case registry.LinkSkip:
			continue
		case registry.LinkKeep:
			ch.Kept++
			continue
		case registry.LinkUnchanged:
			ch.Unchanged++
			continue
		case registry.LinkCreate:
			if x != nil {
				return fmt.Errorf("link %s %s: the policy creates a link that exists", aID, bID)
			}
			res, err := tx.exec(ctx, `INSERT INTO links (a_rid, b_rid, score, status, proposed, contributions, created_seq, version, a_fp, b_fp)
				VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?)`, aRID, bRID, p.Score, status, status, string(contributions), int64(p.AFP), int64(p.BFP))
			if err != nil {
				return fmt.Errorf("insert link %s %s: %w", aID, bID, err)
			}
			id, _ := res.LastInsertId()
			seq, err := appendEvent(ctx, tx.Tx, at, "link_created", aRID, 0, "", linkDetail(id, aID, bID, status, "", p.Score))
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE links SET created_seq = ?, version = ? WHERE id = ?`, seq, seq, id); err != nil {
				return err
			}
			l := &linkRow{id: id, aRID: aRID, bRID: bRID, status: status}
			if err := db.linkChanged(ctx, tx, l, aID, bID, status, seq); err != nil {
				return err
			}
			ch.Created++
			continue
		}
		if x == nil {
			return fmt.Errorf("link %s %s: the policy changes a link that does not exist", aID, bID)
		}
		drop := action == registry.LinkDrop || action == registry.LinkResetDrop
		if drop {
			status = ""
		}
		kind := "link_rescored"
		switch action {
		case registry.LinkReset, registry.LinkResetDrop:
			kind = "link_reset" // the data the decision was made on changed
			ch.Reset++
		case registry.LinkDrop:
			kind = "link_dropped"
			ch.Dropped++
		default:
			ch.Updated++
		}
		detail := linkDetail(x.id, aID, bID, status, x.status, p.Score)
		if action == registry.LinkReset || action == registry.LinkResetDrop {
			detail["decided_by"] = x.decidedBy.String
		}
		seq, err := appendEvent(ctx, tx.Tx, at, kind, aRID, 0, "", detail)
		if err != nil {
			return err
		}
		if err := db.linkChanged(ctx, tx, x, aID, bID, status, seq); err != nil {
			return err
		}
		if drop {
			if _, err := tx.exec(ctx, `DELETE FROM links WHERE id = ?`, x.id); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.exec(ctx, `UPDATE links SET score = ?, status = ?, proposed = ?, contributions = ?, a_fp = ?, b_fp = ?, version = ?,
			decided_by = NULL, decided_at = NULL, note = NULL WHERE id = ?`, p.Score, status, status, string(contributions), int64(p.AFP), int64(p.BFP), seq, x.id); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// stored returns the link as a linkage policy weighs it.
func (l *linkRow) stored() (*registry.StoredLink, error) {
	st := &registry.StoredLink{Status: registry.LinkStatus(l.status), Score: l.score, AFP: uint64(l.aFP), BFP: uint64(l.bFP)}
	exp, err := decodeExplanation(l.contributions)
	if err != nil {
		return nil, fmt.Errorf("link %d: %w", l.id, err)
	}
	st.Explanation = exp
	return st, nil
}

// decodeExplanation reads a link's stored explanation; an imported link
// has none.
func decodeExplanation(js string) (*registry.LinkExplanation, error) {
	switch js {
	case "", "{}", "null":
		return nil, nil
	}
	var e registry.LinkExplanation
	if err := json.Unmarshal([]byte(js), &e); err != nil {
		return nil, fmt.Errorf("explanation: %w", err)
	}
	return &e, nil
}

func linkDetail(id int64, a, b, status, from string, score float64) map[string]any {
	d := map[string]any{"a": a, "b": b, "status": status, "score": score}
	if id != 0 {
		d["link"] = id
	}
	if from != "" {
		d["from"] = from
	}
	return d
}

// linkChanged does what every change of a link's status does besides
// the link row itself: the suspected_duplicate flags follow the review
// queue, and both records take the event's seq as their version. status is
// the new status ("" when the link goes away).
func (db *DB) linkChanged(ctx context.Context, tx *linkTx, l *linkRow, aID, bID, status string, seq int64) error {
	inQueue := status == string(registry.LinkSuspected)
	hasFlags := l.aFlag.Valid || l.bFlag.Valid
	switch {
	case inQueue && !hasFlags:
		var flags [2]int64
		for i, side := range [2]struct {
			rid   int64
			other string
		}{{l.aRID, bID}, {l.bRID, aID}} {
			res, err := tx.exec(ctx, `INSERT INTO flags (record_rid, code, field, detail, created_seq) VALUES (?, ?, '', ?, ?)`,
				side.rid, string(registry.FlagSuspectDuplicate), fmt.Sprintf("nghi trùng với %s (liên kết %d)", side.other, l.id), seq)
			if err != nil {
				return err
			}
			flags[i], _ = res.LastInsertId()
		}
		if _, err := tx.exec(ctx, `UPDATE links SET a_flag = ?, b_flag = ? WHERE id = ?`, flags[0], flags[1], l.id); err != nil {
			return err
		}
	case !inQueue && hasFlags:
		if _, err := tx.exec(ctx, `UPDATE flags SET resolved_seq = ? WHERE id IN (?, ?) AND resolved_seq IS NULL`, seq, l.aFlag, l.bFlag); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE links SET a_flag = NULL, b_flag = NULL WHERE id = ?`, l.id); err != nil {
			return err
		}
	}
	_, err := tx.exec(ctx, `UPDATE records SET version = ? WHERE rid IN (?, ?)`, seq, l.aRID, l.bRID)
	return err
}

const linkSelect = `SELECT l.id, ra.register, ra.id, rb.id, l.score, l.status, l.proposed, l.contributions,
	COALESCE(l.decided_by, ''), COALESCE(l.decided_at, ''), COALESCE(l.note, ''), l.created_seq, l.version
	FROM links l JOIN records ra ON ra.rid = l.a_rid JOIN records rb ON rb.rid = l.b_rid`

func scanLink(s scanner) (*registry.Link, error) {
	var l registry.Link
	var reg, status, proposed, contributions string
	if err := s.Scan(&l.ID, &reg, &l.A, &l.B, &l.Score, &status, &proposed, &contributions, &l.DecidedBy, &l.DecidedAt, &l.Note, &l.CreatedSeq, &l.Version); err != nil {
		return nil, err
	}
	l.Register, l.Status, l.Proposed = registry.Register(reg), registry.LinkStatus(status), registry.LinkStatus(proposed)
	exp, err := decodeExplanation(contributions)
	if err != nil {
		return nil, fmt.Errorf("link %d: %w", l.ID, err)
	}
	l.Explanation = exp
	return &l, nil
}

// Links lists links, highest score first (then oldest).
func (db *DB) Links(ctx context.Context, f registry.LinkFilter) ([]*registry.Link, error) {
	statuses := f.Status
	if len(statuses) == 0 {
		statuses = []registry.LinkStatus{registry.LinkSuspected}
	}
	var where []string
	var args []any
	ph := make([]string, len(statuses))
	for i, s := range statuses {
		ph[i] = "?"
		args = append(args, string(s))
	}
	where = append(where, `l.status IN (`+strings.Join(ph, ", ")+`)`)
	if f.Register != "" {
		where = append(where, `ra.register = ?`)
		args = append(args, string(f.Register))
	}
	if f.MinScore > 0 {
		where = append(where, `l.score >= ?`)
		args = append(args, f.MinScore)
	}
	q := linkSelect + ` WHERE ` + strings.Join(where, " AND ") + ` ORDER BY l.score DESC, l.id`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	return queryAll(ctx, db.db, scanLink, q, args...)
}

// FindLink returns a link by its number.
func (db *DB) FindLink(ctx context.Context, id int64) (*registry.Link, error) {
	l, err := scanLink(db.db.QueryRowContext(ctx, linkSelect+` WHERE l.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, registry.Errorf(registry.ENOTFOUND, "không có liên kết số %d", id)
	}
	return l, err
}

// LinkEvents returns the events about a link, oldest first.
func (db *DB) LinkEvents(ctx context.Context, id int64) ([]registry.Event, error) {
	return db.queryEvents(ctx, `SELECT `+eventColumns+` FROM events e LEFT JOIN records r ON r.rid = e.record_rid
		WHERE e.kind LIKE 'link\_%' ESCAPE '\' AND e.record_rid = (SELECT a_rid FROM links WHERE id = ?)
		AND json_extract(e.detail, '$.link') = ? ORDER BY e.seq`, id, id)
}

// ChangeLink changes a link's status as next decides from the link as
// stored, logging an event of the given kind with who and why. A
// confirmed or rejected status records the decision; any other clears it.
func (db *DB) ChangeLink(ctx context.Context, id int64, kind, actor, note string, next func(*registry.Link) (registry.LinkStatus, error)) (*registry.Link, error) {
	err := db.changeLink(ctx, id, kind, actor, note, next)
	if err != nil {
		return nil, err
	}
	return db.FindLink(ctx, id)
}

func (db *DB) changeLink(ctx context.Context, id int64, kind, actor, note string, next func(*registry.Link) (registry.LinkStatus, error)) error {
	tx, err := db.beginLinks(ctx, false)
	if err != nil {
		return err
	}
	defer tx.close()
	x, err := scanLinkRow(tx.QueryRowContext(ctx, `SELECT `+linkRowColumns+` FROM links WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return registry.Errorf(registry.ENOTFOUND, "không có liên kết số %d", id)
	}
	if err != nil {
		return err
	}
	cur, err := scanLink(tx.QueryRowContext(ctx, linkSelect+` WHERE l.id = ?`, id))
	if err != nil {
		return err
	}
	st, err := next(cur)
	if err != nil {
		return err
	}
	status := string(st)
	var aID, bID string
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT id FROM records WHERE rid = ?), (SELECT id FROM records WHERE rid = ?)`, x.aRID, x.bRID).Scan(&aID, &bID); err != nil {
		return err
	}
	detail := linkDetail(x.id, aID, bID, status, x.status, x.score)
	if note != "" {
		detail["note"] = note
	}
	at := db.now()
	seq, err := appendEvent(ctx, tx.Tx, at, kind, x.aRID, 0, actor, detail)
	if err != nil {
		return err
	}
	if err := db.linkChanged(ctx, tx, x, aID, bID, status, seq); err != nil {
		return err
	}
	decided := status == string(registry.LinkConfirmed) || status == string(registry.LinkRejected)
	if decided {
		_, err = tx.exec(ctx, `UPDATE links SET status = ?, decided_by = ?, decided_at = ?, note = ?, version = ? WHERE id = ?`,
			status, actor, at, nullString(note), seq, x.id)
	} else {
		_, err = tx.exec(ctx, `UPDATE links SET status = ?, decided_by = NULL, decided_at = NULL, note = ?, version = ? WHERE id = ?`,
			status, nullString(note), seq, x.id)
	}
	if err != nil {
		return err
	}
	return tx.Commit()
}
