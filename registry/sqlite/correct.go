package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
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

// setField sets a column of the record to a stored value ("" clears it).
func (l *lockedRecord) setField(name, stored string) error {
	switch name {
	case registry.ColAuthorityName:
		if stored == "" {
			return registry.Errorf(registry.EINVALID, "không thể xóa nơi đăng ký")
		}
		l.rec.AuthorityName = stored
	case registry.ColRegisteredOn:
		d, err := vntext.ParseISODate(stored)
		if err != nil || d.IsZero() {
			return registry.Errorf(registry.EINVALID, "ngày đăng ký %q không hợp lệ", stored)
		}
		l.rec.RegisteredOn = d
	default:
		if stored == "" {
			delete(l.rec.Fields, name)
		} else {
			l.rec.Fields[name] = stored
		}
	}
	return nil
}

func requireActor(actor, what string) error {
	if strings.TrimSpace(actor) == "" {
		return registry.Errorf(registry.EINVALID, "cần ghi rõ người thực hiện (--by) khi %s", what)
	}
	return nil
}

// CorrectRecord changes one field of a record, as a correction of the
// register (cải chính) decided by actor on the given legal basis. The old
// value stays in the event log; the identity of the entry (register,
// authority code, book, number) cannot be corrected. A field with an open
// conflict must be settled with ResolveConflict instead.
func (db *DB) CorrectRecord(ctx context.Context, id, field, value, actor, basis string) error {
	if err := requireActor(actor, "cải chính"); err != nil {
		return err
	}
	if strings.TrimSpace(basis) == "" {
		return registry.Errorf(registry.EINVALID, "cần ghi căn cứ cải chính (--basis)")
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	l, err := db.lockRecord(ctx, tx, id)
	if err != nil {
		return err
	}
	col, ok := l.rec.Register.Column(field)
	if !ok {
		return registry.Errorf(registry.EINVALID, "sổ %s không có trường %q", l.rec.Register, field)
	}
	switch field {
	case registry.ColRegister, registry.ColAuthorityCode, registry.ColBook, registry.ColNumber:
		return registry.Errorf(registry.EINVALID, "không thể cải chính %s: trường này xác định trích lục trong sổ", strings.ToLower(col.Aliases[0]))
	}
	var open int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM conflicts WHERE record_rid = ? AND field = ? AND resolved_seq IS NULL`, l.rid, field).Scan(&open); err != nil {
		return err
	}
	if open > 0 {
		return registry.Errorf(registry.ECONFLICT, "trường %s đang có xung đột giữa các bản quét: giải quyết xung đột trước (hotich conflicts resolve)", field)
	}
	stored := ""
	if v := vntext.Clean(value); !registry.IsUnknown(v) {
		s, rerr, _ := registry.NormalizeValue(col, v)
		if rerr != nil {
			return registry.Errorf(registry.EINVALID, "%s", rerr.Message)
		}
		stored = s
	} else if col.Required {
		return registry.Errorf(registry.EINVALID, "không thể xóa thông tin bắt buộc: %s", col.Aliases[0])
	}
	old := l.rec.Field(field)
	if old == stored {
		return registry.Errorf(registry.EINVALID, "giá trị mới giống giá trị hiện tại")
	}
	if err := l.setField(field, stored); err != nil {
		return err
	}
	if err := l.rec.Validate(db.Now()); err != nil {
		var re *registry.RowError
		if errors.As(err, &re) {
			return registry.Errorf(registry.EINVALID, "sau khi cải chính, bản ghi không hợp lệ: %s", re.Message)
		}
		return err
	}
	seq, err := appendEvent(ctx, tx, db.now(), "record_corrected", l.rid, 0, actor,
		map[string]string{"field": field, "old": old, "new": stored, "basis": basis})
	if err != nil {
		return err
	}
	if err := l.save(ctx, tx, seq); err != nil {
		return err
	}
	return tx.Commit()
}

// ResolveConflict settles a conflict between scans of an entry: value must
// be one of the values the scans gave. The record takes it, the conflict and
// its flag are resolved, and the decision is logged.
func (db *DB) ResolveConflict(ctx context.Context, id, field, value, actor, note string) error {
	if err := requireActor(actor, "giải quyết xung đột"); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	l, err := db.lockRecord(ctx, tx, id)
	if err != nil {
		return err
	}
	var cid int64
	var raw string
	err = tx.QueryRowContext(ctx, `SELECT id, vals FROM conflicts WHERE record_rid = ? AND field = ? AND resolved_seq IS NULL`, l.rid, field).Scan(&cid, &raw)
	if errors.Is(err, sql.ErrNoRows) {
		return registry.Errorf(registry.ENOTFOUND, "bản ghi %s không có xung đột chưa giải quyết ở trường %s", id, field)
	}
	if err != nil {
		return err
	}
	var vals []conflictValue
	if err := json.Unmarshal([]byte(raw), &vals); err != nil {
		return fmt.Errorf("conflict %d: %w", cid, err)
	}
	var allowed []string
	found := false
	for _, v := range vals {
		allowed = append(allowed, fmt.Sprintf("%q", v.Value))
		found = found || v.Value == value
	}
	if !found {
		return registry.Errorf(registry.EINVALID, "giá trị %q không phải một trong các giá trị của các bản quét: %s", value, strings.Join(allowed, ", "))
	}
	old := l.rec.Field(field)
	if name, ok := strings.CutPrefix(field, "extra:"); ok {
		if l.rec.Extra == nil {
			l.rec.Extra = map[string]string{}
		}
		l.rec.Extra[name] = value
	} else if err := l.setField(field, value); err != nil {
		return err
	}
	seq, err := appendEvent(ctx, tx, db.now(), "conflict_resolved", l.rid, 0, actor,
		map[string]string{"field": field, "old": old, "chosen": value, "note": note})
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE conflicts SET resolved_seq = ? WHERE id = ?`, seq, cid); err != nil {
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

// ResolveFlag closes a review flag after a person checked the record (for
// example, confirmed an ID that disagrees with the birth year against the
// paper register). Conflict flags close with ResolveConflict.
func (db *DB) ResolveFlag(ctx context.Context, flagID int64, actor, note string) error {
	if err := requireActor(actor, "đóng cờ"); err != nil {
		return err
	}
	if strings.TrimSpace(note) == "" {
		return registry.Errorf(registry.EINVALID, "cần ghi lý do đóng cờ (--note)")
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var rid int64
	var code string
	var resolved sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT record_rid, code, resolved_seq FROM flags WHERE id = ?`, flagID).Scan(&rid, &code, &resolved)
	if errors.Is(err, sql.ErrNoRows) {
		return registry.Errorf(registry.ENOTFOUND, "không có cờ số %d", flagID)
	}
	if err != nil {
		return err
	}
	switch {
	case resolved.Valid:
		return registry.Errorf(registry.ECONFLICT, "cờ số %d đã được đóng", flagID)
	case code == string(registry.FlagConflict):
		return registry.Errorf(registry.EINVALID, "cờ xung đột được đóng khi giải quyết xung đột (hotich conflicts resolve)")
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

// OpenFlag is a flag in the review queue.
type OpenFlag struct {
	ID       int64
	RecordID string
	Register registry.Register
	Flag     registry.Flag
}

// OpenFlags lists open flags, oldest first, optionally of one code and
// register.
func (db *DB) OpenFlags(ctx context.Context, code registry.FlagCode, reg registry.Register, limit int) ([]OpenFlag, error) {
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
	var out []OpenFlag
	for rows.Next() {
		var f OpenFlag
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
