package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hotich/hotich/registry"
)

var _ registry.IssueService = (*DB)(nil)

// IssueExtract allocates a serial, lets render produce and sign the copy
// from the record as it stands, and logs the issue, all in one write
// transaction. The transaction is IMMEDIATE (see the DSN in Open): it holds
// the store's write lock from the start, so the serial upsert cannot race
// with another connection or process, and the record cannot change between
// the checks render makes and the log entry.
func (db *DB) IssueExtract(ctx context.Context, iss *registry.ExtractIssue, render func(*registry.ExtractIssue, *registry.Record) error) error {
	if !iss.Form.Valid() {
		return registry.Errorf(registry.EINVALID, "mẫu bản sao %q không hợp lệ", iss.Form)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("issue extract: %w", err)
	}
	defer tx.Rollback()

	var rid int64
	err = tx.QueryRowContext(ctx, `SELECT rid FROM records WHERE id = ?`, iss.RecordID).Scan(&rid)
	if errors.Is(err, sql.ErrNoRows) {
		return registry.Errorf(registry.ENOTFOUND, "không tìm thấy trích lục có mã %q", iss.RecordID)
	}
	if err != nil {
		return fmt.Errorf("issue extract: %w", err)
	}
	// Read through the pool: with the write lock held, the committed state
	// it sees is the state this transaction writes on.
	rec, err := db.FindRecordByID(ctx, iss.RecordID)
	if err != nil {
		return err
	}
	if rec.Register != iss.Form.Register() {
		return registry.Errorf(registry.EINVALID, "trích lục %s thuộc sổ %s, không sao được trên mẫu %s", rec.ID, rec.Register.Name(), iss.Form)
	}

	now := db.Now().UTC().Truncate(time.Second)
	iss.IssuedAt = now
	year := now.In(registry.Vietnam).Year()
	var n int
	err = tx.QueryRowContext(ctx, `INSERT INTO extract_serials (issuer_code, year, form, last) VALUES (?, ?, ?, 1)
		ON CONFLICT (issuer_code, year, form) DO UPDATE SET last = last + 1 RETURNING last`,
		iss.IssuerCode, year, string(iss.Form)).Scan(&n)
	if err != nil {
		return fmt.Errorf("issue extract: allocate serial: %w", err)
	}
	iss.Serial = registry.Serial{Number: n, Year: year, Form: iss.Form}

	if err := render(iss, rec); err != nil {
		return err
	}
	if err := iss.Validate(); err != nil {
		return err
	}

	at := now.Format(time.RFC3339)
	if iss.Override != "" {
		detail := map[string]any{"issuer": iss.IssuerCode, "serial": iss.Serial.String(), "reason": iss.Override, "blockers": iss.Blockers}
		if _, err := appendEvent(ctx, tx, at, "extract_override", rid, 0, iss.Clerk, detail); err != nil {
			return err
		}
	}
	detail := map[string]any{
		"issuer": iss.IssuerCode, "serial": iss.Serial.String(), "form": iss.Form, "copies": iss.Copies,
		"key_id": iss.KeyID, "document_sha256": iss.DocumentSHA256, "overridden": iss.Override != "",
	}
	seq, err := appendEvent(ctx, tx, at, "extract_issued", rid, 0, iss.Clerk, detail)
	if err != nil {
		return err
	}
	blockers, err := json.Marshal(nonNil(iss.Blockers))
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO extract_issues (issuer_code, serial, number, year, form, record_rid, issued_at,
		clerk, requester, copies, content_sha256, document_sha256, key_id, payload, override_reason, blockers, event_seq)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		iss.IssuerCode, iss.Serial.String(), iss.Serial.Number, iss.Serial.Year, string(iss.Form), rid, at,
		iss.Clerk, iss.Requester, iss.Copies, iss.ContentSHA256, iss.DocumentSHA256, iss.KeyID, iss.Payload,
		nullString(iss.Override), string(blockers), seq)
	if err != nil {
		return fmt.Errorf("issue extract: log: %w", err)
	}
	if iss.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("issue extract: %w", err)
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

const issueColumns = `i.id, i.issuer_code, i.serial, i.form, r.id, i.issued_at, i.clerk, i.requester, i.copies,
	i.content_sha256, i.document_sha256, i.key_id, i.payload, COALESCE(i.override_reason, ''), i.blockers,
	v.revoked_at, COALESCE(v.revoked_by, ''), COALESCE(v.reason, '')`

const issueFrom = ` FROM extract_issues i JOIN records r ON r.rid = i.record_rid
	LEFT JOIN extract_revocations v ON v.issue_id = i.id`

func scanIssue(s interface{ Scan(...any) error }) (*registry.ExtractIssue, error) {
	var iss registry.ExtractIssue
	var serial, form, issuedAt, blockers string
	var revokedAt sql.NullString
	var rv registry.Revocation
	if err := s.Scan(&iss.ID, &iss.IssuerCode, &serial, &form, &iss.RecordID, &issuedAt, &iss.Clerk, &iss.Requester, &iss.Copies,
		&iss.ContentSHA256, &iss.DocumentSHA256, &iss.KeyID, &iss.Payload, &iss.Override, &blockers,
		&revokedAt, &rv.By, &rv.Reason); err != nil {
		return nil, err
	}
	var err error
	iss.Form = registry.ExtractForm(form)
	if iss.Serial, err = registry.ParseSerial(serial); err != nil {
		return nil, fmt.Errorf("issue %d: %w", iss.ID, err)
	}
	if iss.IssuedAt, err = time.Parse(time.RFC3339, issuedAt); err != nil {
		return nil, fmt.Errorf("issue %d: issued_at: %w", iss.ID, err)
	}
	if err := json.Unmarshal([]byte(blockers), &iss.Blockers); err != nil {
		return nil, fmt.Errorf("issue %d: blockers: %w", iss.ID, err)
	}
	if len(iss.Blockers) == 0 {
		iss.Blockers = nil
	}
	if revokedAt.Valid {
		if rv.At, err = time.Parse(time.RFC3339, revokedAt.String); err != nil {
			return nil, fmt.Errorf("issue %d: revoked_at: %w", iss.ID, err)
		}
		iss.Revocation = &rv
	}
	return &iss, nil
}

// FindIssues returns the issues matching f, newest first.
func (db *DB) FindIssues(ctx context.Context, f registry.IssueFilter) ([]*registry.ExtractIssue, error) {
	var where []string
	var args []any
	if f.RecordID != "" {
		where = append(where, `r.id = ?`)
		args = append(args, strings.TrimSpace(f.RecordID))
	}
	if f.IssuerCode != "" {
		where = append(where, `i.issuer_code = ?`)
		args = append(args, f.IssuerCode)
	}
	if f.Serial != nil {
		where = append(where, `i.serial = ?`)
		args = append(args, f.Serial.String())
	}
	q := `SELECT ` + issueColumns + issueFrom
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	q += fmt.Sprintf(` ORDER BY i.id DESC LIMIT %d`, limit)
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find issues: %w", err)
	}
	defer rows.Close()
	var out []*registry.ExtractIssue
	for rows.Next() {
		iss, err := scanIssue(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, iss)
	}
	return out, rows.Err()
}

// RevokeIssue revokes an issued copy. With issuerCode "" the serial alone
// must name one issue.
func (db *DB) RevokeIssue(ctx context.Context, issuerCode string, serial registry.Serial, by, reason string) (*registry.ExtractIssue, error) {
	by, reason = strings.TrimSpace(by), strings.TrimSpace(reason)
	if by == "" || reason == "" {
		return nil, registry.Errorf(registry.EINVALID, "thu hồi bản sao cần tên người thu hồi (--by) và lý do (--reason)")
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	q := `SELECT ` + issueColumns + issueFrom + ` WHERE i.serial = ?`
	args := []any{serial.String()}
	if issuerCode != "" {
		q += ` AND i.issuer_code = ?`
		args = append(args, issuerCode)
	}
	rows, err := tx.QueryContext(ctx, q+` LIMIT 2`, args...)
	if err != nil {
		return nil, err
	}
	var found []*registry.ExtractIssue
	for rows.Next() {
		iss, err := scanIssue(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		found = append(found, iss)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	switch {
	case len(found) == 0:
		return nil, registry.Errorf(registry.ENOTFOUND, "sổ cấp không có bản sao số %s", serial)
	case len(found) > 1:
		return nil, registry.Errorf(registry.EINVALID, "nhiều cơ quan đã cấp bản sao số %s: cần --issuer", serial)
	}
	iss := found[0]
	if iss.Revocation != nil {
		return nil, registry.Errorf(registry.ECONFLICT, "bản sao số %s đã bị thu hồi ngày %s", serial, iss.Revocation.At.In(registry.Vietnam).Format("02/01/2006"))
	}
	var rid int64
	if err := tx.QueryRowContext(ctx, `SELECT record_rid FROM extract_issues WHERE id = ?`, iss.ID).Scan(&rid); err != nil {
		return nil, err
	}
	now := db.Now().UTC().Truncate(time.Second)
	at := now.Format(time.RFC3339)
	seq, err := appendEvent(ctx, tx, at, "extract_revoked", rid, 0, by, map[string]any{"issuer": iss.IssuerCode, "serial": iss.Serial.String(), "reason": reason})
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO extract_revocations (issue_id, revoked_at, revoked_by, reason, event_seq) VALUES (?, ?, ?, ?, ?)`,
		iss.ID, at, by, reason, seq); err != nil {
		return nil, fmt.Errorf("revoke %s: %w", serial, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	iss.Revocation = &registry.Revocation{At: now, By: by, Reason: reason}
	return iss, nil
}

// RegisterSigningKey records an authority's public key. Registering the
// same key again does nothing.
func (db *DB) RegisterSigningKey(ctx context.Context, k *registry.SigningKey) error {
	if len(k.PublicKey) != 32 || k.KeyID == "" {
		return registry.Errorf(registry.EINVALID, "khóa công khai không hợp lệ")
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var issuer string
	var pub []byte
	err = tx.QueryRowContext(ctx, `SELECT issuer_code, public_key FROM signing_keys WHERE key_id = ?`, k.KeyID).Scan(&issuer, &pub)
	switch {
	case err == nil:
		if issuer != k.IssuerCode || string(pub) != string(k.PublicKey) {
			return registry.Errorf(registry.ECONFLICT, "mã khóa %s đã được đăng ký cho khóa khác", k.KeyID)
		}
		return nil
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	at := db.Now().UTC().Truncate(time.Second).Format(time.RFC3339)
	if _, err := tx.ExecContext(ctx, `INSERT INTO signing_keys (key_id, issuer_code, public_key, created_at) VALUES (?, ?, ?, ?)`,
		k.KeyID, k.IssuerCode, k.PublicKey, at); err != nil {
		return fmt.Errorf("register key: %w", err)
	}
	if _, err := appendEvent(ctx, tx, at, "signing_key_registered", 0, 0, "", map[string]string{"issuer": k.IssuerCode, "key_id": k.KeyID}); err != nil {
		return err
	}
	return tx.Commit()
}

// FindSigningKey returns a registered public key by its ID.
func (db *DB) FindSigningKey(ctx context.Context, keyID string) (*registry.SigningKey, error) {
	var k registry.SigningKey
	var created string
	err := db.db.QueryRowContext(ctx, `SELECT key_id, issuer_code, public_key, created_at FROM signing_keys WHERE key_id = ?`, keyID).
		Scan(&k.KeyID, &k.IssuerCode, &k.PublicKey, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, registry.Errorf(registry.ENOTFOUND, "khóa %s chưa được đăng ký", keyID)
	}
	if err != nil {
		return nil, err
	}
	k.CreatedAt, _ = time.Parse(time.RFC3339, created)
	return &k, nil
}

// SigningKeys returns the registered keys of an authority ("" for all),
// newest first.
func (db *DB) SigningKeys(ctx context.Context, issuerCode string) ([]*registry.SigningKey, error) {
	q := `SELECT key_id, issuer_code, public_key, created_at FROM signing_keys`
	var args []any
	if issuerCode != "" {
		q += ` WHERE issuer_code = ?`
		args = append(args, issuerCode)
	}
	rows, err := db.db.QueryContext(ctx, q+` ORDER BY created_at DESC, key_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*registry.SigningKey
	for rows.Next() {
		var k registry.SigningKey
		var created string
		if err := rows.Scan(&k.KeyID, &k.IssuerCode, &k.PublicKey, &created); err != nil {
			return nil, err
		}
		k.CreatedAt, _ = time.Parse(time.RFC3339, created)
		out = append(out, &k)
	}
	return out, rows.Err()
}

// Signer returns the signer configuration of an issuing authority, or the
// default one.
func (db *DB) Signer(ctx context.Context, issuerCode string) (registry.Signer, error) {
	s := registry.Signer{IssuerCode: issuerCode}
	err := db.db.QueryRowContext(ctx, `SELECT capacity, title, name, thousand FROM extract_signers WHERE issuer_code = ?`, issuerCode).
		Scan(&s.Capacity, &s.Title, &s.Name, &s.Thousand)
	if errors.Is(err, sql.ErrNoRows) {
		return registry.DefaultSigner(issuerCode), nil
	}
	return s, err
}

// SetSigner stores the signer configuration of an issuing authority.
func (db *DB) SetSigner(ctx context.Context, s registry.Signer, actor string) error {
	if err := s.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	at := db.Now().UTC().Truncate(time.Second).Format(time.RFC3339)
	if _, err := tx.ExecContext(ctx, `INSERT INTO extract_signers (issuer_code, capacity, title, name, thousand, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (issuer_code) DO UPDATE SET capacity = excluded.capacity, title = excluded.title, name = excluded.name,
		thousand = excluded.thousand, updated_at = excluded.updated_at`,
		s.IssuerCode, s.Capacity, s.Title, s.Name, s.Thousand, at); err != nil {
		return fmt.Errorf("set signer: %w", err)
	}
	// The signer's name is printed on every copy: it is public, not
	// personal data of the registers.
	if _, err := appendEvent(ctx, tx, at, "extract_signer_set", 0, 0, actor, s); err != nil {
		return err
	}
	return tx.Commit()
}

// Corrections returns the corrections made to a record (the
// record_corrected events of CorrectRecord), oldest first.
func (db *DB) Corrections(ctx context.Context, recordID string) ([]registry.Correction, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT e.at, e.actor, e.detail FROM events e JOIN records r ON r.rid = e.record_rid
		WHERE r.id = ? AND e.kind = 'record_corrected' ORDER BY e.seq`, strings.TrimSpace(recordID))
	if err != nil {
		return nil, fmt.Errorf("corrections: %w", err)
	}
	defer rows.Close()
	var out []registry.Correction
	for rows.Next() {
		var at, actor, detail string
		if err := rows.Scan(&at, &actor, &detail); err != nil {
			return nil, err
		}
		var d struct{ Field, Old, New, Basis string }
		if err := json.Unmarshal([]byte(detail), &d); err != nil {
			return nil, fmt.Errorf("corrections of %s: %w", recordID, err)
		}
		c := registry.Correction{Field: d.Field, Old: d.Old, New: d.New, Basis: d.Basis, By: actor}
		c.At, _ = time.Parse(time.RFC3339, at)
		out = append(out, c)
	}
	return out, rows.Err()
}
