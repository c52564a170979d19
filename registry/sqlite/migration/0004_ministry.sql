-- Runs of the ministry exchange: each export written and each export
-- imported, with its watermark range. An export reads nothing from here
-- except for "--since last"; an import uses it to refuse a gap in a chain
-- of incremental exports and to skip a manifest it already applied. Rows
-- here are bookkeeping, not events: recording a run does not move the
-- store's watermark.
CREATE TABLE ministry_runs (
	id       INTEGER PRIMARY KEY,
	kind     TEXT NOT NULL CHECK (kind IN ('export', 'import')),
	mode     TEXT NOT NULL,     -- day-du (full) or thay-doi (changes)
	since    INTEGER NOT NULL,  -- watermark range (since, until] of the source store
	until    INTEGER NOT NULL,
	manifest TEXT NOT NULL,     -- the manifest's file name
	sha256   TEXT NOT NULL,     -- of the manifest's bytes
	entries  INTEGER NOT NULL,
	at       TEXT NOT NULL      -- RFC 3339, the store's clock
);
CREATE INDEX ministry_runs_kind ON ministry_runs (kind, until);
