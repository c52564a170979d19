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

// IssueExtracts checks, numbers, renders and logs copies in one write
// transaction. The transaction is IMMEDIATE (see the DSN in Open): it holds
// the store's write lock from the start, so the serial upserts cannot race
// with another connection or process, and the records cannot change
// between the checks, the rendering and the log entries. A batch issues
// its copies some at a time through it, so that the renderer can use every
// core while the lock is held, and a crash loses the whole group or none.
func (db *DB) IssueExtracts(ctx context.Context, issues []*registry.ExtractIssue, check func(*registry.ExtractIssue, *registry.Record) error,
	render func([]*registry.ExtractIssue, []*registry.Record) error) ([]error, error) {
	errs := make([]error, len(issues))
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return errs, fmt.Errorf("issue extract: %w", err)
	}
	defer tx.Rollback()

	now := db.Now().UTC().Truncate(time.Second)
	year := now.In(registry.Vietnam).Year()
	var (
		accepted []*registry.ExtractIssue
		recs     []*registry.Record
		rids     []int64
	)
	for i, iss := range issues {
		var rid int64
		err := tx.QueryRowContext(ctx, `SELECT rid FROM records WHERE id = ?`, iss.RecordID).Scan(&rid)
		if errors.Is(err, sql.ErrNoRows) {
			errs[i] = registry.Errorf(registry.ENOTFOUND, "không tìm thấy trích lục có mã %q", iss.RecordID)
			continue
		}
		if err != nil {
			return errs, fmt.Errorf("issue extract: %w", err)
		}
		// Read through the pool: with the write lock held, the committed
		// state it sees is the state this transaction writes on.
		rec, err := db.FindRecordByID(ctx, iss.RecordID)
		if err != nil {
			return errs, err
		}
		iss.IssuedAt = now
		if err := check(iss, rec); err != nil {
			errs[i] = err
			continue
		}
		if rec.Register != iss.Form.Register() {
			return errs, fmt.Errorf("issue extract: record %s of register %s on form %q", rec.ID, rec.Register, iss.Form)
		}
		accepted, recs, rids = append(accepted, iss), append(recs, rec), append(rids, rid)
	}
	if len(accepted) == 0 {
		return errs, nil
	}
	for _, iss := range accepted {
		var n int
		err = tx.QueryRowContext(ctx, `INSERT INTO extract_serials (issuer_code, year, form, last) VALUES (?, ?, ?, 1)
			ON CONFLICT (issuer_code, year, form) DO UPDATE SET last = last + 1 RETURNING last`,
			iss.IssuerCode, year, string(iss.Form)).Scan(&n)
		if err != nil {
			return errs, fmt.Errorf("issue extract: allocate serial: %w", err)
		}
		iss.Serial = registry.Serial{Number: n, Year: year, Form: iss.Form}
	}
	if err := render(accepted, recs); err != nil {
		return errs, err
	}
	at := now.Format(time.RFC3339)
	for k, iss := range accepted {
		if err := iss.Validate(); err != nil {
			return errs, err
		}
		if err := logIssue(ctx, tx, at, rids[k], iss); err != nil {
			return errs, err
		}
	}
	if err := tx.Commit(); err != nil {
		return errs, fmt.Errorf("issue extract: %w", err)
	}
	return errs, nil
}

// logIssue appends an issue to the log, with its events.
func logIssue(ctx context.Context, tx txer, at string, rid int64, iss *registry.ExtractIssue) error {
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
	if iss.BatchID != "" {
		detail["batch"] = iss.BatchID
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
		iss.Clerk, iss.Requester, iss.Copies, iss.ValuesSHA256, iss.DocumentSHA256, iss.KeyID, iss.Payload,
		nullString(iss.Override), string(blockers), seq)
	if err != nil {
		return fmt.Errorf("issue extract: log: %w", err)
	}
	if iss.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO extract_issue_files (issue_id, snapshot, cms, cert_sha256, batch_id, batch_item) VALUES (?, ?, ?, ?, ?, ?)`,
		iss.ID, string(iss.Snapshot), iss.CMS, iss.CertSHA256, nullString(iss.BatchID), nullString(iss.BatchItem)); err != nil {
		return fmt.Errorf("issue extract: log: %w", err)
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
	v.revoked_at, COALESCE(v.revoked_by, ''), COALESCE(v.reason, ''),
	COALESCE(f.snapshot, ''), f.cms, COALESCE(f.cert_sha256, ''), COALESCE(f.batch_id, ''), COALESCE(f.batch_item, '')`

const issueFrom = ` FROM extract_issues i JOIN records r ON r.rid = i.record_rid
	LEFT JOIN extract_revocations v ON v.issue_id = i.id
	LEFT JOIN extract_issue_files f ON f.issue_id = i.id`

func scanIssue(s scanner) (*registry.ExtractIssue, error) {
	var iss registry.ExtractIssue
	var serial, form, issuedAt, blockers, snapshot string
	var revokedAt sql.NullString
	var rv registry.Revocation
	if err := s.Scan(&iss.ID, &iss.IssuerCode, &serial, &form, &iss.RecordID, &issuedAt, &iss.Clerk, &iss.Requester, &iss.Copies,
		&iss.ValuesSHA256, &iss.DocumentSHA256, &iss.KeyID, &iss.Payload, &iss.Override, &blockers,
		&revokedAt, &rv.By, &rv.Reason, &snapshot, &iss.CMS, &iss.CertSHA256, &iss.BatchID, &iss.BatchItem); err != nil {
		return nil, err
	}
	if snapshot != "" {
		iss.Snapshot = []byte(snapshot)
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
	out, err := queryIssues(ctx, db.db, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find issues: %w", err)
	}
	return out, nil
}

// queryIssues runs a query of issueColumns and reads its issues.
func queryIssues(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) ([]*registry.ExtractIssue, error) {
	return queryAll(ctx, q, scanIssue, query, args...)
}

// RevokeIssue revokes an issued copy. With issuerCode "" the serial alone
// must name one issue.
func (db *DB) RevokeIssue(ctx context.Context, issuerCode string, serial registry.Serial, by, reason string) (*registry.ExtractIssue, error) {
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
	found, err := queryIssues(ctx, tx, q+` LIMIT 2`, args...)
	if err != nil {
		return nil, err
	}
	switch {
	case len(found) == 0:
		return nil, registry.Errorf(registry.ENOTFOUND, "sổ cấp không có bản sao số %s", serial)
	case len(found) > 1:
		return nil, registry.FieldErrorf(registry.EINVALID, registry.FieldIssuer, "nhiều cơ quan đã cấp bản sao số %s: cần nói rõ cơ quan cấp", serial)
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

// FindBatchIssues returns the issues of a batch run, oldest first.
func (db *DB) FindBatchIssues(ctx context.Context, batchID string) ([]*registry.ExtractIssue, error) {
	out, err := queryIssues(ctx, db.db, `SELECT `+issueColumns+issueFrom+` WHERE f.batch_id = ? ORDER BY i.id`, batchID)
	if err != nil {
		return nil, fmt.Errorf("find batch issues: %w", err)
	}
	return out, nil
}

// RegisterCertificate records a certificate. Registering it again only
// raises its trust (a CA registered as an intermediate, then trusted).
func (db *DB) RegisterCertificate(ctx context.Context, c *registry.Certificate) error {
	if len(c.DER) == 0 || len(c.Fingerprint) != 64 || c.KeyID == "" || (c.Role == registry.CertUnit) != (c.IssuerCode != "") {
		return registry.Errorf(registry.EINVALID, "chứng thư không hợp lệ để đăng ký")
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	at := db.Now().UTC().Truncate(time.Second).Format(time.RFC3339)
	var issuer sql.NullString
	var role string
	err = tx.QueryRowContext(ctx, `SELECT issuer_code, role FROM certificates WHERE fingerprint = ?`, c.Fingerprint).Scan(&issuer, &role)
	switch {
	case err == nil:
		if issuer.String != c.IssuerCode || role != string(c.Role) {
			return registry.Errorf(registry.ECONFLICT, "chứng thư %s… đã được đăng ký cho %s", c.Fingerprint[:12], dashIfEmpty(issuer.String))
		}
		if c.Trusted {
			if _, err := tx.ExecContext(ctx, `UPDATE certificates SET trusted = 1 WHERE fingerprint = ?`, c.Fingerprint); err != nil {
				return err
			}
		}
	case errors.Is(err, sql.ErrNoRows):
		if _, err := tx.ExecContext(ctx, `INSERT INTO certificates (fingerprint, key_id, issuer_code, role, trusted, test, subject, not_before, not_after, der, registered_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Fingerprint, c.KeyID, nullString(c.IssuerCode), string(c.Role), c.Trusted, c.Test, c.Subject,
			c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339), c.DER, at); err != nil {
			return fmt.Errorf("register certificate: %w", err)
		}
	default:
		return err
	}
	if _, err := appendEvent(ctx, tx, at, "certificate_registered", 0, 0, "", map[string]any{
		"issuer": c.IssuerCode, "role": c.Role, "fingerprint": c.Fingerprint, "key_id": c.KeyID, "trusted": c.Trusted, "test": c.Test}); err != nil {
		return err
	}
	return tx.Commit()
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "tổ chức chứng thực"
	}
	return "cơ quan " + s
}

const certColumns = `fingerprint, key_id, COALESCE(issuer_code, ''), role, trusted, test, subject, not_before, not_after, der, registered_at FROM certificates`

func (db *DB) queryCerts(ctx context.Context, where string, args ...any) ([]*registry.Certificate, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT `+certColumns+` WHERE `+where+` ORDER BY not_before DESC, fingerprint`, args...)
	if err != nil {
		return nil, fmt.Errorf("certificates: %w", err)
	}
	defer rows.Close()
	var out []*registry.Certificate
	for rows.Next() {
		var c registry.Certificate
		var role, nb, na, reg string
		if err := rows.Scan(&c.Fingerprint, &c.KeyID, &c.IssuerCode, &role, &c.Trusted, &c.Test, &c.Subject, &nb, &na, &c.DER, &reg); err != nil {
			return nil, err
		}
		c.Role = registry.CertRole(role)
		c.NotBefore, _ = time.Parse(time.RFC3339, nb)
		c.NotAfter, _ = time.Parse(time.RFC3339, na)
		c.RegisteredAt, _ = time.Parse(time.RFC3339, reg)
		out = append(out, &c)
	}
	return out, rows.Err()
}

// FindCertificates returns the certificates of a key ID, newest first.
func (db *DB) FindCertificates(ctx context.Context, keyID string) ([]*registry.Certificate, error) {
	return db.queryCerts(ctx, `key_id = ?`, keyID)
}

// FindLegacyKey returns a public key of the old format (signing_keys,
// from before PAdES signatures).
func (db *DB) FindLegacyKey(ctx context.Context, keyID string) (*registry.LegacyKey, error) {
	k := registry.LegacyKey{KeyID: keyID}
	var created string
	err := db.db.QueryRowContext(ctx, `SELECT issuer_code, public_key, created_at FROM signing_keys WHERE key_id = ?`, keyID).
		Scan(&k.IssuerCode, &k.PublicKey, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, registry.Errorf(registry.ENOTFOUND, "kho dữ liệu không có khóa %s", keyID)
	}
	if err != nil {
		return nil, fmt.Errorf("legacy key %s: %w", keyID, err)
	}
	k.CreatedAt, _ = time.Parse(time.RFC3339, created)
	return &k, nil
}

// Certificates returns a unit's certificates ("" for every unit's) and
// the CAs, newest first.
func (db *DB) Certificates(ctx context.Context, issuerCode string) ([]*registry.Certificate, error) {
	if issuerCode == "" {
		return db.queryCerts(ctx, `1`)
	}
	return db.queryCerts(ctx, `issuer_code = ? OR role = 'ca'`, issuerCode)
}

// Setting returns a desk setting, "" when unset.
func (db *DB) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := db.db.QueryRowContext(ctx, `SELECT value FROM extract_settings WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetSetting sets a desk setting, logging the change.
func (db *DB) SetSetting(ctx context.Context, name, value, actor string) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	at := db.Now().UTC().Truncate(time.Second).Format(time.RFC3339)
	if _, err := tx.ExecContext(ctx, `INSERT INTO extract_settings (name, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, name, value, at); err != nil {
		return fmt.Errorf("set setting: %w", err)
	}
	if _, err := appendEvent(ctx, tx, at, "extract_setting_set", 0, 0, actor, map[string]string{"name": name, "value": value}); err != nil {
		return err
	}
	return tx.Commit()
}

// Signer returns the signer configuration of an issuing authority, or
// ENOTFOUND when none is set.
func (db *DB) Signer(ctx context.Context, issuerCode string) (registry.Signer, error) {
	s := registry.Signer{IssuerCode: issuerCode}
	err := db.db.QueryRowContext(ctx, `SELECT capacity, title, name, thousand FROM extract_signers WHERE issuer_code = ?`, issuerCode).
		Scan(&s.Capacity, &s.Title, &s.Name, &s.Thousand)
	if errors.Is(err, sql.ErrNoRows) {
		return s, registry.Errorf(registry.ENOTFOUND, "cơ quan %s chưa khai báo người ký bản sao", issuerCode)
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
