-- The flag codes each stored row raised, space-separated in order. A row
-- that raises a flag its record already has open adds no flag of its own
-- (the review queue holds each once), yet its outcome must still say why
-- it was flagged. NULL: the row raised none, or it was stored before this
-- column; the flags raised under its key then say it.
ALTER TABLE source_rows ADD COLUMN flags TEXT;
