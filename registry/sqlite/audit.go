package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hotich/hotich/registry"
)

var _ registry.AuditService = (*DB)(nil)

// AppendAudit adds entries at the end of the audit trail, each chained to
// the one before, and moves the trail's head, in one transaction.
func (db *DB) AppendAudit(ctx context.Context, es ...*registry.AuditEntry) error {
	if len(es) == 0 {
		return nil
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var seq int64
	var prev string
	err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE one = 1`).Scan(&seq, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	for _, e := range es {
		if e.At.IsZero() {
			e.At = db.Now()
		}
		seq++
		e.Seq, e.Prev = seq, prev
		e.Hash = registry.AuditHash(e)
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (seq, at, actor, unit, action, target, detail, addr, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.Seq, e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.Unit, e.Action, e.Target, e.Detail, e.Addr, e.Prev, e.Hash); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		prev = e.Hash
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_head (one, seq, hash) VALUES (1, ?, ?) ON CONFLICT (one) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`, seq, prev); err != nil {
		return err
	}
	return tx.Commit()
}

const auditColumns = `seq, at, actor, unit, action, target, detail, addr, prev, hash`

func scanAudit(s scanner) (*registry.AuditEntry, error) {
	var e registry.AuditEntry
	var at string
	if err := s.Scan(&e.Seq, &at, &e.Actor, &e.Unit, &e.Action, &e.Target, &e.Detail, &e.Addr, &e.Prev, &e.Hash); err != nil {
		return nil, err
	}
	e.At, _ = time.Parse(time.RFC3339Nano, at)
	return &e, nil
}

// AuditEntries lists the entries matching f, oldest first.
func (db *DB) AuditEntries(ctx context.Context, f registry.AuditFilter) ([]*registry.AuditEntry, error) {
	var where []string
	var args []any
	if f.Actor != "" {
		where = append(where, `actor = ?`)
		args = append(args, f.Actor)
	}
	if f.Target != "" {
		where = append(where, `target = ?`)
		args = append(args, f.Target)
	}
	if !f.Since.IsZero() {
		where = append(where, `at >= ?`)
		args = append(args, f.Since.UTC().Format(time.RFC3339Nano))
	}
	q := `SELECT ` + auditColumns + ` FROM audit_log`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY seq`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	return queryAll(ctx, db.db, scanAudit, q, args...)
}

// EachAudit calls fn for every entry in order, on one snapshot, and then
// for the trail's head as a last pseudo-entry check: an entry removed at
// the end leaves the head pointing past the trail, which is reported as a
// missing entry.
func (db *DB) EachAudit(ctx context.Context, fn func(*registry.AuditEntry) error) error {
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN DEFERRED`); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
	rows, err := conn.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var last *registry.AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
		last = e
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var headSeq int64
	var headHash string
	err = conn.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE one = 1`).Scan(&headSeq, &headHash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if last != nil {
			return registry.Errorf(registry.EINVALID, "nhật ký truy cập mất dấu dòng cuối")
		}
		return nil
	case err != nil:
		return err
	case last == nil || last.Seq != headSeq || last.Hash != headHash:
		return registry.Errorf(registry.EINVALID, "nhật ký truy cập bị xóa ở cuối: dòng cuối ghi nhận là số %d", headSeq)
	}
	return nil
}
