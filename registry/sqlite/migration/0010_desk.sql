-- The clerks' desk: accounts, their sessions, and the audit trail of who
-- processed whose data.

CREATE TABLE accounts (
	id            INTEGER PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	unit          TEXT NOT NULL,     -- code of today's unit the person works for
	duties        TEXT NOT NULL,     -- comma-separated: clerk, reviewer, operator, admin
	disabled      INTEGER NOT NULL DEFAULT 0,
	password_hash TEXT NOT NULL,     -- argon2id, PHC string form
	failed_logins INTEGER NOT NULL DEFAULT 0,
	locked_until  TEXT,              -- RFC 3339, NULL: not locked
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
);

-- Sessions by the SHA-256 of the token the browser holds.
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id),
	csrf       TEXT NOT NULL,
	addr       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	seen_at    TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_account ON sessions (account_id);

-- The audit trail: append-only, each entry chained to the previous one by
-- its SHA-256 (registry.AuditHash). audit_head holds the last entry's seq
-- and hash, updated in the same transaction, so that removing entries at
-- the end shows too.
CREATE TABLE audit_log (
	seq    INTEGER PRIMARY KEY,
	at     TEXT NOT NULL,   -- RFC 3339 with nanoseconds, UTC
	actor  TEXT NOT NULL,
	unit   TEXT NOT NULL,
	action TEXT NOT NULL,
	target TEXT NOT NULL,
	detail TEXT NOT NULL,
	addr   TEXT NOT NULL,
	prev   TEXT NOT NULL,
	hash   TEXT NOT NULL
);
CREATE INDEX audit_actor ON audit_log (actor, seq);
CREATE INDEX audit_target ON audit_log (target, seq) WHERE target != '';
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

CREATE TABLE audit_head (
	one  INTEGER PRIMARY KEY CHECK (one = 1),
	seq  INTEGER NOT NULL,
	hash TEXT NOT NULL
);
