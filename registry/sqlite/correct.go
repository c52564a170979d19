package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/hotich/hotich/registry"
)

// lockedRecord is a record read inside a write transaction.
type lockedRecord struct {
	rid int64
	rec *registry.Record
}

func (db *DB) lockRecord(ctx context.Context, tx txer, id string) (*lockedRecord, error) {
	rid, rec, err := scanRecord(tx.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM records r WHERE r.id = ?`, strings.TrimSpace(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, registry.Errorf(registry.ENOTFOUND, "không tìm thấy bản ghi có mã %q", id)
	}
	if err != nil {
		return nil, err
	}
	return &lockedRecord{rid: rid, rec: rec}, nil
}

// save writes a changed record back, with its persons, at version seq.
func (l *lockedRecord) save(ctx context.Context, tx txer, seq int64) error {
	fields, extra, err := marshalFields(l.rec)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE records SET authority_name = ?, registered_on = ?, fields = ?, extra = ?, version = ? WHERE rid = ?`,
		l.rec.AuthorityName, l.rec.RegisteredOn.ISO(), fields, extra, seq, l.rid); err != nil {
		return err
	}
	return txPersonWriter(tx).replace(ctx, l.rid, l.rec)
}

// CorrectRecord changes a record as edit decides from the record as stored
// (with its flags and conflicts): edit changes it in place and returns the
// correction, which is logged with actor. The record's search keys follow.
func (db *DB) CorrectRecord(ctx context.Context, id, actor string, edit func(*registry.Record) (registry.Correction, error)) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	l, err := db.lockRecord(ctx, tx, id)
	if err != nil {
		return err
	}
	if err := db.annotate(ctx, l); err != nil {
		return err
	}
	c, err := edit(l.rec)
	if err != nil {
		return err
	}
	seq, err := appendEvent(ctx, tx, db.now(), "record_corrected", l.rid, 0, actor,
		map[string]string{"field": c.Field, "old": c.Old, "new": c.New, "basis": c.Basis})
	if err != nil {
		return err
	}
	if err := l.save(ctx, tx, seq); err != nil {
		return err
	}
	return tx.Commit()
}

// annotate loads a locked record's flags, conflicts and links.
func (db *DB) annotate(ctx context.Context, l *lockedRecord) error {
	ann, err := db.loadAnnotations(ctx, []int64{l.rid})
	if err != nil {
		return err
	}
	ann.apply(l.rid, l.rec)
	return nil
}

// ResolveConflict settles the open conflict on a field of a record with the
// value decide chooses from the record and the conflict as stored. The
// record takes it, the conflict and its flag are resolved, and the decision
// is logged with actor.
func (db *DB) ResolveConflict(ctx context.Context, id, field, actor string, decide func(*registry.Record, registry.Conflict) (registry.ConflictDecision, error)) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	l, err := db.lockRecord(ctx, tx, id)
	if err != nil {
		return err
	}
	if err := db.annotate(ctx, l); err != nil {
		return err
	}
	var conflict *registry.Conflict
	for _, c := range l.rec.OpenConflicts() {
		if c.Field == field {
			conflict = &c
		}
	}
	if conflict == nil {
		return registry.Errorf(registry.ENOTFOUND, "bản ghi %s không có xung đột chưa giải quyết ở trường %s", id, field)
	}
	d, err := decide(l.rec, *conflict)
	if err != nil {
		return err
	}
	old := l.rec.Field(field)
	if err := l.rec.SetField(field, d.Value); err != nil {
		return err
	}
	seq, err := appendEvent(ctx, tx, db.now(), "conflict_resolved", l.rid, 0, actor,
		map[string]string{"field": field, "old": old, "chosen": d.Value, "note": d.Note})
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE conflicts SET resolved_seq = ? WHERE id = ?`, seq, conflict.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE flags SET resolved_seq = ? WHERE record_rid = ? AND code = ? AND field = ? AND resolved_seq IS NULL`,
		seq, l.rid, string(registry.FlagConflict), field); err != nil {
		return err
	}
	if err := l.save(ctx, tx, seq); err != nil {
		return err
	}
	return tx.Commit()
}

// ResolveFlag closes an open flag, unless check refuses it, and logs it
// with actor and note.
func (db *DB) ResolveFlag(ctx context.Context, flagID int64, actor, note string, check func(registry.OpenFlag) error) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var f registry.OpenFlag
	var rid int64
	var code, reg string
	var resolved sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT f.record_rid, r.id, r.register, f.code, f.field, f.detail, f.resolved_seq FROM flags f JOIN records r ON r.rid = f.record_rid WHERE f.id = ?`, flagID).
		Scan(&rid, &f.RecordID, &reg, &code, &f.Flag.Field, &f.Flag.Detail, &resolved)
	if errors.Is(err, sql.ErrNoRows) {
		return registry.Errorf(registry.ENOTFOUND, "không có cờ số %d", flagID)
	}
	if err != nil {
		return err
	}
	if resolved.Valid {
		return registry.Errorf(registry.ECONFLICT, "cờ số %d đã được đóng", flagID)
	}
	f.ID, f.Register, f.Flag.Code = flagID, registry.Register(reg), registry.FlagCode(code)
	if err := check(f); err != nil {
		return err
	}
	seq, err := appendEvent(ctx, tx, db.now(), "flag_resolved", rid, 0, actor, map[string]any{"flag": flagID, "code": code, "note": note})
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE flags SET resolved_seq = ? WHERE id = ?`, seq, flagID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE records SET version = ? WHERE rid = ?`, seq, rid); err != nil {
		return err
	}
	return tx.Commit()
}

// OpenFlags lists open flags, oldest first, optionally of one code and
// register.
func (db *DB) OpenFlags(ctx context.Context, ff registry.FlagFilter) ([]registry.OpenFlag, error) {
	code, reg, limit := ff.Code, ff.Register, ff.Limit
	names, err := db.batchNames(ctx)
	if err != nil {
		return nil, err
	}
	q := `SELECT f.id, r.id, r.register, f.code, f.field, f.detail, COALESCE(f.source_key, 0)
		FROM flags f JOIN records r ON r.rid = f.record_rid WHERE f.resolved_seq IS NULL`
	var args []any
	if code != "" {
		q += ` AND f.code = ?`
		args = append(args, string(code))
	}
	if reg != "" {
		q += ` AND r.register = ?`
		args = append(args, string(reg))
	}
	q += ` ORDER BY f.id`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []registry.OpenFlag
	for rows.Next() {
		var f registry.OpenFlag
		var reg, code string
		var key int64
		if err := rows.Scan(&f.ID, &f.RecordID, &reg, &code, &f.Flag.Field, &f.Flag.Detail, &key); err != nil {
			return nil, err
		}
		f.Register, f.Flag.Code, f.Flag.SourceRef = registry.Register(reg), registry.FlagCode(code), names.ref(key)
		out = append(out, f)
	}
	return out, rows.Err()
}
