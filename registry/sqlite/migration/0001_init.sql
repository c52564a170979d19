-- The store of register entries, their sources, and the reference data.
--
-- Integer keys (rid) join the tables; the stable text ID of a record is what
-- people and other systems see. Personal data lives in records.fields (the
-- register's values as stored for display) and in persons (search keys).

-- Reference data, seeded from the seeds package.
CREATE TABLE admin_units (
	era           TEXT NOT NULL,  -- '2025-03-01' or '2025-07-01'
	code          TEXT NOT NULL,
	level         INTEGER NOT NULL CHECK (level IN (1, 2, 3)),
	type          TEXT NOT NULL,
	name          TEXT NOT NULL,
	parent_code   TEXT NOT NULL,
	province_code TEXT NOT NULL,
	PRIMARY KEY (era, code)
) WITHOUT ROWID;

CREATE TABLE admin_successions (
	old_code TEXT NOT NULL,
	new_code TEXT NOT NULL,
	kind     TEXT NOT NULL CHECK (kind IN ('full', 'partial')),
	PRIMARY KEY (old_code, new_code)
) WITHOUT ROWID;

CREATE TABLE ethnic_groups (
	code    TEXT PRIMARY KEY,  -- QĐ 121-TCTK/PPCĐ
	name    TEXT NOT NULL,
	aliases TEXT NOT NULL      -- '|'-separated field spellings
) WITHOUT ROWID;

CREATE TABLE countries (
	alpha2  TEXT PRIMARY KEY,
	alpha3  TEXT NOT NULL,
	numeric TEXT NOT NULL,
	name_vi TEXT NOT NULL,
	name_en TEXT NOT NULL,
	aliases TEXT NOT NULL
) WITHOUT ROWID;

-- Append-only log of what changed when. Its seq is the store's clock: every
-- record carries the seq of the event that last changed it, and exports use
-- seq ranges as watermarks.
CREATE TABLE events (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	at         TEXT NOT NULL,   -- RFC 3339, UTC
	kind       TEXT NOT NULL,
	record_rid INTEGER,         -- the record concerned, if one
	batch_id   INTEGER,         -- the batch concerned, if one
	actor      TEXT NOT NULL DEFAULT '',
	detail     TEXT NOT NULL DEFAULT '{}'  -- JSON
);
CREATE INDEX events_record ON events (record_rid) WHERE record_rid IS NOT NULL;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- One row per batch file, known by the hash of its bytes.
CREATE TABLE batches (
	id          INTEGER PRIMARY KEY,
	file_name   TEXT NOT NULL,
	path        TEXT NOT NULL,
	file_hash   TEXT NOT NULL UNIQUE,
	file_size   INTEGER NOT NULL,
	register    TEXT NOT NULL,
	container   TEXT NOT NULL,
	delimiter   TEXT NOT NULL,
	encoding    TEXT NOT NULL,
	confidence  REAL NOT NULL,
	header      TEXT NOT NULL,  -- JSON array of the headers as written
	status      TEXT NOT NULL CHECK (status IN ('running', 'done')),
	rows_done   INTEGER NOT NULL DEFAULT 0,  -- committed rows: a re-run resumes after them
	counts      TEXT NOT NULL DEFAULT '{}',  -- JSON BatchCounts
	started_at  TEXT NOT NULL,
	finished_at TEXT
);

-- Register entries. identity_key is the normalised identity (register,
-- authority, book, number); id is derived from it.
CREATE TABLE records (
	rid            INTEGER PRIMARY KEY,
	id             TEXT NOT NULL UNIQUE,
	identity_key   TEXT NOT NULL,
	register       TEXT NOT NULL CHECK (register IN ('KS', 'KH', 'KT', 'NCMC')),
	authority_code TEXT NOT NULL,
	authority_name TEXT NOT NULL,
	book           TEXT NOT NULL,
	number         TEXT NOT NULL,
	registered_on  TEXT NOT NULL,
	fields         TEXT NOT NULL,  -- JSON object: canonical column -> stored value
	extra          TEXT,           -- JSON object of unknown columns, or NULL
	filled         TEXT,           -- JSON object: field -> source key of the later row that filled it in, or NULL
	refs           TEXT NOT NULL,  -- JSON array of source references, in the order folded
	created_seq    INTEGER NOT NULL,
	version        INTEGER NOT NULL  -- seq of the event that last changed the record
);
CREATE INDEX records_version ON records (version);

-- Search keys of the persons of each entry (a view of records.fields).
CREATE TABLE persons (
	record_rid   INTEGER NOT NULL REFERENCES records (rid),
	role         TEXT NOT NULL,
	name_fold    TEXT NOT NULL,  -- "nguyen van an"
	name_canon   TEXT NOT NULL,  -- lower case, canonical tone placement
	birth        TEXT NOT NULL,  -- ISO 8601 with precision, '' unknown
	birth_year   INTEGER,
	sex          TEXT NOT NULL,
	personal_id  TEXT,
	PRIMARY KEY (record_rid, role)
) WITHOUT ROWID;
CREATE INDEX persons_name ON persons (name_fold, birth_year);
CREATE INDEX persons_pid ON persons (personal_id) WHERE personal_id IS NOT NULL;

-- Every batch row stored: key = batch_id << 32 | row_no, so rows of a batch
-- are contiguous and a row is never stored twice.
CREATE TABLE source_rows (
	key        INTEGER PRIMARY KEY,
	record_rid INTEGER NOT NULL REFERENCES records (rid),
	outcome    TEXT NOT NULL CHECK (outcome IN ('accepted', 'flagged')),
	raw        TEXT NOT NULL  -- JSON array of the cells as decoded, aligned with batches.header
);
CREATE INDEX source_rows_record ON source_rows (record_rid);

-- Every batch row rejected, with its reason and raw cells: the reject report.
CREATE TABLE rejects (
	key     INTEGER PRIMARY KEY,  -- batch_id << 32 | row_no
	code    TEXT NOT NULL,
	field   TEXT NOT NULL,
	message TEXT NOT NULL,
	raw     TEXT NOT NULL   -- JSON array of cells, or the line as read for a malformed row
);

-- Open and resolved reasons to review a record.
CREATE TABLE flags (
	id           INTEGER PRIMARY KEY,
	record_rid   INTEGER NOT NULL REFERENCES records (rid),
	code         TEXT NOT NULL,
	field        TEXT NOT NULL,
	detail       TEXT NOT NULL,
	source_key   INTEGER,         -- the source row that raised it
	created_seq  INTEGER NOT NULL,
	resolved_seq INTEGER
);
CREATE INDEX flags_record ON flags (record_rid);
CREATE INDEX flags_open ON flags (code) WHERE resolved_seq IS NULL;

-- Fields on which scans of one entry disagree. vals is a JSON array of
-- [value, source_key] pairs, the stored value first.
CREATE TABLE conflicts (
	id           INTEGER PRIMARY KEY,
	record_rid   INTEGER NOT NULL REFERENCES records (rid),
	field        TEXT NOT NULL,
	vals         TEXT NOT NULL,
	created_seq  INTEGER NOT NULL,
	resolved_seq INTEGER,
	UNIQUE (record_rid, field)
);

-- Links between entries with different identities that may record the same
-- event. Both entries stay; a person decides. a_rid < b_rid.
CREATE TABLE links (
	id            INTEGER PRIMARY KEY,
	a_rid         INTEGER NOT NULL REFERENCES records (rid),
	b_rid         INTEGER NOT NULL REFERENCES records (rid),
	score         REAL NOT NULL,
	status        TEXT NOT NULL CHECK (status IN ('suspected', 'auto', 'confirmed', 'rejected')),
	contributions TEXT NOT NULL DEFAULT '{}',  -- JSON: per-field comparison level and weight
	created_seq   INTEGER NOT NULL,
	version       INTEGER NOT NULL,            -- seq of the link's last change
	CHECK (a_rid < b_rid),
	UNIQUE (a_rid, b_rid)
);
CREATE INDEX links_b ON links (b_rid);
CREATE INDEX links_version ON links (version);
