package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/hotich/hotich/registry"
)

var _ registry.AccountService = (*DB)(nil)

const accountColumns = `id, username, name, unit, duties, disabled, password_hash, failed_logins, COALESCE(locked_until, ''), created_at, updated_at`

func scanAccount(s scanner) (*registry.Account, error) {
	var a registry.Account
	var duties, locked, created, updated string
	if err := s.Scan(&a.ID, &a.Username, &a.Name, &a.Unit, &duties, &a.Disabled, &a.PasswordHash, &a.FailedLogins, &locked, &created, &updated); err != nil {
		return nil, err
	}
	for _, d := range strings.Split(duties, ",") {
		if d != "" {
			a.Duties = append(a.Duties, registry.Duty(d))
		}
	}
	a.LockedUntil, _ = time.Parse(time.RFC3339, locked)
	a.CreatedAt, _ = time.Parse(time.RFC3339, created)
	a.UpdatedAt, _ = time.Parse(time.RFC3339, updated)
	return &a, nil
}

func dutyList(ds []registry.Duty) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = string(d)
	}
	return strings.Join(s, ",")
}

func lockedUntil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

// CreateAccount stores a new account and sets its ID.
func (db *DB) CreateAccount(ctx context.Context, a *registry.Account) error {
	if err := a.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := db.now()
	res, err := tx.ExecContext(ctx, `INSERT INTO accounts (username, name, unit, duties, disabled, password_hash, failed_logins, locked_until, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.Username, a.Name, a.Unit, dutyList(a.Duties), a.Disabled, a.PasswordHash, a.FailedLogins, lockedUntil(a.LockedUntil), now, now)
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return registry.FieldErrorf(registry.ECONFLICT, "username", "đã có tài khoản %q", a.Username)
		}
		return err
	}
	if a.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	return tx.Commit()
}

// FindAccount returns an account by username.
func (db *DB) FindAccount(ctx context.Context, username string) (*registry.Account, error) {
	a, err := scanAccount(db.db.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE username = ?`, username))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, registry.Errorf(registry.ENOTFOUND, "không có tài khoản %q", username)
	}
	return a, err
}

// FindAccountByID returns an account by ID.
func (db *DB) FindAccountByID(ctx context.Context, id int64) (*registry.Account, error) {
	a, err := scanAccount(db.db.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, registry.Errorf(registry.ENOTFOUND, "không có tài khoản số %d", id)
	}
	return a, err
}

// Accounts lists every account by username.
func (db *DB) Accounts(ctx context.Context) ([]*registry.Account, error) {
	return queryAll(ctx, db.db, scanAccount, `SELECT `+accountColumns+` FROM accounts ORDER BY username`)
}

// UpdateAccount changes an account as update decides from it as stored.
// Who changed what is the audit trail's to record.
func (db *DB) UpdateAccount(ctx context.Context, id int64, update func(*registry.Account) error) (*registry.Account, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	a, err := scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, registry.Errorf(registry.ENOTFOUND, "không có tài khoản số %d", id)
	}
	if err != nil {
		return nil, err
	}
	username := a.Username
	if err := update(a); err != nil {
		return nil, err
	}
	a.ID, a.Username = id, username
	if err := a.Validate(); err != nil {
		return nil, err
	}
	now := db.now()
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET name = ?, unit = ?, duties = ?, disabled = ?, password_hash = ?, failed_logins = ?, locked_until = ?, updated_at = ? WHERE id = ?`,
		a.Name, a.Unit, dutyList(a.Duties), a.Disabled, a.PasswordHash, a.FailedLogins, lockedUntil(a.LockedUntil), now, id); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	a.UpdatedAt, _ = time.Parse(time.RFC3339, now)
	return a, nil
}

// CreateSession stores a session.
func (db *DB) CreateSession(ctx context.Context, s *registry.Session) error {
	_, err := db.db.ExecContext(ctx, `INSERT INTO sessions (token_hash, account_id, csrf, addr, created_at, seen_at) VALUES (?, ?, ?, ?, ?, ?)`,
		s.TokenHash, s.AccountID, s.CSRF, s.Addr, s.CreatedAt.UTC().Format(time.RFC3339Nano), s.SeenAt.UTC().Format(time.RFC3339Nano))
	return busyError(err)
}

// FindSession returns a session by its token's hash.
func (db *DB) FindSession(ctx context.Context, tokenHash string) (*registry.Session, error) {
	var s registry.Session
	var created, seen string
	err := db.db.QueryRowContext(ctx, `SELECT token_hash, account_id, csrf, addr, created_at, seen_at FROM sessions WHERE token_hash = ?`, tokenHash).
		Scan(&s.TokenHash, &s.AccountID, &s.CSRF, &s.Addr, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, registry.Errorf(registry.ENOTFOUND, "phiên làm việc đã hết hạn")
	}
	if err != nil {
		return nil, err
	}
	s.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	s.SeenAt, _ = time.Parse(time.RFC3339Nano, seen)
	return &s, nil
}

// TouchSession records that a session was used at a time.
func (db *DB) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	_, err := db.db.ExecContext(ctx, `UPDATE sessions SET seen_at = ? WHERE token_hash = ?`, at.UTC().Format(time.RFC3339Nano), tokenHash)
	return busyError(err)
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := db.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	return busyError(err)
}

// DeleteSessions ends the sessions of an account (accountID > 0), and the
// sessions of any account not seen since a time (notSeenSince not zero).
func (db *DB) DeleteSessions(ctx context.Context, accountID int64, notSeenSince time.Time) error {
	if accountID > 0 {
		if _, err := db.db.ExecContext(ctx, `DELETE FROM sessions WHERE account_id = ?`, accountID); err != nil {
			return busyError(err)
		}
	}
	if !notSeenSince.IsZero() {
		if _, err := db.db.ExecContext(ctx, `DELETE FROM sessions WHERE seen_at < ?`, notSeenSince.UTC().Format(time.RFC3339Nano)); err != nil {
			return busyError(err)
		}
	}
	return nil
}
