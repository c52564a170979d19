package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/hotich/hotich/registry"
)

// Check verifies the store's invariants on one snapshot, while writers go
// on: SQLite's own integrity and foreign-key checks; every batch's rows 1..N
// stored or rejected exactly once; every record's search keys equal to what
// its fields give, and its source references matching its source rows;
// events naming existing records, with no hole in the event log's sequence;
// and the issue log's serials gapless per unit, year and form. progress, if
// set, is told which check runs.
func (db *DB) Check(ctx context.Context, progress func(check string)) (*registry.CheckReport, error) {
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN DEFERRED`); err != nil {
		return nil, fmt.Errorf("check: begin: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
	c := &checker{ctx: ctx, conn: conn, r: &registry.CheckReport{}}
	for _, step := range []struct {
		name string
		run  func() error
	}{
		{"integrity", c.integrity},
		{"foreign_keys", c.foreignKeys},
		{"batch_rows", c.batchRows},
		{"search_keys", c.searchKeys},
		{"source_refs", c.sourceRefs},
		{"events", c.events},
		{"conflict_flags", c.conflictFlags},
		{"issue_serials", c.issueSerials},
	} {
		if progress != nil {
			progress(step.name)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := step.run(); err != nil {
			return nil, fmt.Errorf("check %s: %w", step.name, err)
		}
		c.r.Counts.Checks++
	}
	return c.r, nil
}

type checker struct {
	ctx  context.Context
	conn *sql.Conn
	r    *registry.CheckReport
}

// each runs a query and calls fn with each row's scanner.
func (c *checker) each(q string, fn func(scan func(...any) error) error, args ...any) error {
	rows, err := c.conn.QueryContext(c.ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (c *checker) integrity() error {
	return c.each(`PRAGMA integrity_check`, func(scan func(...any) error) error {
		var msg string
		if err := scan(&msg); err != nil {
			return err
		}
		if msg != "ok" {
			c.r.Add("integrity", "SQLite integrity_check: "+msg)
		}
		return nil
	})
}

func (c *checker) foreignKeys() error {
	return c.each(`PRAGMA foreign_key_check`, func(scan func(...any) error) error {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		if err := scan(&table, &rowid, &parent, &fk); err != nil {
			return err
		}
		c.r.Add("foreign_keys", fmt.Sprintf("bảng %s, dòng %d trỏ tới %s không tồn tại", table, rowid.Int64, parent))
		return nil
	})
}

// batchRows: rows 1..rows_done of every batch are stored or rejected, each
// once; a finished batch counts as many rows as it stored. A batch known
// only from another site's export (container "ministry") holds just the
// rows its records name, and is not counted.
func (c *checker) batchRows() error {
	return c.each(`SELECT b.id, b.file_name, b.container, b.rows_done, b.counts,
		(SELECT COUNT(*) FROM source_rows s WHERE s.key BETWEEN b.id << 32 AND (b.id << 32) | 4294967295),
		(SELECT COUNT(*) FROM rejects j WHERE j.key BETWEEN b.id << 32 AND (b.id << 32) | 4294967295),
		(SELECT COUNT(*) FROM source_rows s JOIN rejects j ON j.key = s.key WHERE s.key BETWEEN b.id << 32 AND (b.id << 32) | 4294967295),
		COALESCE((SELECT MAX(key & 4294967295) FROM (
			SELECT MAX(key) AS key FROM source_rows WHERE key BETWEEN b.id << 32 AND (b.id << 32) | 4294967295
			UNION ALL SELECT MAX(key) FROM rejects WHERE key BETWEEN b.id << 32 AND (b.id << 32) | 4294967295)), 0)
		FROM batches b ORDER BY b.id`, func(scan func(...any) error) error {
		var id int64
		var name, container, counts string
		var done, stored, rejected, both, last int
		if err := scan(&id, &name, &container, &done, &counts, &stored, &rejected, &both, &last); err != nil {
			return err
		}
		c.r.Counts.Batches++
		c.r.Counts.Rows += stored + rejected
		if both > 0 {
			c.r.Add("batch_rows", fmt.Sprintf("lô %s: %d dòng vừa được lưu vừa bị loại", name, both))
		}
		if container == "ministry" {
			return nil
		}
		if stored+rejected != done || last != done {
			c.r.Add("batch_rows", fmt.Sprintf("lô %s: đã ghi nhận %d dòng nhưng có %d dòng lưu + %d dòng loại, dòng cuối là %d", name, done, stored, rejected, last))
		}
		var bc registry.BatchCounts
		if err := json.Unmarshal([]byte(counts), &bc); err != nil {
			c.r.Add("batch_rows", fmt.Sprintf("lô %s: số đếm hỏng: %v", name, err))
			return nil
		}
		if bc.Rows != done || bc.Rejected != rejected || bc.Accepted+bc.Flagged != stored {
			c.r.Add("batch_rows", fmt.Sprintf("lô %s: số đếm (%d dòng, %d nhận, %d cờ, %d loại) không khớp các dòng đã lưu (%d lưu, %d loại)",
				name, bc.Rows, bc.Accepted, bc.Flagged, bc.Rejected, stored, rejected))
		}
		return nil
	})
}

// searchKeys: every record's persons rows are exactly what its fields give.
// Records and persons are read in rid order and merged, so memory holds one
// record at a time.
func (c *checker) searchKeys() error {
	persons, err := c.conn.QueryContext(c.ctx, `SELECT record_rid, role, name_fold, name_canon, birth, birth_year, sex, personal_id FROM persons ORDER BY record_rid, role`)
	if err != nil {
		return err
	}
	defer persons.Close()
	var next *storedPerson
	read := func() error {
		next = nil
		if !persons.Next() {
			return persons.Err()
		}
		var p storedPerson
		var year, pid sql.NullString
		if err := persons.Scan(&p.rid, &p.row.role, &p.row.nameFold, &p.row.nameCanon, &p.row.birth, &year, &p.row.sex, &pid); err != nil {
			return err
		}
		if year.Valid {
			p.row.year = year.String
		}
		if pid.Valid {
			p.row.pid = pid.String
		}
		c.r.Counts.Persons++
		next = &p
		return nil
	}
	if err := read(); err != nil {
		return err
	}
	err = c.each(`SELECT `+recordColumns+` FROM records r ORDER BY r.rid`, func(scan func(...any) error) error {
		rid, rec, err := scanRecord(scannerFunc(scan))
		if err != nil {
			c.r.Add("search_keys", fmt.Sprintf("bản ghi số %d không đọc được: %v", rid, err))
			return nil
		}
		c.r.Counts.Records++
		var have []personRow
		for next != nil && next.rid < rid {
			c.r.Add("search_keys", fmt.Sprintf("khóa tìm kiếm của bản ghi số %d không còn bản ghi", next.rid))
			if err := read(); err != nil {
				return err
			}
		}
		for next != nil && next.rid == rid {
			have = append(have, next.row)
			if err := read(); err != nil {
				return err
			}
		}
		want := searchKeys(rec)
		for i := range want {
			want[i] = want[i].comparable()
		}
		sortPersonRows(want)
		if !reflect.DeepEqual(have, want) && !(len(have) == 0 && len(want) == 0) {
			c.r.Add("search_keys", fmt.Sprintf("bản ghi %s: khóa tìm kiếm (%d người) không khớp nội dung (%d người): không tìm được bằng tên hoặc số định danh", rec.ID, len(have), len(want)))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for next != nil {
		c.r.Add("search_keys", fmt.Sprintf("khóa tìm kiếm của bản ghi số %d không còn bản ghi", next.rid))
		if err := read(); err != nil {
			return err
		}
	}
	return nil
}

// storedPerson is a persons row as read back.
type storedPerson struct {
	rid int64
	row personRow
}

// comparable returns p with its nullable columns as read back: strings, or
// nil for NULL.
func (p personRow) comparable() personRow {
	if p.year != nil {
		p.year = fmt.Sprint(p.year)
	}
	if s, ok := p.pid.(string); ok {
		p.pid = s
	}
	return p
}

func sortPersonRows(rows []personRow) {
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && rows[j].role < rows[j-1].role; j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
}

// scannerFunc adapts a scan function to scanRecord.
type scannerFunc func(...any) error

func (f scannerFunc) Scan(dest ...any) error { return f(dest...) }

// sourceRefs: a record's source references are the references of its
// source rows. A row seen again under a reference the record has already
// (a ward's corrected file of the same name) is stored as a source row of
// its own without a second reference, so the references are compared as
// a set.
func (c *checker) sourceRefs() error {
	const rowRefs = `SELECT DISTINCT b.file_name || '#' || (s.key & 4294967295) FROM source_rows s
		JOIN batches b ON b.id = s.key >> 32 WHERE s.record_rid = r.rid`
	return c.each(`SELECT r.id, json_array_length(r.refs), (SELECT COUNT(*) FROM (`+rowRefs+`)) AS n FROM records r
		WHERE json_array_length(r.refs) != n OR EXISTS (SELECT 1 FROM json_each(r.refs) j WHERE j.value NOT IN (`+rowRefs+`))`,
		func(scan func(...any) error) error {
			var id string
			var refs, rows int
			if err := scan(&id, &refs, &rows); err != nil {
				return err
			}
			c.r.Add("source_refs", fmt.Sprintf("bản ghi %s: %d tham chiếu nguồn nhưng các dòng nguồn có %d tham chiếu, không khớp", id, refs, rows))
			return nil
		})
}

// events: the log's sequence has no hole, and every event about a record
// or batch names one that exists.
func (c *checker) events() error {
	var n, lo, hi int64
	if err := c.conn.QueryRowContext(c.ctx, `SELECT COUNT(*), COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0) FROM events`).Scan(&n, &lo, &hi); err != nil {
		return err
	}
	c.r.Counts.Events = n
	if n > 0 && (lo != 1 || hi-lo+1 != n) {
		detail := fmt.Sprintf("nhật ký sự kiện có %d sự kiện nhưng số thứ tự chạy từ %d đến %d", n, lo, hi)
		err := c.each(`SELECT seq + 1 FROM events e WHERE seq < ? AND NOT EXISTS (SELECT 1 FROM events f WHERE f.seq = e.seq + 1) LIMIT 5`, func(scan func(...any) error) error {
			var gap int64
			if err := scan(&gap); err != nil {
				return err
			}
			detail += fmt.Sprintf("; thiếu số %d", gap)
			return nil
		}, hi)
		if err != nil {
			return err
		}
		c.r.Add("events", detail)
	}
	return c.each(`SELECT seq, kind, COALESCE(record_rid, 0), COALESCE(batch_id, 0) FROM events e
		WHERE (record_rid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM records r WHERE r.rid = e.record_rid))
		   OR (batch_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM batches b WHERE b.id = e.batch_id))`, func(scan func(...any) error) error {
		var seq, rid, bid int64
		var kind string
		if err := scan(&seq, &kind, &rid, &bid); err != nil {
			return err
		}
		c.r.Add("events", fmt.Sprintf("sự kiện %d (%s) nói về bản ghi số %d hoặc lô số %d không tồn tại", seq, kind, rid, bid))
		return nil
	})
}

// conflictFlags: an open conflict has its open flag, and an open conflict
// flag its conflict.
func (c *checker) conflictFlags() error {
	return c.each(`SELECT r.id, x.field, x.open_conflict, x.open_flag FROM (
			SELECT record_rid, field, 1 AS open_conflict,
				EXISTS (SELECT 1 FROM flags f WHERE f.record_rid = k.record_rid AND f.code = 'conflict' AND f.field = k.field AND f.resolved_seq IS NULL) AS open_flag
			FROM conflicts k WHERE resolved_seq IS NULL
			UNION ALL
			SELECT record_rid, field, 0, 1 FROM flags f WHERE code = 'conflict' AND resolved_seq IS NULL
				AND NOT EXISTS (SELECT 1 FROM conflicts k WHERE k.record_rid = f.record_rid AND k.field = f.field AND k.resolved_seq IS NULL)
		) x JOIN records r ON r.rid = x.record_rid WHERE x.open_conflict != x.open_flag`, func(scan func(...any) error) error {
		var id, field string
		var conflict, flag bool
		if err := scan(&id, &field, &conflict, &flag); err != nil {
			return err
		}
		if conflict {
			c.r.Add("conflict_flags", fmt.Sprintf("bản ghi %s: xung đột ở trường %s không có cờ cần xem xét", id, field))
		} else {
			c.r.Add("conflict_flags", fmt.Sprintf("bản ghi %s: cờ xung đột ở trường %s không có xung đột", id, field))
		}
		return nil
	})
}

// issueSerials: the serials of each unit, year and form run 1..last
// without a hole, and the counter says last.
func (c *checker) issueSerials() error {
	return c.each(`SELECT s.issuer_code, s.year, s.form, s.last, COUNT(i.id), COALESCE(MIN(i.number), 0), COALESCE(MAX(i.number), 0)
		FROM extract_serials s LEFT JOIN extract_issues i ON i.issuer_code = s.issuer_code AND i.year = s.year AND i.form = s.form
		GROUP BY s.issuer_code, s.year, s.form
		UNION ALL
		SELECT i.issuer_code, i.year, i.form, 0, COUNT(*), MIN(i.number), MAX(i.number) FROM extract_issues i
		WHERE NOT EXISTS (SELECT 1 FROM extract_serials s WHERE s.issuer_code = i.issuer_code AND s.year = i.year AND s.form = i.form)
		GROUP BY i.issuer_code, i.year, i.form`, func(scan func(...any) error) error {
		var unit, form string
		var year, last, n, lo, hi int
		if err := scan(&unit, &year, &form, &last, &n, &lo, &hi); err != nil {
			return err
		}
		c.r.Counts.Issues += n
		if n != last || (n > 0 && (lo != 1 || hi != n)) {
			c.r.Add("issue_serials", fmt.Sprintf("đơn vị %s, năm %d, mẫu %s: bộ đếm ở số %d nhưng sổ cấp có %d bản (số %d đến %d)", unit, year, form, last, n, lo, hi))
		}
		return nil
	})
}
