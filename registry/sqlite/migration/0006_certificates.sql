-- PAdES-signed copies (issue 12): the X.509 certificates the copies are
-- signed and checked with, what re-issuing a copy's file needs, the batch
-- runs that issued it, and the desk's settings.

-- Certificates: the issuing units' signing certificates (old ones stay
-- after a key rotation, so that copies signed before still verify) and the
-- certification authorities; the trusted CAs are the store's trust roots.
CREATE TABLE certificates (
	fingerprint   TEXT PRIMARY KEY,  -- hex SHA-256 of der
	key_id        TEXT NOT NULL,     -- of its public key (sign.KeyID)
	issuer_code   TEXT,              -- the unit it signs for; NULL for a CA
	role          TEXT NOT NULL CHECK (role IN ('unit', 'ca')),
	trusted       INTEGER NOT NULL DEFAULT 0 CHECK (trusted IN (0, 1)),
	test          INTEGER NOT NULL DEFAULT 0 CHECK (test IN (0, 1)),
	subject       TEXT NOT NULL,
	not_before    TEXT NOT NULL,     -- RFC 3339, UTC
	not_after     TEXT NOT NULL,
	der           BLOB NOT NULL,
	registered_at TEXT NOT NULL,
	CHECK ((role = 'unit') = (issuer_code IS NOT NULL))
) WITHOUT ROWID;
CREATE INDEX certificates_key ON certificates (key_id);
CREATE INDEX certificates_issuer ON certificates (issuer_code) WHERE issuer_code IS NOT NULL;
CREATE TRIGGER certificates_no_delete BEFORE DELETE ON certificates
BEGIN SELECT RAISE(ABORT, 'certificates stay registered'); END;

-- One row per issue of the signed kind, beside its extract_issues row
-- (whose content_sha256 is now the SHA-256 of the values the QR code
-- signs): the values printed, as a JSON snapshot, and the CMS of the PDF
-- signature, from which the same file is rendered again byte for byte;
-- and the batch run and line that issued it.
CREATE TABLE extract_issue_files (
	issue_id    INTEGER PRIMARY KEY REFERENCES extract_issues (id),
	snapshot    TEXT NOT NULL,
	cms         BLOB NOT NULL,
	cert_sha256 TEXT NOT NULL,
	batch_id    TEXT,
	batch_item  TEXT
);
CREATE INDEX extract_issue_files_batch ON extract_issue_files (batch_id, batch_item) WHERE batch_id IS NOT NULL;
CREATE TRIGGER extract_issue_files_no_update BEFORE UPDATE ON extract_issue_files
BEGIN SELECT RAISE(ABORT, 'the issue log is append-only'); END;
CREATE TRIGGER extract_issue_files_no_delete BEFORE DELETE ON extract_issue_files
BEGIN SELECT RAISE(ABORT, 'the issue log is append-only'); END;

-- Settings of the issuing desk, e.g. its public address for the
-- verification URL in the QR code.
CREATE TABLE extract_settings (
	name       TEXT PRIMARY KEY,
	value      TEXT NOT NULL,
	updated_at TEXT NOT NULL
) WITHOUT ROWID;
