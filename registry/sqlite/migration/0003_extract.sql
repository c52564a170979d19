-- Certified copies (bản sao trích lục): serial counters, the issue log,
-- revocations, the issuing authorities' public keys and signer blocks.
--
-- The issue log is append-only like the event log: a re-print is a new row,
-- a revocation is a row of its own.

-- The last serial number used per issuing authority, year and form. The
-- next is allocated by an upsert inside the issuing write transaction, so
-- two issuers (connections or processes) never get the same number.
CREATE TABLE extract_serials (
	issuer_code TEXT NOT NULL,
	year        INTEGER NOT NULL,
	form        TEXT NOT NULL,   -- TLKS, GKS, TLKH, TLKT, TLNCMC
	last        INTEGER NOT NULL CHECK (last > 0),
	PRIMARY KEY (issuer_code, year, form)
) WITHOUT ROWID;

CREATE TABLE extract_issues (
	id              INTEGER PRIMARY KEY,
	issuer_code     TEXT NOT NULL,
	serial          TEXT NOT NULL,     -- as printed: "45/2025/TLKS-BS"
	number          INTEGER NOT NULL,
	year            INTEGER NOT NULL,
	form            TEXT NOT NULL,
	record_rid      INTEGER NOT NULL REFERENCES records (rid),
	issued_at       TEXT NOT NULL,     -- RFC 3339, UTC
	clerk           TEXT NOT NULL,
	requester       TEXT NOT NULL,     -- personal data
	copies          INTEGER NOT NULL CHECK (copies > 0),
	content_sha256  TEXT NOT NULL,     -- what the page shows (see extract)
	document_sha256 TEXT NOT NULL,     -- the PDF file as issued
	key_id          TEXT NOT NULL,
	payload         TEXT NOT NULL,     -- the signed QR payload
	override_reason TEXT,              -- NULL: issued without override
	blockers        TEXT NOT NULL DEFAULT '[]',  -- JSON array: reasons overridden
	event_seq       INTEGER NOT NULL,  -- the extract_issued event
	UNIQUE (issuer_code, year, form, number),
	UNIQUE (issuer_code, serial)
);
CREATE INDEX extract_issues_record ON extract_issues (record_rid);
CREATE TRIGGER extract_issues_no_update BEFORE UPDATE ON extract_issues
BEGIN SELECT RAISE(ABORT, 'the issue log is append-only'); END;
CREATE TRIGGER extract_issues_no_delete BEFORE DELETE ON extract_issues
BEGIN SELECT RAISE(ABORT, 'the issue log is append-only'); END;

CREATE TABLE extract_revocations (
	issue_id   INTEGER PRIMARY KEY REFERENCES extract_issues (id),
	revoked_at TEXT NOT NULL,
	revoked_by TEXT NOT NULL,
	reason     TEXT NOT NULL,
	event_seq  INTEGER NOT NULL
);
CREATE TRIGGER extract_revocations_no_update BEFORE UPDATE ON extract_revocations
BEGIN SELECT RAISE(ABORT, 'revocations are append-only'); END;
CREATE TRIGGER extract_revocations_no_delete BEFORE DELETE ON extract_revocations
BEGIN SELECT RAISE(ABORT, 'revocations are append-only'); END;

-- Public keys of the issuing authorities (the private keys never enter the
-- store). Old keys stay so that copies signed with them still verify.
CREATE TABLE signing_keys (
	key_id      TEXT PRIMARY KEY,
	issuer_code TEXT NOT NULL,
	public_key  BLOB NOT NULL CHECK (length(public_key) = 32),
	created_at  TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX signing_keys_issuer ON signing_keys (issuer_code);

-- The signer block and wording each issuing authority prints.
CREATE TABLE extract_signers (
	issuer_code TEXT PRIMARY KEY,
	capacity    TEXT NOT NULL,   -- "KT. CHỦ TỊCH" or ''
	title       TEXT NOT NULL,   -- "PHÓ CHỦ TỊCH"
	name        TEXT NOT NULL,
	thousand    TEXT NOT NULL CHECK (thousand IN ('nghìn', 'ngàn')),
	updated_at  TEXT NOT NULL
) WITHOUT ROWID;
