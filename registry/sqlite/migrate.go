package sqlite

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/hotich/hotich/registry"
)

// A migration brings the schema (or the data) of a store one step forward.
// Most are SQL files under migration/ (recorded by their path); a few need Go (a repair that must
// compute search keys), and are listed in goMigrations. Each runs once, in
// name order, in its own write transaction, and is recorded in the
// migrations table.
type migration struct {
	name string
	sql  string
	run  func(ctx context.Context, tx txer) error
}

// goMigrations are the migrations written in Go, by name.
var goMigrations = map[string]func(ctx context.Context, tx txer) error{
	"0005_rebuild_search_keys": rebuildFoldedSearchKeys,
	"0011_registers_in_code":   dropRegisterCheck,
}

// migrations returns every migration this build knows, in order.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migration/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, n := range names {
		buf, err := fs.ReadFile(migrationFS, n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{name: n, sql: string(buf)})
	}
	for n, run := range goMigrations {
		ms = append(ms, migration{name: n, run: run})
	}
	sort.Slice(ms, func(i, j int) bool { return path.Base(ms[i].name) < path.Base(ms[j].name) })
	return ms, nil
}

// appliedMigrations reads the names of the migrations a store has, without
// a write transaction: opening an up-to-date store must never wait for a
// writer.
func (db *DB) appliedMigrations(ctx context.Context) (map[string]bool, error) {
	applied := map[string]bool{}
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'migrations'`).Scan(&n); err != nil {
		return nil, err
	}
	if n == 0 {
		return applied, nil
	}
	rows, err := db.db.QueryContext(ctx, `SELECT name FROM migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		applied[name] = true
	}
	return applied, rows.Err()
}

// migrate applies the migrations the store lacks. When it lacks none it
// only reads.
func (db *DB) migrate(ctx context.Context) error {
	all, err := migrations()
	if err != nil {
		return err
	}
	applied, err := db.appliedMigrations(ctx)
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	known := map[string]bool{}
	var pending []migration
	for _, m := range all {
		known[m.name] = true
		if !applied[m.name] {
			pending = append(pending, m)
		}
	}
	var newer []string
	for name := range applied {
		if !known[name] {
			newer = append(newer, name)
		}
	}
	if len(newer) > 0 {
		sort.Strings(newer)
		return registry.Errorf(registry.EINVALID, "kho dữ liệu đã được nâng cấp bởi một phiên bản hotich mới hơn (%s): dùng phiên bản mới đó", strings.Join(newer, ", "))
	}
	for _, m := range pending {
		if err := db.applyMigration(ctx, m); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

// applyMigration runs one migration in a write transaction, unless another
// process applied it since it was found missing.
func (db *DB) applyMigration(ctx context.Context, m migration) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM migrations WHERE name = ?`, m.name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if m.run != nil {
		err = m.run(ctx, tx)
	} else {
		_, err = tx.ExecContext(ctx, m.sql)
	}
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (name, applied_at) VALUES (?, ?)`, m.name, db.now()); err != nil {
		return err
	}
	return tx.Commit()
}

// rebuildFoldedSearchKeys repairs the search keys of records folded from
// more than one scan. Until this release, folding in a scan that filled in
// a missing field deleted the record's persons rows and wrote none back, so
// those entries could not be found by name or personal ID. Only records
// with more than one source row can be affected; their keys are rebuilt from
// the records themselves.
func rebuildFoldedSearchKeys(ctx context.Context, tx txer) error {
	rows, err := tx.QueryContext(ctx, `SELECT record_rid FROM source_rows GROUP BY record_rid HAVING COUNT(*) > 1`)
	if err != nil {
		return err
	}
	var rids []int64
	for rows.Next() {
		var rid int64
		if err := rows.Scan(&rid); err != nil {
			rows.Close()
			return err
		}
		rids = append(rids, rid)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	find, err := tx.PrepareContext(ctx, `SELECT `+recordColumns+` FROM records r WHERE r.rid = ?`)
	if err != nil {
		return err
	}
	defer find.Close()
	insert, err := tx.PrepareContext(ctx, insertPersonSQL)
	if err != nil {
		return err
	}
	defer insert.Close()
	del, err := tx.PrepareContext(ctx, `DELETE FROM persons WHERE record_rid = ?`)
	if err != nil {
		return err
	}
	defer del.Close()
	w := personWriter{insert: insert.ExecContext, delete: del.ExecContext}
	for _, rid := range rids {
		_, rec, err := scanRecord(find.QueryRowContext(ctx, rid))
		if err != nil {
			return fmt.Errorf("record %d: %w", rid, err)
		}
		if err := w.replace(ctx, rid, rec); err != nil {
			return err
		}
	}
	return nil
}

// registerCheck is the CHECK the first schema put on records.register. The
// registers are the registry's descriptors; a fifth register must not need
// a table rebuild of the store.
const registerCheck = ` CHECK (register IN ('KS', 'KH', 'KT', 'NCMC'))`

// dropRegisterCheck removes the list of registers from the records table's
// schema, the way SQLite documents for removing a CHECK constraint (no
// stored row changes): the schema text is edited and the schema version
// moved on, in the migration's transaction.
func dropRegisterCheck(ctx context.Context, tx txer) error {
	var schema string
	if err := tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'records'`).Scan(&schema); err != nil {
		return err
	}
	if !strings.Contains(schema, registerCheck) {
		return nil
	}
	var version int64
	if err := tx.QueryRowContext(ctx, `PRAGMA schema_version`).Scan(&version); err != nil {
		return err
	}
	for _, q := range []string{
		`PRAGMA writable_schema = ON`,
		`UPDATE sqlite_schema SET sql = '` + strings.ReplaceAll(strings.Replace(schema, registerCheck, "", 1), "'", "''") + `' WHERE type = 'table' AND name = 'records'`,
		fmt.Sprintf(`PRAGMA schema_version = %d`, version+1),
		`PRAGMA writable_schema = OFF`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("records schema: %w", err)
		}
	}
	return nil
}
