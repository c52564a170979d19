-- Deduplication: what linkage runs and reviewers need beyond the links
-- table of 0001.

-- The data a link was scored on and who decided it. A person's decision
-- (confirmed, rejected) holds while the fingerprints of both records' data
-- stay those it was decided on. proposed is the status the score gives
-- (auto or suspected): a reopened link returns to it. a_flag and b_flag are
-- the suspected_duplicate flags raised on the two records while the link is
-- in the review queue.
ALTER TABLE links ADD COLUMN a_fp INTEGER NOT NULL DEFAULT 0;
ALTER TABLE links ADD COLUMN b_fp INTEGER NOT NULL DEFAULT 0;
ALTER TABLE links ADD COLUMN proposed TEXT NOT NULL DEFAULT 'suspected' CHECK (proposed IN ('suspected', 'auto'));
ALTER TABLE links ADD COLUMN decided_by TEXT;
ALTER TABLE links ADD COLUMN decided_at TEXT;
ALTER TABLE links ADD COLUMN note TEXT;
ALTER TABLE links ADD COLUMN run_id INTEGER;
ALTER TABLE links ADD COLUMN a_flag INTEGER;
ALTER TABLE links ADD COLUMN b_flag INTEGER;
CREATE INDEX links_status ON links (status, score);

-- One row per finished linkage run of a register. The next run matches the
-- records whose version is above this run's watermark (the store's last
-- event when the run read it).
CREATE TABLE link_runs (
	id          INTEGER PRIMARY KEY,
	register    TEXT NOT NULL,
	since       INTEGER NOT NULL,
	watermark   INTEGER NOT NULL,
	model       TEXT NOT NULL,              -- ID of the model used
	started_at  TEXT NOT NULL,
	finished_at TEXT NOT NULL,
	stats       TEXT NOT NULL DEFAULT '{}'  -- JSON: entries, pending, candidate pairs, changes
);
CREATE INDEX link_runs_register ON link_runs (register, id);

-- The linkage model of each register (JSON), estimated from the store.
CREATE TABLE link_models (
	register   TEXT PRIMARY KEY,
	model      TEXT NOT NULL,
	records    INTEGER NOT NULL,  -- entries it was estimated on
	created_at TEXT NOT NULL
) WITHOUT ROWID;
